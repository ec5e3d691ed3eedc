"""Where `log` puts its entry in notes laid out in unusual ways, what it refuses, and how
`add` fills a template's placeholders (each case found by an audit)."""

from __future__ import annotations

import os
import time

import pytest


def old(path) -> None:
    """Make the note look saved a minute ago: log waits for a note saved just now."""
    then = time.time() - 60
    os.utime(path, (then, then))


def log(vault, before: str, *extra: str):
    path = vault.write_bytes("people/Jib.md", before.encode())
    old(path)
    result = vault.run("log", "Jib", "coffee", "--date", "2025-06-01", *extra)
    return result, path.read_bytes().decode()


# --- notes log refuses ---------------------------------------------------------------


@pytest.mark.parametrize(
    "before, line",
    [
        (
            "---\nname: Jib\n---\n<<<<<<< HEAD\n## Log\n- 2025-01-01 a\n=======\n"
            "## Log\n- 2025-01-02 b\n>>>>>>> other\n",
            4,
        ),
        ("## Log\n- 2025-01-01 a\n>>>>>>> other\n", 3),
        ("## Log\r\n- 2025-01-01 a\r\n<<<<<<< ours\r\n", 3),
    ],
)
def test_log_refuses_a_note_in_a_merge_conflict(vault, before, line):
    """The entry went between `=======` and the other side's Log heading: lost with
    "ours", outside any Log section with "theirs"."""
    result, after = log(vault, before)
    assert result.exit_code == 1, result.output
    assert result.stderr == (
        f"mdnet: log: people/Jib.md:{line}: a git conflict marker: "
        "resolve the merge conflict first; nothing was written\n"
    )
    assert after == before


def test_log_refuses_a_note_whose_front_matter_is_not_closed(vault):
    before = "---\nname: Jib\ntags: [person]\n\n## Log\n- 2025-01-01 a\n"
    result, after = log(vault, before)
    assert result.exit_code == 1, result.output
    assert "log: people/Jib.md:1: the front matter is not closed" in result.stderr
    assert "nothing was written" in result.stderr
    assert after == before


def test_a_setext_underline_of_equals_signs_is_no_conflict_marker(vault):
    before = "Title\n=======\n\n## Log\n- 2025-01-01 a\n"
    result, after = log(vault, before)
    assert result.exit_code == 0, result.output
    assert after == before + "- 2025-06-01 coffee\n"
