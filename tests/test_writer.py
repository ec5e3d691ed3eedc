"""The write path: `log`, `add`, report notes, and the atomic routine under them."""

from __future__ import annotations

import codecs
import contextlib
import datetime as dt
import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mdnet import writer
from mdnet.edits import check_name, insert_log_line
from mdnet.errors import RefusedError
from mdnet.parse import parse_note

ENTRY = "- 2026-11-25 coffee #call"


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.rglob(".mdnet-*")]


# --- log -------------------------------------------------------------------------------


def test_log_appends_to_the_log_section_and_nothing_else(vault):
    before = (
        "---\nname: Jib\n---\nIntro <!-- keep -->\n\n## Log\n\n- 2026-01-01 tea\n\n"
        "## Follow-ups\n- [ ] call\n"
    )
    path = vault.write("people/Jib.md", before)
    result = vault.run("log", "jib", "coffee", "--tag", "call", "--date", "2026-11-25")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"logged people/Jib.md:9: {ENTRY}\n"
    assert path.read_text() == before.replace("- 2026-01-01 tea\n", f"- 2026-01-01 tea\n{ENTRY}\n")
    show = vault.run("show", "Jib", "--format", "json", "--as-of", "2026-11-30")
    assert '"2026-11-25"' in show.stdout


def test_log_creates_the_section_when_missing(vault):
    path = vault.write("people/Jib.md", "---\nname: Jib\n---\nJust a note.\n")
    vault.run("log", "Jib", "coffee", "--tag", "call", "--date", "2026-11-25")
    assert path.read_text() == f"---\nname: Jib\n---\nJust a note.\n\n## Log\n{ENTRY}\n"


@pytest.mark.parametrize(
    "before, after",
    [
        (
            b"## Log\r\n- 2026-01-01 tea\r\n",
            b"## Log\r\n- 2026-01-01 tea\r\n" + ENTRY.encode() + b"\r\n",
        ),
        (codecs.BOM_UTF8 + b"## Log\n", codecs.BOM_UTF8 + b"## Log\n" + ENTRY.encode() + b"\n"),
        (b"## Log\n- 2026-01-01 tea", b"## Log\n- 2026-01-01 tea\n" + ENTRY.encode()),
        (
            b"---\nname: [broken\n---\n## Log\n",
            b"---\nname: [broken\n---\n## Log\n" + ENTRY.encode() + b"\n",
        ),
        (b"caf\xe9 latin-1\n## Log\n", b"caf\xe9 latin-1\n## Log\n" + ENTRY.encode() + b"\n"),
    ],
    ids=["crlf", "bom", "no-final-newline", "broken-front-matter", "invalid-utf8"],
)
def test_log_keeps_every_other_byte(vault, before, after):
    path = vault.write_bytes("people/Jib.md", before)
    result = vault.run("log", "Jib", "coffee", "--tag", "call", "--date", "2026-11-25")
    assert result.exit_code == 0, result.output
    assert path.read_bytes() == after


@pytest.mark.parametrize(
    "data",
    [
        "## Log\r\n- 2025-01-01 a\r\n".encode("utf-16-le"),  # no byte-order mark
        "\ufeff## Log\n- 2025-01-01 a\n".encode("utf-32-le"),  # its mark starts as UTF-16's
        "\ufeff## Log\n- 2025-01-01 a\n".encode("utf-32-be"),
    ],
)
def test_log_refuses_a_note_it_cannot_write_back_in_its_encoding(vault, data):
    """UTF-16 without a mark was taken for UTF-8 and UTF-32 for UTF-16: the entry was
    appended in another encoding, the note left in two."""
    path = vault.write_bytes("people/Jib.md", data)
    result = vault.run("log", "Jib", "coffee", "--date", "2025-06-01")
    assert result.exit_code == 1 and "it was left as it was" in result.stderr, result.output
    assert "log: people/Jib.md:1: the note" in result.stderr  # path:line: why
    assert path.read_bytes() == data


def test_log_waits_for_an_editor_saving_in_place_to_finish(vault):
    """An editor that saves in place truncates, then writes: log read the half written
    note, and the rest went to the file its rename had replaced (found by an audit)."""
    import threading

    whole = "---\ncity: Leeds\n---\n## Log\n- 2025-01-01 tea\n\n## Private\n" + "x\n" * 500
    path = vault.write("people/Ann.md", whole)
    assert vault.run("index").exit_code == 0
    half = len(whole) // 2

    def save_in_place():
        with open(path, "r+") as handle:
            handle.truncate(0)
            handle.write(whole[:half])
            handle.flush()
            time.sleep(0.2)  # the editor is still writing when log reads
            handle.write(whole[half:])

    editor = threading.Thread(target=save_in_place)
    editor.start()
    time.sleep(0.05)
    result = vault.run("log", "Ann", "call", "--date", "2025-06-01")
    editor.join()
    assert result.exit_code == 0, result.output
    text = path.read_text()
    assert text.endswith("x\n" * 500) and "- 2025-06-01 call" in text and "## Private" in text


