"""How notes are read, through the real CLI on real files: the cases an audit found
read differently from SPEC §2-§3. Each fix's test fails on the code before it; a few
tests beside them guard what the fix must not change."""

from __future__ import annotations

import json

from mdnet.parse import parse_note


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
