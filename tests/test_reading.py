"""How notes are read, through the real CLI on real files: the cases an audit found
read differently from SPEC §2-§3. Each fix's test fails on the code before it; a few
tests beside them guard what the fix must not change."""

from __future__ import annotations

import json
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mdnet.parse import parse_note
from mdnet.rows import note_rows


def parse(text: str, path: str = "people/Jib.md"):
    return parse_note(path, text.encode("utf-8"))


def query(vault, sql: str) -> list[dict]:
    result = vault.run("query", sql, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def check_lines(vault) -> list[str]:
    return vault.run("check").stdout.splitlines()


# --- an event is on its `date` ---------------------------------------------------------


def test_an_event_is_on_its_date_whatever_its_file_name_says(vault):
    """Named on the day it was made, for a conference later: the file name once won, so
    A got a mention on a day nothing happened and the upcoming event was shown nowhere."""
    vault.write("people/A.md", "---\ncadence: 1d\n---\n")
    vault.write("events/2026-01-10 Conf.md", '---\ndate: 2026-03-01\nattendees: ["[[A]]"]\n---\n')
    assert query(vault, "SELECT date, title FROM events") == [
        {"date": "2026-03-01", "title": "Conf"}
    ]
    report = json.loads(
        vault.run("report", "reconnect", "--as-of", "2026-02-01", "--format", "json").stdout
    )
    (row,) = report["contacts"]
    assert row["last_contact"] is None  # no mention on 2026-01-10
    assert [event["date"] for event in row["events"]] == ["2026-03-01"]
    assert not [line for line in check_lines(vault) if "Conf" in line]


def test_a_dated_note_keeps_its_file_names_day_and_check_names_the_other(vault):
    """Not an event: the file name's day counts, as for a daily note, and `check` says
    that the `date:` line is not read."""
    vault.write("people/A.md", "---\ncadence: 1d\n---\n")
    vault.write("Meetings/2026-01-15 standup.md", "---\ntopic: x\ndate: 2026-02-01\n---\n[[A]]\n")
    vault.write("Meetings/2026-01-16 retro.md", "---\ndate: 2026-01-16\n---\n[[A]]\n")
    assert query(vault, "SELECT date FROM notes WHERE date IS NOT NULL ORDER BY date") == [
        {"date": "2026-01-15"},
        {"date": "2026-01-16"},
    ]
    assert check_lines(vault)[:1] == [
        "Meetings/2026-01-15 standup.md:3: warning: date: 2026-02-01 is not the day the "
        "file name gives (2026-01-15); the file name's day counts"
    ]


# --- indented code blocks ----------------------------------------------------------------


def test_items_in_an_indented_code_block_do_not_count(vault):
    """After a paragraph and a blank line, lines indented by 4 spaces or a tab are code
    (CommonMark; Obsidian shows them so): an example of the log format once counted as a
    gift given and a "no" that kept `ask` from saying yes for 180 days."""
    vault.write("people/A.md", "---\ncadence: 1d\n---\n")
    vault.write(
        "Help.md",
        "How I write my log, for example:\n\n"
        "    - 2026-01-01 example only [[A]] #gift/given\n"
        "    - 2026-01-02 example only [[A]] #ask #no\n\n"
        "Or with a tab:\n\n\t- 2026-01-03 example [[A]] #favor/given\n",
    )
    assert query(vault, "SELECT date FROM interactions") == []
    gifts = json.loads(
        vault.run("report", "gifts", "--as-of", "2026-02-01", "--format", "json").stdout
    )
    assert gifts["contacts"] == []
    assert vault.run("ask", "A", "--as-of", "2026-02-01").exit_code == 1  # never met, not "no"
    assert "said no" not in vault.run("ask", "A", "--as-of", "2026-02-01").stdout


@pytest.mark.parametrize(
    "body",
    [
        "    - 2026-01-01 code first in the body #call\n",
        "## Log\n    - 2026-01-01 code right after a heading #call\n",
        "text\n\n    - 2026-01-01 code #call\n    - 2026-01-02 still code #call\n\n"
        "    ```\n    - 2026-01-03 more of the same block #call\n",
        "- an item\n\nA paragraph ends the list.\n\n\t- 2026-01-01 code #call\n",
        "1.   five columns in\n\n    - 2026-01-01 code: not indented to the item's text #call\n",
        "> quoted:\n>\n>     - 2026-01-01 code inside the quote #call\n",
    ],
)
def test_an_indented_code_block_holds_no_item_wherever_it_starts(body):
    note = parse("---\nname: Jib\n---\n" + body)
    assert note.interactions == []
    assert parse(body).interactions == []  # without front matter: the fast path's bodies


def test_an_item_nested_in_a_list_still_counts_however_far_it_is_indented():
    note = parse(
        "- x\n\n    - 2026-01-03 nested after a blank line [[Afi]]\n"
        "- 2026-01-04 dated\n\n    its details, after a blank line\n"
        "1. y\n   text lazily\ncontinued\n\n\t- 2026-01-05 tab-indented, nested\n"
        "- z\n  - deeper\n\n      - 2026-01-06 nested in the deeper item\n"
        "\n- 2026-01-07 code? no: the item's line\n      - 2026-01-08 without a blank line\n"
    )
    assert [item.date for item in note.interactions] == [
        "2026-01-03", "2026-01-04", "2026-01-05", "2026-01-06", "2026-01-07", "2026-01-08",
    ]  # fmt: skip
    assert note.interactions[1].details.strip() == "its details, after a blank line"


paragraphs = st.lists(
    st.text(alphabet=string.ascii_letters + " .,#[]", min_size=1, max_size=30).filter(
        lambda line: line.strip() and not line.lstrip().startswith("#")
    ),
    max_size=3,
)


@given(
    before=paragraphs,
    lead=st.sampled_from(["", "# Heading", "## Log"]),
    indent=st.sampled_from(["    ", "\t", "  \t", "      ", "   \t", "\t\t"]),
    bullet=st.sampled_from(["-", "*", "+", "1.", "2)"]),
    day=st.dates(),
    front_matter=st.booleans(),
    after=st.sampled_from(["", "\nback to text [[Bo]]\n- 2026-01-01 counts\n"]),
)
def test_a_dated_item_in_an_indented_code_block_never_counts(
    before, lead, indent, bullet, day, front_matter, after
):
    lines = [*before, "", lead] if lead else [*before, ""] if before else []
    code = [f"{indent}{bullet} {day.isoformat()} example [[Afi]] #gift/given", f"{indent}more"]
    text = "\n".join(lines + code) + "\n" + after
    note = parse(("---\nname: Jib\n---\n" if front_matter else "") + text)
    assert [item.date for item in note.interactions] == (["2026-01-01"] if after else [])
    assert "afi" not in {link.key for link in note.links}


# --- list properties written as text ------------------------------------------------------


def test_list_properties_written_as_text_are_split_as_obsidian_did(vault):
    """`tags: person, climber` made a contact (split) but was stored as one tag "person,
    climber" (not split): intros found no pair, and `aliases: Jib, Jibola` resolved
    neither name."""
    vault.write("Notes/A.md", "---\ntags: person, climber\ncity: Porto\n---\n")
    vault.write("people/B.md", "---\ntags: [climber]\ncity: Porto\n---\n")
    vault.write("people/D.md", "---\ninterests: chess, go\n---\n")
    vault.write("people/E.md", "---\ninterests: [go]\n---\n")
    vault.write("people/J.md", "---\naliases: Jib, Jibola, Ana Díaz\n---\n")
    vault.write("Notes/log.md", "- 2026-01-01 coffee with [[Jibola]] and [[Ana Díaz]]\n")
    vault.write("Notes/K.md", "---\ntags: friend person\n---\n")  # spaces split tags
    rows = query(vault, "SELECT file_name, tags, interests FROM contacts ORDER BY file_name")
    assert [(r["file_name"], json.loads(r["tags"]), json.loads(r["interests"])) for r in rows] == [
        ("A", ["person", "climber"], []),
        ("B", ["climber"], []),
        ("D", [], ["chess", "go"]),
        ("E", [], ["go"]),
        ("J", [], []),
        ("K", ["friend", "person"], []),
    ]
    intros = vault.run("intros", "--as-of", "2026-02-01", "--format", "json")
    pairs = {(p["a"], p["b"]) for p in json.loads(intros.stdout)["pairs"]}
    assert {("A", "B"), ("D", "E")} <= pairs
    shown = vault.run("show", "Jibola", "--as-of", "2026-02-01")
    assert shown.exit_code == 0 and "coffee with" in shown.stdout
    assert query(vault, "SELECT COUNT(*) AS n FROM touches") == [{"n": 1}]  # one item, one J
    assert "people/J.md" in vault.run("show", "Jib").stdout


names = st.text(alphabet=string.ascii_letters + "éß -_'.", min_size=1, max_size=12)


@given(
    items=st.lists(names.filter(str.strip), min_size=1, max_size=4),
    separator=st.sampled_from([", ", ",", " , "]),
    key=st.sampled_from(["tags", "aliases", "interests"]),
)
def test_a_list_written_as_text_reads_as_the_same_list_written_as_a_list(items, separator, key):
    """As Obsidian read `aliases: a, b`: a list. A tag holds no space (Obsidian's rule),
    so spaces split tags too."""
    if key == "tags":
        items = [word for item in items for word in item.split()]

    def rows(value: list[str] | str):
        note = parse(f"---\n{key}: {json.dumps(value)}\n---\n", "people/X.md")
        _, contact, names, *_ = note_rows(note, 1)
        return contact, names

    assert rows(separator.join(items)) == rows(items)


@given(
    words=st.lists(
        st.sampled_from(["person", "#Person", "persons", "climber", "é", ""]), max_size=4
    ),
    separators=st.lists(st.sampled_from([", ", ",", " ", "\t", " ,"]), min_size=4, max_size=4),
)
def test_the_contact_test_and_the_stored_tags_agree(words, separators):
    text = "".join(word + separator for word, separator in zip(words, separators, strict=False))
    note = parse(f"---\ntags: {json.dumps(text)}\n---\n", "Notes/X.md")
    if note.is_contact:
        assert "person" in json.loads(note_rows(note, 1)[1][12])
    else:
        assert "person" not in text.lower().replace("#", " ").replace(",", " ").split()


# --- what check says ----------------------------------------------------------------------


def test_an_event_without_a_date_is_said(vault):
    """It was silently no event: a row with no date that no report shows."""
    vault.write("people/A.md", "---\n---\n")
    vault.write("events/Conf.md", '---\nattendees: ["[[A]]"]\ncity: Porto\n---\n')
    vault.write("Notes/Party.md", "---\ntype: event\ndate:\n---\n")
    vault.write("events/No front matter.md", "[[A]] was there\n")
    vault.write("events/Bad day.md", "---\ndate: 2026-02-30\n---\n")  # said as an error
    vault.write("events/2026-03-01 Named.md", "x\n")  # on the day its name gives
    vault.write("events/Dated.md", "---\ndate: 2026-03-01\n---\n")
    undated = "warning: an event without a date is shown nowhere: add `date: YYYY-MM-DD`"
    lines = check_lines(vault)
    assert [line for line in lines if "without a date" in line] == [
        f"Notes/Party.md:3: {undated}",
        f"events/Conf.md:1: {undated}",
        f"events/No front matter.md:1: {undated}",
    ]
    assert [line for line in lines if "Bad day" in line] == [
        "events/Bad day.md:2: error: date: '2026-02-30' is not a date (YYYY-MM-DD)"
    ]


@pytest.mark.parametrize("code", ["", "`code`\n"])  # the fast path, and the line by line one
def test_an_ask_answered_both_yes_and_no_is_said(vault, code):
    """It counted as yes without a word: a "no" meant the 180-day rest was lost."""
    vault.write(
        "people/A.md",
        f"---\n---\n{code}- 2026-01-07 asked for an intro #ask #yes #no\n"
        "- 2026-01-08 asked again #ask #No/politely #Yes\n- 2026-01-09 fine #ask #yes\n",
    )
    line = 3 + bool(code)
    answered = "warning: an ask answered both #yes and #no: it counts as yes; keep one"
    assert check_lines(vault)[:2] == [
        f"people/A.md:{line}: {answered}",
        f"people/A.md:{line + 1}: {answered}",
    ]
    gifts = json.loads(
        vault.run("report", "gifts", "--as-of", "2026-03-01", "--format", "json").stdout
    )
    assert (gifts["contacts"][0]["received"], gifts["contacts"][0]["declined"]) == (3, 0)


def test_a_birthday_in_the_right_form_on_a_day_that_does_not_exist_says_so(vault):
    """It said "not YYYY-MM-DD, MM-DD or --MM-DD" of 1990-02-29, which is in that form."""
    for name, birthday in [("Leap", "1990-02-29"), ("Thirty", "04-31"), ("Odd", "1990/02/01")]:
        vault.write(f"people/{name}.md", f"---\nbirthday: {birthday}\n---\n")
    vault.write("people/Fine.md", "---\nbirthday: 2000-02-29\n---\n")
    assert [line for line in check_lines(vault) if "birthday" in line] == [
        "people/Leap.md:2: error: birthday: '1990-02-29' is not a real day: 1990 is not a leap year",
        "people/Odd.md:2: error: birthday: '1990/02/01' is not YYYY-MM-DD, MM-DD or --MM-DD",
        "people/Thirty.md:2: error: birthday: '04-31' is not a real day",
    ]


@pytest.mark.parametrize("code", ["", "`code`\n"])  # the fast path, and the line by line one
def test_a_date_of_one_digit_months_or_days_is_said(vault, code):
    """`- 2026-1-23 lunch` was silently not dated, unlike **2026-01-23** and the others."""
    vault.write("people/A.md", "---\n---\n")
    vault.write("log.md", f"{code}- 2026-1-23 lunch with [[A]]\n* 2026-12-5: x\n- 2026-1-234 y\n")
    lines = check_lines(vault)
    first = 1 + bool(code)
    assert lines[:2] == [
        f"log.md:{first}: warning: this item's date is not read as written: start it with "
        "2026-01-23 or [[2026-01-23]]",
        f"log.md:{first + 1}: warning: this item's date is not read as written: start it with "
        "2026-12-05 or [[2026-12-05]]",
    ]
    assert len(lines) == 2  # not 2026-1-234


def test_a_file_name_dated_on_a_day_that_does_not_exist_is_said(vault):
    vault.write("people/A.md", "---\n---\n")
    vault.write("Daily/2026-13-01.md", "saw [[A]]\n")
    vault.write("Daily/2026-02-30 standup.md", "---\ndate: 2026-02-28\n---\nsaw [[A]]\n")
    vault.write("Daily/2026-02-28.md", "saw [[A]]\n")
    vault.write("Daily/2026-1-5.md", "a name of one-digit days is no daily note's: not said\n")
    assert check_lines(vault)[:2] == [
        "Daily/2026-02-30 standup.md:1: warning: the file name starts with 2026-02-30, which "
        "is not a real date: it dates nothing",
        "Daily/2026-13-01.md:1: warning: the file name starts with 2026-13-01, which is not a "
        "real date: it dates nothing",
    ]
    assert query(vault, "SELECT path, date FROM notes WHERE date IS NOT NULL ORDER BY path") == [
        {"path": "Daily/2026-02-28.md", "date": "2026-02-28"},
        {"path": "Daily/2026-02-30 standup.md", "date": "2026-02-28"},
    ]


def test_a_note_tagged_person_in_its_text_is_said_and_stays_no_contact(vault):
    """Obsidian counts an inline #person as the note's tag; mdnet reads contacts from
    the front matter (SPEC §2). The note's favour was lost without a word."""
    vault.write(
        "Misc/Ines Costa.md",
        "Neighbour from downstairs. #person\n\n- 2026-09-01 Borrowed her ladder #favor/received\n",
    )
    vault.write("Misc/Quoted.md", "---\nx: 1\n---\ntext\n> a quote #Person\n")
    vault.write("people/Already.md", "a contact by its folder #person\n")
    vault.write("Misc/Tagged.md", "---\ntags: [person]\n---\n#person\n")
    not_tags = (
        "`#person` in code, [[#person]] a heading link, #personal, #person/x, a#person\n"
        "```\n#person\n```\n<!-- #person -->\n%% #person %%\n\n    #person in indented code\n"
    )
    vault.write("Misc/Not tags.md", not_tags)
    tagged = (
        "warning: tagged #person in the text: mdnet reads contacts from the front matter, "
        "add `tags: [person]`"
    )
    assert check_lines(vault) == [f"Misc/Ines Costa.md:1: {tagged}", f"Misc/Quoted.md:5: {tagged}"]
    assert vault.run("show", "Ines Costa").exit_code == 1  # still no contact
