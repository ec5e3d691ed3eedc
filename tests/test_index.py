"""The index on real temporary vaults: incremental, never stale, a disposable cache."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mdnet import db
from mdnet.config import load_config
from mdnet.sync import Index
from mdnet.vault import BAD_NAME, scan_vault


def refresh(vault, paths=None):
    with Index(load_config(vault.root)) as index:
        result = index.refresh(paths)
        rows = index.conn.execute(
            "SELECT n.path, i.date, i.text FROM interactions i JOIN notes n ON n.id = i.note_id "
            "ORDER BY n.path, i.line"
        ).fetchall()
    return result, rows


def test_cold_then_no_change_then_edit_touch_rename_delete(vault):
    vault.write("people/Jib.md", "- 2025-01-01 coffee\n")
    vault.write("Daily/2025-01-02.md", "met [[Jib]]\n")
    result, rows = refresh(vault)
    assert (result.total, result.read, result.changed, result.rebuilt) == (2, 2, 2, True)
    assert rows == [("people/Jib.md", "2025-01-01", "coffee")]

    result, _ = refresh(vault)
    assert (result.read, result.changed, result.removed) == (0, 0, 0)

    path = vault.write("people/Jib.md", "- 2025-01-01 coffee\n- 2025-02-01 lunch\n")
    result, rows = refresh(vault)
    assert (result.read, result.changed) == (1, 1)
    assert len(rows) == 2

    os.utime(path, ns=(1, 10**18))  # touched, same bytes: read and hashed, not re-parsed
    result, _ = refresh(vault)
    assert (result.read, result.changed, result.touched) == (1, 0, 1)

    os.rename(path, vault.root / "people/Jib Okafor.md")
    result, rows = refresh(vault)
    assert (result.changed, result.removed) == (1, 1)
    assert {r[0] for r in rows} == {"people/Jib Okafor.md"}

    os.remove(vault.root / "people/Jib Okafor.md")
    result, rows = refresh(vault)
    assert result.removed == 1 and rows == []


def test_refresh_of_named_paths_as_the_watcher_calls_it(vault):
    vault.write("people/Jib.md", "- 2025-01-01 coffee\n")
    refresh(vault)
    vault.write("people/Afi.md", "- 2025-03-01 tea\n")
    result, rows = refresh(vault, ["people/Afi.md", "people/Missing.md", ".obsidian/x.md"])
    assert result.changed == 1 and len(rows) == 2
    os.remove(vault.root / "people/Afi.md")
    result, rows = refresh(vault, ["people/Afi.md"])
    assert result.removed == 1 and len(rows) == 1


def test_a_walk_the_index_matched_before_is_compared_again_after_a_partial_refresh(vault):
    """The index remembers the last full walk it matches, so a command whose walk is the
    same compares nothing. A watcher's refresh of one path must make it forget: here the
    note goes back to its old bytes and its old mtime, so the walk is the remembered one
    again, yet the index holds the newer text."""
    path = vault.write("people/Jib.md", "- 2025-01-01 coffee\n")
    old = os.stat(path)
    refresh(vault)
    result, _ = refresh(vault)
    assert result.read == 0

    path.write_text("- 2025-01-01 tea!!\n", encoding="utf-8")  # same size as before
    result, rows = refresh(vault, ["people/Jib.md"])
    assert result.changed == 1 and rows[0][2] == "tea!!"

    path.write_text("- 2025-01-01 coffee\n", encoding="utf-8")
    os.utime(path, ns=(old.st_atime_ns, old.st_mtime_ns))
    result, rows = refresh(vault)
    assert result.changed == 1 and rows[0][2] == "coffee"


def test_moving_a_folder_by_path_falls_back_to_a_full_walk(vault):
    vault.write("people/team/Jib.md", "- 2025-01-01 coffee\n")
    refresh(vault)
    os.rename(vault.root / "people/team", vault.root / "people/crew")
    result, rows = refresh(vault, ["people/team", "people/crew"])
    assert rows == [("people/crew/Jib.md", "2025-01-01", "coffee")]


def test_index_lives_in_the_cache_owner_only(vault, private_cache):
    vault.write("people/Jib.md", "x\n")
    refresh(vault)
    path = db.index_path(vault.root)
    assert path.parent == private_cache / "mdnet"
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(str(path) + suffix):
            assert stat.S_IMODE(os.stat(str(path) + suffix).st_mode) == 0o600
    assert not any(p.suffix.startswith(".sqlite") for p in vault.root.rglob("*"))


def test_a_relative_cache_home_is_ignored_as_the_xdg_spec_says(vault, monkeypatch, tmp_path):
    """XDG_CACHE_HOME=cache, run from inside the vault, put the live index in the vault,
    where git and sync tools would copy it."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", "cache")
    monkeypatch.chdir(vault.root)
    vault.write("people/Jib.md", "x\n")
    assert vault.run("index").exit_code == 0
    assert db.index_path(vault.root).parent == tmp_path / "home" / ".cache" / "mdnet"
    assert not any(p.suffix.startswith(".sqlite") for p in vault.root.rglob("*"))


def test_corrupt_index_is_rebuilt_silently(vault):
    vault.write("people/Jib.md", "- 2025-01-01 coffee\n")
    refresh(vault)
    path = db.index_path(vault.root)
    for suffix in ("-wal", "-shm"):
        if os.path.exists(str(path) + suffix):
            os.remove(str(path) + suffix)
    path.write_bytes(b"this is not a database" * 100)
    result, rows = refresh(vault)
    assert result.rebuilt and len(rows) == 1


