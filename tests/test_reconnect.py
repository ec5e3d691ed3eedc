"""The reconnect report: every rule of SPEC section 4, on small vaults, through the CLI."""

from __future__ import annotations

import json

AS_OF = "2026-06-30"


def reconnect(vault, *args):
    result = vault.run("report", "reconnect", "--as-of", AS_OF, "--format", "json", *args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["report"] == "reconnect" and data["as_of"] == AS_OF
    return {row["name"]: row for row in data["contacts"]}, [row["name"] for row in data["contacts"]]


def test_cadence_from_property_circle_or_default(vault):
    vault.write(".mdnet.toml", 'default_cadence = "60d"\n[circles]\nclose = "10d"\n')
    vault.write("people/Prop.md", "---\ncadence: 2w\ncircle: close\n---\n- 2026-06-01 x\n")
    vault.write("people/Circle.md", "---\ncircle: close\n---\n- 2026-06-01 x\n")
    vault.write("people/Default.md", "---\ncircle: unknown\n---\n- 2026-05-01 x\n")
    vault.write("people/Quiet.md", "---\ncadence: none\n---\n- 2020-01-01 x\n")
    vault.write("people/Number.md", "---\ncadence: 20\n---\n- 2026-06-01 x\n")  # days
    rows, names = reconnect(vault)
    assert rows["Prop"]["cadence_days"] == 14 and rows["Prop"]["days_since"] == 29
    assert rows["Prop"]["overdue_days"] == 15
    assert rows["Circle"]["cadence_days"] == 10
    assert rows["Default"]["cadence_days"] == 60 and rows["Default"]["overdue_days"] == 0
    assert "Quiet" not in rows
    assert rows["Number"]["cadence_days"] == 20  # a YAML number was taken for no cadence


def test_met_and_last_contact_are_touchpoints_life_is_not(vault):
    vault.write("people/Met.md", "---\nmet: 2026-06-20\n---\n")
    vault.write("people/Last.md", "---\nlast_contact: 2026-06-25\nmet: 2025-01-01\n---\n")
    vault.write("people/Life.md", "- 2026-01-10 coffee\n- 2026-06-29 got married #life\n")
    rows, _ = reconnect(vault, "--limit", "10")
    assert "Met" not in rows and "Last" not in rows
    assert rows["Life"]["last_contact"] == "2026-01-10"
    assert [b["text"] for b in rows["Life"]["bring_up"]] == ["got married #life"]


def test_future_interactions_do_not_exist_yet(vault):
    vault.write("people/Jib.md", "- 2026-01-01 coffee\n- 2026-07-15 planned dinner\n")
    rows, _ = reconnect(vault)
    assert rows["Jib"]["last_contact"] == "2026-01-01"


def test_snooze(vault):
    vault.write("people/Later.md", "---\nsnooze: 2026-07-01\n---\n- 2025-01-01 x\n")
    vault.write("people/Now.md", "---\nsnooze: 2026-06-30\n---\n- 2025-01-01 x\n")
    rows, _ = reconnect(vault)
    assert "Later" not in rows and "Now" in rows


def test_birthdays_in_all_three_forms_and_29_february(vault):
    recent = "- 2026-06-29 x\n"
    vault.write("people/Full.md", "---\nbirthday: 1990-07-03\n---\n" + recent)
    vault.write("people/Short.md", "---\nbirthday: 07-14\n---\n" + recent)
    vault.write("people/Dashes.md", "---\nbirthday: --06-30\n---\n" + recent)
    vault.write("people/Far.md", "---\nbirthday: 07-15\n---\n" + recent)
    rows, names = reconnect(vault)
    assert names == ["Dashes", "Full", "Short"]
    assert [rows[n]["birthday_in_days"] for n in names] == [0, 3, 14]
    assert all(rows[n]["reason"] == "birthday" for n in names)


def test_29_february_falls_on_28_february_in_other_years(vault):
    vault.write("people/Leap.md", "---\nbirthday: 1992-02-29\n---\n- 2027-02-20 x\n")
    result = vault.run("report", "reconnect", "--as-of", "2027-02-27", "--format", "json")
    (row,) = json.loads(result.stdout)["contacts"]
    assert row["birthday_in_days"] == 1
    leap = vault.run("show", "Leap", "--as-of", "2028-02-27", "--format", "json")
    assert json.loads(leap.stdout)["status"]["birthday_in_days"] == 2


def test_mentions_count_and_can_be_turned_off(vault):
    vault.write("people/Jib.md", "---\naliases: [Jibby]\n---\n- 2026-01-01 coffee\n")
    vault.write("Daily/2026-06-20.md", "Ran into [[Jibby]] at the market.\n")
    vault.write("Meetings/standup.md", '---\ndate: 2026-06-25\nwith: "[[Jib]]"\n---\n')
    rows, _ = reconnect(vault, "--limit", "5")
    assert "Jib" not in rows  # 2026-06-25 via the front-matter link of a dated note
    vault.write(".mdnet.toml", "mentions = false\n")
    rows, _ = reconnect(vault)
    assert rows["Jib"]["last_contact"] == "2026-01-01"


def test_interactions_anywhere_concern_linked_contacts(vault):
    vault.write("people/Jib.md", "- 2026-06-14 pizza with [[Afi]] #meal\n")
    vault.write("people/Afi.md", "---\ncadence: 10d\n---\n")
    vault.write("Projects/x.md", "- 2026-06-28 call with [[Jib]]\n")
    rows, _ = reconnect(vault)
    assert rows["Afi"]["last_contact"] == "2026-06-14" and rows["Afi"]["overdue_days"] == 6
    assert "Jib" not in rows


def test_ambiguous_links_count_for_no_one(vault):
    vault.write("people/Sam A.md", "---\naliases: [Sam]\ncadence: 10d\n---\n- 2026-01-01 x\n")
    vault.write("people/Sam B.md", "---\naliases: [sam]\ncadence: 10d\n---\n- 2026-01-01 x\n")
    vault.write("Daily/2026-06-29.md", "- 2026-06-29 lunch with [[Sam]]\n")
    rows, _ = reconnect(vault)
    assert rows["Sam A"]["last_contact"] == rows["Sam B"]["last_contact"] == "2026-01-01"
    check = vault.run("check")
    assert "Daily/2026-06-29.md:1: warning: [[sam]] is ambiguous" in check.stdout


def test_check_names_the_lines_of_ambiguous_names_and_unknown_circles(vault):
    """Every ambiguity and circle problem pointed at line 1 (the `---`), and only the
    first line of a link per note was named: not the item whose gift was lost."""
    vault.write("people/Samuel.md", "---\ncity: Oslo\naliases: [Sam]\ncircle: clsoe\n---\n")
    vault.write("people/Sam.md", "x\n")
    vault.write(
        "Daily/2025-06-25.md", "Call [[Sam]] back.\n\n- 2025-06-25 book for [[Sam]] #gift/given\n"
    )
    out = vault.run("check").stdout.splitlines()
    assert "Daily/2025-06-25.md:1: warning: [[sam]] is ambiguous; no contact gets this link" in out
    assert "Daily/2025-06-25.md:3: warning: [[sam]] is ambiguous; no contact gets this link" in out
    assert any(line.startswith("people/Samuel.md:3: warning: the name 'sam'") for line in out)
    assert any(line.startswith("people/Sam.md:1: warning: the name 'sam'") for line in out)
    assert any(line.startswith("people/Samuel.md:4: warning: unknown circle") for line in out)


def test_check_warns_of_an_alias_that_is_another_notes_file_name(vault):
    """[[Atlas]] opens Projects/Atlas.md in Obsidian; mdnet gives it to Ana (her alias):
    say so, where the alias is written."""
    vault.write("people/Ana.md", "---\ncity: Oslo\naliases: [Atlas]\n---\n")
    vault.write("Projects/Atlas.md", "a project\n")
    out = vault.run("check").stdout.splitlines()
    assert out == [
        "people/Ana.md:3: warning: the alias 'atlas' is also the file name of "
        "Projects/Atlas.md: Obsidian opens that note for [[atlas]], mdnet counts the link "
        "for this contact"
    ]


def test_three_groups_in_order(vault):
    vault.write("people/A little late.md", "---\ncadence: 100d\n---\n- 2026-03-01 x\n")  # 121/100
    vault.write("people/B very late.md", "---\ncadence: 10d\n---\n- 2026-06-01 x\n")  # 29/10
    vault.write("people/C never.md", "")
    vault.write("people/D never.md", "---\nbirthday: 07-01\n---\n")
    vault.write("people/E birthday.md", "---\nbirthday: 07-05\n---\n- 2026-06-29 x\n")
    vault.write("people/F birthday.md", "---\nbirthday: 07-02\n---\n- 2026-06-29 x\n")
    rows, names = reconnect(vault)
    assert names == [
        "B very late",
        "A little late",
        "C never",
        "D never",
        "F birthday",
        "E birthday",
    ]
    assert [rows[n]["reason"] for n in names] == ["overdue"] * 2 + ["never"] * 2 + ["birthday"] * 2
    assert rows["C never"]["last_contact"] is None and rows["C never"]["days_since"] is None
    _, limited = reconnect(vault, "--limit", "3")
    assert limited == names[:3]


def test_bring_up_follow_ups_last_interaction_and_events(vault):
    vault.write(
        "people/Jib.md",
        "---\ncircle: close\n---\n- 2025-05-01 moved to Lisbon #life\n"
        "- 2026-03-01 got promoted #life\n- 2026-04-01 coffee at Blue Bottle #coffee\n"
        "- [ ] send the photos 📅 2026-07-05\n- [x] done already\n",
    )
    vault.write("Projects/p.md", "- [ ] ask [[Jib]] about the talk\n")
    vault.write(
        "events/2026-07-20 Meetup.md",
        '---\ndate: 2026-07-20\ncity: Lisbon\nattendees: ["[[Jib]]"]\n---\n',
    )
    vault.write(
        "events/far.md", '---\ntype: event\ndate: 2026-12-20\nattendees: ["[[Jib]]"]\n---\n'
    )
    rows, _ = reconnect(vault)
    jib = rows["Jib"]
    assert [(b["type"], b["date"], b["text"]) for b in jib["bring_up"]] == [
        ("follow_up", "2026-07-05", "send the photos 📅 2026-07-05"),
        ("life", "2026-03-01", "got promoted #life"),
        ("follow_up", None, "ask [[Jib]] about the talk"),
    ]
    assert jib["last_interaction"]["date"] == "2026-04-01"
    assert jib["last_interaction"]["text"] == "coffee at Blue Bottle #coffee"
    assert jib["last_interaction"]["source"] == "people/Jib.md:6"
    assert [(e["title"], e["date"], e["city"]) for e in jib["events"]] == [
        ("Meetup", "2026-07-20", "Lisbon")
    ]


def test_past_event_attendance_is_a_mention(vault):
    vault.write("people/Jib.md", "---\ncadence: 30d\n---\n- 2026-01-01 x\n")
    vault.write("events/Conf.md", '---\ndate: 2026-06-10\nattendees:\n  - "[[Jib]]"\n---\n')
    rows, _ = reconnect(vault)
    assert "Jib" not in rows


def test_a_trips_title_counts_only_who_is_due_and_no_contacts_names_the_folder(vault):
    """--city lists everyone in the city, in touch or not: its title said "3 to reach
    out to" over two rows in touch; and an empty vault's hint named people/, whatever
    the config said and wherever mdnet looked."""
    vault.write(".mdnet.toml", 'people_dir = "Contacts"\n')
    text = vault.run("report", "reconnect", "--as-of", AS_OF).stdout
    assert f"notes under {vault.root / 'Contacts'}/ or tagged person" in text
    vault.write("Contacts/Late.md", "---\ncity: Lisbon\ncadence: 10d\n---\n- 2026-01-01 x\n")
    vault.write("Contacts/Fine.md", "---\ncity: Lisbon\n---\n- 2026-06-20 dinner\n")
    trip = vault.run("report", "reconnect", "--as-of", AS_OF, "--city", "Lisbon").stdout
    assert "· 1 to reach out to" in trip and "Fine" in trip


def test_a_trip_to_a_city_where_nobody_lives_says_so(vault):
    """It said "Nobody is overdue. Good friend!", which is not what an empty trip means
    (found by an audit)."""
    vault.write("people/A.md", "---\ncity: Lisbon\n---\n- 2026-06-20 dinner\n")
    for fmt in ("text", "markdown"):
        args = ("report", "reconnect", "--as-of", AS_OF, "--city", "Paris", "--format", fmt)
        trip = vault.run(*args).stdout
        assert "None of your contacts lives in Paris." in trip and "overdue" not in trip


def test_city_filter_for_a_trip(vault):
    vault.write("people/A.md", "---\ncity: Lisbon\n---\n")
    vault.write("people/B.md", "---\ncity: Porto\n---\n")
    _, names = reconnect(vault, "--city", "lisbon")
    assert names == ["A"]


def test_text_and_markdown_output(vault):
    vault.write("people/Jib Okafor.md", "---\nname: Jib\n---\n- 2026-01-01 coffee | tea #call\n")
    text = vault.run("report", "reconnect", "--as-of", AS_OF)
    assert "1. Jib" in text.stdout and "180 days ago" in text.stdout
    assert "\x1b[" not in text.stdout  # not a terminal: no colour
    assert max(len(line) for line in text.stdout.splitlines()) <= 80
    md = vault.run("report", "reconnect", "--as-of", AS_OF, "--format", "markdown")
    assert md.stdout.startswith(
        "---\ngenerated_by: mdnet\nreport: reconnect\nas_of: 2026-06-30\n---\n"
    )
    assert "[[Jib Okafor\\|Jib]]" in md.stdout
    from mdnet.parse import parse_note

    note = parse_note("Reports/R.md", md.stdout.encode())
    assert note.generated and note.interactions == []


def test_markdown_escapes_what_comes_from_notes(vault):
    vault.write(
        "people/Jib.md",
        "---\nname: 'Jib | <b>the] boss'\n---\n- 2026-03-01 moved to <script>x</script> | Lisbon #life\n",
    )
    md = vault.run("report", "reconnect", "--as-of", AS_OF, "--format", "markdown").stdout
    row = next(line for line in md.splitlines() if line.startswith("| [[Jib"))
    assert row.startswith("| [[Jib]] |")  # a display name that would break the link is dropped
    assert "&lt;script>x&lt;/script> \\| Lisbon" in row and "<script>" not in md
    assert row.count(" | ") == 4  # still five cells


def test_a_decomposed_file_name_still_takes_its_links(vault):
    import unicodedata

    vault.write(unicodedata.normalize("NFD", "people/Jürgen.md"), "---\ncadence: 10d\n---\n")
    vault.write("Daily/2026-06-29.md", "saw [[Jürgen]]\n")  # typed as one character
    rows, _ = reconnect(vault)
    assert not rows  # the mention counted: not overdue, not "never contacted"


def test_report_rows_as_json_are_what_the_generic_conversion_gives(vault):
    """render writes the two report rows out by hand for speed, and the index makes them
    as JSON text for the json format: field for field, they must stay what converting
    the dataclasses field by field gives."""
    import dataclasses
    import datetime as dt

    from mdnet import render
    from mdnet.config import load_config
    from mdnet.reports.gifts import gifts_json_rows, gifts_report
    from mdnet.reports.reconnect import reconnect_json_rows, reconnect_report
    from mdnet.sync import Index

    def generic(value):
        if type(value).__name__ == "Source":
            return str(value)
        if dataclasses.is_dataclass(value):
            return {f.name: generic(getattr(value, f.name)) for f in dataclasses.fields(value)}
        if isinstance(value, list | tuple):
            return [generic(v) for v in value]
        return value

    vault.write(
        "people/Jib.md",
        "---\ncadence: 7d\ninterests: [tea, maps]\n---\n"
        '- 2026-01-01 lunch #gift/received\n- 2026-02-01 promoted at "Café" \\ \x01 #life\n'
        "- [ ] send the article 📅 2026-03-01\n",
    )
    vault.write(
        "events/2026-03-10 Party.md",
        '---\ntype: event\ndate: 2026-03-10\nattendees: ["[[Jib]]"]\n---\n',
    )
    as_of = dt.date(2026, 3, 1)
    config = load_config(vault.root)
    with Index(config) as index:
        index.refresh()
        rows = reconnect_report(index.conn, config, as_of)
        gifts = gifts_report(index.conn, as_of)
        made_by_the_index = reconnect_json_rows(index.conn, config, as_of) + gifts_json_rows(
            index.conn, as_of
        )
    assert rows[0].bring_up and rows[0].events and rows[0].last_interaction
    assert gifts[0].gift_ideas
    for row, text in zip([*rows, *gifts], made_by_the_index, strict=True):
        assert render.plain(row) == generic(row)
        assert list(render.plain(row)) == [f.name for f in dataclasses.fields(row)]
        assert json.loads(text) == generic(row)
        assert text == render.json_text(row)  # byte for byte, as Python writes JSON


def test_a_memo_carried_across_edits_gives_the_report_made_without_one(vault):
    """The watcher passes the same memo to every report: rows of unchanged contacts are
    reused, and after any edit the report must equal one made from nothing."""
    import datetime as dt

    from mdnet import reports_api
    from mdnet.config import load_config
    from mdnet.reports.reconnect import ReconnectMemo
    from mdnet.sync import Index

    for i in range(6):
        vault.write(f"people/P{i}.md", f"---\ncadence: 30d\n---\n- 2026-0{i + 1}-01 coffee\n")
    edits = [
        ("people/P0.md", "---\ncadence: 30d\n---\n- 2026-06-20 coffee\n"),  # no longer due
        ("Projects/todo.md", "- [ ] send [[P1]] the photos\n"),  # a follow-up for P1
        ("people/P2.md", "---\ncadence: 7d\nbirthday: 07-01\n---\n- 2026-03-01 tea #life\n"),
        (
            "events/2026-07-01 Fair.md",
            '---\ntype: event\ndate: 2026-07-01\nattendees: ["[[P3]]"]\n---\n',
        ),
        ("people/x/P2.md", "---\ncadence: 30d\n---\n- 2026-01-02 tea\n"),  # two P2s now
        ("people/P4.md", None),
    ]
    as_of = dt.date(2026, 6, 25)
    config = load_config(vault.root)
    memo = ReconnectMemo()
    with Index(config) as index:
        index.refresh()
        reports_api.reconnect(index.conn, config, as_of, "markdown", memo=memo)
        for rel, text in edits:
            if text is None:
                (vault.root / rel).unlink()
            else:
                vault.write(rel, text)
            index.refresh()
            with_memo = reports_api.reconnect(index.conn, config, as_of, "markdown", memo=memo)
            fresh = reports_api.reconnect(index.conn, config, as_of, "markdown")
            assert with_memo == fresh, rel
        assert "send [[P1]] the photos" in fresh and "Fair" in fresh and "P4" not in fresh
        assert "[[people/P2\\|P2]]" in fresh and "[[people/x/P2\\|P2]]" in fresh


def test_a_cadence_too_long_to_be_meant_is_named_and_the_circles_applies(vault):
    """Written as a huge YAML number it did not even fit the index's integers: every
    command stopped with an internal error."""
    vault.write("people/Huge.md", "---\ncadence: 100000000000000000000\n---\n- 2026-06-01 x\n")
    vault.write("people/Long.md", "---\ncadence: 99999999999d\ncircle: inner\n---\n")
    rows, _ = reconnect(vault)
    assert rows["Long"]["cadence_days"] == 14 and rows["Long"]["reason"] == "never"
    assert "Huge" not in rows  # the default 90 days: seen 29 days ago
    check = vault.run("check")
    assert "people/Huge.md:2: error: cadence: " in check.stdout
    assert "longer than 100 years" in check.stdout
    vault.write(".mdnet.toml", 'default_cadence = "999999y"\n')
    bad = vault.run("report")
    assert bad.exit_code == 2 and "default_cadence" in bad.stderr and "Traceback" not in bad.output


def test_a_nul_character_reads_as_a_replacement_character_in_every_format(vault):
    """SQLite's JSON functions before 3.45 cut text at a NUL; the text report did not."""
    (vault.root / "people").mkdir()
    (vault.root / "people" / "Nul.md").write_bytes(b"- 2026-06-01 got x\x00y the job #life\n")
    vault.write(".mdnet.toml", 'default_cadence = "7d"\n')
    rows, _ = reconnect(vault)
    assert rows["Nul"]["bring_up"][0]["text"] == "got x\ufffdy the job #life"
    text = vault.run("report", "reconnect", "--as-of", AS_OF)
    assert "got x\ufffdy the job" in text.stdout
    assert "people/Nul.md:1: error: contains a NUL byte" in vault.run("check").stdout


def test_an_event_without_a_date_is_shown_nowhere_and_stops_nothing(vault):
    """The text rows skipped event lists by their latest date, which an undated event
    does not have: every format but JSON stopped with an internal error."""
    vault.write("people/Bob.md", "---\ncadence: 7d\n---\n- 2026-01-01 coffee\n")
    vault.write("events/Party.md", '---\ntitle: Party\nattendees: ["[[Bob]]"]\n---\n')
    vault.write("events/Later.md", '---\ndate: soon\nattendees: ["[[Bob]]"]\n---\n')
    rows, _ = reconnect(vault)
    assert rows["Bob"]["events"] == []
    for args in (
        ["report", "--as-of", AS_OF],
        ["report", "reconnect", "--as-of", AS_OF, "--format", "markdown"],
        ["show", "Bob", "--as-of", AS_OF],
        ["draft", "Bob", "--as-of", AS_OF],
    ):
        result = vault.run(*args)
        assert result.exit_code == 0, (args, result.output)


def test_markdown_links_contacts_that_share_a_file_name_by_their_paths(vault):
    """Both rows used to be `[[Sam]]`, which Obsidian opens as one of the two."""
    vault.write("people/work/Sam.md", "- 2025-01-01 work #gift/given\n")
    vault.write("people/home/Sam.md", "- 2025-02-01 home #gift/received\n")
    vault.write("people/Ann.md", "- 2025-02-01 call\n")
    day = ("--as-of", "2026-01-01")
    for name in ("reconnect", "gifts"):
        text = vault.run("report", name, "--format", "markdown", *day).stdout
        assert "| [[people/work/Sam\\|Sam]] |" in text and "| [[people/home/Sam\\|Sam]] |" in text
        assert "[[Sam]]" not in text
    both = vault.run("report", "--format", "markdown", *day).stdout
    assert both.count("[[people/home/Sam\\|Sam]]") == 2 and "| [[Ann]] |" in both


def test_a_report_note_written_in_the_people_folder_is_not_a_contact(vault):
    """With `reconnect = "people/Reconnect.md"` the report listed itself as a contact."""
    vault.write("people/Ann.md", "- 2025-01-01 call\n")
    out = vault.root / "people" / "Reconnect.md"
    assert vault.run("report", "reconnect", "--format", "markdown", "-o", str(out)).exit_code == 0
    rows, _ = reconnect(vault)
    assert "Reconnect" not in rows and "Ann" in rows
    names = vault.run("query", "SELECT name FROM contacts", "--format", "json").stdout
    assert json.loads(names) == [{"name": "Ann"}]


def test_a_report_note_in_the_people_folder_with_a_merge_conflict_is_not_a_contact(vault):
    """Two synced machines rewrote people/Reconnect.md on different days: its front
    matter no longer reads, and it became a contact named Reconnect, overdue in the
    report (the writer already knew it as mdnet's by its marker line)."""
    vault.write("people/Ann.md", "- 2025-01-01 call\n")
    text = (
        "---\ngenerated_by: mdnet\nreport: reconnect\n<<<<<<< HEAD\nas_of: 2026-01-01\n"
        "=======\nas_of: 2026-01-02\n>>>>>>> theirs\n---\n| [[Ann]] | 2025-01-01 |\n"
    )
    vault.write("people/Reconnect.md", text)
    rows, _ = reconnect(vault)
    assert "Reconnect" not in rows and "Ann" in rows
    names = vault.run("query", "SELECT name FROM contacts", "--format", "json").stdout
    assert json.loads(names) == [{"name": "Ann"}]
    assert "people/Reconnect.md:4" in vault.run("check").stdout  # the conflict is still said


def test_date_and_time_properties_and_an_nfd_people_folder(vault):
    """Obsidian's Date & time values count by their day; a people folder whose name the
    file system stores decomposed (macOS: o + ¨) is the configured one."""
    vault.write(".mdnet.toml", 'people_dir = "Persönlich"\n')
    vault.write(
        "Perso\u0308nlich/Afi.md", "---\ncadence: 14d\nlast_contact: 2026-06-28T18:30\n---\n"
    )
    vault.write("Perso\u0308nlich/Bo.md", "---\ncadence: 14d\nsnooze: 2026-08-01T09:00\n---\n")
    vault.write("Perso\u0308nlich/Cy.md", "---\ncadence: 14d\n---\n- 2026-06-01 coffee\n")
    vault.write("Dinner.md", "---\ndate: 2026-06-28 18:30\n---\nDinner at [[Cy]]'s.\n")
    rows, names = reconnect(vault)
    assert names == []  # Afi seen 2 days ago, Bo snoozed, Cy mentioned at the dinner
    assert vault.run("check").stdout == ""
    assert "Cy" in vault.run("show", "Cy").stdout


def test_markdown_and_relative_links_give_contacts_their_touches(vault):
    """Obsidian with wikilinks off, or with "Relative path to file", writes these links:
    Afi Doe looked 29 days overdue though seen twice since."""
    vault.write("people/Afi Doe.md", "---\ncadence: 14d\n---\n- 2026-06-01 coffee\n")
    vault.write("people/work/Bo.md", "---\ncadence: 14d\n---\n- 2026-06-01 coffee\n")
    vault.write(
        "Daily/2026-06-26.md",
        "- 2026-06-25 lunch with [Afi Doe](../people/Afi%20Doe.md)\n"
        "- 2026-06-26 call with [[../people/work/Bo|Bo]]\n",
    )
    vault.write("Daily/2026-06-28.md", "Saw [Bo](../people/work/Bo.md) at the [[../../Bo]] gym.\n")
    rows, names = reconnect(vault)
    assert names == []
    shown = json.loads(vault.run("show", "Bo", "--format", "json", "--as-of", AS_OF).stdout)
    assert [(i["date"], i["kind"]) for i in shown["timeline"]][-2:] == [
        ("2026-06-26", "touchpoint"),
        ("2026-06-28", "mention"),
    ]


def test_a_reminder_task_keeps_a_contact_on_the_list_as_a_follow_up(vault):
    vault.write("people/Carla.md", "---\ncadence: 10d\n---\n- 2026-06-01 coffee\n")
    vault.write("Daily/2026-06-29.md", "- [ ] Call [[Carla]], overdue!\n")
    rows, names = reconnect(vault)
    assert names == ["Carla"] and rows["Carla"]["last_contact"] == "2026-06-01"
    assert [b["text"] for b in rows["Carla"]["bring_up"]] == ["Call [[Carla]], overdue!"]
    # The link is still a link: an ambiguous one is said, a relative one resolves.
    vault.write("people/Sam A.md", "---\naliases: [Sam]\n---\n")
    vault.write("people/Sam B.md", "---\naliases: [sam]\n---\n")
    vault.write("Daily/2026-06-28.md", "- [ ] call [[Sam]]\n- [ ] ring [[../people/Carla]] again\n")
    assert "Daily/2026-06-28.md:1: warning: [[sam]] is ambiguous" in vault.run("check").stdout
    rows, names = reconnect(vault)
    assert len(rows["Carla"]["bring_up"]) == 2 and rows["Carla"]["last_contact"] == "2026-06-01"


def test_a_dated_property_as_the_last_contact_names_its_own_line(vault):
    """The source of a last contact from `met` or `last_contact` was `path:1`, not the
    property's line (found by an audit); text and JSON agree."""
    vault.write("people/A.md", "---\ncadence: 20d\nlast_contact: 2025-01-29\n---\n")
    vault.write("people/B.md", "---\ncity: Leeds\ncadence: 1d\nmet: 2025-01-01\n---\n")
    result = vault.run("report", "reconnect", "--as-of", "2026-02-28", "--format", "json")
    sources = {
        row["name"]: row["last_interaction"]["source"]
        for row in json.loads(result.stdout)["contacts"]
    }
    assert sources == {"A": "people/A.md:3", "B": "people/B.md:4"}
    text = vault.run("report", "reconnect", "--as-of", "2026-02-28").stdout
    assert "people/B.md:4" in text or "`met` property" in text


def test_the_aliases_view_splits_aliases_written_as_text(vault):
    vault.write("people/J.md", "---\naliases: Jib, Jibola Okafor\n---\n")
    rows = vault.run("query", "SELECT alias FROM aliases ORDER BY alias", "--format", "json")
    assert [row["alias"] for row in json.loads(rows.stdout)] == ["Jib", "Jibola Okafor"]


def test_names_are_ordered_as_a_reader_alphabetises_them(vault):
    """Names compared by code point put "Émile" after "zed" (found by an audit)."""
    for name in ("zed", "Émile", "adam", "Eve"):
        vault.write(f"people/{name}.md", "")
    rows = json.loads(vault.run("report", "reconnect", "--format", "json").stdout)["contacts"]
    assert [row["name"] for row in rows] == ["adam", "Émile", "Eve", "zed"]
    text = vault.run("report", "reconnect").stdout
    assert text.index("Émile") < text.index("Eve") < text.index("zed")
