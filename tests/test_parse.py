"""The parser: text in, notes out, problems as values, never an exception."""

from __future__ import annotations

import json
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mdnet.parse import link_key, parse_note, split_front_matter, split_lines, tags_in


def parse(text: str | bytes, path: str = "people/Jib.md"):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return parse_note(path, data)


def messages(note) -> list[str]:
    return [f"{p.line}:{p.level}:{p.message}" for p in note.problems]


# --- front matter ---------------------------------------------------------------------


def test_front_matter_with_bom_and_crlf():
    note = parse(b"\xef\xbb\xbf---\r\nname: Jib\r\ncircle: close\r\n---\r\n- 2025-06-14 pizza\r\n")
    assert note.properties == {"name": "Jib", "circle": "close"}
    assert [(i.line, i.date, i.text) for i in note.interactions] == [(5, "2025-06-14", "pizza")]


def test_unclosed_front_matter_is_reported_and_the_body_still_counts():
    note = parse("---\nname: Jib\n- 2025-06-14 pizza\n")
    assert note.properties == {}
    assert any("not closed" in m for m in messages(note))
    assert note.interactions[0].line == 3


def test_rule_lines_in_the_body_are_not_front_matter():
    note = parse("---\nname: Jib\n---\ntext\n\n---\n\n- 2025-06-14 pizza\n---\n")
    assert note.properties == {"name": "Jib"}
    assert len(note.interactions) == 1
    assert note.problems == []


def test_front_matter_survives_what_yaml_can_hold():
    text = "---\n2024: year\nno: false key\ncontent: body?\nmet: 2024-02-30\non: [1, 2]\n---\n"
    note = parse(text)
    assert note.properties["2024"] == "year"
    assert note.properties["no"] == "false key"
    assert note.properties["content"] == "body?"
    assert note.properties["met"] == "2024-02-30"
    assert note.properties["on"] == [1, 2]
    assert any(m.startswith("5:error:met") for m in messages(note))


def test_dates_stay_as_written():
    note = parse("---\nmet: 2024-02-03\nbirthday: --02-29\nwhen: 2024-01-01 10:00:00\n---\n")
    assert note.properties == {
        "met": "2024-02-03",
        "birthday": "--02-29",
        "when": "2024-01-01 10:00:00",
    }
    assert note.problems == []


def test_broken_yaml_names_its_line():
    note = parse('---\nname: "Jib\ncircle: close\n---\n- 2025-06-14 still counts\n')
    assert note.properties == {}
    assert messages(note)[0].startswith("2:error:front matter")
    assert len(note.interactions) == 1


def test_duplicate_keys_warn_and_the_last_wins():
    note = parse("---\nname: A\nname: B\n---\n")
    assert note.properties["name"] == "B"
    assert messages(note) == ["3:warning:property 'name' appears twice; the last one counts"]


def test_unsafe_yaml_tags_do_not_run(tmp_path):
    marker = tmp_path / "pwned"
    text = f"---\nx: !!python/object/apply:os.system ['touch {marker}']\n---\n"
    note = parse(text)
    assert not marker.exists()
    assert note.properties == {}
    assert any("front matter" in m for m in messages(note))