def test_older_schema_is_rebuilt(vault):
    vault.write("people/Jib.md", "- 2025-01-01 coffee\n")
    refresh(vault)
    conn = sqlite3.connect(db.index_path(vault.root))
    conn.execute("PRAGMA user_version = 1")
    conn.close()
    result, rows = refresh(vault)
    assert result.rebuilt and len(rows) == 1


def test_config_change_rebuilds(vault):
    vault.write("folks/Jib.md", "- 2025-01-01 coffee\n")
    with Index(load_config(vault.root)) as index:
        index.refresh()
        assert index.conn.execute("SELECT COUNT(*) FROM contacts").fetchone()[0] == 0
    vault.write(".mdnet.toml", 'people_dir = "folks"\n')
    with Index(load_config(vault.root)) as index:
        assert index.refresh().rebuilt
        assert index.conn.execute("SELECT COUNT(*) FROM contacts").fetchone()[0] == 1


def test_bulk_load_in_parallel_matches_a_serial_load(vault, monkeypatch):
    for i in range(60):
        vault.write(
            f"people/P{i}.md",
            f"---\naliases: [p{i}]\n---\n- 2025-01-{i % 28 + 1:02d} hi [[P{i + 1}]]\n",
        )
    import mdnet.sync as sync

    monkeypatch.setattr(sync, "PARALLEL_MIN", 10)
    monkeypatch.setattr(sync, "BULK_MIN", 10)
    monkeypatch.setattr(sync, "CHUNK", 7)
    _, parallel_rows = refresh(vault)
    with Index(load_config(vault.root), rebuild=True) as index:
        monkeypatch.setattr(sync, "PARALLEL_MIN", 10**9)
        index.refresh()
        names = index.conn.execute("SELECT COUNT(*) FROM resolved").fetchone()[0]
        indexes = index.conn.execute(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        ).fetchone()[0]
    _, serial_rows = refresh(vault)
    assert parallel_rows == serial_rows and len(serial_rows) == 60
    assert names == 120  # file name and alias of each
    assert indexes == len(db._statements(db.INDEXES))


def test_skipped_files_and_folders(vault):
    vault.write(".obsidian/people.md", "- 2025-01-01 x\n")
    vault.write(".trash/people/A.md", "- 2025-01-01 x\n")
    vault.write("people/A.sync-conflict-20250101-123456-ABC.md", "- 2025-01-01 x\n")
    vault.write("Templates/Person.md", "- 2025-01-01 x\n")
    vault.write("notes.txt", "- 2025-01-01 x\n")
    vault.write("people/B.md", "- 2025-01-01 x\n")
    vault.write(".mdnet.toml", 'ignore = ["Templates/**"]\n')
    result, rows = refresh(vault)
    assert [r[0] for r in rows] == ["people/B.md"]
    with Index(load_config(vault.root)) as index:
        index.refresh()
        problems = index.conn.execute("SELECT path, message FROM problems").fetchall()
    assert problems == [
        (
            "people/A.sync-conflict-20250101-123456-ABC.md",
            "sync-conflict copy: merge what it adds into the note, then delete it",
        )
    ]


def test_the_walk_without_ignore_patterns_keeps_every_rule(vault):
    """Without ignore patterns the walk takes a shortcut for plain notes: a folder named
    like a note, a broken link, a conflict copy and a linked note still go their ways."""
    vault.write("people/Odd.md/Inner.md", "- 2025-01-01 inner\n")
    vault.write("people/B.md", "- 2025-01-01 plain\n")
    vault.write("people/B.sync-conflict-20250101-123456-ABC.md", "- 2025-01-01 copy\n")
    os.symlink(vault.root / "people" / "Missing.md", vault.root / "people" / "Gone.md")
    os.symlink(vault.root / "people" / "B.md", vault.root / "people" / "Also B.md")
    result, rows = refresh(vault)
    assert sorted(r[0] for r in rows) == [
        "people/Also B.md",
        "people/B.md",
        "people/Odd.md/Inner.md",
    ]
    with Index(load_config(vault.root)) as index:
        index.refresh()
        problems = index.conn.execute("SELECT path, message FROM problems ORDER BY path").fetchall()
    assert [p for p, _ in problems] == [
        "people/B.sync-conflict-20250101-123456-ABC.md",
        "people/Gone.md",
    ]


def test_a_folder_link_loop_is_followed_once(vault):
    vault.write("people/A.md", "- 2025-01-01 x\n")
    os.symlink(vault.root / "people", vault.root / "people" / "loop")
    os.symlink(vault.root, vault.root / "people" / "root")
    result, rows = refresh(vault)
    assert [r[0] for r in rows] == ["people/A.md"]


def test_note_links_that_point_at_each_other_are_said(vault):
    """loop1.md -> loop2.md -> loop1.md was dropped without a word (found by an audit)."""
    vault.write("people/A.md", "- 2025-01-01 x\n")
    os.symlink("loop2.md", vault.root / "people" / "loop1.md")
    os.symlink("loop1.md", vault.root / "people" / "loop2.md")
    result = vault.run("check")
    assert "people/loop1.md:1: warning: cannot read" in result.stdout
    assert "people/loop2.md:1: warning: cannot read" in result.stdout
    assert "symbolic links" in result.stdout


def test_a_bad_note_never_stops_the_index(vault):
    vault.write_bytes("people/Bad.md", b"---\nname: [unclosed\n---\n\xff\xfe\x00 junk")
    vault.write("people/Good.md", "- 2025-01-01 fine\n")
    result, rows = refresh(vault)
    assert result.total == 2 and rows == [("people/Good.md", "2025-01-01", "fine")]