def test_log_keeps_the_notes_owner_group_and_extended_attributes(vault):
    """Run as root (a service, sudo), log gave the note to root: its owner could no
    longer read it; and tags other tools keep in extended attributes were dropped."""
    path = vault.write("people/Jib.md", "## Log\n")
    path.chmod(0o600)
    if os.getuid() != 0:
        pytest.skip("giving a note another owner needs root (CI runs as root)")
    os.chown(path, 65534, 65534)
    try:
        os.setxattr(path, "user.colour", b"red")
        attributes = True
    except OSError:  # a file system without user attributes: the owner is still checked
        attributes = False
    assert vault.run("log", "Jib", "tea", "--date", "2025-06-01").exit_code == 0
    st = path.stat()
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (65534, 65534, 0o600)
    assert path.read_text() == "## Log\n- 2025-06-01 tea\n"
    if attributes:
        assert os.getxattr(path, "user.colour") == b"red"


def test_log_keeps_utf16_and_permissions(vault):
    text = "## Log\n- 2026-01-01 tea\n"
    path = vault.write_bytes("people/Jib.md", codecs.BOM_UTF16_BE + text.encode("utf-16-be"))
    path.chmod(0o640)
    vault.run("log", "Jib", "coffee", "--tag", "call", "--date", "2026-11-25")
    expected = text + ENTRY + "\n"
    assert path.read_bytes() == codecs.BOM_UTF16_BE + expected.encode("utf-16-be")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_log_ignores_a_log_heading_inside_code(vault):
    path = vault.write("people/Jib.md", "```\n## Log\n```\n## Log\n- 2026-01-01 a\n")
    vault.run("log", "Jib", "coffee", "--tag", "call", "--date", "2026-11-25")
    assert path.read_text().endswith(f"## Log\n- 2026-01-01 a\n{ENTRY}\n")


@pytest.mark.parametrize(
    "before, after",
    [
        # A heading inside a comment does not end the section: the entry goes after it.
        (
            "## Log\n- 2025-01-01 met\n<!--\n## Archive\n- 2020-01-01 old\n-->\n",
            "## Log\n- 2025-01-01 met\n<!--\n## Archive\n- 2020-01-01 old\n-->\n{entry}\n",
        ),
        (
            "%%\n## Log\n%%\n## Log\n- 2026-01-01 a\n",
            "%%\n## Log\n%%\n## Log\n- 2026-01-01 a\n{entry}\n",
        ),
        # A comment left open to the end: the entry goes before it, where it counts.
        (
            "## Log\n- 2026-01-01 a\n<!-- draft\nold stuff\n",
            "## Log\n- 2026-01-01 a\n{entry}\n<!-- draft\nold stuff\n",
        ),
    ],
)
def test_log_never_writes_the_entry_inside_a_comment(vault, before, after):
    path = vault.write("people/Com.md", before)
    result = vault.run("log", "Com", "coffee", "--tag", "call", "--date", "2026-11-25")
    assert result.exit_code == 0, result.output
    assert path.read_text() == after.format(entry=ENTRY)
    shown = json.loads(vault.run("show", "Com", "--as-of", "2026-11-30", "--format", "json").stdout)
    assert "2026-11-25" in [item["date"] for item in shown["timeline"]]


@pytest.mark.parametrize(
    "args, message",
    [
        (["Jib", "two\nlines"], "one line"),
        (["Jib", "  "], "empty"),
        (["Jib", "x", "--tag", "two words"], "not a tag"),
        (["Nobody", "x"], "no contact named"),
    ],
)
def test_log_refuses_bad_input_with_one_line(vault, args, message):
    path = vault.write("people/Jib.md", "## Log\n")
    result = vault.run("log", *args)
    assert result.exit_code in (1, 2) and message in result.stderr
    assert result.stderr.count("\n") == 1
    assert path.read_text() == "## Log\n"


def test_log_writes_through_a_link_inside_the_vault_and_keeps_the_link(vault):
    real = vault.write("Archive/Jib.md", "## Log\n")
    link = vault.root / "people" / "Jib.md"
    link.parent.mkdir()
    link.symlink_to(real)
    vault.write("people/Afi.md", "")  # the real note under Archive/ is not a contact
    result = vault.run("log", "Jib", "coffee", "--tag", "call", "--date", "2026-11-25")
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and real.read_text() == f"## Log\n{ENTRY}\n"


def test_log_refuses_a_link_to_outside_the_vault(vault, tmp_path):
    outside = tmp_path / "outside.md"
    outside.write_text("## Log\n")
    (vault.root / "people").mkdir()
    (vault.root / "people" / "Jib.md").symlink_to(outside)
    result = vault.run("log", "Jib", "coffee")
    assert result.exit_code == 1 and "outside the vault" in result.stderr
    assert outside.read_text() == "## Log\n"


def test_no_write_leaves_the_vault_through_a_linked_folder(vault, tmp_path):
    """people/ and Reports/ linked to folders outside the vault: log, add, import and a
    report note wrote there, though a note linked outside by itself was refused."""
    outside = tmp_path / "outside"
    (outside / "people").mkdir(parents=True)
    (outside / "people" / "Jib.md").write_text("## Log\n")
    (vault.root / "people").symlink_to(outside / "people")
    (vault.root / "Reports").symlink_to(outside, target_is_directory=True)
    result = vault.run("log", "Jib", "coffee", "--date", "2025-06-01")
    assert result.exit_code == 1 and "leads outside the vault" in result.stderr, result.output
    assert vault.run("add", "Newbie").exit_code == 1
    card = tmp_path / "a.vcf"
    card.write_text("BEGIN:VCARD\nVERSION:3.0\nFN:Ada\nEND:VCARD\n")
    assert "leads outside the vault" in vault.run("import", "vcard", str(card)).output
    note = vault.root / "Reports" / "new" / "R.md"
    result = vault.run("report", "--format", "markdown", "-o", str(note))
    assert result.exit_code == 1 and "leads outside the vault" in result.stderr
    assert sorted(p.name for p in outside.rglob("*")) == ["Jib.md", "people"]
    assert (outside / "people" / "Jib.md").read_text() == "## Log\n"
    assert "2025-06-01" not in vault.run("show", "Jib").stdout  # still read, never written


