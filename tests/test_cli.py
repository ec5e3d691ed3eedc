"""The commands as a user runs them: output, exit codes, one-line errors."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from mdnet import db


def test_index_says_what_it_did(vault):
    vault.write("people/Jib.md", "- 2026-01-01 coffee\n")
    first = vault.run("index")
    assert first.exit_code == 0
    assert first.stdout.startswith("rebuilt 1 notes: read 1, changed 1, removed 0")
    again = vault.run("index")
    assert again.stdout.startswith("indexed 1 notes: read 0, changed 0, removed 0")
    rebuilt = vault.run("index", "--rebuild")
    assert rebuilt.stdout.startswith("rebuilt 1 notes: read 1, changed 1")


def test_index_counts_problems_in_notes_and_says_check_looks_further(vault):
    """It said "1 problem(s)" where check then listed three: ambiguous names are found
    across notes, by check only (found by an audit)."""
    vault.write("people/Sam.md", "---\naliases: [Al]\n---\n")
    vault.write("people/work/Sam.md", "---\nname: [broken\n---\n")
    result = vault.run("index")
    assert "1 problem(s) in notes: `mdnet check` lists them, and any in links" in result.stderr
    check = vault.run("check")
    assert "1 error(s), 2 warning(s)" in check.stderr


def test_every_command_sees_edits_without_an_explicit_index(vault):
    vault.write("people/Jib.md", "---\ncadence: 10d\n---\n- 2026-01-01 coffee\n")
    assert "Jib" in vault.run("report", "reconnect", "--as-of", "2026-06-30").stdout
    vault.write("people/Jib.md", "---\ncadence: 10d\n---\n- 2026-06-29 coffee\n")
    assert "Jib" not in vault.run("report", "reconnect", "--as-of", "2026-06-30").stdout
    # Commands that read make their answer while a child walks the vault: after an
    # edit, a new contact, a new pair of shared interests, the answer is made again.
    day = ("--as-of", "2026-06-30")
    vault.write("people/Jib.md", "---\ncadence: 10d\ninterests: [maps]\n---\n- 2026-06-30 tea\n")
    assert "2026-06-30" in vault.run("show", "Jib", *day).stdout
    vault.write("people/Ada.md", "---\ninterests: [maps]\n---\n- 2025-01-01 lunch\n")
    assert "Ada" in vault.run("show", "Ada", *day).stdout
    vault.write("people/Bo.md", "- 2026-01-01 lunch\n")
    assert vault.run("draft", "Bo", *day).stdout.startswith("Hey Bo")
    vault.write("people/Cy.md", "- 2026-01-01 lunch\n")
    assert vault.run("ask", "Cy", *day).stdout.startswith("Cy: not yet")
    assert "Ada" in vault.run("intros").stdout and "Jib" in vault.run("intros").stdout


def test_check_lists_problems_and_exits_1_on_errors(vault):
    vault.write("people/Good.md", "- 2026-01-01 fine\n")
    assert vault.run("check").exit_code == 0
    vault.write("people/Bad.md", "---\nmet: 2026-13-01\ncircle: cosy\n---\n- 2026-02-30 x\n")
    result = vault.run("check")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "people/Bad.md:2: error: met: '2026-13-01' is not a date (YYYY-MM-DD)",
        "people/Bad.md:3: warning: unknown circle 'cosy' (known: acquaintances, close, friends, "
        "inner, network)",
        "people/Bad.md:5: error: 2026-02-30 is not a real date; the item is ignored",
    ]
    data = json.loads(vault.run("check", "--format", "json").stdout)
    assert data[0] == {
        "path": "people/Bad.md",
        "line": 2,
        "level": "error",
        "message": "met: '2026-13-01' is not a date (YYYY-MM-DD)",
    }


def test_show_matches_file_name_name_or_alias(vault):
    vault.write(
        "people/Jib Okafor.md",
        "---\nname: Jib\naliases: [JO]\ncity: Lisbon\n---\n- 2026-01-01 coffee #call\n"
        "- 2026-02-01 book #gift/given\n- [ ] send photos\n",
    )
    vault.write("Daily/2026-03-01.md", "saw [[JO]]\n")
    for name in ("jib okafor", "JIB", "jo", "people/Jib Okafor"):
        result = vault.run("show", name, "--as-of", "2026-06-30")
        assert result.exit_code == 0, result.output
    text = vault.run("show", "jib", "--as-of", "2026-06-30").stdout
    assert "people/Jib Okafor.md:6" in text and "Daily/2026-03-01.md:1" in text
    assert "send photos" in text and "balance +1" in text
    data = json.loads(vault.run("show", "jib", "--format", "json", "--as-of", "2026-06-30").stdout)
    assert data["properties"]["city"] == "Lisbon"
    assert [(t["date"], t["kind"]) for t in data["timeline"]] == [
        ("2026-01-01", "touchpoint"),
        ("2026-02-01", "gift_given"),
        ("2026-03-01", "mention"),
    ]
    assert data["status"]["last_contact"] == "2026-03-01"


def test_unknown_or_ambiguous_name_exit_1_with_nearest(vault):
    vault.write("people/Jib Okafor.md", "")
    vault.write("people/Jim.md", "---\naliases: [Sam]\n---\n")
    vault.write("people/Sam.md", "")
    result = vault.run("show", "Jib Okafr")
    assert result.exit_code == 1
    assert result.stderr == "mdnet: no contact named 'Jib Okafr'; nearest: Jib Okafor\n"
    result = vault.run("show", "sam")
    assert result.exit_code == 1 and "names 2 contacts" in result.stderr


def test_two_contacts_with_one_file_name_are_told_apart_as_the_message_says(vault):
    """The advice was "use the file name", which both share: a path is what works."""
    vault.write("people/work/Sam.md", "- 2025-01-01 work\n")
    vault.write("people/home/Sam.md", "- 2025-02-01 home\n")
    result = vault.run("show", "Sam")
    assert result.exit_code == 1 and "name one by its path, e.g. 'people/home/Sam'" in result.stderr
    assert vault.run("show", "people/home/Sam").exit_code == 0


def test_ask_says_the_day_it_checked_for_and_counts_in_the_singular(vault):
    vault.write("people/B.md", "- 2025-01-01 hi\n")
    result = vault.run("ask", "B", "x", "--as-of", "2025-02-01")
    assert result.exit_code == 1
    assert result.stdout.startswith("B: not yet (met on one day before 2025-02-01)\n")
    assert "you have met only once before 2025-02-01 (2025-01-01);" in result.stdout
    vault.write("people/Kim.md", "")
    kim = vault.run("ask", "Kim", "--as-of", "2025-02-01").stdout
    assert kim.startswith("Kim: not yet (no meeting before 2025-02-01)\n")  # not "0 days met"
    assert "you have no meeting logged before 2025-02-01;" in kim  # not "you have met never"
    assert "only 1 word:" in result.stdout
    vault.write("people/Kim.md", "- 2025-01-03 lunch #coffee\n- 2025-01-09 call\n")
    assert "(met on 2 different days before" in vault.run("ask", "Kim").stdout


def test_ask_does_not_say_never_met_of_someone_met_and_asked(vault):
    """ "you have never met" of someone met, and asked, yesterday (found by an audit);
    an empty TEXT is no text (it warned "only 0 words")."""
    vault.write("people/Nina.md", "")
    vault.write("Daily/2026-10-01.md", "- 2026-10-01 Met [[Nina]], asked for an intro #ask\n")
    result = vault.run("ask", "Nina", "--as-of", "2026-10-02", "--format", "json")
    check = json.loads(result.stdout)
    assert check["reasons"][0].startswith(
        "first-date rule: you have logged nothing but asks before 2026-10-02 (from 2026-10-01);"
    )


def test_query_reads_and_refuses_writes(vault):
    vault.write("people/Jib.md", "---\ncity: Lisbon\n---\n- 2026-01-01 coffee\n")
    result = vault.run("query", "SELECT name, city FROM contacts")
    assert result.exit_code == 0 and "Jib" in result.stdout and "Lisbon" in result.stdout
    data = json.loads(
        vault.run("query", "SELECT key, value FROM properties", "--format", "json").stdout
    )
    assert data == [{"key": "city", "value": "Lisbon"}]
    for sql in (
        "DELETE FROM notes",
        "PRAGMA query_only = 0",
        "ATTACH DATABASE 'x.db' AS x",
        "CREATE TABLE t (x)",
    ):
        refused = vault.run("query", sql)
        assert refused.exit_code in (1, 2) and refused.stderr.startswith("mdnet: query")
        assert refused.stderr.count("\n") == 1
    assert vault.run("query", "SELEC nonsense").exit_code == 2
    count = vault.run("query", "SELECT COUNT(*) AS n FROM notes", "--format", "json")
    assert json.loads(count.stdout) == [{"n": 1}]


def test_usage_errors_exit_2(vault):
    assert vault.run("report", "--as-of", "yesterday").exit_code == 2
    typo = vault.run("reprot")
    assert typo.exit_code == 2 and "did you mean 'report'" in typo.stderr
    assert vault.run("report", "--format", "xml").exit_code == 2


def test_output_file_and_refusing_to_overwrite_a_users_note(vault):
    vault.write("people/Jib.md", "")
    target = vault.root / "Reports" / "Reconnect.md"
    result = vault.run("report", "reconnect", "--format", "markdown", "--output", str(target))
    assert result.exit_code == 0 and target.read_text().startswith("---\ngenerated_by: mdnet")
    vault.write("Reports/Mine.md", "my own notes\n")
    mine = vault.root / "Reports" / "Mine.md"
    result = vault.run("report", "--format", "markdown", "--output", str(mine))
    assert result.exit_code == 1 and "not overwritten" in result.stderr
    assert mine.read_text() == "my own notes\n"


def test_output_into_a_fifo_writes_into_it_and_a_report_note_refuses_it(vault, tmp_path):
    """`-o` over a FIFO or a device used to replace it with a regular file (and a
    Markdown report blocked reading it): now a report is written into it, as `>` does,
    and a report note, which must be read first, is refused."""
    vault.write("people/Jib.md", "- 2026-01-01 call\n")
    fifo = tmp_path / "out.json"
    os.mkfifo(fifo)
    command = [sys.executable, "-m", "mdnet", "--vault", str(vault.root), "report"]
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    done = subprocess.run(
        [*command, "--format", "json", "-o", str(fifo)], capture_output=True, timeout=60
    )
    got = reader.communicate(timeout=60)[0]
    assert done.returncode == 0, done.stderr
    assert json.loads(got)["reconnect"]["report"] == "reconnect"
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    refused = subprocess.run(
        [*command, "--format", "markdown", "-o", str(fifo)], capture_output=True, timeout=60
    )
    assert refused.returncode == 1 and b"not a regular file" in refused.stderr
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


@pytest.mark.parametrize(
    "front_matter",
    [
        "plugin:\n  generated_by: mdnet\n",  # nested in a mapping
        "about: |\n  generated_by: mdnet\n",  # a line of a block of text
        "generated_by: mdnet-ish\n",
        "generated_by: [mdnet]\n",
    ],
)
def test_a_note_whose_marker_is_not_a_top_level_property_is_not_overwritten(vault, front_matter):
    """Only the property the index reads as `generated_by: mdnet` makes a note mdnet's own:
    a line that looks like it inside other front matter used to be enough."""
    text = f"---\n{front_matter}---\nMy own hand-written text\n"
    vault.write("Reports/Mine.md", text)
    mine = vault.root / "Reports" / "Mine.md"
    result = vault.run("report", "--format", "markdown", "--output", str(mine))
    assert result.exit_code == 1 and "not overwritten" in result.stderr
    assert mine.read_text() == text


def test_version_and_help_have_examples():
    from click.testing import CliRunner

    from mdnet.cli import main

    runner = CliRunner()
    assert runner.invoke(main, ["--version"]).stdout.startswith("mdnet, version")

    def leaves(group, path):
        for name, command in group.commands.items():
            if hasattr(command, "commands"):
                yield from leaves(command, [*path, name])
            yield [*path, name]

    commands = list(leaves(main, []))
    assert len(commands) >= 19
    for command in commands:
        result = runner.invoke(main, [*command, "--help"])
        assert result.exit_code == 0 and "Example" in result.stdout, command
        summary = result.stdout.split("\n\n")[1].strip()
        assert len(summary) > 10, command
    typo = runner.invoke(main, ["report", "--fromat", "json"])
    assert typo.exit_code == 2 and "--format" in typo.stderr


def test_no_traceback_for_an_unreadable_vault(vault, tmp_path):
    result = vault.run("--vault", str(tmp_path / "missing"), "report")
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_a_dangling_link_is_a_problem_not_a_crash(vault):
    vault.write("people/Jib.md", "- 2026-01-01 coffee\n")
    os.symlink(vault.root / "nowhere.md", vault.root / "people" / "Ghost.md")
    assert vault.run("report").exit_code == 0
    check = vault.run("check")
    assert "people/Ghost.md:1: warning: cannot read" in check.stdout


def test_the_console_script_runs_without_network(vault, tmp_path):
    """A subprocess run of the real entry point, with sockets made to fail loudly."""
    vault.write("people/Jib.md", "- 2026-01-01 coffee\n")
    guard = tmp_path / "sitecustomize.py"
    guard.write_text(
        "import socket\n"
        "def _no(*a, **k):\n    raise SystemExit('mdnet opened a network socket')\n"
        "socket.socket.connect = _no\nsocket.create_connection = _no\n"
        "socket.getaddrinfo = _no\n"
    )
    env = dict(os.environ, PYTHONPATH=str(tmp_path))
    probe = [sys.executable, "-c", "import socket; socket.create_connection(('127.0.0.1', 9))"]
    assert "network socket" in subprocess.run(probe, env=env, capture_output=True, text=True).stderr
    for args in (["index"], ["report"], ["check"], ["show", "Jib"], ["query", "SELECT 1"]):
        proc = subprocess.run(
            [sys.executable, "-m", "mdnet", "--vault", str(vault.root), *args],
            env=env,
            capture_output=True,
            text=True,
        )
        assert "network socket" not in proc.stderr, args
        assert proc.returncode in (0, 1), proc.stderr


def test_index_path_is_per_vault(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert db.index_path(a) != db.index_path(b)


def test_documented_views_answer(vault):
    vault.write(
        "people/Jib.md",
        '---\naliases: [JO, Jibby]\nfriend: "[[Afi]]"\n---\n- 2026-01-01 x [[Afi]]\n- [ ] y [[Afi]]\n',
    )
    vault.write("people/Afi.md", "---\naliases: Af\n---\n")
    vault.write("events/E.md", '---\ndate: 2026-02-01\nattendees: ["[[Jib]]"]\n---\n')

    def rows(sql):
        result = vault.run("query", sql, "--format", "json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    assert [r["alias"] for r in rows("SELECT alias FROM aliases ORDER BY alias")] == [
        "Af",
        "JO",
        "Jibby",
    ]
    assert rows(
        "SELECT key, line FROM links WHERE note_id = (SELECT id FROM notes WHERE path = 'people/Jib.md')"
    ) == [{"key": "afi", "line": 3}]
    assert rows("SELECT key FROM interaction_links") == [{"key": "afi"}]
    assert rows("SELECT key FROM task_links") == [{"key": "afi"}]
    assert rows("SELECT key FROM event_attendees") == [{"key": "jib"}]
    assert len(rows("SELECT * FROM touches")) == 3  # Jib's item for Jib and Afi, the event


def test_colour_only_on_a_terminal_and_never_with_no_color(monkeypatch):
    from mdnet import cli

    monkeypatch.setattr(cli.sys.stdout, "isatty", lambda: True, raising=False)
    assert cli.use_color()
    monkeypatch.setenv("NO_COLOR", "")
    assert not cli.use_color()
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setattr(cli.sys.stdout, "isatty", lambda: False, raising=False)
    assert not cli.use_color()


def test_shell_completion_of_commands_and_contact_names(vault):
    from click.testing import CliRunner

    from mdnet.cli import main

    vault.write("people/Jib Okafor.md", "")
    vault.write("people/Jim_x.md", "")
    vault.run("index")

    def complete(words: str, cword: int) -> list[str]:
        env = {"_MDNET_COMPLETE": "bash_complete", "COMP_WORDS": words, "COMP_CWORD": str(cword)}
        result = CliRunner().invoke(main, [], env=env, prog_name="mdnet")
        return result.stdout.splitlines()

    root = str(vault.root)
    # Escaped for bash (see the next test); the backslash doubled for the script's `read`.
    assert complete(f"mdnet --vault {root} show Ji", 4) == [r"plain,Jib\\ Okafor", "plain,Jim_x"]
    assert complete(f'mdnet --vault {root} show "Ji', 4)[0] == "plain,Jib Okafor"  # quoted
    assert complete(f"mdnet --vault {root} log Jim_", 4) == ["plain,Jim_x"]
    assert "plain,report" in complete(f"mdnet --vault {root} rep", 3)


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_completes_a_name_with_a_space_as_one_argument(vault):
    """`mdnet show Jib<Tab>` gave `mdnet show Jib Okafor`: two arguments (found by an audit).
    The real completion script click makes, run by a real bash."""
    vault.write("people/Jib Okafor.md", "")
    vault.run("index")
    bin_dir = Path(sys.executable).parent
    script = f"""
        eval "$(_MDNET_COMPLETE=bash_source mdnet)"
        for word in Ji 'Jib\\ O' '"Ji'; do
            COMP_WORDS=(mdnet --vault {shlex.quote(str(vault.root))} show "$word")
            COMP_CWORD=4; COMPREPLY=()
            _mdnet_completion mdnet
            printf '[%s]\n' "${{COMPREPLY[@]}}"
        done
    """
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=env)
    assert done.stdout.splitlines() == [r"[Jib\ Okafor]", r"[Jib\ Okafor]", "[Jib Okafor]"]


def test_show_gives_an_even_balance_not_null_before_anything_was_given(vault):
    """show said `"balance": null` (and no balance line) where ask said 0."""
    vault.write("people/Kim.md", "---\ncadence: 10d\n---\n- 2026-01-01 call\n")
    card = json.loads(vault.run("show", "Kim", "--format", "json").stdout)
    balance = card["balance"]
    assert (balance["given"], balance["received"], balance["balance"]) == (0, 0, 0)
    assert balance["status"] == "even"
    assert json.loads(vault.run("ask", "Kim", "--format", "json").stdout)["balance"] == 0
    assert "balance +0 (even)" in vault.run("show", "Kim").stdout


def test_add_refuses_a_circle_the_config_does_not_know(vault):
    """--cadence 3x was refused but --circle clsoe written, to fall back to the default."""
    result = vault.run("add", "Zed", "--circle", "clsoe")
    assert result.exit_code == 2 and "known: acquaintances, close" in result.stderr
    assert vault.run("add", "Zed", "--circle", " close ").exit_code == 2  # the index reads it so
    assert not (vault.root / "people" / "Zed.md").exists()
    assert vault.run("add", "Zed", "--circle", "Close").exit_code == 0


def test_an_empty_ask_text_is_checked_as_one_of_spaces_is(vault):
    vault.write("people/Two.md", "- 2026-01-01 call\n- 2026-02-01 call\n")
    for text in ("", "   "):
        out = json.loads(vault.run("ask", "Two", text, "--format", "json").stdout)
        assert any(w.startswith("only 0 words") for w in out["warnings"]), text


def test_show_leaves_an_empty_property_empty(vault):
    """`mdnet add` writes empty keys, which show printed as Python's None."""
    assert vault.run("add", "Lee").exit_code == 0
    out = vault.run("show", "Lee").stdout
    assert "None" not in out and "\n  cadence:\n" in out
    vault.write("people/Mo.md", "---\naliases:\n  -\n  - Moe\n---\n")  # an empty item
    assert "None" not in vault.run("show", "Mo").stdout