def _touches(root, cache, monkeypatch):
    """The derived touches and summaries, by paths (ids differ between indexes), from a
    given cache."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    with Index(load_config(root)) as index:
        index.refresh()
        touches = index.conn.execute(
            "SELECT c.path, t.date, t.kind, IFNULL(t.answer, ''), n.path, t.line "
            "FROM touches t JOIN notes c ON c.id = t.contact_id JOIN notes n ON n.id = t.note_id"
        )
        summaries = index.conn.execute(
            "SELECT n.path, s.* FROM summary s JOIN notes n ON n.id = s.contact_id"
        )
        # Not the version: it counts writes, which differ between the two ways.
        version = [column[0] for column in summaries.description].index("version")
        rows = [row[:version] + row[version + 1 :] for row in summaries]
        return sorted(touches) + sorted((path, *row[1:]) for path, *row in rows)


def test_incremental_touches_equal_a_fresh_rebuild_after_every_edit(vault, tmp_path, monkeypatch):
    live = tmp_path / "live-cache"
    steps = [
        ("people/Jib.md", "- 2026-01-01 coffee with [[Afi]]\n"),
        ("Daily/2026-01-02.md", "saw [[Jib]] and [[Afi]]\n- 2026-01-02 lunch [[Jib]]\n"),
        ("people/Afi.md", "---\naliases: [A]\n---\n- 2026-01-03 tea #gift/given\n"),
        ("Daily/2026-01-04.md", "[[A]] again\n"),
        ("people/Afi.md", "---\naliases: [Jib]\n---\n"),  # alias now collides: ambiguous
        ("people/Afi.md", "---\naliases: [B]\n---\n- 2026-01-05 call\n"),
        ("Daily/2026-01-02.md", "only [[B]] now\n"),
        ("people/Jib.md", None),  # deleted
        ("Projects/x.md", "---\ntags: [person]\n---\n- 2026-01-06 [[B]] #intro\n"),
        ("Daily/2026-01-07.md", "- 2026-01-07 [[x]] gave me a book #gift/received\n"),
        ("events/2099-01-01 Party.md", "---\ntype: event\ndate: 2099-01-01\n---\n[[B]]\n"),
        ("Projects/todo.md", "- [ ] call [[B]] back\n"),  # undated: a follow-up, no mention
        ("Projects/todo.md", "- [ ] call [[x]] back\n"),
        (
            "events/2099-01-01 Party.md",
            '---\ntype: event\ndate: 2099-01-01\nattendees: ["[[B]]"]\n---\n',
        ),
        (
            "events/2099-01-01 Party.md",
            '---\ntype: event\ndate: 2099-01-01\nattendees: ["[[x]]"]\n---\n',
        ),
        (
            "people/Afi.md",
            "---\naliases: [B]\n---\n- 2026-01-05 call\n- 2026-01-08 moved to Porto #life\n",
        ),
    ]
    for rel, text in steps:
        if text is None:
            os.remove(vault.root / rel)
        else:
            path = vault.write(rel, text)
            os.utime(path, ns=(path.stat().st_mtime_ns + 10**9,) * 2)
        incremental = _touches(vault.root, live, monkeypatch)
        fresh = _touches(vault.root, tmp_path / f"fresh-{steps.index((rel, text))}", monkeypatch)
        assert incremental == fresh, rel
        assert incremental  # the vault always has something to compare


def test_the_last_touch_of_a_day_is_the_same_however_the_index_was_kept(
    vault, tmp_path, monkeypatch
):
    """Two touches on one day: which was the last depended on the order the notes were
    written in (rowid), so after an edit the watcher's index named another one than a
    rebuild (found by an audit)."""
    live = tmp_path / "live-cache"
    gift, call = "- 2026-01-05 lunch with [[Ann]] #gift/given\n", "- 2026-01-05 call [[Ann]]\n"
    steps = [
        ("people/Ann.md", "---\ncadence: 7d\n---\n"),
        ("X.md", gift),
        ("Y.md", call),
        ("X.md", gift + "\n"),  # each written again: now the last one written
        ("Y.md", call + "\n"),
        ("Daily/2026-01-05.md", "Met [[Ann]].\n"),  # two mentions on one day
        ("Journal/2026-01-05 Notes.md", "Saw [[Ann]].\n"),
        ("Daily/2026-01-05.md", "Met [[Ann]] again.\n"),
    ]
    for number, (rel, text) in enumerate(steps):
        path = vault.write(rel, text)
        os.utime(path, ns=(path.stat().st_mtime_ns + 10**9,) * 2)
        incremental = _touches(vault.root, live, monkeypatch)
        assert incremental == _touches(vault.root, tmp_path / f"fresh-{number}", monkeypatch), rel


@given(
    notes=st.lists(
        st.one_of(
            st.binary(max_size=300),
            st.text(alphabet="-*[]#|:`~<!>%\n\r\t 0123456789abcAé—📅", max_size=300).map(
                lambda t: t.encode("utf-8")
            ),
        ),
        min_size=1,
        max_size=6,
    )
)
@settings(max_examples=25, deadline=None)
def test_any_bytes_index_and_query_deterministically(notes):
    """Fuzz the whole pipeline with real files: nothing escapes, and two fresh indexes
    of the same vault hold the same rows."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "vault"
        for i, data in enumerate(notes):
            folder = root / ("people" if i % 2 else "Daily")
            folder.mkdir(parents=True, exist_ok=True)
            name = f"P{i}.md" if i % 2 else f"2026-01-0{i + 1}.md"
            (folder / name).write_bytes(data)
        dumps = []
        for cache in ("a", "b"):
            os.environ["XDG_CACHE_HOME"] = str(Path(tmp) / cache)
            with Index(load_config(root)) as index:
                index.refresh()
                dumps.append(
                    [
                        index.conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
                        for table in ("interactions", "touches", "problems", "names")
                    ]
                )
        assert dumps[0] == dumps[1]