def test_a_linked_folder_out_of_the_vault_is_refused_however_the_vault_is_spelled(vault, tmp_path):
    """The vault named through a link of its own (vlink -> vault): a report note through
    people/outlink (a folder linked outside) was written, spelled that way."""
    outside = tmp_path / "out"
    outside.mkdir()
    (vault.root / "people").mkdir()
    (vault.root / "people" / "outlink").symlink_to(outside)
    vlink = tmp_path / "vlink"
    vlink.symlink_to(vault.root)
    vault.write("people/Jib.md", "")
    for spelled in (vlink, vault.root):
        note = spelled / "people" / "outlink" / "R.md"
        result = vault.run("report", "--format", "markdown", "-o", str(note))
        assert result.exit_code == 1 and "leads outside the vault" in result.stderr
    assert list(outside.iterdir()) == []
    inside = vlink / "Reports" / "R.md"  # through the vault's own link, into the vault: fine
    assert vault.run("report", "--format", "markdown", "-o", str(inside)).exit_code == 0


def test_a_save_between_read_and_write_is_detected(vault, monkeypatch):
    path = vault.write("people/Jib.md", "## Log\n")
    import mdnet.edits as edits

    real_insert = edits.insert_log_line

    def editor_saves_meanwhile(data, entry):
        path.write_text("## Log\n- 2026-11-24 typed in Obsidian\n")
        return real_insert(data, entry)

    monkeypatch.setattr(edits, "insert_log_line", editor_saves_meanwhile)
    result = vault.run("log", "Jib", "coffee")
    assert result.exit_code == 1
    assert result.stderr.startswith("mdnet: log: people/Jib.md:1: changed since it was read")
    assert path.read_text() == "## Log\n- 2026-11-24 typed in Obsidian\n"
    assert leftovers(vault.root) == []


eols = st.sampled_from(["\n", "\r\n"])
note_lines = st.lists(
    st.one_of(
        st.sampled_from(
            ["## Log", "## Other", "# Title", "```", "---", "- 2026-01-01 x", "", "text"]
        ),
        st.text(alphabet="ab #-`\t\u00e9", max_size=12),
    ),
    max_size=12,
)


@given(lines=note_lines, eol=eols, bom=st.booleans(), final=st.booleans())
@settings(max_examples=300)
def test_log_adds_exactly_one_line_whatever_the_note(lines, eol, bom, final):
    text = eol.join(lines) + (eol if final and lines else "")
    data = (codecs.BOM_UTF8 if bom else b"") + text.encode()
    try:
        new, line = insert_log_line(data, ENTRY)
    except RefusedError as exc:  # the entry could not count anywhere, or where is a guess
        if "a code fence opened there runs to the end" in str(exc):
            assert not [i for i in parse_note("n.md", data).interactions if "coffee" in i.text]
            return
        # front matter left open, two `## Log` sections, or a Log heading of another level
        assert any(
            why in str(exc)
            for why in ("front matter is not closed", 'a second "## Log"', "the Log heading is")
        ), exc
        return
    # The entry counts, at the line said, whatever else the note holds.
    assert [i.line for i in parse_note("n.md", new).interactions if i.text == "coffee #call"] == [
        line
    ]
    eol = eol if eol in text else "\n"  # a note with no line break gets the usual one
    assert new.startswith(codecs.BOM_UTF8) == bom
    assert new.endswith(eol.encode()) == (text.endswith(eol) or not text)  # final newline kept
    body = new.removeprefix(codecs.BOM_UTF8).decode()
    new_lines = body.split(eol)
    assert new_lines[line - 1] == ENTRY
    heading_added = new_lines.count("## Log") > text.split(eol).count("## Log")
    at = line - 1
    if heading_added:  # after a blank line it adds when the line above is text
        assert new_lines[at - 1] == "## Log"
        ways = [{at - 1, at}, {at - 2, at - 1, at}]
    else:  # a blank line before (under an HTML block) or after (above text) it may add
        ways = [{at}, {at, at + 1}, {at - 1, at}, {at - 1, at, at + 1}]
    kept = [eol.join(x for i, x in enumerate(new_lines) if i not in drop) for drop in ways]
    assert text in kept  # every other byte is where it was


# --- add -------------------------------------------------------------------------------


def test_add_creates_a_contact_and_never_overwrites(vault):
    result = vault.run(
        "add", "Ada Lovelace", "--circle", "friends", "--met", "2026-11-20", "--tag", "math"
    )
    assert result.exit_code == 0 and result.stdout == "created people/Ada Lovelace.md\n"
    path = vault.root / "people" / "Ada Lovelace.md"
    text = path.read_text()
    assert "name: Ada Lovelace\n" in text and "circle: friends\n" in text and "  - math\n" in text
    assert "met: 2026-11-20\n" in text and text.endswith("## Log\n")
    shown = vault.run("show", "ada lovelace", "--format", "json")
    assert json.loads(shown.stdout)["properties"]["circle"] == "friends"
    path.write_text("my edits\n")
    again = vault.run("add", "Ada Lovelace")
    assert again.exit_code == 1 and "already exists" in again.stderr
    assert path.read_text() == "my edits\n"


