"""`mdnet watch`: turn file events into "these paths may have changed", keep the index
current through the one refresh routine, and rewrite the configured report notes."""

from __future__ import annotations

import datetime as dt
import errno
import functools
import logging
import os
import queue
import sqlite3
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import db
from .config import CONFIG_NAME, Config, load_config
from .errors import MdnetError, RefusedError
from .sync import Index, SyncResult
from .vault import note_stamp

if TYPE_CHECKING:
    from .reports.reconnect import ReconnectMemo

QUIET_SECONDS = 0.15  # a batch ends after this much quiet...
MAX_WAIT_SECONDS = 1.0  # ...or this long after its first event, whichever comes first
LARGE_BATCH = 200  # more paths than this (a git checkout): one full walk is cheaper
TICK_SECONDS = 30.0  # wake up this often to notice a new day (reports are "as of today")
# Not paths: what the event queue also carries.
FULL_WALK = "\x00full walk"  # events were lost (the kernel's queue overflowed)
CONFIG_CHANGED = "\x00config"  # .mdnet.toml was saved
BUSY_MS = 1000  # how long one try waits for another process's write lock
POLL_SHARE = 20.0  # polling waits this many times what a walk of the vault takes

Log = Callable[[str], None]


@dataclass
class WatchStats:
    """What the watcher did, for tests and for its own log lines."""

    batches: int = 0
    report_writes: int = 0
    last_result: SyncResult | None = None
    warned: set[str] = field(default_factory=set)


class _Events:
    """The watchdog handler: only collects paths; all work happens in the watcher loop."""

    def __init__(self, vault: Path, sink: queue.SimpleQueue[str]) -> None:
        self.vault = str(vault)
        self.sink = sink

    def dispatch(self, event) -> None:  # noqa: ANN001 - watchdog's FileSystemEvent
        if event.event_type in ("opened", "closed_no_write"):
            return  # reads (Obsidian opening a note) change nothing
        if event.is_directory and event.event_type in ("modified", "closed"):
            return  # a folder "changes" whenever a note in it does: the note's event says it
        for raw in (event.src_path, getattr(event, "dest_path", "")):
            if not raw:
                continue
            raw = os.fsdecode(raw)
            rel = os.path.relpath(raw, self.vault).replace(os.sep, "/")
            if rel == CONFIG_NAME:
                self.sink.put(CONFIG_CHANGED)
                continue
            if rel == "." or rel.startswith("../") or _hidden(rel):
                continue  # .git, .obsidian, editors' and our own temporary files
            gone = event.event_type in ("deleted", "moved")
            if event.is_directory or rel.endswith(".md") or gone or os.path.islink(raw):
                self.sink.put(rel)  # a link to a folder comes (and goes) as a file's event


def _hidden(rel: str) -> bool:
    return any(part.startswith(".") for part in rel.split("/"))


class _Overflow(logging.Handler):
    """watchdog says only in its log that the kernel dropped events (its handler hears
    nothing): that line asks the watcher for a full walk."""

    LOGGERS = ("watchdog.observers.inotify_c", "watchdog.observers.inotify")

    def __init__(self, sink: queue.SimpleQueue[str]) -> None:
        super().__init__(logging.WARNING)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        if "overflow" in record.getMessage().lower():
            self.sink.put(FULL_WALK)

    def __enter__(self) -> _Overflow:
        for name in self.LOGGERS:
            logging.getLogger(name).addHandler(self)
        return self

    def __exit__(self, *exc: object) -> None:
        for name in self.LOGGERS:
            logging.getLogger(name).removeHandler(self)


class VaultGone(MdnetError):
    """The vault folder was moved or deleted under a running watcher."""