def test_show_draws_the_last_two_years(vault):
    vault.write(
        "people/Jib.md",
        "- 2026-01-05 a\n- 2026-01-20 b\n- 2026-03-01 book #gift/given\n- 2026-05-01 pie #gift/received\n",
    )
    text = vault.run("show", "Jib", "--as-of", "2026-06-30").stdout
    lines = text.splitlines()
    touches = next(line for line in lines if line.startswith("  touches"))
    gifts = next(line for line in lines if line.startswith("  gifts"))
    assert touches.endswith("█ ▄ ▄ ") and gifts.startswith("  gifts    " + "·" * 20 + "+·-·")
    assert "2024-07 … 2026-06" in text


def test_markdown_gifts_report_has_a_chart_obsidian_draws(vault):
    vault.write("people/A.md", "- 2026-01-01 lanyard #gift/received\n")
    vault.write("people/B.md", '---\nname: B "quoted"\n---\n- 2026-01-01 book #gift/given\n')
    md = vault.run("report", "gifts", "--format", "markdown", "--as-of", "2026-06-30").stdout
    chart = md[md.index("```mermaid") : md.index("```", md.index("```mermaid") + 3)]
    assert 'x-axis ["A", "B quoted"]' in chart
    assert "bar [0, 1]" in chart and "bar [1, 0]" in chart
    assert md.index("```mermaid") < md.index("| Contact |")