def test_add_uses_the_vaults_template(vault):
    vault.write(
        ".mdnet.toml", 'person_template = "Templates/Person.md"\nignore = ["Templates/**"]\n'
    )
    vault.write(
        "Templates/Person.md",
        '---\nname: "{{title}}"\ncircle:\ncreated: {{date}}\n---\n# {{title}}\n\n## Log\n',
    )
    result = vault.run("add", "Ada", "--circle", "close", "--cadence", "3w")
    assert result.exit_code == 0, result.output
    text = (vault.root / "people" / "Ada.md").read_text()
    assert text.startswith('---\nname: "Ada"\ncircle: close\ncreated: ') and "cadence: 3w\n" in text
    assert "# Ada\n" in text


@pytest.mark.parametrize(
    "line",
    ["title: '{{title}}'", 'title: "{{title}}"', "title: {{title}}", "aka:\n  - {{title}}"],
)
@pytest.mark.parametrize("name", ["Pat O'Brien", 'Dee "DJ" Diaz', "@at", "%pct", "Zoë: Ng"])
def test_a_templates_title_in_front_matter_reads_back_as_the_name(vault, line, name):
    """`{{title}}` was put in raw: a quote or a leading @ made front matter that no
    YAML reader takes, in a note mdnet then reported as broken."""
    from mdnet.edits import new_contact_note
    from mdnet.yamlsafe import load_front_matter

    template = f"---\n{line}\ntags:\n  - person\n---\n# {{{{title}}}}\n"
    text = new_contact_note(name, template, None, None, None, (), dt.date(2026, 1, 1))
    front = text.split("---\n")[1]
    loaded, _ = load_front_matter(front)
    assert name in (loaded.get("title"), *(loaded.get("aka") or []))
    assert text.endswith(f"# {name}\n")


def test_a_name_with_a_comma_stays_one_alias_in_a_flow_list_template():
    from mdnet.edits import new_contact_note
    from mdnet.yamlsafe import load_front_matter

    template = "---\naliases: [{{title}}]\ntags: [person]\n---\n"
    text = new_contact_note("Smith, John", template, None, None, None, (), dt.date(2026, 1, 1))
    loaded, _ = load_front_matter(text.split("---\n")[1])
    assert loaded["aliases"] == ["Smith, John"]


@pytest.mark.parametrize(
    "line, expected",
    [
        ("aliases: ['{{title}} Sr']", ["Jib Doe Sr"]),
        ('aliases: ["{{title}} (work)"]', ["Jib Doe (work)"]),
        ('aliases: [{{title}}, "{{title}} Jr"]', ["Jib Doe", "Jib Doe Jr"]),
    ],
)
def test_title_inside_a_flow_list_is_quoted_only_as_a_bare_item(line, expected):
    from mdnet.edits import new_contact_note
    from mdnet.yamlsafe import load_front_matter

    text = new_contact_note(
        "Jib Doe", f"---\n{line}\n---\n", None, None, None, (), dt.date(2026, 1, 1)
    )
    loaded, _ = load_front_matter(text.split("---\n")[1])
    assert loaded["aliases"] == expected


def test_log_closes_a_fence_as_the_parser_does(vault):
    """A ```js line does not close a fence (the parser agrees): the comment inside is code."""
    path = vault.write("people/Cy.md", "Intro\n```\n```js\n<!-- in code\n```\n")
    result = vault.run("log", "Cy", "call", "--date", "2025-02-01")
    assert result.exit_code == 0, result.output
    assert "2025-02-01" in vault.run("show", "Cy", "--as-of", "2025-03-01").stdout
    assert path.read_text().endswith("## Log\n- 2025-02-01 call\n")


@pytest.mark.parametrize(
    "before",
    [
        "## Log\n- 2025-01-01 a\n``` <!--\ncode\n```\n",  # a fence line that opens a comment too
        "## Log\n- 2025-01-01 a\n> quoted <!-- open in the quote\n",  # ends with the quote
    ],
)
def test_log_puts_the_entry_where_the_parser_reads_it(vault, before):
    vault.write("people/Cy.md", before)
    result = vault.run("log", "Cy", "call", "--date", "2025-02-01")
    assert result.exit_code == 0, result.output
    assert "2025-02-01" in vault.run("show", "Cy", "--as-of", "2025-03-01").stdout


@pytest.mark.parametrize(
    "args",
    [("explained <!-- comments",), ("50%% off",), ("hi", "--tag", "a<!--"), ("x", "--tag", "%%")],
)
def test_log_refuses_an_entry_that_would_open_a_comment(vault, args):
    """`log Jib "explained <!-- comments"` wrote a comment that never closed: the note's
    follow-ups below it vanished, and each later entry went above it."""
    before = "## Log\n- 2025-01-01 a\n\n## Notes\n- [ ] send book\n"
    path = vault.write("people/Jib.md", before)
    result = vault.run("log", "Jib", *args, "--date", "2025-06-01")
    assert result.exit_code == 2 and "would open a comment" in result.stderr, result.output
    assert path.read_text() == before
    for fine in ("explained `<!--` comments", "a <!-- closed --> comment", "``a `%%` b``"):
        assert vault.run("log", "Jib", fine, "--date", "2025-06-02").exit_code == 0
    shown = vault.run("show", "Jib", "--as-of", "2025-07-01", "--format", "json").stdout
    assert len(json.loads(shown)["timeline"]) == 4 and json.loads(shown)["follow_ups"]