def test_a_note_that_is_there_but_cannot_be_read_is_a_problem_not_a_vanished_note(vault):
    """It used to be dropped from the index without a word, as if deleted. Unreadable for
    any user: no read permission; for root (who reads those anyway), a link to a file
    whose read fails (/proc/self/mem at offset 0: an I/O error)."""
    vault.write("people/Ann.md", "- 2025-01-01 call\n")
    bob = vault.write("people/Bob.md", "- 2025-03-03 lunch\n")
    assert "Bob" in vault.run("report", "reconnect", "--as-of", "2026-01-01").stdout
    if os.geteuid() == 0:
        bob.unlink()
        bob.symlink_to("/proc/self/mem")
    else:
        bob.chmod(0)
    try:
        check = vault.run("check")
    finally:
        bob.unlink()
    assert check.exit_code == 1
    assert "people/Bob.md:1: error: cannot read: " in check.stdout, check.output
    # Still unreadable: tried again by every refresh, without a write (a write each time
    # made every read-only command wait for the lock, and a watcher redo its reports).
    if os.geteuid() == 0:
        bob.symlink_to("/proc/self/mem")
    else:
        bob.chmod(0)
    try:
        watcher = sqlite3.connect(db.index_path(vault.root))
        version = watcher.execute("PRAGMA data_version").fetchone()[0]
        for _ in range(2):
            result, _ = refresh(vault)
            assert result.read == 0 and result.changed == 0
            assert watcher.execute("PRAGMA data_version").fetchone()[0] == version
        watcher.close()
        assert "people/Bob.md:1: error: cannot read: " in vault.run("check").stdout
    finally:
        bob.unlink()
    vault.write("people/Bob.md", "- 2025-03-03 lunch\n")  # readable again: read again
    assert "Bob" in vault.run("report", "reconnect", "--as-of", "2026-01-01").stdout
    assert "cannot read" not in vault.run("check").output


def test_a_fifo_named_like_a_note_is_not_read(vault):
    vault.write("people/Jib.md", "- 2026-01-01 coffee\n")
    os.mkfifo(vault.root / "people" / "Pipe.md")
    result, rows = refresh(vault)  # would block forever if the FIFO were opened
    assert result.total == 1 and len(rows) == 1


