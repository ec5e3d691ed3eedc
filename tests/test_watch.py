"""The watcher with watchdog's real observer on temporary vaults. Waits are polls with
a deadline, never bare sleeps."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from mdnet import db
from mdnet.config import load_config
from mdnet.watch import Watcher

AS_OF = dt.date(2026, 6, 30)
CONFIG = '[watch.reports]\nreconnect = "Reports/Reconnect.md"\ngifts = "Reports/Gifts.md"\n'


def wait_for(predicate, timeout: float = 15.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def watching(vault):
    """Start a watcher in a thread on the test vault; yields (vault, watcher, lines)."""
    started = []

    def start(config_text: str = CONFIG, **kwargs):
        vault.write(".mdnet.toml", config_text)
        lines: list[str] = []
        watcher = Watcher(load_config(vault.root), log=lines.append, today=lambda: AS_OF, **kwargs)
        ready = threading.Event()
        thread = threading.Thread(target=watcher.run, kwargs={"ready": ready}, daemon=True)
        thread.start()
        assert ready.wait(15), lines
        started.append((watcher, thread))
        return watcher, lines

    yield start
    for watcher, thread in started:
        watcher.stop()
        thread.join(5)
        assert not thread.is_alive()


def report(vault) -> str:
    path = vault.root / "Reports" / "Reconnect.md"
    return path.read_text() if path.exists() else ""


def overdue(vault, name: str) -> str:
    return vault.write(f"people/{name}.md", "---\ncadence: 10d\n---\n- 2026-01-01 coffee\n")


def caught_up(name: str) -> str:
    return "---\ncadence: 10d\n---\n- 2026-01-01 coffee\n- 2026-06-29 lunch\n"


def test_start_writes_the_reports_then_a_plain_save_updates_them(vault, watching):
    overdue(vault, "Jib")
    watcher, _ = watching()
    assert "[[Jib]]" in report(vault)
    assert (vault.root / "Reports" / "Gifts.md").read_text().startswith("---\ngenerated_by: mdnet")
    (vault.root / "people" / "Jib.md").write_text(caught_up("Jib"))
    wait_for(lambda: "[[Jib]]" not in report(vault), what="the report to drop Jib")


def test_an_editors_temp_file_and_rename_save(vault, watching):
    overdue(vault, "Jib")
    watching()
    tmp = vault.root / "people" / ".Jib.md.tmp-1234"
    tmp.write_text(caught_up("Jib"))
    os.replace(tmp, vault.root / "people" / "Jib.md")  # watchdog sees only a move into it
    wait_for(lambda: "[[Jib]]" not in report(vault), what="the renamed-over save")


def test_vims_backup_and_swap_dance(vault, watching):
    overdue(vault, "Jib")
    watching()
    note = vault.root / "people" / "Jib.md"
    backup = vault.root / "people" / "Jib.md~"
    (vault.root / "people" / "4913").write_text("")  # vim's write test
    os.remove(vault.root / "people" / "4913")
    os.rename(note, backup)
    note.write_text(caught_up("Jib"))
    os.remove(backup)
    wait_for(lambda: "[[Jib]]" not in report(vault), what="vim's save")


def test_rename_move_folder_and_delete(vault, watching):
    overdue(vault, "Jib")
    overdue(vault, "team/Afi")
    watching()
    assert "[[Afi]]" in report(vault)
    os.rename(vault.root / "people" / "Jib.md", vault.root / "people" / "Jibola.md")
    wait_for(
        lambda: "[[Jibola]]" in report(vault) and "[[Jib]]" not in report(vault), what="rename"
    )
    os.rename(vault.root / "people" / "team", vault.root / "Archive")  # out of the people folder
    wait_for(lambda: "[[Afi]]" not in report(vault), what="the folder move")
    os.remove(vault.root / "people" / "Jibola.md")
    wait_for(lambda: "[[Jibola]]" not in report(vault), what="the delete")


def test_a_burst_of_300_files_converges(vault, watching):
    watcher, _ = watching()
    for i in range(300):
        (vault.root / "people").mkdir(exist_ok=True)
        (vault.root / "people" / f"P{i:03}.md").write_text("---\ncadence: 10d\n---\n")
    wait_for(lambda: report(vault).count("never contacted") == 300, timeout=30, what="300 rows")
    assert watcher.stats.batches < 50


def test_dot_folders_trigger_nothing_and_own_writes_do_not_loop(vault, watching):
    overdue(vault, "Jib")
    watcher, _ = watching()
    writes = watcher.stats.report_writes
    (vault.root / ".git").mkdir()
    (vault.root / ".git" / "x.md").write_text("- 2026-06-29 [[Jib]]\n")
    (vault.root / ".obsidian").mkdir()
    (vault.root / ".obsidian" / "workspace.md").write_text("x")
    vault.write("Daily/2026-06-29.md", "saw [[Jib]]\n")  # a real change after them
    wait_for(lambda: "[[Jib]]" not in report(vault), what="the daily note")
    assert watcher.stats.report_writes == writes + 1
    batches = watcher.stats.batches
    vault.write("Daily/2026-06-28.md", "nothing\n")  # the next change is one more batch:
    wait_for(lambda: watcher.stats.batches > batches, what="the next batch")
    assert watcher.stats.report_writes == writes + 1  # the report did not change: no write
    assert "x.md" not in " ".join(watcher.stats.last_result.changed_paths)


def test_a_users_own_report_note_is_left_alone(vault, watching):
    overdue(vault, "Jib")
    mine = vault.write("Reports/Reconnect.md", "my own notes\n")
    watcher, lines = watching()
    vault.write("people/Afi.md", "")
    wait_for(lambda: watcher.stats.batches >= 1, what="a batch")
    assert mine.read_text() == "my own notes\n"
    warnings = [line for line in lines if "Reports/Reconnect.md" in line and "warning" in line]
    assert len(warnings) == 1


def test_a_bad_note_is_logged_and_the_watcher_goes_on(vault, watching):
    watcher, lines = watching()
    vault.write("people/Bad.md", "---\nname: [broken\n---\n- 2026-02-30 x\n")
    wait_for(
        lambda: any("people/Bad.md:4: error: 2026-02-30" in line for line in lines),
        what="the problem",
    )
    overdue(vault, "Jib")
    wait_for(lambda: "[[Jib]]" in report(vault), what="the next change")


def test_sigterm_stops_quickly_without_a_traceback(vault, tmp_path):
    vault.write(".mdnet.toml", CONFIG)
    overdue(vault, "Jib")
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "cache"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "mdnet", "--vault", str(vault.root), "watch"],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    wait_for(lambda: (vault.root / "Reports" / "Gifts.md").exists(), what="the first reports")
    sent = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=5) == 0
    assert time.monotonic() - sent < 1.5
    err = proc.stderr.read()
    assert "Traceback" not in err and "stopped" in err


def test_polling_mode_works_too(vault, watching):
    overdue(vault, "Jib")
    watcher, _ = watching(polling=True)
    assert watcher.poll_seconds == 1.0  # a small vault: every second
    (vault.root / "people" / "Jib.md").write_text(caught_up("Jib"))
    wait_for(lambda: "[[Jib]]" not in report(vault), what="the polled change")


def test_polling_looks_less_often_the_longer_a_walk_takes(vault, watching, monkeypatch):
    """It looked at the whole vault every second: 40 % of a core on 30,000 notes, idle."""
    from mdnet import watch

    overdue(vault, "Jib")
    monkeypatch.setattr(watch, "POLL_SHARE", 1e6)  # as if a walk took a million times longer
    large, _ = watching(polling=True)
    assert large.poll_seconds > 5


def test_watch_without_reports_configured_keeps_the_index(vault, watching):
    watcher, _ = watching(config_text="")
    overdue(vault, "Jib")
    wait_for(lambda: watcher.stats.batches >= 1, what="a batch")
    assert not (vault.root / "Reports").exists()
    assert watcher.stats.last_result.changed_paths == ["people/Jib.md"]


def test_paths_outside_the_vault_are_not_a_concern(vault):
    from mdnet.watch import _hidden

    assert _hidden(".git/x.md") and _hidden("people/.Jib.md.swp") and not _hidden("people/Jib.md")
    assert Path(vault.root).exists()


def test_inotify_limit_falls_back_to_polling_with_a_hint(vault, watching, monkeypatch):
    import errno

    from watchdog.observers import Observer

    def limit_reached(self):
        raise OSError(errno.ENOSPC, "inotify watch limit reached")

    monkeypatch.setattr(Observer, "start", limit_reached)
    overdue(vault, "Jib")
    watcher, lines = watching()
    assert any("fs.inotify.max_user_watches" in line for line in lines)
    (vault.root / "people" / "Jib.md").write_text(caught_up("Jib"))
    wait_for(lambda: "[[Jib]]" not in report(vault), what="the polled change")


def test_reports_in_other_processes_never_hit_a_locked_index(vault, watching, tmp_path):
    watcher, _ = watching()
    env = dict(os.environ)
    procs = []
    for i in range(150):
        (vault.root / "people").mkdir(exist_ok=True)
        (vault.root / "people" / f"P{i:03}.md").write_text("- 2026-01-01 x\n")
        if i % 30 == 0:
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-m", "mdnet", "--vault", str(vault.root), "report"],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                    text=True,
                    env=env,
                )
            )
    for proc in procs:
        assert proc.wait(timeout=60) == 0, proc.stderr.read()
        assert "locked" not in proc.stderr.read()
    wait_for(lambda: report(vault).count("[[P") == 150, timeout=30, what="all 150 notes")


def test_problems_of_a_batch_are_named_past_its_first_500_notes(vault):
    """A `git pull` can change thousands of notes at once: the batch's problems were
    looked up for its first 500 notes only (a bound-variable limit)."""
    from mdnet.sync import Index

    paths = [vault.write(f"Daily/2026-01-01 n{i:03}.md", "fine\n") for i in range(600)]
    vault.write("Daily/2026-01-01 n599.md", "- 2026-02-30 x\n")
    config = load_config(vault.root)
    watcher = Watcher(config, log=lambda line: None)
    with Index(config) as index:
        index.refresh()
        rel = [str(p.relative_to(vault.root)) for p in paths]
        problems = watcher._problems(index, rel)
    assert problems == [
        "Daily/2026-01-01 n599.md:1: error: 2026-02-30 is not a real date; the item is ignored"
    ]


def test_a_saved_config_is_read_again(vault, watching):
    """The watcher read .mdnet.toml once: a new cadence (or report path) saved while it
    ran was ignored until it was restarted."""
    vault.write("people/Jib.md", "- 2026-06-01 coffee\n")  # 29 days before AS_OF
    watcher, lines = watching()
    assert "[[Jib]]" not in report(vault)  # the default 90 days
    vault.write(".mdnet.toml", 'default_cadence = "10d"\n' + CONFIG)
    wait_for(lambda: "[[Jib]]" in report(vault), what="the report with the new cadence")
    assert any("the config changed" in line for line in lines)
    vault.write(".mdnet.toml", 'default_cadence = "soon"\n' + CONFIG)  # a mistake: said
    wait_for(lambda: any("keeping the config read before" in line for line in lines))
    (vault.root / "people" / "Ann.md").write_text("- 2026-01-01 tea\n")
    wait_for(lambda: "[[Ann]]" in report(vault), what="the watcher going on")


def test_an_index_locked_for_long_is_waited_out(vault, watching, monkeypatch):
    """It used to stop the watcher with an internal error after the 30 s busy timeout."""
    import sqlite3

    from mdnet import db

    monkeypatch.setattr(db, "BUSY_SECONDS", 0.3)
    watcher, lines = watching()
    other = sqlite3.connect(db.index_path(vault.root), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        overdue(vault, "Jib")
        wait_for(lambda: any("the index is busy" in line for line in lines))
        time.sleep(2.5)  # several tries: said once
        assert sum("the index is busy" in line for line in lines) == 1
    finally:
        other.execute("ROLLBACK")
        other.close()
    wait_for(lambda: "[[Jib]]" in report(vault), what="the save, once the lock is gone")


def _watch_in_a_process(tmp_path: Path) -> tuple[Path, subprocess.Popen]:
    """`mdnet watch` on a new vault, once it has written its first report."""
    root = tmp_path / "v"
    (root / "people").mkdir(parents=True)
    (root / ".mdnet.toml").write_text(CONFIG)
    (root / "people" / "Jib.md").write_text("- 2026-01-01 x\n")
    watcher = subprocess.Popen(
        [sys.executable, "-m", "mdnet", "--vault", str(root), "watch"],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")},
    )
    # Both notes, and no temporary file left: a test that then deletes the folder met
    # the gifts note still being written (rmtree: "Directory not empty").
    reports = root / "Reports"
    wait_for(
        lambda: (
            reports.is_dir()
            and sorted(p.name for p in reports.iterdir()) == ["Gifts.md", "Reconnect.md"]
        ),
        what="the first reports",
    )
    return root, watcher


def test_the_watcher_stops_when_the_vault_folder_goes(tmp_path):
    """It used to find every note removed and write its report notes into a new folder
    of the vault's name."""
    root, watcher = _watch_in_a_process(tmp_path)
    try:
        root.rename(tmp_path / "moved")
        (tmp_path / "moved" / "people" / "Ann.md").write_text("- 2026-01-01 y\n")
        assert watcher.wait(timeout=60) == 1
    finally:
        watcher.kill()
    said = watcher.stderr.read()
    assert "the vault folder is gone" in said and "the config changed" not in said
    assert not root.exists()