@pytest.mark.parametrize(
    "before, after",
    [
        # An ATX heading may stand up to three spaces in: the Log section was not found.
        ("   ## Log\n- 2025-01-01 a\n", "   ## Log\n- 2025-01-01 a\n- 2025-06-01 c\n"),
        (
            "## Log\n- 2025-01-01 a\n  ## Next\nx\n",
            "## Log\n- 2025-01-01 a\n- 2025-06-01 c\n  ## Next\nx\n",
        ),
        # A setext heading ends the section: the entry went under "Other".
        (
            "## Log\n- 2025-01-01 a\n\nOther\n-----\nstuff\n",
            "## Log\n- 2025-01-01 a\n- 2025-06-01 c\n\nOther\n-----\nstuff\n",
        ),
        (
            "## Log\r\n- 2025-01-01 a\r\n\r\nOther\r\n=====\r\n",
            "## Log\r\n- 2025-01-01 a\r\n- 2025-06-01 c\r\n\r\nOther\r\n=====\r\n",
        ),
        (
            "## Log\n- 2026-01-01 a\n\n2027 goals\n----------\n- run a marathon\n",
            "## Log\n- 2026-01-01 a\n- 2025-06-01 c\n\n2027 goals\n----------\n- run a marathon\n",
        ),
        # A thematic break over a rule is no heading text: still the section.
        (
            "## Log\n\n- 2025-01-01 met\n\n***\n---\n\n- 2025-02-01 call\n",
            "## Log\n\n- 2025-01-01 met\n\n***\n---\n\n- 2025-02-01 call\n- 2025-06-01 c\n",
        ),
        # A rule under a list item is a thematic break, not a heading: still the section.
        (
            "## Log\n- 2025-01-01 a\n---\n- 2025-02-01 b\n",
            "## Log\n- 2025-01-01 a\n---\n- 2025-02-01 b\n- 2025-06-01 c\n",
        ),
    ],
)
def test_log_finds_headings_as_commonmark_reads_them(vault, before, after):
    path = vault.write_bytes("people/Jib.md", before.encode())
    result = vault.run("log", "Jib", "c", "--date", "2025-06-01")
    assert result.exit_code == 0, result.output
    assert path.read_bytes() == after.encode()


def test_log_reads_inline_code_as_the_parser_does(vault):
    """A line that starts with ```code``` opens no fence, and a `%%` in backticks no
    comment: log refused the note as if the rest of it were hidden."""
    path = vault.write(
        "people/Cy.md", "```pip install cy``` is hers; `%%` too.\n## Log\n- 2025-01-01 a\n"
    )
    result = vault.run("log", "Cy", "call", "--date", "2025-02-01")
    assert result.exit_code == 0, result.output
    assert path.read_text().endswith("## Log\n- 2025-01-01 a\n- 2025-02-01 call\n")
    shown = vault.run("show", "Cy", "--as-of", "2025-03-01", "--format", "json").stdout
    assert [item["date"] for item in json.loads(shown)["timeline"]] == ["2025-01-01", "2025-02-01"]


def test_log_refuses_when_an_unclosed_comment_would_hide_the_entry(vault):
    before = "---\nname: Jib\n---\nIntro\n%%\nold notes\n"
    path = vault.write("people/Jib.md", before)
    result = vault.run("log", "Jib", "call", "--date", "2025-02-01")
    assert result.exit_code == 1 and "people/Jib.md:5: a comment opened there" in result.stderr
    assert path.read_text() == before


def test_log_refuses_when_an_unclosed_fence_would_hide_the_entry(vault):
    before = "# Notes\n```\nsome code never closed\n"
    path = vault.write("people/Ann.md", before)
    result = vault.run("log", "Ann", "coffee", "--date", "2025-05-05")
    assert result.exit_code == 1 and "people/Ann.md:2: a code fence opened there" in result.stderr
    assert path.read_text() == before


def test_log_goes_before_a_fence_left_open_inside_the_log_section(vault):
    vault.write("people/Ann.md", "## Log\n- 2025-01-01 a\n```\ncode never closed\n")
    result = vault.run("log", "Ann", "coffee", "--date", "2025-05-05")
    assert result.exit_code == 0, result.output
    assert "2025-05-05" in vault.run("show", "Ann", "--as-of", "2025-06-01").stdout


def test_a_template_the_name_would_break_or_that_is_not_closed_is_refused(vault):
    vault.write(".mdnet.toml", 'person_template = "T.md"\nignore = ["T.md"]\n')
    vault.write("T.md", "---\ntitle: Notes on {{title}}: more\n---\n")
    result = vault.run("add", "Ada")
    assert result.exit_code == 1 and "does not read as YAML" in result.stderr
    vault.write("T.md", "---\ntags: person\nname: {{title}}\n")
    result = vault.run("add", "Ada")
    assert result.exit_code == 1 and "not closed" in result.stderr
    assert not (vault.root / "people" / "Ada.md").exists()