def test_a_killed_refresh_leaves_an_index_the_next_command_uses_or_rebuilds(vault, private_cache):
    import signal
    import subprocess
    import sys
    import time

    for i in range(3000):
        vault.write(
            f"people/P{i}.md", f"---\nname: P{i}\n---\n- 2026-01-01 hi [[P{i + 1}]] #call\n"
        )
    cmd = [sys.executable, "-m", "mdnet", "--vault", str(vault.root)]
    env = dict(os.environ, XDG_CACHE_HOME=str(private_cache))
    for delay in (0.3, 0.8, 1.5):
        proc = subprocess.Popen([*cmd, "index", "--rebuild"], env=env, stdout=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        report = subprocess.run([*cmd, "report"], env=env, capture_output=True, text=True)
        assert report.returncode == 0 and "Traceback" not in report.stderr
        counted = subprocess.run(
            [*cmd, "query", "SELECT COUNT(*) AS n FROM contacts", "--format", "json"],
            env=env,
            capture_output=True,
            text=True,
        )
        assert json.loads(counted.stdout) == [{"n": 3000}], counted.stderr
    # The killed command's workers do not outlive it.
    deadline = time.monotonic() + 5
    while _processes_naming(vault.root) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _processes_naming(vault.root) == []


def _processes_naming(path):
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if str(path).encode() in f.read():
                    found.append(int(pid))
        except OSError:
            pass
    return found


def test_a_note_another_process_indexed_meanwhile_is_not_added_twice(vault, monkeypatch):
    """Two mdnet processes see the same new note; the other one writes it between our
    diff and our write. Before the ids were read again under the write lock, the note
    was inserted a second time and its contact listed twice."""
    from mdnet import sync

    vault.write("people/Jib.md", "- 2025-01-01 coffee\n")
    refresh(vault)
    vault.write("people/Afi.md", "- 2025-03-01 tea\n")
    diff = sync.Index._diff_all

    def diff_then_the_other_process_writes(self, scanned):
        found = diff(self, scanned)
        monkeypatch.setattr(sync.Index, "_diff_all", diff)
        with Index(load_config(vault.root)) as other:
            assert other.refresh().added == 1
        return found

    monkeypatch.setattr(sync.Index, "_diff_all", diff_then_the_other_process_writes)
    with Index(load_config(vault.root)) as index:
        index.refresh()
        counts = index.conn.execute(
            "SELECT (SELECT COUNT(*) FROM notes), (SELECT COUNT(*) FROM contacts), "
            "(SELECT COUNT(*) FROM interactions)"
        ).fetchone()
    assert counts == (2, 2, 2)


def test_a_note_saved_between_the_walk_and_the_read_is_not_taken_as_walked(vault, monkeypatch):
    """An editor saves a note after the walk saw it and before it is read: the index
    holds the newer text, so it must not remember that walk as one it matches. Here the
    note then goes back to its first bytes and mtime: the next walk is that same walk,
    and only a forgotten digest makes the index read the note again."""
    from mdnet import sync

    path = vault.write("people/Jib.md", "- 2025-01-01 coffee\n")
    first = os.stat(path)
    walk = sync.scan_vault

    def walk_then_save(config):
        scan = walk(config)
        path.write_text("- 2025-01-01 teas!\n", encoding="utf-8")  # same size
        os.utime(path, ns=(first.st_atime_ns, first.st_mtime_ns + 10**9))
        return scan

    monkeypatch.setattr(sync, "scan_vault", walk_then_save)
    result, rows = refresh(vault)
    assert rows[0][2] == "teas!"
    monkeypatch.setattr(sync, "scan_vault", walk)
    path.write_text("- 2025-01-01 coffee\n", encoding="utf-8")
    os.utime(path, ns=(first.st_atime_ns, first.st_mtime_ns))
    result, rows = refresh(vault)
    assert rows[0][2] == "coffee"


def test_a_parallel_index_works_with_every_start_method(vault, private_cache):
    """The pool's workers watch their parent to exit with it; under `forkserver` (Linux's
    default from Python 3.14) that parent is the fork server, not mdnet: they exited at
    once and every large index failed."""
    import subprocess
    import sys

    from mdnet.sync import PARALLEL_MIN

    for i in range(PARALLEL_MIN + 100):
        vault.write(f"Daily/n{i}.md", f"- 2026-01-01 note {i}\n")
    script = (
        "import multiprocessing as mp, sys\n"
        "from pathlib import Path\n"
        "from mdnet.config import load_config\n"
        "from mdnet.sync import Index\n"
        "if __name__ == '__main__':\n"
        "    mp.set_start_method(sys.argv[1])\n"
        "    with Index(load_config(Path(sys.argv[2])), rebuild=True) as index:\n"
        "        print(index.refresh().changed)\n"
    )
    env = dict(os.environ, XDG_CACHE_HOME=str(private_cache))
    for method in ("fork", "forkserver", "spawn"):
        done = subprocess.run(
            [sys.executable, "-c", script, method, str(vault.root)],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.stdout.strip() == str(PARALLEL_MIN + 100), (method, done.stderr[-2000:])


def _no_children_left() -> bool:
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def test_a_read_made_while_the_vault_is_walked_stands_only_if_nothing_changed(vault):
    """Reports run on the index as it is while a forked child walks the vault: the answer
    stands when the walk is the one the index matched; after an edit, a new note or a
    deleted one, the index is refreshed with the child's walk and the read made again."""
    from mdnet.lookup import find_contact

    vault.write("people/Bob.md", "- 2026-01-01 coffee\n")
    config = load_config(vault.root)
    calls = []

    def last_coffee(index):
        def read():
            calls.append(1)
            return index.conn.execute("SELECT MAX(date) FROM interactions").fetchone()[0]

        return read

    with Index(config) as index:
        assert index.read_current(last_coffee(index)) == "2026-01-01"  # new: a plain refresh
        calls.clear()
        assert index.read_current(last_coffee(index)) == "2026-01-01" and len(calls) == 1
        vault.write("people/Bob.md", "- 2026-01-01 coffee\n- 2026-02-02 lunch\n")
        calls.clear()
        assert index.read_current(last_coffee(index)) == "2026-02-02" and len(calls) == 2
        # The child's walk was stored: the next command compares nothing again.
        assert db.walk_digest(index.conn) == scan_vault(config).digest()
        calls.clear()
        assert index.read_current(last_coffee(index)) == "2026-02-02" and len(calls) == 1
        # A read that fails on the index as it was is made again on the refreshed one.
        vault.write("people/Cat Lee.md", "- 2026-03-03 tea\n")
        found = index.read_current(lambda: find_contact(index.conn, "cat lee")["name"])
        assert found == "Cat Lee"
        (vault.root / "people" / "Bob.md").unlink()
        assert index.read_current(last_coffee(index)) == "2026-03-03"
    assert _no_children_left()


def test_a_read_with_other_threads_running_walks_first(vault):
    """No fork while another thread runs (its locks would be copied held): the index is
    refreshed first, and the answer is the same."""
    import threading

    vault.write("people/Bob.md", "- 2026-01-01 coffee\n")
    config = load_config(vault.root)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        with Index(config) as index:
            index.refresh()
            vault.write("people/Bob.md", "- 2026-02-02 lunch\n")
            latest = index.read_current(
                lambda: index.conn.execute("SELECT MAX(date) FROM interactions").fetchone()[0]
            )
    finally:
        stop.set()
        other.join()
    assert latest == "2026-02-02"


def test_reports_from_the_cli_follow_edits(vault):
    vault.write("people/Bob.md", "---\ncadence: 7d\n---\n- 2026-01-01 coffee\n")
    first = vault.run("report", "reconnect", "--as-of", "2026-06-01", "--format", "json")
    again = vault.run("report", "reconnect", "--as-of", "2026-06-01", "--format", "json")
    assert first.stdout == again.stdout and '"Bob"' in first.stdout
    vault.write("people/Bob.md", "---\ncadence: 7d\n---\n- 2026-05-30 coffee\n")
    after = vault.run("report", "reconnect", "--as-of", "2026-06-01", "--format", "json")
    assert json.loads(after.stdout)["contacts"] == []
    assert _no_children_left()


def test_reports_run_when_whatever_started_mdnet_ignores_sigchld(vault, private_cache):
    """SIG_IGN for SIGCHLD is inherited across exec: children are then reaped at once,
    and waiting for the walking child failed (and its pid could have been reused)."""
    import signal
    import subprocess
    import sys

    vault.write("people/Bob.md", "---\ncadence: 7d\n---\n- 2026-01-01 coffee\n")
    cmd = [sys.executable, "-m", "mdnet", "--vault", str(vault.root), "report", "reconnect"]
    env = {**os.environ, "XDG_CACHE_HOME": str(private_cache)}

    def ignoring_sigchld() -> None:
        signal.signal(signal.SIGCHLD, signal.SIG_IGN)

    for _ in range(2):  # the first builds the index, the second reads it as it is
        done = subprocess.run(
            [*cmd, "--as-of", "2026-06-01"],
            env=env,
            capture_output=True,
            text=True,
            preexec_fn=ignoring_sigchld,
        )
        assert done.returncode == 0 and "Bob" in done.stdout, done.stderr


def test_an_edit_of_many_notes_fits_sqlites_oldest_variable_limit(vault):
    """Before 3.32 SQLite allowed 999 bound variables by default (some builds still
    do); one query bound 3 x 500 of them when many notes changed at once."""
    for i in range(400):
        vault.write(f"Daily/2026-01-{i % 28 + 1:02d} {i}.md", f"met [[P{i % 7}]]\n")
    for i in range(7):
        vault.write(f"people/P{i}.md", "- 2026-01-01 coffee\n")
    config = load_config(vault.root)
    with Index(config) as index:
        index.conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)
        index.refresh()
        for i in range(400):
            vault.write(f"Daily/2026-01-{i % 28 + 1:02d} {i}.md", f"saw [[P{i % 7}]]\n")
        result = index.refresh()
        assert result.changed == 400


def test_a_name_that_is_not_utf8_is_a_problem_for_the_walk_and_the_watcher(vault):
    vault.write("people/Jib.md", "- 2025-01-01 coffee\n")
    with Index(load_config(vault.root)) as index:
        index.refresh()
        with open(os.fsencode(vault.root) + b"/people/Bad \xff.md", "wb") as handle:
            handle.write(b"- 2025-01-02 tea\n")
        bad = os.fsdecode(b"people/Bad \xff.md")
        index.refresh([bad])  # what the watcher passes on: it once stopped the refresh
        problems = index.conn.execute("SELECT path, message FROM problems").fetchall()
        assert problems == [("people/Bad \\xff.md", f"cannot read: {BAD_NAME}")]
        assert db.count_notes(index.conn) == 1


def test_names_that_are_not_utf8_are_not_reported_when_ignored_or_not_notes(vault):
    vault.write(".mdnet.toml", 'ignore = ["old*"]\n')
    vault.write("people/Jib.md", "- 2025-01-01 coffee\n")
    root = os.fsencode(vault.root)
    os.mkdir(root + b"/old \xff")
    with open(root + b"/old \xff/Note.md", "wb") as handle:
        handle.write(b"- 2025-01-02 tea\n")
    with open(root + b"/people/photo \xe9.png", "wb") as handle:  # an attachment
        handle.write(b"\x89PNG")
    with open(root + b"/people/old \xe9.md", "wb") as handle:  # an ignored note
        handle.write(b"x\n")
    scan = scan_vault(load_config(vault.root))
    assert scan.unreadable == [] and [n[0] for n in scan.notes] == ["people/Jib.md"]


def _mdnet(vault, cache, *args, **popen):
    import subprocess
    import sys

    env = dict(os.environ, XDG_CACHE_HOME=str(cache))
    cmd = [sys.executable, "-m", "mdnet", "--vault", str(vault.root), *args]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **popen)