def test_an_empty_vault_says_how_to_start_and_empty_sql_is_usage(vault):
    text = vault.run("report", "reconnect").stdout
    assert "No contacts yet: `mdnet add NAME`" in text
    empty = vault.run("query", "  ")
    assert empty.exit_code == 2 and "the SQL is empty" in empty.stderr


def test_mdnet_alone_prints_the_help():
    from click.testing import CliRunner

    from mdnet.cli import main

    result = CliRunner().invoke(main, [])
    assert result.exit_code == 0 and "Commands:" in result.stdout and "report" in result.stdout


def test_show_finds_a_decomposed_file_name_typed_composed(vault):
    import unicodedata

    vault.write(
        unicodedata.normalize("NFD", "people/Jürgen Müller.md"), "---\naliases: [Jü]\n---\n"
    )
    for name in ("Jürgen Müller", "jü", unicodedata.normalize("NFD", "jürgen müller")):
        assert vault.run("show", name).exit_code == 0, name


def test_text_that_is_not_utf8_is_a_usage_error_and_writes_nothing(vault):
    # A shell passes such bytes as they are; they reached SQLite (an internal error) or
    # were written into the note as invalid UTF-8.
    vault.write("people/Ann.md", "- 2025-01-01 coffee\n")
    before = (vault.root / "people" / "Ann.md").read_bytes()
    bad = os.fsdecode(b"hi \xff")
    for args in (
        ["show", bad],
        ["ask", bad, "coffee on Friday?"],
        ["log", "Ann", bad],
        ["log", "Ann", "hi", "--tag", bad],
        ["add", "Bob", "--circle", bad],
    ):
        result = vault.run(*args)
        assert result.exit_code == 2, (args, result.output)
        assert "not valid UTF-8" in result.output and "Traceback" not in result.output
    assert (vault.root / "people" / "Ann.md").read_bytes() == before
    assert not (vault.root / "people" / "Bob.md").exists()


