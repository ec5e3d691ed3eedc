"""The bad-input corpus (tests/data/bad-vault, one note per case, plus the cases that
cannot live in git: a 20 MB note, a folder link loop, a link out of the vault). For
each: `check` names it with `path:line`, the index and every report still run, there
is no traceback, and the contacts are all still there."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parent / "data" / "bad-vault"

EXPECTED_PROBLEMS = {
    ("people/Broken YAML.md", 2, "error"),
    ("people/Unclosed front matter.md", 1, "error"),
    ("people/Tabs.md", 4, "error"),
    ("people/Duplicate keys.md", 3, "warning"),
    ("people/YAML 1.1 surprises.md", 2, "warning"),
    ("people/YAML 1.1 surprises.md", 3, "warning"),
    ("people/YAML 1.1 surprises.md", 4, "warning"),
    ("people/Impossible dates.md", 2, "error"),
    ("people/Impossible dates.md", 3, "error"),
    ("people/Impossible dates.md", 5, "error"),
    ("people/Conflict in front matter.md", 2, "error"),
    ("people/Conflict in front matter.md", 6, "error"),
    ("people/Conflict in body.md", 2, "error"),
    ("people/Conflict in body.md", 6, "error"),
    ("people/Invalid UTF-8.md", 2, "error"),
    ("people/NUL.md", 4, "error"),
    ("people/Empty.md", 1, "warning"),
    ("people/Unquoted link.md", 2, "warning"),
    ("people/Jib.sync-conflict-20250101-120000-ABCDEF.md", 1, "warning"),
    ("people/loop", 1, "warning"),
    ("people/Outside.md", 1, "warning"),
    ("people/Bad \\xff name.md", 1, "warning"),  # file names that are not UTF-8
    ("people/Folder \\xfe", 1, "warning"),
}
# Valid but unusual input is read as meant and not reported.
READ_FINE = {"UTF-16": "Sixteen", "BOM": "Bom", "CRLF": "Windows", "Lone CR": "Classic Mac"}


@pytest.fixture
def bad_vault(vault, tmp_path):
    shutil.copytree(CORPUS, vault.root, dirs_exist_ok=True)
    people = vault.root / "people"
    with open(people / "Huge.md", "w", encoding="utf-8") as handle:  # 20 MB
        handle.write("---\nname: Huge\n---\n")
        line = "A long journal paragraph about nothing in particular, again and again.\n"
        handle.write(line * (20_000_000 // len(line)))
        handle.write("- 2025-02-01 the last line still counts\n")
    os.symlink(people, people / "loop")
    outside = tmp_path / "outside.md"
    outside.write_text("---\nname: Outsider\n---\n- 2025-02-02 x\n")
    os.symlink(outside, people / "Outside.md")
    # Names that are not UTF-8 (any bytes but / are a name on Linux) once stopped the index.
    with open(os.fsencode(people) + b"/Bad \xff name.md", "wb") as handle:
        handle.write(b"---\nname: Bad Name\n---\n- 2025-02-03 x\n")
    os.mkdir(os.fsencode(people) + b"/Folder \xfe")
    with open(os.fsencode(people) + b"/Folder \xfe/Inside.md", "wb") as handle:
        handle.write(b"- 2025-02-04 x\n")
    # A number too large for a float is infinity, which JSON (and SQLite's) cannot hold.
    (people / "Huge number.md").write_text("---\nscore: 1e999\nlimit: -1E400\n---\n")
    return vault


def test_check_names_every_bad_note_with_its_line(bad_vault):
    result = bad_vault.run("check", "--format", "json")
    assert result.exit_code == 1 and "Traceback" not in result.output
    found = {(p["path"], p["line"], p["level"]) for p in json.loads(result.stdout)}
    assert found >= EXPECTED_PROBLEMS, EXPECTED_PROBLEMS - found
    fine = {f"people/{name}.md" for name in READ_FINE}
    assert not [p for p in found if p[0] in fine]  # valid but unusual notes raise nothing


def test_reports_and_queries_still_run_with_every_contact(bad_vault):
    for args in (["index"], ["report"], ["report", "--format", "json"], ["show", "Jib"]):
        result = bad_vault.run(*args)
        assert result.exit_code == 0, (args, result.output)
        assert "Traceback" not in result.output
    names = json.loads(
        bad_vault.run("query", "SELECT name FROM contacts ORDER BY name", "--format", "json").stdout
    )
    got = {row["name"] for row in names}
    assert set(READ_FINE.values()) <= got
    assert {"Huge", "Jib", "Second", "Unclosed front matter", "Tabs", "Empty"} <= got
    assert "Outsider" in got  # read through the link (mdnet only refuses to write there)
    dates = bad_vault.run(
        "query",
        "SELECT n.path, i.date FROM interactions i JOIN notes n ON n.id = i.note_id",
        "--format",
        "json",
    )
    rows = {(r["path"], r["date"]) for r in json.loads(dates.stdout)}
    for path, day in [
        ("people/Broken YAML.md", "2025-01-01"),
        ("people/Unclosed front matter.md", "2025-01-02"),
        ("people/Invalid UTF-8.md", "2025-01-11"),
        ("people/UTF-16.md", "2025-01-12"),
        ("people/Lone CR.md", "2025-01-15"),
        ("people/Huge.md", "2025-02-01"),
    ]:
        assert (path, day) in rows, path
    assert ("people/Jib.sync-conflict-20250101-120000-ABCDEF.md", "2025-01-19") not in rows
    properties = bad_vault.run(
        "query", "SELECT key, value FROM properties WHERE path = 'people/Huge number.md'"
    )
    assert properties.exit_code == 0, properties.output
    assert "score" in properties.stdout and "inf" in properties.stdout


def test_the_yaml_11_surprises_keep_their_text(bad_vault):
    result = bad_vault.run("show", "YAML 1.1 surprises", "--format", "json")
    props = json.loads(result.stdout)["properties"]
    assert props == {"alive": "no", "wake": "10:00", "zip": "01234"}


def test_a_number_too_long_for_python_is_kept_as_written(vault):
    """An integer of more than 4,300 digits in one note's front matter stopped every
    command of the vault with an internal error (found by an audit)."""
    big = "1" + "0" * 5000
    vault.write("people/X.md", f"---\nbig: {big}\n---\n- 2026-01-01 hi\n")
    vault.write("people/Y.md", f"---\nbig: {big} # c\ntags: [{big}]\nn: 1:2:3\n---\n")
    vault.write("people/Z.md", "---\nbig: 0x" + "f" * 5000 + "\n---\n")
    vault.write("people/W.md", "---\nsmall: 12345\nhex: 0x1F\n---\n")
    assert vault.run("index").exit_code == 0
    assert vault.run("check").exit_code == 0
    result = vault.run("query", "SELECT path, properties FROM notes", "--format", "json")
    rows = {row["path"]: row["properties"] for row in json.loads(result.stdout)}
    assert json.loads(rows["people/X.md"])["big"] == big
    assert json.loads(rows["people/Y.md"])["tags"] == [big]
    assert json.loads(rows["people/Z.md"])["big"] == "0x" + "f" * 5000
    assert json.loads(rows["people/W.md"]) == {"small": 12345, "hex": 31}