def _build_files(path):
    if not path.parent.exists():
        return []
    return [p for p in path.parent.iterdir() if p.name.endswith(".build")]


def test_a_killed_rebuild_leaves_the_old_index_whole(vault, private_cache):
    """A new index is built beside the old one and put in its place when whole: killing
    `index --rebuild` leaves the old one to answer, and the next build removes the file."""
    import signal
    import time

    for i in range(3000):
        vault.write(f"people/P{i}.md", f"- 2026-01-01 hi [[P{i + 1}]] #call\n")
    assert _mdnet(vault, private_cache, "index").wait() == 0
    path = db.index_path(vault.root)
    proc = _mdnet(vault, private_cache, "index", "--rebuild")
    deadline = time.monotonic() + 30
    while not _build_files(path) and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.3)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert _build_files(path)  # killed while building
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT COUNT(*) FROM contacts").fetchone()[0] == 3000
    conn.close()
    again = _mdnet(vault, private_cache, "index")  # the old index is current: no build
    out, err = again.communicate()
    assert again.returncode == 0 and out.startswith(b"indexed 3000 notes: read 0"), (out, err)
    assert _mdnet(vault, private_cache, "index", "--rebuild").wait() == 0
    assert _build_files(path) == []


def test_a_second_mdnet_waits_for_the_first_ones_build_and_uses_it(vault, private_cache):
    """Two commands find no index: the second waits for the first one's build instead of
    building the same index again (or removing the file the first one is writing)."""
    import time

    for i in range(3000):
        vault.write(f"people/P{i}.md", f"- 2026-01-01 hi [[P{i + 1}]] #call\n")
    path = db.index_path(vault.root)
    first = _mdnet(vault, private_cache, "index")
    deadline = time.monotonic() + 30
    while not (_build_files(path) or path.exists()) and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)
    second = _mdnet(vault, private_cache, "index")
    out_first, _ = first.communicate()
    out_second, err = second.communicate()
    assert out_first.startswith(b"rebuilt 3000 notes: read 3000")
    assert out_second.startswith(b"indexed 3000 notes: read 0"), (out_second, err)


