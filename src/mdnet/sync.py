"""The one way into the index: bring it in line with the vault and say what changed."""

from __future__ import annotations

import contextlib
import gc
import marshal
import os
import signal
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, TypeVar

from . import db
from .config import Config
from .hashing import blake2b

if TYPE_CHECKING:
    from .rows import NoteRows
from .vault import CONFLICT_MARK, Scan, counts_as_note, note_stamp, scan_vault, stat_note, utf8_name

PARALLEL_MIN = 1500  # below this many notes to read, a process pool costs more than it saves
CHUNK = 250  # notes per task sent to a worker
BULK_MIN = 5000  # from this many new notes on, indexes are dropped and rebuilt after the load

Progress = Callable[[int, int], None]
T = TypeVar("T")
Fingerprinted = tuple[str, int, int]  # (path, stamp, size)


@dataclass
class Walk:
    """A full walk of the vault: its digest and the index's data_version before it."""

    digest: str
    version: int


@dataclass
class SyncResult:
    """What a refresh did: notes read from disk, changed (added or edited), removed."""

    total: int = 0
    read: int = 0
    changed: int = 0
    added: int = 0
    removed: int = 0
    touched: int = 0
    rebuilt: bool = False
    seconds: float = 0.0
    changed_paths: list[str] = field(default_factory=list)


def _read(vault: str, rel: str) -> tuple[bytes | str, int, int] | None:
    """The bytes of a note with the fingerprint they were read under; None if it is gone,
    and for a note that is there but cannot be read (permissions, I/O), why, in place of
    the bytes."""
    path = os.path.join(vault, rel)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        return _unreadable(path, exc)
    try:
        st = os.fstat(fd)
        chunks = []
        while chunk := os.read(fd, max(st.st_size + 1, 65536)):
            chunks.append(chunk)
    except OSError as exc:
        return _unreadable(path, exc)
    finally:
        os.close(fd)
    return b"".join(chunks), note_stamp(st), st.st_size


def _still_unreadable(vault: str, rel: str) -> bool:
    got = _read(vault, rel)
    return got is not None and isinstance(got[0], str)


def _unreadable(path: str, exc: OSError) -> tuple[str, int, int] | None:
    if isinstance(exc, FileNotFoundError | NotADirectoryError):
        return None  # gone since the walk
    try:
        st = os.stat(path)
    except OSError:
        return None
    # A stamp no walk gives (stamps are never negative): the next refresh reads it again,
    # so a passing error (EIO, a lock) does not hide the note until it is edited.
    return exc.strerror or str(exc), -1, st.st_size


# (rel, stamp, size, hash, rows): rows is None for an unchanged hash; all but rel are
# None for a note that vanished before it could be read.
Result = tuple[str, "int | None", "int | None", "bytes | None", "NoteRows | None"]
Work = tuple[str, "bytes | None", int]  # (rel, hash the index knows or None, note id)
UNREADABLE = b""  # the hash of a note that could not be read: no content's (16 bytes)


def read_and_parse(vault: str, people_dir: str, events_dir: str, work: list[Work]) -> list[Result]:
    """Read and parse notes into index rows; a note whose hash is unchanged is not parsed."""
    from .parse import parse_note, unreadable_note  # the parser loads only when a note changed
    from .rows import note_rows

    out: list[Result] = []
    gc.disable()  # a chunk makes many small objects and no cycles: collecting is wasted time
    try:
        for rel, known_hash, note_id in work:
            got = _read(vault, rel)
            if got is None:
                out.append((rel, None, None, None, None))
                continue
            data, stamp, size = got
            rows = None
            if isinstance(data, str):  # there, but unreadable: a problem, and no content
                digest = UNREADABLE
                if digest != known_hash:
                    rows = note_rows(unreadable_note(rel, data), note_id)
            else:
                digest = blake2b(data, digest_size=16).digest()
                if digest != known_hash:
                    rows = note_rows(parse_note(rel, data, people_dir, events_dir), note_id)
            out.append((rel, stamp, size, digest, rows))
    finally:
        gc.enable()
    return out


def read_and_parse_marshalled(*args) -> bytes:
    """read_and_parse in a worker process. Its results are plain tuples, which marshal
    dumps and loads in less than half the time pickle takes (40,000 notes: 1.20 s and
    0.66 s with pickle, 0.44 s and 0.30 s with marshal)."""
    return marshal.dumps(read_and_parse(*args))