def _overdue_outside(vault, tmp_path: Path, name: str) -> Path:
    """An overdue contact whose note lies outside the vault, linked from people/."""
    target = tmp_path / "elsewhere" / f"{name.lower()}.md"
    target.parent.mkdir(exist_ok=True)
    target.write_text("---\ncadence: 10d\n---\n- 2026-01-01 coffee\n")
    (vault.root / "people").mkdir(exist_ok=True)
    (vault.root / "people" / f"{name}.md").symlink_to(target)
    return target


def test_a_note_linked_from_outside_the_vault_is_read_again(vault, watching, tmp_path, monkeypatch):
    """Events name real paths: a note reached through a link was never read again (the
    link's target inside the vault), or only at the next command (outside it)."""
    from mdnet import watch

    monkeypatch.setattr(watch, "TICK_SECONDS", 1.0)
    target = _overdue_outside(vault, tmp_path, "Zed")
    vault.write("Archive/yara.md", "---\ncadence: 10d\n---\n- 2026-01-01 coffee\n")
    (vault.root / "people" / "Yara.md").symlink_to("../Archive/yara.md")
    watcher, lines = watching()
    assert "[[Zed]]" in report(vault) and "[[Yara]]" in report(vault)
    (vault.root / "Archive" / "yara.md").write_text(caught_up("Yara"))
    wait_for(lambda: "[[Yara]]" not in report(vault), what="the change through the link")
    target.write_text(caught_up("Zed"))  # no event in the vault at all
    wait_for(lambda: "[[Zed]]" not in report(vault), what="the walk that finds it")