class Watcher:
    def __init__(
        self,
        config: Config,
        log: Log = print,
        verbose: bool = False,
        quiet: bool = False,
        today: Callable[[], dt.date] = dt.date.today,
        polling: bool = False,
    ) -> None:
        self.config = config
        self.log = log
        self.verbose = verbose
        self.quiet = quiet
        self.today = today
        self.polling = polling
        self.stats = WatchStats()
        self.stop_event = threading.Event()
        self.events: queue.SimpleQueue[str] = queue.SimpleQueue()
        self.report_paths = dict(config.watch_reports)  # vault-relative (config checks them)
        self._last_day: dt.date | None = None
        self._memos: dict[str, ReconnectMemo] = {}  # by report note
        self._version = -1  # the index's data_version when last looked at
        self._last_full = time.monotonic()  # when the vault was last walked whole
        self._said_busy = False  # the busy index is said once while it stays busy
        self.poll_seconds: float | None = None  # when polling: how often
        self._index_id: tuple[int, int] | None = None  # the index file this watcher uses
        self._report_stamps: dict[str, tuple[int, int] | None] = {}  # as last written or seen
        # The vault folder is held open: while it is, no folder made in its place (a
        # clone after `rm -rf`) can be given its inode number and pass for it.
        try:
            self._vault_fd: int | None = os.open(config.vault, os.O_RDONLY)
            st = os.fstat(self._vault_fd)
            self._vault_id: tuple[int, int] | None = (st.st_dev, st.st_ino)
        except OSError:
            self._vault_fd, self._vault_id = None, None

    def stop(self) -> None:
        self.stop_event.set()

    def run(self, ready: threading.Event | None = None) -> None:
        """Watch until `stop()`: one full refresh, the report notes, then batches."""
        try:
            _lock_the_vault(self._vault_fd, self.config.vault)
            with warnings.catch_warnings():
                # watchdog warns, with its whole table of watches, when a folder moved out
                # and back in is watched again: nothing for the user to do.
                warnings.filterwarnings("ignore", "Callback with id", RuntimeWarning)
                self._run(ready)
        finally:
            if self._vault_fd is not None:  # and with it the lock
                os.close(self._vault_fd)
                self._vault_fd = None

    def _run(self, ready: threading.Event | None) -> None:
        # The observer starts first: a save during the first refresh is then an event,
        # not a change that slipped between the walk and the watch.
        observer = self._start_observer()
        from . import parse, yamlsafe  # noqa: F401 - loaded now, not on the first save

        try:
            with _Overflow(self.events):
                while reason := self._watch(ready):  # again, with the config as saved since
                    self._say(reason)
        finally:
            observer.stop()
            observer.join(timeout=2)

    def _watch(self, ready: threading.Event | None) -> str | None:
        """One full refresh, the report notes, then batches; why to start again (the
        config changed: a new people folder may mean a new index), or None to stop."""
        self._check_vault()
        with Index(self.config) as index:
            while not self._busy(index, lambda: self._start(index)):
                if self.stop_event.wait(1.0):
                    return None
            if ready is not None:
                ready.set()
            return self._loop(index)

    def _start(self, index: Index) -> None:
        result = index.refresh()
        self._index_id = _file_id(index.path)
        self._last_full = time.monotonic()
        self.stats.last_result = result
        vault = self.config.vault
        self._say(f"indexed {result.total} notes in {result.seconds:.2f}s; watching {vault}")
        self._version = db.data_version(index.conn)
        self._write_reports(index, force_log=True)

    def _busy(self, index: Index, work: Callable[[], None]) -> bool:
        """work(); False (said, and the reports marked out of date) when another process
        kept the index locked past the busy timeout."""
        try:
            # A short wait for another process's write, then this loop's own retry: a
            # stop is then never kept waiting by the 30 s every command waits.
            index.conn.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
            work()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc):
                raise
            if not self._said_busy:
                self._warn("the index is busy (another mdnet is writing it); trying again")
                self._said_busy = True
            self._version, self._last_day = -1, None  # the reports are redone once it is not
            return False
        self._said_busy = False
        return True

    def _start_observer(self):  # noqa: ANN202 - a watchdog observer
        from watchdog.observers import Observer
        from watchdog.observers.polling import PollingObserver

        handler = _Events(self.config.vault, self.events)
        observer = PollingObserver(timeout=self._poll_seconds()) if self.polling else Observer()
        observer.schedule(handler, str(self.config.vault), recursive=True)
        try:
            observer.start()
        except OSError as exc:
            if exc.errno not in (errno.ENOSPC, errno.EMFILE):
                raise
            self._warn(
                f"the system's inotify limit is reached ({exc.strerror}); polling instead, "
                "which is slower. Raise it with: sudo sysctl fs.inotify.max_user_watches=524288"
            )
            observer = PollingObserver(timeout=self._poll_seconds())
            observer.schedule(handler, str(self.config.vault), recursive=True)
            observer.start()
        return observer

    def _poll_seconds(self) -> float:
        """How often polling looks at the whole vault: each look costs about a walk, so
        every second kept a core 40 % busy on 30,000 notes. 1 s for a small vault, and
        never more than about a twentieth of the time for a large one."""
        from .vault import scan_vault

        started = time.perf_counter()
        scan_vault(self.config)
        self.poll_seconds = max(1.0, POLL_SHARE * (time.perf_counter() - started))
        return self.poll_seconds

    def _loop(self, index: Index) -> str | None:
        """Batches until stopped (None) or until the config changed or the index file
        was replaced (why, to start again)."""
        while not self.stop_event.is_set():
            batch = self._next_batch(index)
            if self.stop_event.is_set():
                break
            self._check_vault()  # before a config "changed" by the vault's removal
            if CONFIG_CHANGED in batch:
                batch.remove(CONFIG_CHANGED)
                if self._reload_config():
                    return "the config changed: read it again"
            if _file_id(index.path) != self._index_id:
                # `mdnet index --rebuild`, or the cache deleted: this connection would go
                # on writing a file no other command reads.
                for path in batch:
                    self.events.put(path)
                return "the index was rebuilt or removed by another command: open it again"
            if not self._busy(index, functools.partial(self._step, index, batch)):
                for path in batch:
                    self.events.put(path)
                self.stop_event.wait(1.0)
        return None

    def _step(self, index: Index, batch: list[str]) -> None:
        if batch:
            self._handle(index, batch)
            return
        if index.has_links and time.monotonic() - self._last_full >= TICK_SECONDS:
            # A link's target outside the vault changes without an event here.
            self._handle(index, [FULL_WALK])
        if self._others_wrote(index) or self.today() != self._last_day:
            # Another mdnet indexed saves whose events we had already handled, or a
            # new day moved "as of today".
            version = db.data_version(index.conn)
            self._write_reports(index)
            self._version = version

    def _check_vault(self) -> None:
        """Stop, rather than find every note removed and write report notes into a new
        folder of the old name, when the vault itself was moved or deleted."""
        try:
            st = os.stat(self.config.vault)
            same = (st.st_dev, st.st_ino) == self._vault_id
        except OSError:
            same = False
        if not same:  # gone, or another folder in its place (the events come from the old)
            raise VaultGone(f"{self.config.vault}: the vault folder is gone (moved or deleted)")

    def _reload_config(self) -> bool:
        """Read .mdnet.toml again; whether it changed (a bad one is said, and the one
        read before stays)."""
        try:
            config = load_config(self.config.vault)
        except MdnetError as exc:
            self._warn(f"{exc}; keeping the config read before")
            return False
        if config == self.config:
            return False
        self.config = config
        self.report_paths = dict(config.watch_reports)
        self._memos.clear()
        self.stats.warned.clear()
        return True

    def _others_wrote(self, index: Index) -> bool:
        """Whether another process wrote the index since we last looked (cheap to ask)."""
        return db.data_version(index.conn) != self._version

    def _next_batch(self, index: Index) -> list[str]:
        """Paths from the first event until a short quiet, or a maximum wait; none when
        a wait ends or another process wrote the index."""
        deadline = time.monotonic() + TICK_SECONDS
        next_check = time.monotonic() + 1.0
        paths: list[str] = []
        while not self.stop_event.is_set():
            try:
                paths.append(self.events.get(timeout=0.1 if not paths else QUIET_SECONDS))
            except queue.Empty:
                if paths or time.monotonic() > deadline or self._others_wrote(index):
                    break
                if time.monotonic() > next_check:  # a vault deleted sends no more events
                    self._check_vault()
                    next_check = time.monotonic() + 1.0
                continue
            first = time.monotonic()
            while time.monotonic() - first < MAX_WAIT_SECONDS:
                try:
                    paths.append(self.events.get(timeout=QUIET_SECONDS))
                except queue.Empty:
                    break
            break
        return list(dict.fromkeys(paths))

    def _handle(self, index: Index, paths: list[str]) -> None:
        started = time.perf_counter()
        full = FULL_WALK in paths or len(paths) > LARGE_BATCH
        result = index.refresh(None if full else paths)
        self._index_id = _file_id(index.path)  # a refresh may have rebuilt a broken index
        if full:
            self._last_full = time.monotonic()
        self.stats.batches += 1
        self.stats.last_result = result
        own = set(self.report_paths.values())
        changed_notes = [p for p in result.changed_paths if p not in own]
        # Another mdnet (a report run meanwhile) may have indexed these saves first:
        # then the refresh finds nothing to do, yet the reports are out of date.
        version = db.data_version(index.conn)
        others_wrote, self._version = version != self._version, version
        # A report note edited, blocked (a folder in its place) or freed again by the
        # user: not our own write, which left it as _report_stamps has it.
        reports_touched = any(
            rel in own and _fingerprint(self.config.vault / rel) != self._report_stamps.get(rel)
            for rel in paths
        )
        if not (changed_notes or result.removed or others_wrote or reports_touched):
            return  # only touched, or only our own report notes: nothing to redo
        for problem in self._problems(index, changed_notes):
            self._warn(problem)
        indexed = time.perf_counter()
        written = self._write_reports(index)
        if not self.quiet:
            what = f"{len(changed_notes)} changed, {result.removed} removed"
            if FULL_WALK in paths:
                what += " (full walk)"
            elif full:
                what += f" (full walk: {len(paths)} paths)"
            tail = f"; wrote {', '.join(written)}" if written else ""
            index_ms = (indexed - started) * 1000
            report_ms = (time.perf_counter() - indexed) * 1000
            self.log(f"{_now()} {what}: index {index_ms:.0f} ms, reports {report_ms:.0f} ms{tail}")
        if self.verbose:
            for path in changed_notes:
                self.log(f"  {path}")

    def _problems(self, index: Index, paths: list[str]) -> list[str]:
        rows = []
        for start in range(0, len(paths), 500):  # bound variables: under SQLite's old 999
            chunk = paths[start : start + 500]
            rows += index.conn.execute(
                "SELECT path, line, level, message FROM problems "
                f"WHERE path IN ({','.join('?' * len(chunk))})",
                chunk,
            ).fetchall()
        rows.sort(key=lambda row: (row[0], row[1]))
        return [f"{p}:{line}: {level}: {message}" for p, line, level, message in rows]

    def _write_reports(self, index: Index, force_log: bool = False) -> list[str]:
        """Rewrite each configured report note whose content changed."""
        from .reports.reconnect import ReconnectMemo
        from .reports_api import gifts, reconnect

        today = self.today()
        self._last_day = today
        written = []
        for name, rel in self.report_paths.items():
            if name == "reconnect":
                memo = self._memos.setdefault(rel, ReconnectMemo())
                text = reconnect(index.conn, self.config, today, "markdown", memo=memo)
            elif name == "gifts":
                text = gifts(index.conn, today, None, "markdown")
            else:
                self._warn_once(rel, f"[watch.reports] {name}: no such report (reconnect, gifts)")
                continue
            try:
                from .writer import write_report_note

                if write_report_note(self.config.vault / rel, text, vault=self.config.vault):
                    written.append(rel)
                    self.stats.report_writes += 1
                self._forget_warnings(rel)  # written or current: a new problem is said again
            except RefusedError as exc:
                self._warn_once(rel, f"{exc}; the watcher leaves it alone")
            except OSError as exc:
                self._warn(f"{rel}: cannot write: {exc.strerror or exc}")
            self._report_stamps[rel] = _fingerprint(self.config.vault / rel)
        if force_log and written and not self.quiet:
            self.log(f"{_now()} wrote {', '.join(written)}")
        return written

    def _warn(self, message: str) -> None:
        self.log(f"{_now()} warning: {message}")

    def _warn_once(self, rel: str, message: str) -> None:
        """Each problem of a report note once, until the note is written again."""
        key = f"{rel}\0{message}"
        if key not in self.stats.warned:
            self.stats.warned.add(key)
            self._warn(message)

    def _forget_warnings(self, rel: str) -> None:
        self.stats.warned = {key for key in self.stats.warned if not key.startswith(f"{rel}\0")}

    def _say(self, message: str) -> None:
        if not self.quiet:
            self.log(f"{_now()} {message}")


def _now() -> str:
    return time.strftime("%H:%M:%S")


def _file_id(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _fingerprint(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return note_stamp(st), st.st_size


def _lock_the_vault(folder_fd: int | None, vault: Path) -> None:
    """One watcher per vault: a second one did all the work again and raced the first on
    every report note. The lock is on the vault folder itself (held open by the watcher),
    so watchers with other cache folders see it too; it goes with the process, however
    that ends."""
    try:
        import fcntl
    except ImportError:  # Windows: no flock
        return
    if folder_fd is None:
        return
    try:
        fcntl.flock(folder_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise RefusedError(f"another mdnet watch is watching {vault} already") from None
    except OSError:  # a file system without flock: watch unguarded, as before
        return