def test_a_process_still_writing_the_old_index_does_not_write_into_the_new_one(vault):
    """A watcher keeps the old index open while `index --rebuild` puts a new one in its
    place: its WAL and shared memory must stay its own, or its commits are read as pages
    of the new index."""
    vault.write("people/Jib.md", "- 2025-01-01 coffee\n")
    refresh(vault)
    old = sqlite3.connect(db.index_path(vault.root), isolation_level=None)
    old.execute("PRAGMA wal_autocheckpoint = 0")
    old.execute("SELECT COUNT(*) FROM notes").fetchone()
    with Index(load_config(vault.root), rebuild=True) as index:
        assert index.refresh().rebuilt
        old.execute("UPDATE interactions SET text = 'written to the old index'")
        old.execute("INSERT INTO meta VALUES ('old', 'x')")
        rows = index.conn.execute("SELECT text FROM interactions").fetchall()
        assert index.conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert rows == [("coffee",)]
    old.close()


def test_a_second_index_of_a_vault_this_process_is_building_is_an_error(vault):
    vault.write("people/Jib.md", "- 2025-01-01 coffee\n")
    with Index(load_config(vault.root)) as building:
        with pytest.raises(RuntimeError, match="building"):
            Index(load_config(vault.root))
        building.refresh()
        with Index(load_config(vault.root)) as other:  # built: any number may open it
            assert other.refresh().read == 0


def test_an_index_that_cannot_be_put_in_place_leaves_no_build_file_and_no_lock(vault, monkeypatch):
    vault.write("people/Jib.md", "- 2025-01-01 coffee\n")

    def full(*args):
        raise OSError(28, "No space left on device")

    replace = db.os.replace
    monkeypatch.setattr(db.os, "replace", full)
    with Index(load_config(vault.root)) as index, pytest.raises(OSError, match="space"):
        index.refresh()
    # Not monkeypatch.undo(): that undoes private_cache's XDG_CACHE_HOME too, and the
    # refresh below wrote its index into the user's own ~/.cache.
    monkeypatch.setattr(db.os, "replace", replace)
    assert _build_files(db.index_path(vault.root)) == []
    result, rows = refresh(vault)
    assert result.rebuilt and [text for _, _, text in rows] == ["coffee"]


def test_an_index_put_in_place_while_another_command_opens_the_old_one(vault, monkeypatch):
    """Another mdnet renames a new index over the old one between our open of the file
    and our first read, which is when SQLite opens the WAL and shared memory by name: we
    would pair the old file with the new index's WAL, and our commit would corrupt it."""
    vault.write("people/Jib.md", "- 2025-01-01 coffee\n")
    refresh(vault)
    path = db.index_path(vault.root)
    connect = db.connect
    swapped = []

    def connect_then_another_mdnet_rebuilds(where):
        conn = connect(where)
        if not swapped and where == path:
            swapped.append(True)
            for i in range(50):  # so that the new index's pages are not the old one's
                vault.write(f"people/P{i}.md", f"- 2025-02-{i % 28 + 1:02} hi #call\n")
            with Index(load_config(vault.root), rebuild=True) as other:
                other.refresh()
        return conn

    monkeypatch.setattr(db, "connect", connect_then_another_mdnet_rebuilds)
    with Index(load_config(vault.root)) as index:
        vault.write("people/Afi.md", "- 2025-03-01 tea\n")
        assert index.refresh().added == 1
    monkeypatch.setattr(db, "connect", connect)  # not undo(): it would drop private_cache
    assert swapped
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert conn.execute("SELECT COUNT(*) FROM notes").fetchone() == (52,)
    conn.close()


def test_a_rebuild_that_fails_halfway_leaves_no_old_index_to_pair_with_a_new_wal(vault):
    """A watcher has the old index open; a rebuild removes the old index's WAL and then
    cannot rename the new one in place. Had the old file stayed, the next command would
    open it with a new WAL beside the watcher's: two WALs for one file."""
    vault.write("people/Jib.md", "- 2025-01-01 coffee\n")
    refresh(vault)
    path = db.index_path(vault.root)
    watcher = Index(load_config(vault.root))
    watcher.refresh()
    replace = os.replace

    def full(*args):
        raise OSError(28, "No space left on device")

    db.os.replace = full
    try:
        with Index(load_config(vault.root), rebuild=True) as failing, pytest.raises(OSError):
            failing.refresh()
    finally:
        db.os.replace = replace
    assert not path.exists()
    vault.write("people/Afi.md", "- 2025-03-01 tea\n")
    result, _ = refresh(vault)  # builds a new index
    assert result.rebuilt
    vault.write("people/Bo.md", "- 2025-04-01 walk\n")
    watcher.refresh(["people/Bo.md"])
    watcher.close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert conn.execute("SELECT path FROM notes ORDER BY path").fetchall() == [
        ("people/Afi.md",),
        ("people/Jib.md",),
    ]
    conn.close()


def test_a_build_that_fails_or_is_interrupted_lets_go_of_its_lock(vault, monkeypatch):
    from mdnet import sync

    vault.write("people/Jib.md", "- 2025-01-01 coffee\n")
    create_schema = db.create_schema

    def disk_error(*args):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(db, "create_schema", disk_error)
    with pytest.raises(sqlite3.OperationalError):
        Index(load_config(vault.root))
    monkeypatch.setattr(db, "create_schema", create_schema)

    def interrupt(done, total):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        sync.open_index(load_config(vault.root), progress=interrupt)
    assert _build_files(db.index_path(vault.root)) == []
    result, rows = refresh(vault)  # neither a wait on ourselves nor "building already"
    assert result.rebuilt and len(rows) == 1