def test_events_the_kernel_dropped_mean_a_full_walk(vault, watching, tmp_path):
    """watchdog tells of an overflowed event queue only in its log: that line now asks
    for a walk of the whole vault (the saves it lost were never read)."""
    import logging

    target = _overdue_outside(vault, tmp_path, "Zed")
    watcher, lines = watching()
    assert "[[Zed]]" in report(vault)
    target.write_text(caught_up("Zed"))  # a change no event says (as if lost)
    logging.getLogger("watchdog.observers.inotify_c").warning(
        "Inotify queue overflowed; filesystem events were lost"
    )
    wait_for(lambda: "[[Zed]]" not in report(vault), timeout=10, what="the full walk")
    # Its line is logged just after the report is written: wait for it too.
    wait_for(lambda: any("(full walk)" in line for line in lines), what="the full walk's line")


def _watch_days(vault, days: list[dt.date], **kwargs):
    """A watcher whose today is days[-1] (append to move it); returns (watcher, lines, thread)."""
    vault.write(".mdnet.toml", CONFIG)
    lines: list[str] = []
    watcher = Watcher(load_config(vault.root), log=lines.append, today=lambda: days[-1], **kwargs)
    ready = threading.Event()
    thread = threading.Thread(target=watcher.run, kwargs={"ready": ready}, daemon=True)
    thread.start()
    assert ready.wait(15), lines
    return watcher, lines, thread