def test_add_keeps_a_templates_tags_or_refuses_when_it_cannot_read_them(vault):
    vault.write(".mdnet.toml", 'person_template = "T.md"\nignore = ["T.md"]\n')
    vault.write("T.md", "---\ntags: [friend, a:?]\n---\n")
    result = vault.run("add", "Ann", "--tag", "work")
    assert result.exit_code == 0, result.output
    tags = (vault.root / "people" / "Ann.md").read_text()
    assert "friend" in tags and "a:?" in tags and "work" in tags
    vault.write("T.md", "---\ntags: [friend, {x: ]\n---\n")  # unreadable: merging loses them
    result = vault.run("add", "Bo", "--tag", "work")
    assert result.exit_code == 1 and "template's tags cannot be read" in result.stderr
    assert not (vault.root / "people" / "Bo.md").exists()


def test_add_refuses_a_name_another_contact_answers_to(vault):
    vault.write("Clients/Priya.md", "---\ntags: [person]\naliases: [PR]\n---\n")
    for name in ("Priya", "pr"):
        result = vault.run("add", name)
        assert result.exit_code == 1 and "ambiguous" in result.stderr
    assert not (vault.root / "people").exists()


@pytest.mark.parametrize(
    "name",
    [
        "../evil",
        "a/b",
        "a\\b",
        ".hidden",
        "x#y",
        "x^y",
        "[x]",
        "a|b",
        "tab\there",
        "",
        " pad",
        "Jib.md",
        "a\u202eb",
    ],
)
def test_add_refuses_names_that_escape_or_break_links(vault, name):
    result = vault.run("add", name)
    assert result.exit_code == 1 and result.stderr.startswith("mdnet: add:")
    assert list(vault.root.rglob("*.md")) == []


@given(st.text(max_size=30))
@settings(max_examples=300)
def test_any_name_is_refused_or_stays_in_the_people_folder(name):
    try:
        check_name(name)
    except RefusedError:
        return
    people = Path("/vault/people")
    path = (people / f"{name}.md").resolve()
    assert path.parent == people and path.name == f"{name}.md"


# --- the atomic routine ----------------------------------------------------------------


@pytest.mark.parametrize("step", ["write", "fsync", "chmod", "replace"])
def test_a_failing_step_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch, step):
    path = tmp_path / "note.md"
    path.write_bytes(b"old")
    snapshot = writer.read_snapshot(path)
    boom = OSError(28, "No space left on device")

    def fail(*args, **kwargs):
        raise boom

    if step == "write":
        real_fdopen = os.fdopen

        class Full:
            def __init__(self, handle):
                self.handle = handle

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self.handle.close()

            def write(self, data):
                raise boom

        monkeypatch.setattr(writer.os, "fdopen", lambda fd, mode: Full(real_fdopen(fd, mode)))
    else:
        monkeypatch.setattr(writer.os, step, fail)
    with pytest.raises(OSError):
        writer.atomic_write(path, b"new", expected=snapshot)
    assert path.read_bytes() == b"old"
    assert leftovers(tmp_path) == []


def test_disk_full_is_one_line_and_the_note_is_unchanged(vault, monkeypatch):
    path = vault.write("people/Jib.md", "## Log\n")
    monkeypatch.setattr(
        writer.os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(28, "No space left on device"))
    )
    result = vault.run("log", "Jib", "coffee")
    assert result.exit_code == 1
    assert result.stderr.startswith("mdnet: No space left on device")
    assert path.read_text() == "## Log\n" and leftovers(vault.root) == []


def test_an_edit_that_keeps_the_size_and_mtime_between_read_and_write_is_not_lost(vault):
    """Only mtime and size were compared before writing: an edit of the same size whose
    tool put the mtime back was overwritten."""
    path = vault.write("people/Bo.md", "## Log\n- 2025-01-05 lunch #meal\n")
    snapshot = writer.read_snapshot(path)
    before = os.stat(path)
    time.sleep(0.01)
    path.write_text("## Log\n- 2025-01-05 LUNCH #meal\n")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    with pytest.raises(RefusedError, match="changed since it was read"):
        writer.atomic_write(path, snapshot.data + b"- 2025-02-01 call\n", expected=snapshot)
    assert "LUNCH" in path.read_text()


def test_a_read_only_note_is_refused(vault):
    """Renaming over a note ignores the note's own mode: a note the user made read-only
    was rewritten all the same."""
    path = vault.write("people/Jib.md", "## Log\n")
    path.chmod(0o444)
    result = vault.run("log", "Jib", "coffee")
    assert result.exit_code == 1
    # `path:line: why`, as log's other refusals (an audit found the absolute path alone)
    assert result.stderr == "mdnet: log: people/Jib.md:1: read-only; nothing was written\n"
    assert path.read_text() == "## Log\n"


def test_a_failed_write_names_the_note_not_a_temporary_file(vault, monkeypatch):
    path = vault.write("people/Jib.md", "## Log\n")

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(path.parent / ".mdnet-x.tmp"))

    monkeypatch.setattr(writer.tempfile, "mkstemp", denied)
    result = vault.run("log", "Jib", "coffee")
    assert result.exit_code == 1 and ".tmp" not in result.stderr
    assert result.stderr.startswith("mdnet: Permission denied:") and "Jib.md" in result.stderr
    result = vault.run("export", "ics", "-o", str(vault.root / "people"))  # a folder
    assert result.exit_code == 1 and ".tmp" not in result.stderr


