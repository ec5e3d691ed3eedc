"""What the text and Markdown outputs show a reader: widths, words, dates, escaping."""

from __future__ import annotations

AS_OF = "2026-11-26"
LONG = "Video call, she is thinking of leaving the agency to start her own studio"


def show(vault, name, *args):
    result = vault.run("show", name, "--as-of", AS_OF, *args)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_show_fits_the_terminal_and_gives_the_text_the_room(vault, monkeypatch):
    vault.write(
        "people/Maya Chen.md",
        f"""
        ---
        circle: close
        ---
        - 2026-09-02 {LONG}
        - [ ] Book the table for her birthday at the little place on the corner 📅 2026-12-02
        """,
    )
    vault.write(
        "Journal/2026/11/2026-11-20.md", "- 2026-11-20 Coffee with [[Maya Chen|Maya]] and Tom\n"
    )
    monkeypatch.setenv("COLUMNS", "80")
    narrow = show(vault, "Maya Chen")
    assert max(len(line) for line in narrow.splitlines()) <= 80
    assert LONG[:45] in narrow  # not cut at 35 characters
    assert "people/Maya Chen.md:4" in narrow and "Journal/2026/11/2026-11-20.md:1" in narrow

    monkeypatch.setenv("COLUMNS", "130")
    wide = show(vault, "Maya Chen")
    assert max(len(line) for line in wide.splitlines()) <= 130
    row = next(line for line in wide.splitlines() if "Video call" in line)
    assert LONG in row and row.endswith("people/Maya Chen.md:4")  # one line when it fits


def test_reconnect_names_the_cadence_apart_from_the_circle(vault):
    vault.write(".mdnet.toml", '[circles]\nwork = "180d"\n')
    vault.write("people/Priya Shah.md", "---\ncircle: work\ncadence: quarterly\n---\n")
    vault.write("people/Ola.md", "---\ncircle: work\n---\n")
    vault.write("people/Sam.md", "---\ncadence: 60d\n---\n")
    result = vault.run("report", "reconnect", "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    assert "every 90d (work)" in result.stdout  # her own cadence, not the circle's 180d
    assert "every 180d (work)" in result.stdout and "every 60d" in result.stdout
    assert "work 90d" not in result.stdout


def test_text_says_kinds_and_statuses_in_words(vault):
    vault.write(
        "people/Grandma.md",
        """
        ---
        cadence: 7d
        ---
        - 2026-11-10 She lent me her car for the move #favor/received
        - 2026-11-15 Visited her with flowers #gift/given
        """,
    )
    vault.write("people/Quiet.md", "---\ncadence: none\n---\n- 2026-01-01 x\n")
    report = vault.run("report", "reconnect", "--as-of", AS_OF).stdout
    assert "last 2026-11-15 gift given: Visited her" in report
    grandma = show(vault, "Grandma")
    assert "favour received" in grandma and "gift given" in grandma
    assert "status: 4d overdue" in grandma
    quiet = show(vault, "Quiet")
    assert "cadence: none" in quiet and "status: no reminders (cadence none)" in quiet
    for text in (report, grandma, quiet):
        assert not any(word in text for word in ("gift_given", "favor_received", "no_cadence"))
    data = vault.run("show", "Grandma", "--as-of", AS_OF, "--format", "json").stdout
    assert '"kind":"gift_given"' in data and '"kind":"favor_received"' in data  # JSON unchanged


def test_show_says_until_when_a_snooze_ends(vault):
    vault.write("people/Later.md", "---\nsnooze: 2027-01-15\n---\n- 2025-01-01 x\n")
    assert "status: snoozed until 2027-01-15" in show(vault, "Later")


def test_follow_ups_say_overdue_and_drop_the_tasks_plugin_fields(vault):
    vault.write(
        "people/Maya Chen.md",
        """
        ---
        cadence: 7d
        ---
        - 2026-10-01 coffee
        - [ ] Send Maya the climbing gym link 📅 2026-11-30
        """,
    )
    vault.write(
        "Journal/2026/11/2026-11-21.md",
        """
        - [ ] Book the table for [[Maya Chen]]'s birthday 📅 2026-12-02 🔁 every year
        - [ ] Buy [[Maya Chen]] a gift 🛫 2026-11-25 ⏳ 2026-11-26 ➕ 2026-11-21 📅 2026-12-03 ⏫
        """,
    )
    day = ("--as-of", "2026-12-01")
    text = vault.run("report", "reconnect", *day).stdout
    markdown = vault.run("report", "reconnect", *day, "--format", "markdown").stdout
    card = vault.run("show", "Maya Chen", *day).stdout
    assert "todo (due 2026-11-30, overdue): Send Maya the climbing gym link" in text
    assert "todo (due 2026-12-02): Book the table for [[Maya Chen]]'s birthday\n" in text
    assert "todo (due 2026-12-03): Buy [[Maya Chen]] a gift\n" in text
    assert "Send Maya the climbing gym link (due 2026-11-30, overdue)" in markdown
    assert "[ ] Send Maya the climbing gym link (due 2026-11-30, overdue)" in card
    assert "[ ] Buy [[Maya Chen]] a gift (due 2026-12-03)" in card
    for output in (text, markdown, card):
        assert not any(mark in output for mark in "🔁🛫⏳➕⏫📅"), output
    data = vault.run("report", "reconnect", *day, "--format", "json").stdout
    assert "🔁 every year" in data  # JSON keeps the text as written


def test_markdown_notes_copy_tags_as_text_not_as_tags(vault):
    vault.write(
        "people/Maya Chen.md",
        """
        ---
        cadence: 7d
        interests: ["#climbing"]
        ---
        - 2026-10-01 coffee #gift/received
        - 2026-11-20 She got engaged to Tom! #life see [[Maya Chen#Notes|notes]] and `#code`
        """,
    )
    note_path = vault.root / "Reports" / "Both.md"
    result = vault.run("report", "--as-of", AS_OF, "--format", "markdown", "-o", str(note_path))
    assert result.exit_code == 0, result.output
    note = note_path.read_text(encoding="utf-8")
    assert "She got engaged to Tom! \\#life see [[Maya Chen#Notes\\|notes]] and `#code`" in note
    assert "| \\#climbing |" in note  # a gift idea is copied text too
    assert "# Reconnect — 2026-11-26" in note and "# Gifts and favours — 2026-11-26" in note


def test_a_huge_columns_is_capped(vault, monkeypatch):
    """COLUMNS=999999999999 ended `show` with an internal error, MemoryError (a review)."""
    vault.write("people/Jib.md", "- 2026-01-01 coffee #call\n")
    monkeypatch.setenv("COLUMNS", "999999999999")
    result = vault.run("show", "Jib")
    assert result.exit_code == 0
    assert max(len(line) for line in result.stdout.splitlines()) <= 1000