def test_report_options_given_before_the_reports_name_apply_to_it(vault):
    vault.write("people/Jib.md", "- 2025-01-01 gave a book #gift/given\n")
    result = vault.run("report", "--as-of", "2025-01-03", "--format", "json", "gifts")
    assert json.loads(result.stdout)["as_of"] == "2025-01-03"
    own = vault.run(
        "report", "--format", "json", "gifts", "--format", "text", "--as-of", "2025-01-03"
    )
    assert own.stdout.startswith("Gifts and favours · as of 2025-01-03")
    wrong = vault.run("report", "--since", "2025-01-01", "reconnect")
    assert wrong.exit_code == 2 and "--since does not apply to `report reconnect`" in wrong.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("report", "--as-of", "9999-12-31"),
        ("report", "reconnect", "--as-of", "0001-01-01"),
        ("show", "Jib", "--as-of", "0001-03-01"),
        ("export", "ics", "--as-of", "9999-12-31"),
    ],
)
def test_a_day_at_the_ends_of_the_calendar_is_a_usage_error(vault, args):
    vault.write("people/Jib.md", "- 2025-01-01 coffee\n")
    result = vault.run(*args)
    assert result.exit_code == 2 and "outside the years 0100 to 9899" in result.stderr


def test_a_text_or_json_report_is_never_written_as_a_note(vault):
    """It would have no marker, so the next run would refuse to replace it."""
    vault.write("people/Jib.md", "- 2025-01-01 coffee\n")
    for fmt in ("text", "json"):
        result = vault.run("report", "--format", fmt, "-o", str(vault.root / "Out.md"))
        assert result.exit_code == 1 and "only a --format markdown report" in result.stderr
    assert not (vault.root / "Out.md").exists()