@pytest.mark.parametrize(
    "args, message",
    [(["--tag", "a b"], "is not a tag"), (["--circle", "close\nx"], "is not a circle")],
)
def test_add_refuses_tags_and_circles_log_would_refuse(vault, args, message):
    result = vault.run("add", "Ada", *args)
    assert result.exit_code == 2 and message in result.stderr
    assert not (vault.root / "people" / "Ada.md").exists()


def test_read_only_folder_is_one_line(vault, monkeypatch):
    path = vault.write("people/Jib.md", "## Log\n")

    def read_only(*args, **kwargs):
        raise OSError(30, "Read-only file system", str(path.parent))

    monkeypatch.setattr(writer.tempfile, "mkstemp", read_only)
    result = vault.run("log", "Jib", "coffee")
    assert result.exit_code == 1 and "Read-only file system" in result.stderr
    assert path.read_text() == "## Log\n"


def test_a_writer_killed_mid_write_leaves_the_old_or_the_new_file(tmp_path):
    path = tmp_path / "note.md"
    old, new = b"old\n" * 1000, b"new\n" * 5_000_000
    path.write_bytes(old)
    child = (
        "import sys\nfrom pathlib import Path\nfrom mdnet.writer import atomic_write\n"
        f"atomic_write(Path({str(path)!r}), {new!r} * 1)\n"
    ).replace(repr(new), f"b'new\\n' * {5_000_000}")
    for delay in (0.0, 0.05, 0.2):
        proc = subprocess.Popen([sys.executable, "-c", child])
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert path.read_bytes() in (old, new)
        path.write_bytes(old)


def test_report_notes_are_written_only_when_they_change(vault):
    vault.write("people/Jib.md", "")
    target = vault.root / "Reports" / "R.md"
    args = [
        "report",
        "reconnect",
        "--format",
        "markdown",
        "--as-of",
        "2026-11-20",
        "-o",
        str(target),
    ]
    assert "wrote" in vault.run(*args).stderr
    first = target.stat().st_mtime_ns
    time.sleep(0.01)
    again = vault.run(*args)
    assert again.exit_code == 0 and again.stderr == f"unchanged {target}\n"  # not "wrote"
    assert target.stat().st_mtime_ns == first


def test_a_report_note_never_makes_the_vault_folder_again(tmp_path):
    """The watcher checks the vault is there, then writes its reports: a vault moved in
    between was made again, empty, by the report's `mkdir -p` (a flaky watcher test)."""
    from mdnet.writer import write_report_note

    vault = tmp_path / "vault"  # moved away just now
    with pytest.raises(FileNotFoundError):
        write_report_note(vault / "Reports" / "R.md", "---\ngenerated_by: mdnet\n---\n", vault)
    assert not vault.exists()
    vault.mkdir()  # there: the folders below it are made
    assert write_report_note(vault / "A" / "B" / "R.md", "---\ngenerated_by: mdnet\n---\n", vault)


def test_a_report_note_keeps_its_byte_order_mark_and_line_endings(vault):
    """A Windows checkout (git autocrlf) or editor gave the note CRLF and a BOM: every
    run rewrote it as LF without the mark, unchanged or not, and each rewrite synced."""
    vault.write("people/Jib.md", "- 2026-01-01 call\n")
    target = vault.root / "R.md"
    args = ["report", "reconnect", "--format", "markdown", "--as-of", "2026-11-20", "-o"]
    assert vault.run(*args, str(target)).exit_code == 0
    windows = codecs.BOM_UTF8 + target.read_bytes().replace(b"\n", b"\r\n")
    target.write_bytes(windows)
    first = target.stat().st_mtime_ns
    time.sleep(0.01)
    assert vault.run(*args, str(target)).exit_code == 0
    assert target.read_bytes() == windows and target.stat().st_mtime_ns == first
    vault.write("people/Jib.md", "- 2026-11-01 call\n")  # the report changes: kept so
    assert vault.run(*args, str(target)).exit_code == 0
    data = target.read_bytes()
    assert data.startswith(codecs.BOM_UTF8) and data.count(b"\n") == data.count(b"\r\n")
    assert data != windows


def test_a_text_report_never_replaces_a_note(vault):
    path = vault.write("people/Jib.md", "mine\n")
    result = vault.run("report", "--output", str(path))
    assert result.exit_code == 1 and path.read_text() == "mine\n"


def test_writes_use_today_by_default(vault):
    path = vault.write("people/Jib.md", "## Log\n")
    vault.run("log", "Jib", "coffee")
    assert f"- {dt.date.today().isoformat()} coffee" in path.read_text()


def test_a_write_removes_the_temporary_files_a_killed_write_left(vault):
    """A write killed between its temporary file and the rename (SIGKILL, a power cut)
    left `.mdnet-XXXX.tmp` in the vault for good, copied by every sync tool (found by an
    audit)."""
    vault.write("people/Jib.md", "## Log\n")
    stale = vault.write("people/.mdnet-abc123.tmp", "half a note")
    os.utime(stale, (time.time() - 7200,) * 2)
    fresh = vault.write("people/.mdnet-def456.tmp", "another mdnet writing now")
    mine = vault.write("people/.mdnet-notes.txt", "not ours")
    os.utime(mine, (time.time() - 7200,) * 2)
    assert vault.run("log", "Jib", "tea", "--date", "2025-06-01").exit_code == 0
    assert not stale.exists() and fresh.exists() and mine.exists()