class Index:
    """An open index for one vault. `refresh()` is called before every read."""

    def __init__(self, config: Config, rebuild: bool = False) -> None:
        self.config = config
        self.path = db.index_path(config.vault)
        self.build: db.Build | None = None
        # Whether the last full walk met links (None before one): the watcher's events
        # name real paths, not the links' paths the walk reads them by.
        self.has_links: bool | None = None
        conn = None if rebuild else db.open_index(self.path, config.parse_fingerprint())
        self.conn = conn if conn is not None else self._start_build(rebuild)

    def _start_build(self, rebuild: bool) -> sqlite3.Connection:
        """A new index, to be put in place by the first refresh (or the one another mdnet
        built while this one waited, unless `rebuild`)."""
        conn, self.build = db.Build.start(self.path, self.config.parse_fingerprint(), rebuild)
        return conn

    def close(self) -> None:
        if self.build is not None:  # never refreshed, or the refresh failed
            self.build.abandon()
            self.build = None
        else:
            self.conn.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def refresh(
        self,
        paths: Iterable[str] | None = None,
        progress: Progress | None = None,
        walked: tuple[Scan, int] | None = None,
    ) -> SyncResult:
        """Bring the index in line with the vault: all of it, or only `paths` (vault-relative)
        when the caller knows what may have changed (the watcher). `walked`: a walk made
        already, with the index's data_version from before it began."""
        started = time.perf_counter()
        try:
            try:
                result = self._refresh(paths, progress, walked)
            except sqlite3.DatabaseError as exc:
                if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
                    raise
                # A corrupt or foreign index is only a cache: start again from the notes.
                self.close()
                self.conn = self._start_build(rebuild=True)
                result = self._refresh(None, progress)
            if self.build is not None:  # a new index: its first refresh is the rebuild
                result.rebuilt = True
                self.conn = self.build.install()
                self.build = None
        except BaseException:
            if self.build is not None:  # a build that failed or was interrupted: let it go
                self.build.abandon()
                self.build = None
            raise
        result.seconds = time.perf_counter() - started
        return result

    def read_current(self, compute: Callable[[], T]) -> T:
        """compute() (reads of this index) on an index that matches the vault.

        Usually it already does, and the walk that tells (a stat of every note) takes as
        long as a report: so a forked child walks the vault while compute() runs on the
        index as it is. Its answer stands when the child's walk is the one the index
        remembers matching (db.walk_digest, read before the walk began): the index then
        held the notes as they were walked, or newer. Otherwise the index is refreshed
        with the child's walk, and compute() runs again."""
        try:
            version, remembered = db.data_version(self.conn), db.walk_digest(self.conn)
        except sqlite3.DatabaseError:
            remembered = None  # refresh() says what to do with a broken index
        child = _ChildWalk.start(self.config) if remembered and self.build is None else None
        if child is None:
            self.refresh()
            return compute()
        try:
            answer = _Outcome.of(compute)
            if child.digest() == remembered:
                return answer.get()
            scan = child.scan()
        finally:
            child.close()
        self.refresh(walked=(scan, version) if scan is not None else None)
        return compute()

    def _refresh(
        self,
        paths: Iterable[str] | None,
        progress: Progress | None,
        walked: tuple[Scan, int] | None = None,
    ) -> SyncResult:
        walk: Walk | None = None
        if paths is None:
            if walked is None:
                version = db.data_version(self.conn)  # before the walk: later commits show
                scan = scan_vault(self.config)
            else:
                scan, version = walked
            walk = Walk(scan.digest(), version)
            self.has_links = bool(scan.symlinked or scan.other_links or scan.loops)
            result = SyncResult(total=len(scan.notes))
            if db.walk_digest(self.conn) == walk.digest:
                return result  # the index already matches this very walk
            candidates, gone = self._diff_all(scan.notes)
            scan_problems = _scan_problems(scan)
            tried = bool(candidates)
            candidates = self._without_the_still_unreadable(candidates)
            if tried and not (candidates or gone or self._scan_problems_differ(scan_problems)):
                # Only notes that are still unreadable: nothing to write, and the walk
                # is not remembered, so that the next refresh tries them again.
                return result
        else:
            diff = self._diff_paths(paths)
            if diff is None:  # a folder came, went or moved: walk the vault again
                return self._refresh(None, progress)
            candidates, gone = diff
            result = SyncResult()
            scan_problems = None
        if candidates or gone or self._scan_problems_differ(scan_problems):
            self._apply(candidates, gone, scan_problems, result, progress, walk)
        elif walk is not None:
            with db.write_transaction(self.conn):
                self._store_walk(walk, exact=True)
        if walk is None:
            result.total = db.count_notes(self.conn)
        return result

    def _store_walk(self, walk: Walk | None, exact: bool) -> None:
        """Remember the walk the index now matches; forget it when the index may not
        match it exactly (a partial refresh, a note that changed while read, or another
        process that wrote meanwhile)."""
        same = walk is not None and exact and db.data_version(self.conn) == walk.version
        db.set_walk_digest(self.conn, walk.digest if same and walk else None)

    def _diff_all(self, scanned: list[Fingerprinted]) -> tuple[list[Fingerprinted], list[str]]:
        """What differs between the walk and the index: the notes to read (with the
        fingerprint the walk saw, in its order), the paths gone.
        This is what every command pays, so the usual case (nothing changed) is one
        comparison of two sets of plain tuples."""
        rows = db.fingerprints(self.conn)
        if len(rows) == len(scanned) and set(rows) == set(scanned):
            return [], []
        indexed = {path: (stamp, size) for path, stamp, size in rows}
        changed = [note for note in scanned if indexed.get(note[0]) != (note[1], note[2])]
        current = {path for path, _, _ in scanned}
        return changed, [path for path in indexed if path not in current]

    def _diff_paths(self, paths: Iterable[str]) -> tuple[list[Fingerprinted], list[str]] | None:
        """The same for a few paths the caller knows may have changed (the watcher);
        None when one of them is a folder, or when the vault has links (or none is known
        yet): an event names the file, not the link the walk reads it by."""
        if self.has_links is not False:
            return None
        candidates: list[Fingerprinted] = []
        gone: list[str] = []
        for rel in dict.fromkeys(paths):
            rel = rel.strip("/")
            if not utf8_name(rel) or CONFLICT_MARK in rel.rsplit("/", 1)[-1]:
                return None  # never in the index: the walk names it as a problem
            path = self.config.vault / rel
            if os.path.isdir(path) or os.path.islink(path) or db.has_notes_under(self.conn, rel):
                return None  # a folder, or a new link: the walk finds what they hold
            old = db.known_note(self.conn, rel)
            fingerprint = stat_note(self.config, rel) if counts_as_note(self.config, rel) else None
            if fingerprint is None:
                if old is not None:
                    gone.append(rel)
            elif old is None or old[1] != fingerprint:
                candidates.append((rel, *fingerprint))
        return candidates, gone

    def _without_the_still_unreadable(self, candidates: list[Fingerprinted]) -> list[Fingerprinted]:
        """The candidates but notes the index holds as unreadable that still are: those
        are tried again by each refresh (their stamp, -1, matches no walk) without a
        write each time, which would make every command wait for the write lock."""
        if not candidates or len(candidates) > 100:  # a few at a time, before the lock
            return candidates
        vault = str(self.config.vault)
        known = db.known_notes(self.conn, [path for path, _, _ in candidates])
        still = {
            path
            for path, (_, (stamp, _), hash_) in known.items()
            if stamp == -1 and hash_ == UNREADABLE and _still_unreadable(vault, path)
        }
        return [note for note in candidates if note[0] not in still]

    def _scan_problems_differ(self, problems: list[tuple[str, int, str, str]] | None) -> bool:
        if problems is None:
            return False
        stored = self.conn.execute(
            "SELECT path, line, level, message FROM problems WHERE note_id IS NULL ORDER BY path"
        ).fetchall()
        return stored != sorted(problems)

    def _apply(
        self,
        candidates: list[Fingerprinted],
        gone: list[str],
        scan_problems: list[tuple[str, int, str, str]] | None,
        result: SyncResult,
        progress: Progress | None,
        walk: Walk | None = None,
    ) -> None:
        conn = self.conn
        bulk = len(candidates) >= BULK_MIN
        # Contacts whose summary may change. A bulk load recomputes every summary, and
        # its touches have no index to look this up by.
        dirty: set[int] = set()

        def deleting(ids: list[int]) -> None:
            if not bulk:
                dirty.update(db.contacts_touched_by(conn, ids))

        with db.write_transaction(conn):
            # Another mdnet may have written these notes since the diff: their ids are
            # read again under the lock, or a note would be added twice.
            paths = [path for path, _, _ in candidates]
            known = db.known_notes(conn, paths + gone)
            removed = [known.pop(path)[0] for path in gone if path in known]
            result.removed = len(removed)
            # Ids are given before the parse, so that the workers send rows ready to insert.
            # An id given to a note that then proves touched only or gone stays unused.
            next_id = db.next_note_id(conn)
            work: list[Work] = []
            for rel in paths:
                if rel in known:
                    work.append((rel, known[rel][2], known[rel][0]))
                else:
                    work.append((rel, None, next_id))
                    next_id += 1
            # Whether every note is read under the fingerprint the walk saw (results
            # come back in the order of the work): else the walk is not remembered.
            expected = iter(candidates)
            exact = walk is not None
            old_names = db.names_of(conn, removed)
            deleting(removed)
            db.delete_rows_of(conn, removed, notes_too=True)
            if bulk:
                db.drop_indexes(conn)
            batch = db.Batch(db.next_task_id(conn))
            written: list[int] = []  # ids of notes whose rows were replaced or added
            done = 0
            for results, ids in self._parse(work, progress):
                replaced: list[int] = []
                for (rel, stamp, size, digest, rows), note_id in zip(results, ids, strict=True):
                    done += 1
                    result.read += 1
                    old = known.get(rel)
                    exact = exact and next(expected, None) == (rel, stamp, size)
                    if stamp is None:  # vanished between the walk and the read
                        if old is not None:
                            old_names |= db.names_of(conn, [old[0]])
                            deleting([old[0]])
                            db.delete_rows_of(conn, [old[0]], notes_too=True)
                            result.removed += 1
                        continue
                    if rows is None and old is not None:
                        batch.touched.append((stamp, size, old[0]))
                        result.touched += 1
                        continue
                    if old is not None:  # an edit keeps the note's id: links to it stay valid
                        replaced.append(note_id)
                    else:
                        result.added += 1
                    written.append(note_id)
                    result.changed += 1
                    result.changed_paths.append(rel)
                    batch.add(rows, note_id, rel, stamp, size, digest)
                if replaced:
                    old_names |= db.names_of(conn, replaced)
                    deleting(replaced)
                    db.delete_rows_of(conn, replaced, notes_too=False)
                batch.flush(conn)
                if progress:
                    progress(done, len(work))
            if bulk:
                db.create_indexes(conn)
            # Names decide which contact every link points to: when they change, every
            # note's touches may change; otherwise only the written notes' touches do.
            names_changed = old_names != db.names_of(conn, written)
            if names_changed:
                db.refresh_resolved(conn)
            everything = names_changed or bulk
            db.refresh_touches(conn, None if everything else written)
            if everything:
                db.refresh_summary(conn, None)
            else:
                db.refresh_summary(conn, dirty | db.contacts_touched_by(conn, written))
            if scan_problems is not None:
                db.store_scan_problems(conn, scan_problems)
            self._store_walk(walk, exact)
        if bulk:
            conn.execute("PRAGMA analysis_limit = 1000")  # sampled statistics: 0.1 s, not 0.8
            conn.execute("ANALYZE")

    def _parse(self, work: list[Work], progress: Progress | None):
        """Chunks of parsed notes with their ids, in a process pool when there are many."""
        vault = str(self.config.vault)
        args = (vault, self.config.people_dir, self.config.events_dir)
        chunks = [work[i : i + CHUNK] for i in range(0, len(work), CHUNK)]
        workers = min(os.cpu_count() or 1, 8)
        if len(work) < PARALLEL_MIN or workers < 2:
            for chunk in chunks:
                yield read_and_parse(*args, chunk), [note_id for _, _, note_id in chunk]
            return
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=workers, initializer=_exit_with_parent) as pool:
            # A few chunks in flight, not all: results wait in memory until written.
            submit = pool.submit
            pending = [submit(read_and_parse_marshalled, *args, c) for c in chunks[: 2 * workers]]
            for index in range(len(chunks)):
                results = marshal.loads(pending.pop(0).result())
                if index + 2 * workers < len(chunks):
                    chunk = chunks[index + 2 * workers]
                    pending.append(submit(read_and_parse_marshalled, *args, chunk))
                yield results, [note_id for _, _, note_id in chunks[index]]