@pytest.mark.parametrize(
    "args",
    [
        ("report", "--as-of", "2026-02-30"),
        ("report", "--format", "xml"),
        ("report", "reconnect", "--since", "2026-01-01"),
        ("report", "gifts", "--limit", "-1"),
        ("--bogus",),
        ("show",),
        ("log", "Jib", "x", "--date", "2026W011"),  # a week date: fromisoformat took it
        ("report", "--as-of", "20260101"),
        ("add", "Ann", "--met", "2026-01-01T10:00"),
    ],
)
def test_a_usage_error_is_one_line_naming_the_help(vault, args):
    """SPEC: a user's mistake gets a one-line message; click's own took four lines."""
    note = vault.write("people/Jib.md", "## Log\n")
    result = vault.run(*args)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("mdnet: ") and "--help')" in lines[0], lines
    assert note.read_text() == "## Log\n" and not (vault.root / "people" / "Ann.md").exists()


def test_a_group_without_its_command_shows_its_help(vault):
    for group in ("import", "export"):
        result = vault.run(group)
        assert result.exit_code == 2 and "Commands:" in result.output
        assert "mdnet: Usage" not in result.output


def test_output_through_a_link_to_a_note_never_replaces_the_note(vault):
    """`-o out.txt`, a link to people/Jib.md: the JSON report replaced the note."""
    before = "---\nname: Jib\n---\n## Log\n- 2025-01-01 a\n"
    note = vault.write("people/Jib.md", before)
    (vault.root / "out.txt").symlink_to(note)
    for args in (("report", "--format", "json"), ("export", "vcard"), ("show", "Jib")):
        result = vault.run(*args, "-o", str(vault.root / "out.txt"))
        assert result.exit_code == 1 and "only a --format markdown report" in result.stderr
    assert note.read_text() == before and (vault.root / "out.txt").is_symlink()