def test_a_new_day_is_written_while_the_index_is_busy_then_free(vault, monkeypatch):
    """Moving the summary to a new day under another process's lock raised 'cannot
    rollback' (the lock's error lost), which stopped the watcher."""
    import sqlite3

    from mdnet import db

    monkeypatch.setattr(db, "BUSY_SECONDS", 0.3)
    vault.write("people/Jib.md", "- 2026-01-01 coffee\n")
    days = [AS_OF]
    watcher, lines, thread = _watch_days(vault, days)
    try:
        other = sqlite3.connect(db.index_path(vault.root), isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        days.append(AS_OF + dt.timedelta(days=1))
        wait_for(lambda: any("the index is busy" in line for line in lines), timeout=60)
        other.execute("ROLLBACK")
        other.close()
        wait_for(lambda: f"# Reconnect — {days[-1]}" in report(vault), timeout=60)
        assert thread.is_alive()
    finally:
        watcher.stop()
        thread.join(5)


def test_a_vault_with_links_gets_its_new_day_too(vault, tmp_path, monkeypatch):
    """The periodic walk of a vault with links took the place of the new-day check."""
    from mdnet import watch

    monkeypatch.setattr(watch, "TICK_SECONDS", 0.5)
    target = tmp_path / "zed.md"
    target.write_text("- 2026-01-01 coffee\n")
    (vault.root / "people").mkdir()
    (vault.root / "people" / "Zed.md").symlink_to(target)
    days = [AS_OF]
    watcher, lines, thread = _watch_days(vault, days)
    try:
        days.append(AS_OF + dt.timedelta(days=1))
        wait_for(lambda: f"# Reconnect — {days[-1]}" in report(vault), timeout=30)
    finally:
        watcher.stop()
        thread.join(5)


def test_a_link_made_while_watching_is_followed(vault, watching, tmp_path, monkeypatch):
    """A new link came as a plain event: the watcher did not learn the vault had links,
    so a later edit of its target outside the vault was never seen."""
    from mdnet import watch

    monkeypatch.setattr(watch, "TICK_SECONDS", 1.0)
    vault.write("people/Ann.md", "- 2026-06-29 tea\n")
    watcher, lines = watching()
    target = tmp_path / "bob.md"
    target.write_text("---\ncadence: 10d\n---\n- 2026-01-01 coffee\n")
    (vault.root / "people" / "Bob.md").symlink_to(target)
    wait_for(lambda: "[[Bob]]" in report(vault), what="the linked note")
    time.sleep(2)  # past the link's own batch: the edit below must come with no event
    target.write_text(caught_up("Bob"))
    wait_for(lambda: "[[Bob]]" not in report(vault), what="the edit of its target")


def test_a_day_moved_under_another_process_lock_says_locked(vault, monkeypatch):
    """The failed BEGIN IMMEDIATE left no transaction, and the ROLLBACK after it raised
    'cannot rollback', hiding the 'locked' that callers wait out."""
    import sqlite3

    from mdnet import db
    from mdnet.sync import Index

    monkeypatch.setattr(db, "BUSY_SECONDS", 0.2)
    vault.write("people/Jib.md", "- 2026-01-01 coffee\n")
    with Index(load_config(vault.root)) as index:
        index.refresh()
        other = sqlite3.connect(db.index_path(vault.root), isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            with (
                pytest.raises(sqlite3.OperationalError, match="locked"),
                db.summary_as_of(index.conn, "2020-01-01"),
            ):
                pass
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert not index.conn.in_transaction


def test_links_made_while_watching_to_a_folder_or_before_their_target(
    vault, watching, tmp_path, monkeypatch
):
    """A link to a folder comes as a file's event without .md (it was dropped), and a
    link made before its target is a broken link (not counted as a link): in both, the
    notes behind them never reached the watcher's report."""
    from mdnet import watch

    monkeypatch.setattr(watch, "TICK_SECONDS", 1.0)
    vault.write("people/Ann.md", "- 2026-06-29 tea\n")
    watcher, lines = watching()
    folder = tmp_path / "team"
    folder.mkdir()
    (folder / "Cy.md").write_text("---\ncadence: 10d\n---\n- 2026-01-01 coffee\n")
    (vault.root / "people" / "team").symlink_to(folder)
    wait_for(lambda: "[[Cy]]" in report(vault), what="the note in the linked folder")
    later = tmp_path / "zed.md"
    (vault.root / "people" / "Zed.md").symlink_to(later)
    time.sleep(2)  # the broken link's batch first
    later.write_text("---\ncadence: 10d\n---\n- 2026-01-01 coffee\n")
    wait_for(lambda: "[[Zed]]" in report(vault), what="the link's target, made after it")


def test_a_stop_is_quick_while_another_process_holds_the_index(vault, monkeypatch):
    """A stop waited out the 30 s busy timeout of the write the watcher was in."""
    import sqlite3

    from mdnet import db

    vault.write("people/Jib.md", "- 2026-01-01 coffee\n")
    days = [AS_OF]
    watcher, lines, thread = _watch_days(vault, days)
    other = sqlite3.connect(db.index_path(vault.root), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        days.append(AS_OF + dt.timedelta(days=1))
        time.sleep(2)  # the watcher is now waiting for the lock, to write the new day
        started = time.monotonic()
        watcher.stop()
        thread.join(10)
        assert not thread.is_alive() and time.monotonic() - started < 5
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_a_vault_folder_put_back_under_its_name_stops_the_watcher(tmp_path):
    """Deleted and cloned again: the old folder's events never come, so it said nothing
    while watching a folder that no longer was."""
    import shutil

    root, watcher = _watch_in_a_process(tmp_path)
    try:
        shutil.copytree(root, tmp_path / "copy")
        shutil.rmtree(root)
        (tmp_path / "copy").rename(root)
        assert watcher.wait(timeout=60) == 1
    finally:
        watcher.kill()
    assert "the vault folder is gone" in watcher.stderr.read()


def test_a_folder_link_made_before_its_folder_is_followed(vault, watching, tmp_path, monkeypatch):
    from mdnet import watch

    monkeypatch.setattr(watch, "TICK_SECONDS", 1.0)
    vault.write("people/Ann.md", "- 2026-06-29 tea\n")
    watcher, lines = watching()
    folder = tmp_path / "team"
    (vault.root / "people" / "team").symlink_to(folder)
    time.sleep(2)  # the link's own batch first
    folder.mkdir()
    (folder / "Cy.md").write_text("---\ncadence: 10d\n---\n- 2026-01-01 coffee\n")
    wait_for(lambda: "[[Cy]]" in report(vault), what="the note in the folder made later")


# --- found by an audit of the watcher under real use (eighth session) -------------------


def test_a_report_note_edited_by_hand_is_put_right_without_another_save(vault, watching):
    """A hand edit of a report note (marker kept), or a folder put in its place and taken
    away, stayed until some other note changed."""
    overdue(vault, "Jib")
    watching()
    path = vault.root / "Reports" / "Reconnect.md"
    right = path.read_text()
    path.write_text(right.replace("[[Jib]]", "[[Nobody]]"))
    wait_for(lambda: path.read_text() == right, what="the edited report note put right")
    os.remove(path)
    path.mkdir()
    time.sleep(0.5)
    path.rmdir()
    wait_for(lambda: path.is_file() and path.read_text() == right, what="the note made again")


def test_each_problem_of_a_report_note_is_said_once_until_it_is_written_again(vault, watching):
    """One warning per report note for the watcher's life: a later, other problem (or the
    same after the note was put right) was never said."""
    overdue(vault, "Jib")
    _, lines = watching()
    path = vault.root / "Reports" / "Reconnect.md"
    right = path.read_text()

    def unmarked() -> int:
        return sum("leaves it alone" in line for line in lines)

    path.write_text("my own notes\n")  # no marker: the watcher must leave it alone
    overdue(vault, "Afi")
    wait_for(lambda: unmarked() == 1, what="the first warning")
    path.write_text(right)  # the marker back: written again
    wait_for(lambda: "[[Afi]]" in path.read_text(), what="the note written again")
    path.write_text("mine again\n")
    overdue(vault, "Bo")
    wait_for(lambda: unmarked() == 2, what="the same problem, said again")


def test_the_watcher_opens_the_index_again_when_another_command_rebuilds_it(vault, watching):
    """It went on writing the index file it had opened, deleted by the rebuild: no other
    command saw its updates."""
    overdue(vault, "Jib")
    _, lines = watching()
    assert vault.run("index", "--rebuild").exit_code == 0
    wait_for(lambda: any("open it again" in line for line in lines), what="the index opened again")
    (vault.root / "people" / "Jib.md").write_text(caught_up("Jib"))
    wait_for(lambda: "[[Jib]]" not in report(vault), what="the save after the rebuild")
    conn = db.read_only(db.index_path(vault.root))
    try:  # the index every command opens has the save (read without a refresh of its own)
        count = conn.execute("SELECT COUNT(*) FROM interactions WHERE date = '2026-06-29'")
        assert count.fetchone()[0] == 1
    finally:
        conn.close()


def test_a_sync_conflict_copy_made_while_watching_is_in_the_index_problems(vault, watching):
    """The watcher passed over it: check said it only after its own full walk."""
    overdue(vault, "Jib")
    watcher, _ = watching()
    # The events of the first report notes' folder come first (a folder: a full walk).
    wait_for(lambda: watcher.stats.batches >= 1, what="the first batch")
    time.sleep(0.5)
    (vault.root / "people" / "Jib.sync-conflict-20260101-ABC.md").write_text("x\n")

    def said() -> bool:
        conn = db.read_only(db.index_path(vault.root))
        try:
            rows = conn.execute("SELECT path FROM problems WHERE path LIKE '%sync-conflict%'")
            return bool(rows.fetchall())
        finally:
            conn.close()

    wait_for(said, what="the conflict copy among the problems")


def test_a_second_watcher_of_the_vault_is_refused(tmp_path):
    """Both did all the work and raced each other on the report notes."""
    root, first = _watch_in_a_process(tmp_path)
    try:
        second = subprocess.run(
            [sys.executable, "-m", "mdnet", "--vault", str(root), "watch"],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")},
        )
        assert second.returncode == 1
        assert "another mdnet watch is watching" in second.stderr
        other_cache = subprocess.run(  # the lock is the vault's, not the cache folder's
            [sys.executable, "-m", "mdnet", "--vault", str(root), "watch"],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / "other-cache")},
        )
        assert other_cache.returncode == 1 and "another mdnet watch" in other_cache.stderr
    finally:
        first.terminate()
        first.wait(timeout=30)


def test_sighup_stops_the_watcher_cleanly(tmp_path):
    """A closed terminal or ssh session (SIGHUP) killed it, maybe mid-write."""
    root, watcher = _watch_in_a_process(tmp_path)
    watcher.send_signal(signal.SIGHUP)
    assert watcher.wait(timeout=30) == 0
    assert "stopped" in watcher.stderr.read()


def test_a_vault_deleted_and_made_again_stops_the_watcher(tmp_path):
    """Made again at once, the new folder could get the old one's inode number and pass
    for it: the watcher then saw no event again, silently. It holds the folder open."""
    import shutil

    root, watcher = _watch_in_a_process(tmp_path)
    try:
        shutil.rmtree(root)
        (root / "people").mkdir(parents=True)
        (root / ".mdnet.toml").write_text(CONFIG)
        assert watcher.wait(timeout=20) == 1
    finally:
        watcher.kill()
    assert "the vault folder is gone" in watcher.stderr.read()
    assert not (root / "Reports").exists()


def test_a_folder_moved_out_and_back_in_prints_no_watchdog_warning(tmp_path):
    """watchdog warned "Callback with id ... already exists", with its whole table of
    watches, into the watcher's output (found by an audit)."""
    root, watcher = _watch_in_a_process(tmp_path)
    try:
        os.rename(root / "people", tmp_path / "people")
        time.sleep(1.5)
        os.rename(tmp_path / "people", root / "people")
        (root / "people" / "Ann.md").write_text("- 2026-01-02 y\n")
        wait_for(lambda: "[[Ann]]" in (root / "Reports" / "Reconnect.md").read_text(), what="Ann")
    finally:
        watcher.terminate()
        watcher.wait(timeout=30)
    said = watcher.stderr.read()
    assert "Callback with id" not in said and "Warning" not in said, said