def _exit_with_parent() -> None:
    """In each worker: exit when the process that started it is gone. A killed mdnet
    (SIGKILL, out of memory) would otherwise leave its workers waiting for work forever.
    The parent is read here, not passed in: with the `forkserver` start method (Linux's
    default from Python 3.14) it is the fork server, which ends with mdnet."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _scan_problems(scan: Scan) -> list[tuple[str, int, str, str]]:
    from .models import WARNING  # not at the top: every command imports this module

    problems = [
        (rel, 1, WARNING, "sync-conflict copy: merge what it adds into the note, then delete it")
        for rel in scan.conflict_copies
    ]
    problems += [
        (rel, 1, WARNING, "a folder reached again through a link: its notes are read once")
        for rel in scan.loops
    ]
    problems += [(rel, 1, WARNING, f"cannot read: {why}") for rel, why in scan.unreadable]
    problems += [
        (rel, 1, WARNING, "link to a file outside the vault; mdnet never writes through it")
        for rel in scan.outside_links
    ]
    return sorted(problems)


def open_index(config: Config, rebuild: bool = False, progress: Progress | None = None):
    """Open the vault's index and bring it up to date: what every command does first."""
    index = Index(config, rebuild=rebuild)
    return index, index.refresh(progress=progress)


class _Outcome(Generic[T]):
    """What a call returned or raised, to be handed on later."""

    def __init__(self, value: T | None, error: BaseException | None) -> None:
        self.value, self.error = value, error

    @classmethod
    def of(cls, call: Callable[[], T]) -> _Outcome[T]:
        try:
            return cls(call(), None)
        except Exception as exc:  # an answer like any other: it may not stand either
            return cls(None, exc)

    def get(self) -> T:
        if self.error is not None:
            raise self.error
        return self.value  # type: ignore[return-value]