def test_alias_bomb_is_refused_not_expanded():
    lines = ["---", "a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 8):
        lines.append(
            f"a{i}: &a{i} [*{'a' if i == 1 else f'a{i - 1}'}"
            + f", *{'a' if i == 1 else f'a{i - 1}'}" * 9
            + "]"
        )
    lines.append("---")
    note = parse("\n".join(lines) + "\n")
    assert note.properties == {}
    assert any("too large" in m for m in messages(note))


def test_front_matter_that_is_not_a_mapping():
    note = parse("---\n- a\n- b\n---\n")
    assert note.properties == {}
    assert any("not a set of" in m for m in messages(note))


# --- interactions ---------------------------------------------------------------------


def test_dated_items_in_both_forms_with_every_separator():
    note = parse(
        "- 2025-06-14 plain\n"
        "* [[2025-06-15]] - dash\n"
        "+ 2025-06-16 — em dash\n"
        "1. 2025-06-17 – en dash\n"
        "2) 2025-06-18: colon\n"
        "- [[2025-06-19|June 19]] alias form\n"
    )
    got = [(i.date, i.text) for i in note.interactions]
    assert got == [
        ("2025-06-14", "plain"),
        ("2025-06-15", "dash"),
        ("2025-06-16", "em dash"),
        ("2025-06-17", "en dash"),
        ("2025-06-18", "colon"),
        ("2025-06-19", "alias form"),
    ]


def test_tasks_are_not_interactions_but_follow_ups():
    note = parse("- [ ] 2025-06-14 call [[Afi]] 📅 2026-01-05\n- [x] 2025-06-14 done\n")
    assert note.interactions == []
    assert [(t.done, t.due, t.links) for t in note.tasks] == [
        (False, "2026-01-05", ("afi",)),
        (True, None, ()),
    ]


def test_items_in_code_and_comments_do_not_count():
    note = parse(
        "```\n- 2025-01-01 fenced\n```\n"
        "~~~~md\n- 2025-01-02 tilde fence\n~~~~\n"
        "<!-- - 2025-01-03 html comment -->\n"
        "<!--\n- 2025-01-04 inside\n-->\n"
        "%%\n- 2025-01-05 obsidian comment\n%%\n"
        "- 2025-01-06 counts\n"
    )
    assert [i.date for i in note.interactions] == ["2025-01-06"]


def test_nested_details_and_nested_items():
    note = parse(
        "- 2025-06-14 trip to Lisbon #travel\n"
        "  we had a great time\n"
        "  - 2025-06-15 dinner with [[Afi]]\n"
        "    at Luigi's\n"
        "- 2025-06-20 back home\n"
    )
    trip, dinner, home = note.interactions
    assert trip.details.startswith("we had a great time")
    assert "- 2025-06-15 dinner" in trip.details
    assert dinner.details == "at Luigi's"
    assert dinner.links == ("afi",)
    assert home.details == ""


def test_impossible_date_in_an_item_is_an_error_with_its_line():
    note = parse("text\n- 2026-02-30 nope\n")
    assert note.interactions == []
    assert messages(note) == ["2:error:2026-02-30 is not a real date; the item is ignored"]


def test_not_a_date_item():
    note = parse("- 2025-06-14T10:00 timestamp\n- 20250614 compact\n- see 2025-06-14\n")
    assert note.interactions == []


def test_kinds_from_tags():
    note = parse(
        "- 2025-01-01 a #gift/given\n- 2025-01-02 b #Gift/Received\n"
        "- 2025-01-03 c #favour/given\n- 2025-01-04 d #favor/received\n"
        "- 2025-01-05 e #ask #yes\n- 2025-01-06 f #ask #no\n- 2025-01-07 g #ask\n"
        "- 2025-01-08 h #intro\n- 2025-01-09 i #paid\n- 2025-01-10 j #life\n- 2025-01-11 k #call\n"
    )
    got = [(i.kind, i.answer) for i in note.interactions]
    assert got == [
        ("gift_given", None),
        ("gift_received", None),
        ("favor_given", None),
        ("favor_received", None),
        ("ask", "yes"),
        ("ask", "no"),
        ("ask", None),
        ("intro", None),
        ("paid", None),
        ("life", None),
        ("touchpoint", None),
    ]


def test_a_nested_tag_is_its_parents_kind_too():
    """#gift/given/birthday is under #gift/given in Obsidian; it was a plain touchpoint,
    and the gifts report told the user they owed a thank-you."""
    note = parse(
        "- 2025-06-10 book #gift/given/birthday\n- 2025-06-11 x #favour/received/cat\n"
        "- 2025-06-12 y #ask/job #yes\n- 2025-06-13 z #life/married\n- 2025-06-14 w #gift/givenx\n"
        "- 2025-06-15 v #ask #no/politely\n"
    )
    got = [(i.kind, i.answer) for i in note.interactions]
    assert got == [
        ("gift_given", None),
        ("favor_received", None),
        ("ask", "yes"),
        ("life", None),
        ("touchpoint", None),
        ("ask", "no"),
    ]


def test_obsidian_date_and_time_values_count_by_their_day():
    """Obsidian's "Date & time" property writes 2025-08-01T09:00: snooze, last_contact,
    met and a dated note's `date` were refused as not dates."""
    note = parse(
        "---\nsnooze: 2025-08-01T09:00\nlast_contact: 2025-06-28 18:30\n"
        "met: 2020-01-02T03:04:05+02:00\ndate: 2025-06-28T18:30\n---\n",
        "Meetings/Dinner.md",
    )
    assert note.date == "2025-06-28" and not note.problems
    bad = parse(
        "---\nsnooze: 2025-08-01T25\ndate: 2025-02-30T10:00\nmet: 2025-08-01T25:99\n---\n", "x.md"
    )
    assert sorted(p.line for p in bad.problems) == [2, 3, 4] and bad.date is None


def test_tags_are_obsidian_tags():
    assert tags_in("a #call b#not #123 #x/y, (#in) `#code`") == ("call", "x/y", "in")
    assert tags_in("[[Jib#Heading]] # heading") == ()
    # Obsidian's tag characters: letters, digits, _ - / and emoji; punctuation ends one.
    assert tags_in("#gift/given—scarf #ask… #c++ #café #🎁 #a_b-c #सहकर्मी #⭐ #€uro") == (
        "gift/given",
        "ask",
        "c",
        "café",
        "🎁",
        "a_b-c",
        "सहकर्मी",  # combining vowel signs are part of the word
        "⭐",
        "€uro",
    )


def test_links_in_every_form():
    note = parse(
        "- 2025-01-01 [[Jib]] [[Afi|shown]] [[Bo#Heading]] [[people/Cy]] [[Di.md]] [[Ed^block]]\n"
    )
    assert note.interactions[0].links == ("jib", "afi", "bo", "people/cy", "di", "ed")


def test_markdown_links_to_notes_count_as_links():
    """With Obsidian's "Use [[Wikilinks]]" off, links are [Afi Doe](Afi%20Doe.md): no
    contact got a touchpoint from another note."""
    note = parse(
        "Met [Bo](Bo.md) and [the site](https://x.example/Cy.md), ![pic](pic.png)\n"
        "- 2025-01-01 lunch with [Afi Doe](../people/Afi%20Doe.md#Log) and [[Di]]\n"
        '- 2025-01-02 see [x](<work/Ed Ng.md> "Ed") and [top](#heading) [m](mailto:a@b.c)\n'
        "- [ ] call [Fay](Fay) back\n",
        "Daily/2025-01-01.md",
    )
    assert [(link.key, link.line) for link in note.links] == [
        ("bo", 1),
        ("di", 2),
        ("../people/afi doe", 2),
        ("work/ed ng", 3),
        ("fay", 4),
    ]
    assert [i.links for i in note.interactions] == [("di", "../people/afi doe"), ("work/ed ng",)]
    assert note.tasks[0].links == ("fay",)
    dotted = parse(
        "see [J](J.%20R.%20Smith) and [D](Dr.%20Who) and [v](notes/v1.2%20plan) [j](John.Doe)\n"
    )
    keys = [link.key for link in dotted.links]
    assert keys == ["j. r. smith", "dr. who", "notes/v1.2 plan", "john.doe"]
    slow = parse(
        "`x` [Bo](Bo.md) `[Cy](Cy.md)`\n- 2025-01-01 [Afi](Afi.md)\n", "Daily/2025-01-01.md"
    )
    assert [link.key for link in slow.links] == ["bo", "afi"]


def test_an_undated_item_with_a_kinds_tag_is_said():
    """- Ada gave me a book #gift/received, in a daily note, counted for nothing: the
    gifts report missed it and check said nothing."""
    note = parse(
        "- Ada gave me a book [[Ada]] #gift/received\n- [[Bo]] helped #favour/given/x\n"
        "- just a #call\n- [ ] buy a #gift/given\n- 2025-01-01 dated #gift/given\n"
        "- life news #life\n",
        "Daily/2025-01-02.md",
    )
    assert messages(note) == [
        "1:warning:#gift/received on an item without a date counts for nothing: start the "
        "item with its day (- YYYY-MM-DD ...)",
        "2:warning:#favor/given/x on an item without a date counts for nothing: start the "
        "item with its day (- YYYY-MM-DD ...)",
    ]
    both = parse("- x #gift #ask\n")  # #ask gives the kind (#gift alone is no kind)
    assert messages(both)[0].startswith("1:warning:#ask on an item")


def test_an_item_with_the_tags_of_two_kinds_is_said_in_either_path():
    """- 2026-01-10 Got married! Sent a blanket #life #gift/given counted as a gift only:
    the life event was never brought up, and #paid #favor/received made a payment a
    favour, without a word (found by an audit)."""
    items = (
        "- 2026-01-10 Got married! Sent a blanket #life #gift/given\n"
        "- 2026-01-12 Fixed my boiler #paid #favour/received\n"
        "- 2026-01-13 asked #ask #no\n- 2026-01-14 x #gift/given/birthday #gift/given #meal\n"
    )
    for body in (items, items + "`code`\n"):  # the fast path, and the line by line one
        assert messages(parse(body, "people/Max.md")) == [
            "1:warning:this item has the tags of 2 kinds (#gift/given and #life): it counts as "
            "gift given only; give each its own item",
            "2:warning:this item has the tags of 2 kinds (#favor/received and #paid): it "
            "counts as favour received only; give each its own item",
        ]


def test_an_item_dated_in_a_form_not_read_is_said():
    """- **2025-06-30** walk, - [[Journal/2025-06-28]] call, - 2025-06-29T19:00 dinner
    counted for nothing without a word. A link to a titled note is no date."""
    note = parse(
        "- **2025-06-30** walk\n- [[Journal/2025-06-28]] call\n- 2025-06-29T19:00 dinner\n"
        "- [[2025-06-01 Standup]] notes\n- [[2025-06-02]] fine\n"
    )
    assert [(p.line, p.message) for p in note.problems] == [
        (1, "this item's date is not read as written: start it with 2025-06-30 or [[2025-06-30]]"),
        (2, "this item's date is not read as written: start it with 2025-06-28 or [[2025-06-28]]"),
        (3, "this item's date is not read as written: start it with 2025-06-29 or [[2025-06-29]]"),
    ]
    assert [i.date for i in note.interactions] == ["2025-06-02"]


def test_an_open_task_is_a_reminder_not_a_mention():
    """- [ ] Call [[Carla]] in a daily note gave Carla a mention: writing a reminder to
    call someone took them off the reconnect list (and counted as a day met for ask)."""
    note = parse(
        "- [ ] Call [[Carla]], overdue!\n- [x] called [[Bo]]\nSaw [[Di]].\n- [ ] and [[Di]]\n",
        "Daily/2026-12-19.md",
    )
    from mdnet.rows import note_rows

    head = note_rows(note, 1)[0]
    assert json.loads(head[-2]) == {"carla": 1, "bo": 2, "di": 3}  # every link, for check
    assert json.loads(head[-1]) == {"bo": 2, "di": 3}  # those that give a mention
    assert [t.links for t in note.tasks] == [("carla",), ("bo",), ("di",)]
    assert note_rows(parse("- [x] called [[Bo]]\n"), 1)[0][-1] is None  # no open task


def test_links_in_front_matter_values_with_their_lines():
    note = parse('---\nfriend: "[[Afi]]"\nteam:\n  - "[[Bo|B]]"\n---\n')
    assert [(link.key, link.line) for link in note.links] == [("afi", 2), ("bo", 4)]


def test_unquoted_link_in_a_property_warns():
    note = parse("---\nfriend: [[Afi]]\n---\n")
    assert [link.key for link in note.links] == ["afi"]
    assert any("unquoted" in m for m in messages(note))


def test_links_in_inline_code_do_not_count():
    note = parse("see `[[Nope]]` and [[Yes]]\n")
    assert [link.key for link in note.links] == ["yes"]


def test_link_key_normalises():
    assert link_key(" People/Jib Okafor.md|Jib ") == "people/jib okafor"
    assert link_key("Jib#Log") == "jib"


# --- classification -------------------------------------------------------------------


def test_contact_by_folder_or_tag_and_dated_notes():
    assert parse("x", "people/sub/A.md").is_contact
    assert parse("---\ntags: [person]\n---\n", "Clients/B.md").is_contact
    assert parse("---\ntags: Person\n---\n", "Clients/B.md").is_contact
    assert not parse("x", "Clients/B.md").is_contact
    assert parse("x", "Daily/2025-06-14.md").date == "2025-06-14"
    assert parse("x", "Daily/2025-06-14 standup.md").date == "2025-06-14"
    assert parse("---\ndate: 2025-06-14\n---\n", "Meetings/x.md").date == "2025-06-14"
    assert parse("x", "Daily/2025-02-30.md").date is None


def test_generated_notes_are_never_a_source():
    note = parse(
        "---\ngenerated_by: mdnet\n---\n- 2025-06-14 [[Jib]] #gift/given\n", "Reports/R.md"
    )
    assert note.generated and note.interactions == [] and note.links == []


def test_a_report_note_whose_front_matter_does_not_read_is_still_generated():
    text = "---\ngenerated_by: mdnet\n<<<<<<< HEAD\nas_of: 1\n=======\n---\n- 2025-06-14 x\n"
    assert parse(text, "people/Reconnect.md").generated
    nested = "---\nnotes: |\n  generated_by: mdnet\n  [\n---\n"  # reads: the user's own
    assert not parse(nested, "people/Sam.md").generated
    user = "---\ngenerated_by: mdnet-ish\n[\n---\n"  # not the marker line
    assert not parse(user, "people/Sam.md").generated


# --- encodings and odd input ----------------------------------------------------------


def test_invalid_utf8_is_reported_with_its_line_and_the_rest_counts():
    note = parse(b"line one\nbad \xff byte\n- 2025-06-14 still here\n")
    assert messages(note)[0].startswith("2:error:invalid UTF-8")
    assert note.interactions[0].date == "2025-06-14"


def test_utf16_with_bom_is_read():
    data = "---\nname: Jib\n---\n- 2025-06-14 hi\n".encode("utf-16")
    note = parse(data)
    assert note.properties == {"name": "Jib"}
    assert len(note.interactions) == 1


def test_lone_cr_line_endings():
    note = parse(b"---\rname: Jib\r---\r- 2025-06-14 hi\r")
    assert note.properties == {"name": "Jib"}
    assert note.interactions[0].line == 4


def test_conflict_markers_and_nul_and_empty():
    note = parse("a\n<<<<<<< HEAD\nb\n=======\nc\n>>>>>>> branch\n")
    assert [m.split(":")[0] for m in messages(note)] == ["2", "6"]
    assert any("NUL" in m for m in messages(parse(b"a\x00b")))
    assert messages(parse(b"")) == ["1:warning:empty note"]


# --- properties (hypothesis) ----------------------------------------------------------

text_lines = st.lists(st.text(alphabet=string.printable + "äé—📅", max_size=40), max_size=12)


@given(st.binary(max_size=400))
@settings(max_examples=300)
def test_any_bytes_parse_without_exceptions(data):
    note = parse_note("people/X.md", data)
    for problem in note.problems:
        assert problem.line >= 1


@given(text_lines, st.sampled_from(["\n", "\r\n", "\r"]))
def test_front_matter_split_never_loses_a_line(lines, newline):
    text = newline.join(lines)
    split = split_lines(text)
    yaml_lines, body_start, closed = split_front_matter(split)
    head = ([split[0]] + yaml_lines + [split[body_start - 1]]) if yaml_lines is not None else []
    assert head + split[body_start:] == split


@given(
    before=text_lines,
    after=text_lines,
    day=st.dates(min_value=__import__("datetime").date(1900, 1, 1)),
    indent=st.sampled_from(["", "  ", "\t"]),
    bullet=st.sampled_from(["-", "*", "+", "1."]),
)
def test_a_dated_item_is_found_wherever_it_stands_and_never_in_a_fence(
    before, after, day, indent, bullet
):
    def safe(lines):  # surrounding text that opens no fence, comment or front matter
        return [
            line
            for line in lines
            if not any(s in line for s in ("```", "~~~", "<!--", "%%", "---", "\n", "\r"))
        ]

    item = f"{indent}{bullet} {day.isoformat()} met [[Afi]]"
    # Indented by a tab (4 columns), an item is one only inside a list: after a blank
    # line or a heading, on its own, it is an indented code block.
    parent = ["- parent"] if indent == "\t" else []
    body = safe(before) + parent + [item] + safe(after)
    note = parse("\n".join(["intro"] + body))
    found = [i for i in note.interactions if i.text == "met [[Afi]]"]
    assert [i.line for i in found] == [body.index(item) + 2]
    fenced = parse("\n".join(["```"] + body + ["```"]))
    assert all(i.text != "met [[Afi]]" for i in fenced.interactions)


fragments = st.sampled_from(
    [
        "- 2025-01-01 coffee with [[Afi]] #meal",
        "  - [[2025-02-03]]: nested [[Bo|B]] #ask #yes",
        "\t* 2025-03-04 — tabbed #gift/given",
        "    details under it",
        "1. 2025-02-30 impossible",
        "- [ ] follow up with [[Cy]] 📅 2026-01-05",
        "- [x] done [[Cy]]",
        "- plain item [[Di#Heading]]",
        "text with [[Ed]] and [[Fi]] #tag",
        "",
        "   ",
        "# Heading",
        "+ 2025-04-05",
        "2) 2025-05-06 - dash #intro [[Gi]]",
        "\u00a0 details after a no-break space",
        "\u2003em-space indent",
        "\x1cfile separator",
        "  - 2025-06-07 nested item #Call (x#y) [#z]",
        "- 2025-07-08 [[Hi]]#ask [[Jo#Part]] #123 #favour/given",
        "> - 2025-08-09 in a quote [[Ki]] #call",
        ">   more in the quote",
        "a -> b",
        "see [Li](Li.md) and [[Li]]",
        "- Ada gave me a book [[Ada]] #gift/received",
        "  * [[Bo]] said #Ask #no",
        "3. 2025-02-30 bad day #paid",
        "- [ ] wrap a present #gift/given",
        "- **2025-06-30** walk #gift/given",
        "    - 2025-10-11 nested, or code after a blank line [[Pi]] #gift/given",
        "\t- 2025-10-12 tab-indented [[Qu]]",
        "  \t* [ ] a task in code or nested [[Ra]]",
        "      code or details with [[Si]] #ask",
        "## Log",
        "- 2025-11-01 answered twice #ask #Yes #no/x",
        "* 2025-1-23 single digits #gift/given",
        "- 2025-12-5: one digit",
        "- 2025-1-234 no date at all",
        "   #",
        " \t ",
        "```",
        "%% hidden [[Zed]] %% then text",
        "1.    2025-10-13 text 5 columns in",
        "  - [[Journal/2025-06-28]] call [[Bo]]",
        "- 2025-06-29T19:00 dinner",
        "- [[2025-06-01 Standup]] notes",
        "- 2025-09-10 [Mo Re](../people/Mo%20Re.md#Log) [[Ni]] [x](https://y.example/a.md)",
        '- [ ] ask [No](<work/No.md> "t") ![p](p.png)',
    ]
)


@given(st.lists(fragments, max_size=25))
def test_fast_and_line_by_line_scans_agree(lines):
    from mdnet.models import ParsedNote
    from mdnet.parse import _scan_body

    fast, slow = ParsedNote("n.md"), ParsedNote("n.md")
    _scan_body(fast, lines, 0)  # the fast scan, unless a line is quoted
    _scan_body(slow, lines, 0, fast=False)
    assert fast == slow


def test_items_in_blockquotes_and_callouts_count():
    """A list item inside `>` is a Markdown list item (Obsidian callouts are quotes)."""
    note = parse_note(
        "Journal/2025-01-05.md",
        b"> [!note] Meeting\n> - 2025-01-05 lunch with [[A]] #meal\n>   - ordered the pasta\n"
        b"> > - 2025-01-06 nested quote\n>no space: - 2025-01-07 not an item\n"
        b"a -> b\n- 2025-01-08 plain\n",
    )
    got = [(i.line, i.date, i.text, i.details) for i in note.interactions]
    assert got == [
        (2, "2025-01-05", "lunch with [[A]] #meal", "- ordered the pasta"),
        (4, "2025-01-06", "nested quote", ""),
        (7, "2025-01-08", "plain", ""),
    ]
    assert [link.key for link in note.links] == ["a"]


@pytest.mark.parametrize(
    "body, expected",
    [
        # A fence opened in a quote ends with the quote: the note's other items count.
        (
            "> [!example] snippet\n> ```js\n> foo()\n\n## Log\n- 2025-01-05 lunch [[A]]\n",
            [(6, "2025-01-05", "lunch [[A]]", "")],
        ),
        # Quoted lines inside a code block are code.
        ("```markdown\n> ```\n> - 2025-01-01 example [[Afi]]\n> ```\n```\n", []),
        # A quote indented under an item is part of its details.
        (
            "- 2025-01-05 lunch\n  > she said: call me\n  then we walked\n",
            [(1, "2025-01-05", "lunch", "> she said: call me\nthen we walked")],
        ),
        # A blank line ends the quote: what follows is not the quoted item's details.
        (
            "> - 2025-01-05 lunch\n\n  not in the quote\n",
            [(1, "2025-01-05", "lunch", "")],
        ),
    ],
)
def test_quotes_end_where_markdown_ends_them(body, expected):
    note = parse_note("Journal/q.md", body.encode())
    assert [(i.line, i.date, i.text, i.details) for i in note.interactions] == expected


def test_code_and_comments_inside_a_quote_stay_inside_it():
    """A comment opened in quoted code, or left open in a callout, hid the rest of the
    note; a link inside quoted code counted."""
    code = parse_note(
        "people/Jib.md", b"> ```html\n> <!-- an open one\n> ```\n\n- 2025-01-01 coffee\n"
    )
    assert [i.date for i in code.interactions] == ["2025-01-01"]
    callout = parse_note(
        "people/Afi.md", b"> [!tip] Draft\n> <!-- todo\n\n## Log\n- 2025-01-02 call\n"
    )
    assert [i.date for i in callout.interactions] == ["2025-01-02"]
    quoted = parse_note("2025-03-01.md", b"> ```\n> [[Jib]]\n> ```\n> met [[Afi]] too\n[[Bo]]\n")
    assert [(link.key, link.line) for link in quoted.links] == [("afi", 4), ("bo", 5)]


def test_a_quote_nested_thousands_deep_is_read_without_recursing_that_deep():
    note = parse_note("q.md", (">" * 5000 + " - 2025-01-05 deep\n> - 2025-01-06 x\n").encode())
    assert [i.date for i in note.interactions] == ["2025-01-06"]


def test_names_compare_in_one_unicode_form():
    import unicodedata

    from mdnet.parse import name_key

    decomposed = unicodedata.normalize("NFD", "Jürgen Müller")
    assert decomposed != "Jürgen Müller" and name_key(decomposed) == name_key("jürgen müller")
    assert link_key(f"people/{decomposed}.md|J") == "people/jürgen müller"


yaml_words = st.sampled_from(
    [
        "Jib",
        "close",
        "no",
        "yes",
        "on",
        "true",
        "False",
        "null",
        "~",
        "12",
        "012",
        "-3",
        "+4",
        "0x1F",
        "0o17",
        "1.5",
        "1e3",
        ".inf",
        "2024-02-30",
        "2013-09-28",
        "10:00",
        "a: b",
        "a:",
        "it's",
        "x #y",
        "é café",
        "[a, b]",
        "[a,, b]",
        "[]",
        "[ ]",
        '"quoted"',
        "'single'",
        '"with \\" escape"',
        "'it''s'",
        "&anchor x",
        "*ref",
        "!tag x",
        "- x",
        "",
        " lead",
        "trail ",
        "%pct",
        "@at",
        "`tick`",
        "a\\tb",
        "{a: 1}",
        "[a, [b]]",
        "back\\\\slash",
        "end]",
        "--05-16",
        "-x",
        "-",
        "--",
        "-- x",
        "-[a]",
        "-:",
        "-,",
        "Kettle & Co",
        "Hi!",
        "a&b",
        "x\x01",
        '"\x7f"',
        "\x85x",
        "a\x85",
        '["Adriana Doğan"]',
        '["a", "b"]',
        "['a', b]",
        '["a", b]',
        '["a,b"]',
        '[""]',
        '["a" , "b"]',
        '["a"b]',
        '[b"]',
        "[-a]",
        "[- a]",
        "[&a x]",
        "[a!, !b]",
        '["Ada"\u00a0, Bob]',
        "[Ada\u00a0]",
        "[x, \u3000y]",
        "Kettle\u2028& Co",
        "--05-16\u2029!x",
        "Ada\u2029Lovelace",
        "[a:b, c]",
        "[10:00]",
    ]
)
yaml_keys = st.sampled_from(
    ["name", "circle", "no", "2024", "last contact", "first-name", "é", "key ", "_x"]
)


@st.composite
def simple_front_matter(draw):
    lines = []
    for _ in range(draw(st.integers(0, 6))):
        key = draw(yaml_keys)
        if draw(st.booleans()):
            lines.append(f"{key}: {draw(yaml_words)}")
        else:
            lines.append(f"{key}:")
            indent = draw(st.sampled_from(["", "  ", "    ", " "]))
            for _ in range(draw(st.integers(0, 3))):
                lines.append(f"{indent if draw(st.integers(0, 9)) else '   '}- {draw(yaml_words)}")
    return "\n".join(lines)


def _separators_back(value):
    if isinstance(value, str):
        return value.replace("\u00e6", "\u2028").replace("\u00f8", "\u2029")
    if isinstance(value, list):
        return [_separators_back(v) for v in value]
    if isinstance(value, dict):
        return {k: _separators_back(v) for k, v in value.items()}
    return value


@given(simple_front_matter())
@settings(max_examples=600)
def test_the_simple_front_matter_reader_agrees_with_libyaml(text):
    from mdnet.yamlsafe import FrontMatterError, load_simple, load_with_yaml

    fast = load_simple(text)
    if fast is None:
        return  # not simple: the real loader reads it
    if "\u2028" in text or "\u2029" in text:
        # Obsidian reads these as text, libyaml as line breaks: the quick reader (which
        # keeps them from libyaml) reads them as it would read any letter.
        letters = text.replace("\u2028", "\u00e6").replace("\u2029", "\u00f8")
        assert _separators_back(load_simple(letters)) == fast, text
        return
    try:
        slow, duplicates = load_with_yaml(text)
    except FrontMatterError as exc:  # pragma: no cover - would be a bug in load_simple
        raise AssertionError(f"load_simple accepted YAML that libyaml rejects: {exc}") from None
    assert duplicates == []
    assert fast == (slow or {}), text


def test_a_control_character_in_front_matter_is_named_whatever_reader_reads_it():
    # The fast reader once took what libyaml refuses, so the same note was an error or
    # not depending on which reader saw it first.
    note = parse("---\nname: Ada\x01\ncity: Lyon\n---\nbody\n")
    assert [(p.line, p.level) for p in note.problems] == [(2, "error")]
    assert "control characters" in note.problems[0].message
    assert note.properties == {}


@given(st.text(alphabet="#a1 \t([])/,\u00a0é\n—+🎁_-", max_size=14))
def test_tags_are_found_as_the_plain_look_behind_finds_them(text):
    # TAG puts its look-behind after the `#` (much faster); this is the obvious form.
    import re

    from mdnet.parse import TAG

    chars = r"[^\s\u2000-\u206f\u2e00-\u2e7f'!\"#$%&()*+,.:;<=>?@^`{|}~\[\]\\]"
    obvious = re.compile(r"(?<![^\s(\[])#(" + chars + "+)")
    assert TAG.findall(text) == obvious.findall(text)


def test_front_matter_nested_hundreds_deep_is_a_problem_not_a_crash():
    note = parse("---\na: " + "[" * 600 + "]" * 600 + "\nname: Deep\n---\n- 2024-01-05 x\n")
    errors = [(p.line, p.message) for p in note.problems if p.level == "error"]
    assert errors == [(2, "front matter: front matter nests too deeply")]
    assert [i.date for i in note.interactions] == ["2024-01-05"]


def test_a_line_separator_inside_a_value_is_text_as_obsidian_reads_it():
    # U+2028 comes with text pasted from elsewhere; libyaml reads it as a line break and
    # refuses the whole front matter, so the quick reader keeps such front matter.
    note = parse("---\nname: Ann Lee\ncircle: close\nnote: met at conf\u2028great talk\n---\n")
    assert note.problems == []
    assert note.properties == {
        "name": "Ann Lee",
        "circle": "close",
        "note": "met at conf\u2028great talk",
    }


def test_a_long_list_without_anchors_is_read_whatever_its_length():
    note = parse("---\nx: [" + ",".join(["1"] * 50_001) + "]  # a comment\n---\n")
    assert note.problems == [] and len(note.properties["x"]) == 50_001


def _strip_comments_reference(line: str) -> tuple[str, str | None]:
    """The plain way (each comment or code span found again from where the last one
    ended, the line rebuilt): slow on a line of thousands of comments, and the meaning
    _strip_comments must keep. A code span that starts first is text, comments and all."""
    from mdnet.parse import code_spans

    out, pos = line, 0
    while True:
        starts = [(out.find(mark, pos), mark, end) for mark, end in (("<!--", "-->"), ("%%", "%%"))]
        starts = [s for s in starts if s[0] >= 0]
        if not starts:
            return out, None
        at, mark, end = min(starts)
        spans = code_spans(out[pos:])  # found again in what is left: comments blanked
        if spans and pos + spans[0][0] < at:
            pos += spans[0][1]
            continue
        close = out.find(end, at + len(mark))
        if close < 0:
            return out[:at], end
        out = out[:at] + " " * (close + len(end) - at) + out[close + len(end) :]
        pos = close + len(end)


@given(
    st.lists(st.sampled_from(["<!--", "-->", "%%", "%", "-", "<", "!", "a", " ", ">", "`", "``"]))
)
@settings(max_examples=1000)
def test_comments_are_blanked_as_the_plain_way_does(parts):
    from mdnet.parse import _strip_comments

    line = "".join(parts)
    assert _strip_comments(line) == _strip_comments_reference(line)


@pytest.mark.parametrize("opener", ["<!--", "%%"])
def test_a_comment_opener_inside_inline_code_is_text(opener):
    """A `<!--` or `%%` in backticks opened a comment that never closed: every later
    item of the note was lost, without a word from check."""
    note = parse(
        f"- 2025-06-10 taught her the `{opener}` syntax\n- 2025-06-25 lunch #gift/received\n"
    )
    assert [(i.date, i.kind) for i in note.interactions] == [
        ("2025-06-10", "touchpoint"),
        ("2025-06-25", "gift_received"),
    ]
    assert note.interactions[0].text == f"taught her the `{opener}` syntax"
    hidden = parse(f"a <!-- `{opener}` -->\n- 2025-06-25 lunch\n- 2025-06-26 x <!-- `b` -->\n")
    assert [i.text for i in hidden.interactions] == ["lunch", "x"]


def test_a_comment_in_an_item_leaves_one_space_and_a_line_it_starts_is_no_item():
    """The comment's width of spaces reached the JSON report and drafts; and the text
    after a comment that starts a line was read as an item (CommonMark: HTML block)."""
    note = parse(
        "- 2025-06-25 lunch %% she is job hunting %% then a walk #meal\n"
        "- [ ] ask <!-- gently --> about it\n"
        "<!-- old\nstuff --> - 2025-06-01 coffee\n"
        "%% x %% - 2025-06-02 tea\n"
        "  <!-- y --> ```\n"
        "- 2025-06-03 counted [[Bo]]\n"
    )
    assert [(i.date, i.text) for i in note.interactions] == [
        ("2025-06-25", "lunch then a walk #meal"),
        ("2025-06-03", "counted [[Bo]]"),
    ]
    assert [t.text for t in note.tasks] == ["ask about it"]


def test_code_spans_close_only_on_a_run_of_their_own_length():
    """``wrap `%%` in backticks``: the first single backtick closed the span, so the %%
    inside opened a comment that hid the rest of the note (CommonMark: runs must match)."""
    note = parse(
        "- 2025-06-10 tip: ``wrap `%%` in backticks``\n- 2025-06-20 lunch #gift/received\n"
        "- 2025-06-21 x ``a ` [[Bo]] b`` [[Cy]]\n- 2025-06-22 y \\` b <!-- hidden --> c ` d\n"
    )
    assert [(i.date, i.kind) for i in note.interactions][:2] == [
        ("2025-06-10", "touchpoint"),
        ("2025-06-20", "gift_received"),
    ]
    assert note.interactions[2].links == ("cy",)  # [[Bo]] is inside the span
    assert note.interactions[3].text == "y \\` b c ` d"  # an escaped backtick opens nothing


def test_a_backslash_inside_a_code_span_is_text():
    """CommonMark has no escapes inside code: `C:\\tmp\\` closes at its second backtick.
    Taken for an escape, the span ran on, and [[Afi]] after it was lost."""
    note = parse("- 2026-01-05 path `C:\\tmp\\` then met [[Afi]] and ` alone\n")
    assert note.interactions[0].links == ("afi",)
    hidden = parse("- 2026-01-05 `a\\` %% [[Secret]] `b`\n  - 2026-01-06 [[Bo]]\n")
    assert [i.date for i in hidden.interactions] == ["2026-01-05"]  # the %% hides the rest


def test_a_fence_info_string_opens_no_comment():
    note = parse("- 2025-01-01 a\n```html <!-- snippet\n<p>x</p>\n```\n- 2025-01-02 after\n")
    assert [i.date for i in note.interactions] == ["2025-01-01", "2025-01-02"]


def test_a_line_that_starts_with_inline_code_is_not_a_fence():
    """```pip install afi``` on a line of text is a code span (a backtick fence's info
    string holds no backtick): read as a fence, it hid the rest of the note."""
    note = parse("```pip install afi``` is her package.\n\n- 2025-06-25 lunch [[Bo]]\n")
    assert [i.date for i in note.interactions] == ["2025-06-25"]
    assert [link.key for link in note.links] == ["bo"]
    fenced = parse("```py title\n- 2025-06-25 in code\n```\n- 2025-06-26 out\n")
    assert [i.date for i in fenced.interactions] == ["2025-06-26"]


def test_a_long_line_of_backtick_runs_is_read_in_one_pass():
    """Each run of backticks looked ahead for a closer of its length: a line of 2,000
    runs of different lengths took minutes. The bound is loose: it catches the
    quadratic cost, not a slow machine."""
    import time

    from mdnet.parse import _strip_comments

    line = " ".join("`" * k for k in range(1, 2001)) + " <!-- x --> %% y"
    started = time.perf_counter()
    note = parse(line + "\n- 2025-01-01 after\n")
    assert _strip_comments(line)[1] == "%%"
    assert time.perf_counter() - started < 5
    assert note.interactions == []  # the %% left open hides the item, as it should


def test_a_line_of_many_comments_is_read_in_one_pass(vault):
    """20,000 comments on one line took 11 s to index (each found from the start of the
    line again) and 47 s at 40,000; one pass takes a few hundredths of a second. The
    bound is loose: the test catches the quadratic cost, not a slow machine."""
    import time

    vault.write("people/Ann.md", "<!-- x -->" * 40000 + "%% y %%" * 20000 + "\n- 2025-01-01 call\n")
    started = time.perf_counter()
    assert vault.run("index").exit_code == 0
    logged = vault.run("log", "Ann", "tea", "--date", "2025-02-01")
    assert logged.exit_code == 0, logged.output
    assert time.perf_counter() - started < 15
    shown = vault.run("show", "Ann", "--as-of", "2025-03-01", "--format", "json").stdout
    assert [item["date"] for item in json.loads(shown)["timeline"]] == ["2025-01-01", "2025-02-01"]