def test_two_logs_at_once_both_land(vault, monkeypatch):
    """Two `log`s that read the note at the same moment both passed the "changed since
    it was read" test, and the second rename dropped the first's line after it had
    said "logged" (found by an audit: 9 of 80 concurrent logs lost). Here one `log` is
    held just before its rename while another mdnet logs to the same note."""
    import threading

    path = vault.write("people/Jib.md", "## Log\n")
    old = time.time() - 60
    os.utime(path, (old, old))  # no settle wait
    assert vault.run("index").exit_code == 0
    at_rename, go_on = threading.Event(), threading.Event()
    real_replace = os.replace

    def held_replace(src, dst):
        at_rename.set()
        go_on.wait(30)
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", held_replace)
    first: list = []
    thread = threading.Thread(target=lambda: first.append(vault.run("log", "Jib", "first")))
    thread.start()
    assert at_rename.wait(30)
    env = {**os.environ, "PYTHONPATH": str(Path(writer.__file__).parents[1])}
    other = subprocess.Popen(
        [sys.executable, "-m", "mdnet", "--vault", str(vault.root), "log", "Jib", "second"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    with contextlib.suppress(subprocess.TimeoutExpired):  # waiting: as it should
        other.wait(timeout=3)  # without the lock it writes now, under the held one
    go_on.set()
    thread.join(30)
    out, err = other.communicate(timeout=60)
    assert first[0].exit_code == 0, first[0].output
    assert other.returncode == 0, err
    lines = path.read_text().splitlines()
    assert [line[13:] for line in lines[1:]] == ["first", "second"], lines


def test_new_notes_are_made_where_the_file_system_has_no_hard_links(vault, monkeypatch):
    """FAT and exFAT drives and many network mounts refuse `link`: `add`, `import` and a
    first report note all failed there (found by an audit). The name is then claimed by
    an exclusive create and the whole file renamed over the claim; never overwritten."""
    import errno

    def no_hard_links(*args, **kwargs):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_hard_links)
    result = vault.run("add", "Ada", "--circle", "friends")
    assert result.exit_code == 0, result.output
    assert "circle: friends" in (vault.root / "people" / "Ada.md").read_text()
    again = vault.run("add", "Ada")
    assert again.exit_code == 1 and "already exists" in again.stderr
    assert leftovers(vault.root) == []


def test_a_hard_linked_note_parted_by_a_write_is_said(vault, tmp_path):
    """A rename gave the note a new file and left its other names with the old text,
    without a word (found by an audit). Said, not refused: a `cp -al` snapshot of the
    vault wants its copy left as it was, and a refusal stopped every log (a review)."""
    path = vault.write("people/Jib.md", "## Log\n")
    os.link(path, tmp_path / "Jib-backup.md")
    result = vault.run("log", "Jib", "coffee", "--date", "2026-11-25")
    assert result.exit_code == 0
    assert result.stderr == (
        "mdnet: log: people/Jib.md had 2 hard links: its other names keep the old text\n"
    )
    assert path.read_text() == "## Log\n- 2026-11-25 coffee\n"
    assert (tmp_path / "Jib-backup.md").read_text() == "## Log\n"


def test_log_writes_where_the_file_system_has_no_locks(vault, monkeypatch):
    """NFS mounted `nolock` answers flock with ENOLCK: every log failed with "No locks
    available" (found by a review). The write goes on unguarded, as before the lock."""
    import errno
    import fcntl

    real_flock = fcntl.flock

    def no_locks(fd, operation):  # on the note's mount; the index's cache is elsewhere
        if os.readlink(f"/proc/self/fd/{fd}").endswith("Jib.md"):
            raise OSError(errno.ENOLCK, "No locks available")
        return real_flock(fd, operation)

    monkeypatch.setattr(fcntl, "flock", no_locks)
    path = vault.write("people/Jib.md", "## Log\n")
    result = vault.run("log", "Jib", "coffee", "--date", "2026-11-25")
    assert result.exit_code == 0, result.output
    assert path.read_text() == "## Log\n- 2026-11-25 coffee\n"


def test_a_claimed_name_is_given_back_when_the_rename_fails(vault, monkeypatch):
    """Without hard links a new note's name is claimed (an empty file) before the rename:
    a failed rename left that empty note, a contact "never contacted" (a review)."""
    import errno

    def no_hard_links(*args, **kwargs):
        raise OSError(errno.EPERM, "Operation not permitted")

    real_replace = os.replace

    def rename_fails(src, dst):  # the note's rename only: the index is renamed into place too
        if str(dst).endswith("Ada.md"):
            raise OSError(errno.EIO, "Input/output error")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "link", no_hard_links)
    monkeypatch.setattr(os, "replace", rename_fails)
    result = vault.run("add", "Ada")
    assert result.exit_code == 1 and "Input/output error" in result.stderr
    assert not (vault.root / "people" / "Ada.md").exists()
    assert leftovers(vault.root) == []