class _ChildWalk:
    """scan_vault in a forked child, which sends back the digest, then the walk itself
    (marshal: the walk is plain lists) for a parent that turns out to need it."""

    DIGEST_SIZE = 32  # Scan.digest(): 16 bytes in hex

    def __init__(self, pid: int, fd: int) -> None:
        self.pid, self.fd = pid, fd

    @classmethod
    def start(cls, config: Config) -> _ChildWalk | None:
        """None where forking is not safe: no fork (Windows), macOS (system libraries
        may not survive a fork without exec), other threads (their locks would be copied
        held), or SIGCHLD ignored (inherited from whatever started mdnet: children are
        then reaped at once, and their pid could be another process's by close())."""
        if not hasattr(os, "fork") or sys.platform == "darwin" or threading.active_count() > 1:
            return None
        if signal.getsignal(signal.SIGCHLD) == signal.SIG_IGN:
            return None
        read_end, write_end = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(read_end)
            os.close(write_end)
            return None
        if pid == 0:  # the child: walk, write, and leave without any of the parent's exits
            try:
                os.close(read_end)
                scan = scan_vault(config)
                found = (scan.notes, scan.conflict_copies, scan.loops, scan.unreadable,
                         scan.outside_links, scan.symlinked, scan.other_links)  # fmt: skip
                _write_all(write_end, scan.digest().encode() + marshal.dumps(found))
            finally:
                os._exit(0)
        os.close(write_end)
        return cls(pid, read_end)

    def digest(self) -> str | None:
        data = self._read(self.DIGEST_SIZE)
        return data.decode() if len(data) == self.DIGEST_SIZE else None

    def scan(self) -> Scan | None:
        """The walk (after digest()); None if the child failed."""
        try:
            found = marshal.loads(self._read(None))
        except (EOFError, ValueError, TypeError):
            return None
        return Scan(*found)

    def _read(self, size: int | None) -> bytes:
        chunks: list[bytes] = []
        got = 0
        while size is None or got < size:
            chunk = os.read(self.fd, 65536 if size is None else size - got)
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)

    def close(self) -> None:
        """The child is not needed any more: it may still be writing the walk."""
        os.close(self.fd)
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)  # unreaped till below: the pid is still ours
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