@pytest.mark.parametrize("odd", ["c#1", "c?x=1", "c%41", "c d"])
def test_query_works_when_the_cache_path_has_uri_characters(vault, tmp_path, monkeypatch, odd):
    """The read-only connection is opened by URI: `#` used to end the path there (an empty
    database, and a stray file next to the cache) and `%41` to change it."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / odd))
    vault.write("people/Jib.md", "- 2026-01-01 coffee\n")
    result = vault.run("query", "SELECT COUNT(*) AS n FROM notes", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [{"n": 1}]
    assert sorted(p.name for p in tmp_path.iterdir()) == [odd, "vault"]


def test_query_json_is_valid_json_with_every_column(vault):
    result = vault.run("query", "SELECT 1e400 AS x, 1 AS n, 2 AS n, 3 AS n", "--format", "json")
    assert result.stdout.strip() == '[{"x":null,"n":1,"n_2":2,"n_3":3}]'
    assert json.loads(result.stdout) == [{"x": None, "n": 1, "n_2": 2, "n_3": 3}]


def test_show_leaves_out_what_is_dated_after_as_of(vault):
    """An interaction dated after "as of" does not exist for a command that reports."""
    vault.write("people/Jib.md", "- 2025-01-01 gave a book #gift/given\n- 2024-06-01 coffee\n")
    result = vault.run("show", "Jib", "--as-of", "2024-12-01", "--format", "json")
    card = json.loads(result.stdout)
    assert [item["date"] for item in card["timeline"]] == ["2024-06-01"]
    assert "2025-01-01" not in vault.run("show", "Jib", "--as-of", "2024-12-01").stdout


def test_a_report_note_whose_front_matter_has_a_merge_conflict_is_still_mdnets(vault):
    """Two synced machines rewrite the report on different days: the as_of lines
    conflict, the front matter does not read, and the marker must still count."""
    vault.write("people/Jib.md", "- 2025-01-01 coffee\n")
    text = (
        "---\ngenerated_by: mdnet\nreport: reconnect\n<<<<<<< HEAD\nas_of: 2026-01-01\n"
        "=======\nas_of: 2026-01-02\n>>>>>>> theirs\n---\n"
    )
    note = vault.write("Reports/R.md", text)
    result = vault.run("report", "reconnect", "--format", "markdown", "-o", str(note))
    assert result.exit_code == 0, result.output
    assert note.read_text().startswith("---\ngenerated_by: mdnet")
    assert "<<<<<<<" not in note.read_text()


def test_a_note_whose_front_matter_never_closes_is_all_body_and_not_mdnets(vault):
    vault.write("people/Jib.md", "- 2025-01-01 coffee\n")
    text = "---\nMy notes. A report starts with\ngenerated_by: mdnet\nso never write it.\n"
    note = vault.write("Reports/Reconnect.md", text)
    result = vault.run("report", "reconnect", "--format", "markdown", "-o", str(note))
    assert result.exit_code == 1 and note.read_text() == text


def test_limit_0_shows_no_rows_without_saying_there_are_none(vault):
    """The empty wording ("Nobody is overdue", "nothing logged") was chosen from the rows
    --limit kept, and so contradicted the title above it."""
    vault.write("people/Ann.md", "---\ninterests: [chess]\n---\n- 2025-01-01 call\n")
    vault.write(
        "people/Bob.md", "---\ninterests: [chess]\n---\n- 2025-01-01 scarf #gift/received\n"
    )
    day = ("--as-of", "2026-01-01")
    text = vault.run("report", "--limit", "0", *day).stdout
    assert "2 to reach out to" in text and "you owe 1" in text
    assert "Nobody is overdue" not in text and "No gifts" not in text
    assert text.count("None shown (--limit 0).") == 2
    markdown = vault.run("report", "--limit", "0", "--format", "markdown", *day).stdout
    assert "Nobody is overdue" not in markdown and "Nothing logged" not in markdown
    for name in ("reconnect", "gifts"):
        alone = vault.run("report", name, "--limit", "0", "--format", "markdown", *day).stdout
        assert "None shown (--limit 0)." in alone
    assert "Ann ↔ Bob" in vault.run("intros", *day).stdout
    assert vault.run("intros", "--limit", "0", *day).stdout == ""


def test_query_says_when_it_shows_only_the_first_rows(vault):
    """It stopped at 100,000 rows without a word."""
    vault.write("people/Jib.md", "")
    many = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100005)"
    result = vault.run("query", f"{many} SELECT x FROM c", "--format", "json")
    assert result.exit_code == 0
    assert len(json.loads(result.stdout)) == 100_000
    assert "only the first 100,000 rows are shown" in result.stderr
    exact = vault.run("query", f"{many} SELECT x FROM c LIMIT 100000", "--format", "json")
    assert exact.exit_code == 0 and exact.stderr == ""


def test_output_to_dev_stdout_appends_where_the_shell_appends(vault, tmp_path):
    """`-o /dev/stdout >> file` replaced the file (a rename over what /dev/stdout led
    to), and opening it again would have truncated it."""
    vault.write("people/Jib.md", "- 2026-01-01 call\n")
    out = tmp_path / "out.txt"
    out.write_text("previous\n")
    mdnet = f"{sys.executable} -m mdnet --vault '{vault.root}'"
    script = f"{mdnet} report gifts --format json -o /dev/stdout >> '{out}'; echo footer >> '{out}'"
    subprocess.run(["sh", "-c", script], check=True, timeout=60)
    lines = out.read_text().splitlines()
    assert lines[0] == "previous" and lines[-1] == "footer"
    assert json.loads(lines[1])["report"] == "gifts"


def test_output_to_a_descriptor_that_is_the_index_is_refused(vault):
    """`-o /dev/fd/3` with nothing open there from the shell named the index itself,
    and the export was written over its header."""
    vault.write("people/Jib.md", "- 2026-01-01 call\n")
    assert vault.run("index").exit_code == 0
    command = [sys.executable, "-m", "mdnet", "--vault", str(vault.root)]
    results = [
        subprocess.run([*command, "export", "vcard", "-o", f"/dev/fd/{fd}"], capture_output=True)
        for fd in range(3, 8)
    ]
    assert any(b"one of mdnet's own files" in r.stderr for r in results), results
    assert vault.run("index").stdout.startswith("indexed 1 notes")  # not rebuilt: whole


def test_control_characters_from_notes_never_reach_the_terminal(vault):
    """A name with an escape sequence (a window title, a cleared screen, OSC 52 writing the
    clipboard) in a note, a file name or an imported card was printed as it was, and a
    terminal obeyed it (found by an audit)."""
    vault.write(
        "people/Eve.md", '---\nname: "Eve\\e]0;pwned\\a\\e[2J\\b\\r"\n---\n- 2026-01-01 x\n'
    )
    vault.write("people/Ma\x1b]52;c;aGk=\x07l.md", "---\ncadence: 10d\n---\n- 2026-01-01 tea\n")
    outputs = [
        vault.run("show", "Eve"),
        vault.run("report", "--as-of", "2026-06-30"),
        vault.run("check"),
        vault.run("intros"),
    ]
    for result in outputs:
        for text in (result.stdout, result.stderr):
            assert not any(c in text for c in "\x1b\x07\x08\r"), repr(text)
    shown = outputs[0].stdout + outputs[1].stdout
    assert "Eve\\u001b]0;pwned\\u0007\\u001b[2J" in shown
    assert "Ma\\u001b]52;c;aGk=\\u0007l" in shown


def test_json_output_stays_json_whatever_control_characters_a_note_holds(vault):
    """DEL and the C1 characters, which json.dumps leaves as they are, were shown as
    `\\x7f`: no escape JSON knows, so the output no longer parsed (found by a review)."""
    vault.write("people/Ann B.md", "- 2024-01-01 coffee \x7f and \x85 and \x1b here\n")
    for args in (("show", "Ann B"), ("report", "--as-of", "2024-06-01"), ("check",)):
        result = vault.run(*args, "--format", "json")
        assert not any(c in result.stdout for c in "\x1b\x7f\x85"), args
        json.loads(result.stdout)
    shown = vault.run("show", "Ann B", "--format", "json").stdout
    assert "coffee \\u007f and \\u0085 and \\u001b here" in shown  # reads back as written


def test_output_into_a_missing_folder_outside_the_vault_is_refused(vault, tmp_path):
    """`-o /nonexistent/dir/r.txt` made `/nonexistent` (found by an audit): outside the
    vault, as with a shell's `>`, the folder must exist. Inside, it is made."""
    vault.write("people/Jib.md", "")
    missing = tmp_path / "no" / "such" / "r.json"
    result = vault.run("report", "--format", "json", "-o", str(missing))
    assert result.exit_code == 2
    assert result.stderr == f"mdnet: {missing.parent}: no such folder; nothing was written\n"
    assert not (tmp_path / "no").exists()
    inside = vault.root / "Exports" / "r.json"
    assert vault.run("report", "--format", "json", "-o", str(inside)).exit_code == 0
    assert json.loads(inside.read_text())["reconnect"]["contacts"]