def test_the_cache_is_made_private_again_when_opened(vault, private_cache):
    vault.write("people/Jib.md", "x\n")
    refresh(vault)
    path = db.index_path(vault.root)
    os.chmod(path.parent, 0o755)
    os.chmod(path, 0o644)
    refresh(vault)
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_a_new_index_is_in_wal_mode_before_it_takes_its_name(vault, monkeypatch):
    """A command that waited for the build opens the index at once: had the file still
    been in rollback mode, both processes would switch it to WAL at the same time, and
    one of them could stop with "database is locked" (seen once in the test above)."""
    vault.write("people/Jib.md", "- 2025-01-01 coffee\n")
    modes = []
    replace = os.replace

    def look_then_replace(source, target):
        with open(source, "rb") as f:
            modes.append(f.read(20)[18])  # the header's write version: 2 is WAL
        replace(source, target)

    monkeypatch.setattr(db.os, "replace", look_then_replace)
    refresh(vault)
    assert modes == [2]


def test_an_edit_that_keeps_the_size_and_puts_the_mtime_back_is_seen(vault):
    """`cp -p`, `rsync -t` or `touch -r` can give a changed note its old mtime; with the
    same size the fingerprint was the same, and reports stayed stale until --rebuild."""
    path = vault.write("people/Jib.md", "- 2025-01-01 call\n")
    refresh(vault)
    before = os.stat(path)
    time.sleep(0.01)
    path.write_text("- 2025-05-30 call\n")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert os.stat(path).st_size == before.st_size
    result, rows = refresh(vault)
    assert result.changed == 1 and rows == [("people/Jib.md", "2025-05-30", "call")]


def test_such_an_edit_is_seen_when_the_mtime_is_in_the_future(vault):
    """A clock ahead (or a sync tool keeping one's times): the later of mtime and ctime
    was the mtime before and after, and hid the edit."""
    path = vault.write("people/Ann.md", "- 2025-01-05 lunch #meal\n")
    future = time.time_ns() + 2 * 86400 * 10**9
    os.utime(path, ns=(future, future))
    refresh(vault)
    path.write_text("- 2025-01-09 lunch #meal\n")
    os.utime(path, ns=(future, future))
    result, rows = refresh(vault)
    assert result.changed == 1 and rows == [("people/Ann.md", "2025-01-09", "lunch #meal")]


def test_the_walk_and_a_single_stat_give_a_note_the_same_stamp(vault):
    vault.write("people/Jib.md", "- 2025-01-01 call\n")
    config = load_config(vault.root)
    from mdnet.vault import stat_note

    [(path, stamp, size)] = scan_vault(config).notes
    assert (stamp, size) == stat_note(config, path)


def test_an_ignore_glob_of_many_stars_is_matched_in_linear_time(vault):
    """Each glob was a backtracking regex: `**/*-*-*-*-*-x` and a note named with 200
    dashes made every command take 34 s (one more `*-` never ended). The bound is loose:
    it catches the blow-up, not a slow machine."""
    dashes = "-" * 200
    vault.write(".mdnet.toml", 'ignore = ["**/*-*-*-*-*-x"]\n')
    vault.write(f"people/{dashes}.md", "- 2025-01-01 call\n")
    vault.write("people/a-b-c-d-e-x/f.md", "- 2025-01-01 in an ignored folder\n")
    started = time.perf_counter()
    _, rows = refresh(vault)
    assert time.perf_counter() - started < 5
    assert [path for path, _, _ in rows] == [f"people/{dashes}.md"]


@pytest.mark.parametrize(
    "pattern, matched, not_matched",
    [
        (
            "Templates/**",
            ["Templates/A.md", "Templates/a/B.md"],
            ["Templates.md", "x/Templates/A.md"],
        ),
        ("a/**/b.md", ["a/b.md", "a/x/b.md", "a/x/y/b.md"], ["ab.md", "a/xb.md", "b.md"]),
        ("**/*.tmp.md", ["x.tmp.md", "a/b/x.tmp.md"], ["a/x.tmp.md/y.md", "x.md"]),
        ("*.tmp.md", ["x.tmp.md", "a/b/x.tmp.md"], ["x.md"]),  # no `/`: the name, any depth
        ("a/*.md", ["a/x.md"], ["a/b/x.md", "b/a/x.md"]),  # `*` stays in its folder
        ("a/?.md", ["a/x.md"], ["a/xy.md", "a//.md"]),
        ("Archive/", ["Archive/x.md", "Archive/a/y.md"], ["Archived/x.md"]),
        ("**.md", ["x.md", "a/b/x.md"], ["x.mdx"]),  # `**` inside a name still crosses
        ("a**/b.md", ["ab.md", "a/b.md", "ax/y/b.md"], ["b.md", "x/b.md"]),
        ("*-*-*-x.md", ["a-b-c-x.md", "---x.md", "d/a-b-c-x.md"], ["a-b-x.md", "a-b/c-x.md"]),
    ],
)
def test_ignore_globs_match_as_before(pattern, matched, not_matched):
    from mdnet.vault import is_ignored

    assert [p for p in matched if not is_ignored(p, (pattern,))] == []
    assert [p for p in not_matched if is_ignored(p, (pattern,))] == []