def test_an_unknown_report_lists_the_reports(vault):
    result = vault.run("report", "birthdays")
    assert result.exit_code == 2
    assert "no report 'birthdays' (one of: gifts, reconnect)" in result.stderr
    assert "(did you mean 'gifts'?)" in vault.run("report", "gift").stderr


def test_check_lists_a_bad_config_as_an_error_and_says_when_all_is_well(vault):
    """check stopped on a bad `.mdnet.toml` with a usage error (exit 2), and on a clean
    vault it printed nothing at all (both found by audits)."""
    vault.write("people/Jib.md", "---\ncity: Leeds\n---\n")
    clean = vault.run("check")
    assert clean.exit_code == 0 and clean.stdout == ""
    assert clean.stderr == "no problems in 1 note(s)\n"
    vault.write(".mdnet.toml", 'people_dir = "people"\ndefault_cadence = "3x"\n')
    bad = vault.run("check")
    assert bad.exit_code == 1
    assert bad.stdout.startswith(".mdnet.toml:2: error: default_cadence: not a duration: '3x'")
    as_json = json.loads(vault.run("check", "--format", "json").stdout)
    assert [(p["path"], p["line"], p["level"]) for p in as_json] == [(".mdnet.toml", 2, "error")]
    assert vault.run("report").exit_code == 2  # every other command stops as before


def test_a_gifts_window_that_starts_after_it_ends_is_wrong_usage(vault):
    vault.write("people/Jib.md", "- 2026-01-01 scarf #gift/given\n")
    for args in (["report", "gifts"], ["report"]):
        result = vault.run(*args, "--since", "2027-01-01", "--as-of", "2026-11-26")
        assert result.exit_code == 2, result.output
        assert "2027-01-01 is after the report's day, 2026-11-26" in result.stderr
    ok = vault.run("report", "gifts", "--since", "2026-11-26", "--as-of", "2026-11-26")
    assert ok.exit_code == 0


def test_a_vault_found_by_no_marker_is_said(tmp_path, monkeypatch):
    """In a folder with no `.mdnet.toml` or `.obsidian/` above it, every command used
    the working directory in silence (`mdnet report` in /tmp: "73132 to reach out to")."""
    from click.testing import CliRunner

    from mdnet.cli import main

    plain = tmp_path / "plain"
    (plain / "people").mkdir(parents=True)
    (plain / "people" / "Jib.md").write_text("")
    monkeypatch.chdir(plain)
    result = CliRunner().invoke(main, ["report", "--format", "json"])
    assert result.exit_code == 0
    assert result.stderr.startswith(
        f"mdnet: no .mdnet.toml or .obsidian/ here or above: using {plain}"
    )
    assert json.loads(result.stdout)["reconnect"]["contacts"][0]["name"] == "Jib"
    (plain / ".obsidian").mkdir()
    assert CliRunner().invoke(main, ["report", "--format", "json"]).stderr == ""


def test_a_google_csv_given_to_import_vcard_gets_a_hint(vault, tmp_path):
    """Google Contacts exports CSV by default: the message now says to export vCard."""
    csv = tmp_path / "contacts.csv"
    csv.write_text("Name,Given Name,Additional Name,Family Name\nAna Diaz,Ana,,Diaz\n")
    result = vault.run("import", "vcard", str(csv))
    assert result.exit_code == 2
    assert "a CSV export? Export the contacts as vCard instead" in result.stderr


def test_a_note_that_is_no_contact_is_named_as_such(vault):
    """`show "Ines Costa"` said only "no contact named", where a note of that name was
    there but tagged #person in its text, not its front matter (found by an audit)."""
    vault.write("Misc/Ines Costa.md", "Neighbour. #person\n\n- 2026-09-01 ladder #favor/received\n")
    result = vault.run("show", "ines costa")
    assert result.exit_code == 1
    assert result.stderr == (
        "mdnet: Misc/Ines Costa.md is a note but no contact: give it `tags: [person]` in its "
        "front matter, or move it into the people folder\n"
    )
