"""The index: schema, version and every SQL statement. A cache: rebuilt, never migrated."""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import json
import os
import re
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .hashing import sha1

try:
    import fcntl as _fcntl
except ImportError:  # Windows
    _fcntl = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from .rows import NoteRows

SCHEMA_VERSION = 29  # bump whenever the tables or what the parser stores change

TABLES = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE notes (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,      -- relative to the vault, '/' separators
    stamp INTEGER NOT NULL,         -- changes with the file's mtime or ctime (vault.note_stamp)
    size INTEGER NOT NULL,
    hash BLOB NOT NULL,             -- blake2b of the bytes: a touched note is not re-parsed
    is_contact INTEGER NOT NULL,
    is_event INTEGER NOT NULL,
    generated INTEGER NOT NULL,     -- generated_by: mdnet (a report note)
    date TEXT,                      -- the day of a dated note (file name or `date:`)
    body_line INTEGER NOT NULL,
    properties TEXT NOT NULL,       -- the front matter as JSON
    links TEXT NOT NULL,            -- JSON {link key: first line}, for the `links` view
    mention_links TEXT              -- the same without open tasks' links (a reminder to
                                    -- call is no contact), when that differs, else NULL
);
CREATE TABLE contacts (
    note_id INTEGER PRIMARY KEY,
    file_name TEXT NOT NULL,        -- identity: what [[links]] name
    name TEXT NOT NULL,             -- display name
    circle TEXT, cadence TEXT, met TEXT, last_contact TEXT, birthday TEXT, snooze TEXT,
    city TEXT, company TEXT,
    interests TEXT NOT NULL,        -- JSON list, as written
    tags TEXT NOT NULL,             -- JSON list, lower case
    -- What the reconnect report needs of these, worked out by the parser:
    circle_key TEXT,                -- circle in lower case
    cadence_days INTEGER,           -- cadence: days, 0 = none, NULL = unset or invalid
    met_day TEXT, last_contact_day TEXT, snooze_day TEXT,  -- valid ISO days, else NULL
    birthday_md TEXT,               -- valid birthday as MM-DD, else NULL
    met_line INTEGER, last_contact_line INTEGER,  -- where those properties are written
    aliases TEXT NOT NULL           -- JSON list, as read (text split at commas)
);
CREATE TABLE names (                -- every key that resolves a link to a contact
    key TEXT NOT NULL, note_id INTEGER NOT NULL, source TEXT NOT NULL
);
CREATE TABLE resolved (             -- names that resolve to exactly one contact
    key TEXT PRIMARY KEY, contact_id INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE interactions (
    id INTEGER PRIMARY KEY, note_id INTEGER NOT NULL, line INTEGER NOT NULL,
    date TEXT NOT NULL, text TEXT NOT NULL, kind TEXT NOT NULL, answer TEXT,
    tags TEXT NOT NULL, details TEXT NOT NULL,
    links TEXT                      -- JSON list of the keys linked in its first line
);
CREATE TABLE tasks (
    id INTEGER PRIMARY KEY, note_id INTEGER NOT NULL, line INTEGER NOT NULL,
    text TEXT NOT NULL, done INTEGER NOT NULL, due TEXT,
    links TEXT                      -- JSON list of link keys
);
CREATE TABLE task_links (          -- a row per link in a task: follow-ups are found by key
    task_id INTEGER NOT NULL, note_id INTEGER NOT NULL, key TEXT NOT NULL
);
CREATE TABLE events (
    note_id INTEGER PRIMARY KEY, date TEXT, end_date TEXT, city TEXT, title TEXT NOT NULL,
    attendees TEXT NOT NULL         -- JSON list of link keys
);
CREATE TABLE problems (
    note_id INTEGER, path TEXT NOT NULL, line INTEGER NOT NULL,
    level TEXT NOT NULL, message TEXT NOT NULL
);
-- Lists of links are JSON inside their row (a third as many rows to write), and these
-- views give them back as rows for queries.
CREATE VIEW links AS
    SELECT n.id AS note_id, l.key AS key, l.value AS line FROM notes n, json_each(n.links) l;
CREATE VIEW interaction_links AS
    SELECT i.id AS interaction_id, i.note_id AS note_id, l.value AS key
    FROM interactions i, json_each(i.links) l WHERE i.links IS NOT NULL;
CREATE VIEW event_attendees AS
    SELECT e.note_id AS note_id, a.value AS key FROM events e, json_each(e.attendees) a;
CREATE VIEW aliases AS
    SELECT c.note_id AS note_id, c.file_name AS file_name, a.value AS alias
    FROM contacts c, json_each(c.aliases) a;
CREATE VIEW properties AS
    SELECT n.id AS note_id, n.path AS path, j.key AS key, j.value AS value, j.type AS type
    FROM notes n, json_each(n.properties) j;
CREATE TABLE touches (            -- derived: every (contact, dated fact) pair
    contact_id INTEGER NOT NULL,
    date TEXT NOT NULL,
    kind TEXT NOT NULL,             -- an interaction kind, or 'mention'
    answer TEXT,                    -- an ask's answer: yes, no or NULL
    note_id INTEGER NOT NULL,       -- the note it is written in
    line INTEGER NOT NULL,
    interaction_id INTEGER          -- NULL for a mention
);
CREATE TABLE summary (            -- derived: per contact, what the reports need of its touches
    contact_id INTEGER PRIMARY KEY, -- dated on or before meta 'summary_day' (see summary_as_of)
    touch_date TEXT, touch_kind TEXT, touch_text TEXT, touch_path TEXT, touch_line INTEGER,
    mention_date TEXT, mention_path TEXT, mention_line INTEGER,
    given INTEGER, received INTEGER, asks INTEGER, declined INTEGER, pending INTEGER,
    paid INTEGER, last_given TEXT, last_received TEXT, last_declined TEXT,
                                    -- given etc.: NULL without gift, favour, ask, intro or paid
    life TEXT,                      -- JSON [[date, text, path, line]] of its #life items
    follow_ups TEXT,                -- JSON [[due, text, path, line]] of open tasks for it
    events TEXT,                    -- JSON [[title, date, end, city, path]] of events it attends
    life_latest TEXT, events_latest TEXT,  -- the latest date in each: a report that looks
                                    -- only at recent items skips most lists unread
    version INTEGER NOT NULL,       -- new each time this row (or its contact's) is written
    gifts_row TEXT                  -- the gifts report's JSON row (NULL when given is NULL):
                                    -- made here once, not at each report (db.gifts_json)
);
"""

# Created after a bulk load: building an index once is faster than maintaining it per row.
INDEXES = """
CREATE INDEX notes_fingerprint ON notes(path, stamp, size);
CREATE INDEX names_key ON names(key);
CREATE INDEX names_note ON names(note_id);
CREATE INDEX interactions_note ON interactions(note_id);
CREATE INDEX tasks_note ON tasks(note_id);
CREATE INDEX task_links_key ON task_links(key);
CREATE INDEX task_links_note ON task_links(note_id);
CREATE INDEX problems_note ON problems(note_id);
CREATE INDEX notes_date ON notes(date) WHERE date IS NOT NULL;
CREATE INDEX touches_contact ON touches(contact_id, date);
CREATE INDEX touches_note ON touches(note_id);
CREATE INDEX touches_kind ON touches(kind, date) WHERE kind NOT IN ('touchpoint', 'mention');
"""

CHILD_TABLES = (
    "contacts",
    "names",
    "interactions",
    "tasks",
    "task_links",
    "events",
    "problems",
    "touches",
)


def index_path(vault: Path) -> Path:
    """One index per vault, under the user's cache folder, never inside the vault."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # the XDG spec: a relative path is ignored (it would put the
        base = os.path.join(os.path.expanduser("~"), ".cache")  # index wherever mdnet ran)
    real = os.path.realpath(vault)
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", os.path.basename(real) or "vault")[:40]
    digest = sha1(real.encode("utf-8", "surrogateescape")).hexdigest()[:12]
    return Path(base) / "mdnet" / f"{slug}-{digest}.sqlite3"


def _private_folder(folder: Path) -> None:
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        os.chmod(folder, 0o700)


def _prepare_folder(path: Path) -> None:
    """The cache folder for `path`, for its owner only, and `path` as a file of theirs."""
    _private_folder(path.parent)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    with contextlib.suppress(OSError):
        os.chmod(path, 0o600)


def remove_index(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            os.remove(str(path) + suffix)


BUSY_SECONDS = 30  # how long a write waits for another process's write to end


def connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(
        path, timeout=BUSY_SECONDS, isolation_level=None, check_same_thread=False
    )
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_SECONDS * 1000)}")
    return conn


def open_index(path: Path, fingerprint: str) -> sqlite3.Connection | None:
    """The index at `path` when there is one built for this schema and config, else None
    (missing, corrupt, of another schema or built for another config)."""
    for _ in range(3):
        try:
            before = os.stat(path)
        except FileNotFoundError:
            return None
        try:
            conn = connect(path)
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            current = version == SCHEMA_VERSION and _meta(conn, "fingerprint") == fingerprint
        except sqlite3.DatabaseError:
            return None
        # SQLite opens the WAL and shared memory by name at the first read: if another
        # mdnet put a new index in place between our open and that read, they would be
        # the new index's, paired with the old file. Then open the new one instead.
        if _same_file(before, path):
            if not current:
                conn.close()
                return None
            _configure(conn)
            _private_folder(path.parent)  # a user's chmod (or an old mdnet's) undone
            with contextlib.suppress(OSError):
                os.chmod(path, 0o600)
            return conn
        conn.close()
    return None


def _same_file(before: os.stat_result, path: Path) -> bool:
    try:
        now = os.stat(path)
    except FileNotFoundError:
        return False
    return (now.st_dev, now.st_ino) == (before.st_dev, before.st_ino)


class Build:
    """A new index, written to a file beside the index and put in its place when whole.

    Nothing reads the file while it is built, so it needs no journal: a cold index writes
    its pages once, not once to the WAL and again to the file at the checkpoint. A build
    that is killed leaves the old index (or none) in place, never half of one. A lock file
    makes a second mdnet wait for the first one's build, then use it, instead of building
    the same index at the same time (where `fcntl` is missing, as on Windows, both build)."""

    def __init__(self, path: Path, lock_fd: int) -> None:
        self.path, self.lock_fd = path, lock_fd
        self.file = path.with_name(f"{path.name}.{os.getpid()}.build")
        if _fcntl is not None:  # under the lock every other build file is a killed build's
            for name in os.listdir(path.parent):
                if name.startswith(f"{path.name}.") and name.endswith(".build"):
                    remove_index(path.parent / name)
        remove_index(self.file)
        _prepare_folder(self.file)
        self.conn = connect(self.file)
        self.conn.execute("PRAGMA journal_mode = OFF")
        self.conn.execute("PRAGMA synchronous = OFF")
        self.conn.execute("PRAGMA temp_store = MEMORY")
        self.conn.execute("PRAGMA cache_size = -65536")

    @classmethod
    def start(
        cls, path: Path, fingerprint: str, rebuild: bool
    ) -> tuple[sqlite3.Connection, Build | None]:
        """The index to use: the one at `path` if another mdnet built it while we waited
        for the lock (unless `rebuild`), else a new build and its connection."""
        if str(path) in _BUILDING:  # flock would wait for ourselves forever
            raise RuntimeError(f"this process is building {path} already")
        _private_folder(path.parent)
        lock_fd = os.open(f"{path}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if _fcntl is not None:
                _fcntl.flock(lock_fd, _fcntl.LOCK_EX)
            conn = None if rebuild else open_index(path, fingerprint)
            if conn is not None:
                os.close(lock_fd)
                return conn, None
            build = cls(path, lock_fd)
        except BaseException:
            os.close(lock_fd)
            raise
        _BUILDING.add(str(path))
        try:
            create_schema(build.conn, fingerprint)
        except BaseException:
            build.abandon()
            raise
        return build.conn, build

    def install(self) -> sqlite3.Connection:
        """Put the built index in place of the old one and open it as every index is."""
        try:
            # In WAL mode before anyone else opens it: two processes that both switch a
            # file to WAL at once can find it locked (each holds what the other needs).
            self.conn.execute("PRAGMA journal_mode = WAL")
            self.conn.close()
            fd = os.open(self.file, os.O_RDWR)  # Windows flushes only what it may write
            try:
                os.fsync(fd)  # the pages are on disk before the name points at them
            finally:
                os.close(fd)
            # The old index goes first, then its WAL and shared memory, then the new one
            # takes the name. A process that has the old one open keeps its own WAL; one
            # that opens it meanwhile finds it gone or moved (open_index); and if we stop
            # halfway there is no index, never the old file with a second, new WAL.
            remove_index(self.path)
            os.replace(self.file, self.path)
            conn = connect(self.path)
            _configure(conn)
        finally:
            self._unlock()
        return conn

    def abandon(self) -> None:
        try:
            self.conn.close()
            remove_index(self.file)
        finally:
            self._unlock()

    def _unlock(self) -> None:
        if self.lock_fd >= 0:  # abandon() may follow a failed install()
            os.close(self.lock_fd)
            self.lock_fd = -1
            _BUILDING.discard(str(self.path))


_BUILDING: set[str] = set()  # the indexes this process is building


def _configure(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.execute("PRAGMA cache_size = -65536")


def _meta(conn: sqlite3.Connection, key: str) -> str | None:
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    except sqlite3.OperationalError:
        return None
    return row[0] if row else None


# The digest of the last full walk the index matches note for note: a command whose
# walk gives the same digest has nothing to compare. Any other write to notes drops it.
WALK_KEY = "walk"


def walk_digest(conn: sqlite3.Connection) -> str | None:
    return _meta(conn, WALK_KEY)


def data_version(conn: sqlite3.Connection) -> int:
    """Changes when another connection commits (SQLite's PRAGMA data_version)."""
    return conn.execute("PRAGMA data_version").fetchone()[0]


def set_walk_digest(conn: sqlite3.Connection, digest: str | None) -> None:
    """Inside a write transaction."""
    if digest is None:
        conn.execute("DELETE FROM meta WHERE key = ?", (WALK_KEY,))
    else:
        conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (WALK_KEY, digest))


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


def create_schema(conn: sqlite3.Connection, fingerprint: str) -> None:
    with write_transaction(conn):
        if conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
            return  # another process built it while we waited for the lock
        for statement in _statements(TABLES + INDEXES):
            conn.execute(statement)
        conn.execute("INSERT INTO meta VALUES ('fingerprint', ?)", (fingerprint,))
        # Which index this is: ids and summary versions start again in a new one.
        conn.execute("INSERT INTO meta VALUES ('generation', ?)", (os.urandom(8).hex(),))
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def drop_indexes(conn: sqlite3.Connection) -> None:
    for name in re.findall(r"CREATE INDEX (\w+)", INDEXES):
        conn.execute(f"DROP INDEX IF EXISTS {name}")


def create_indexes(conn: sqlite3.Connection) -> None:
    for statement in _statements(INDEXES):
        conn.execute(statement.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS"))


@contextlib.contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


# --- reading fingerprints -------------------------------------------------------------


# (id, (stamp, size), hash) of a note the index holds
Known = tuple[int, tuple[int, int], bytes]


def fingerprints(conn: sqlite3.Connection) -> list[tuple[str, int, int]]:
    """(path, stamp, size) of every note the index holds, from a covering index:
    every command compares the whole vault against this."""
    return conn.execute("SELECT path, stamp, size FROM notes").fetchall()


def known_notes(conn: sqlite3.Connection, paths: list[str]) -> dict[str, Known]:
    """path → (id, (stamp, size), hash) of these indexed notes."""
    if len(paths) > 500:  # many: one pass over the table beats a lookup each
        wanted = set(paths)
        rows = conn.execute("SELECT path, id, stamp, size, hash FROM notes")
        return {r[0]: (r[1], (r[2], r[3]), r[4]) for r in rows if r[0] in wanted}
    found = {}
    for path in paths:
        known = known_note(conn, path)
        if known is not None:
            found[path] = known
    return found


def known_note(conn: sqlite3.Connection, path: str) -> Known | None:
    row = conn.execute("SELECT id, stamp, size, hash FROM notes WHERE path = ?", (path,)).fetchone()
    return (row[0], (row[1], row[2]), row[3]) if row else None


def has_notes_under(conn: sqlite3.Connection, folder: str) -> bool:
    """Whether the index holds notes inside `folder` (a range scan of the path index)."""
    prefix = folder + "/"
    row = conn.execute(
        "SELECT 1 FROM notes WHERE path >= ? AND path < ? LIMIT 1", (prefix, folder + "0")
    ).fetchone()
    return row is not None


def has_contacts(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM contacts LIMIT 1").fetchone() is not None


def count_notes(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT COUNT(*) FROM notes").fetchone()[0]


def next_task_id(conn: sqlite3.Connection) -> int:
    """The next free task id: we number tasks ourselves, as their links refer to them."""
    return conn.execute("SELECT IFNULL(MAX(id), 0) + 1 FROM tasks").fetchone()[0]


# --- writing rows ---------------------------------------------------------------------


@dataclass
class Batch:
    """Rows for many notes, written with one executemany per table. They come from the
    workers in their tables' shape (rows.note_rows), so adding them is joining lists."""

    task_id: int
    notes: list[tuple] = field(default_factory=list)
    touched: list[tuple] = field(default_factory=list)
    rows: dict[str, list[tuple]] = field(default_factory=lambda: {t: [] for t in CHILD_TABLES})

    def add(self, r: NoteRows, note_id: int, path: str, stamp: int, size: int, digest: bytes):
        head, contact, names, interactions, tasks, event, problems = r
        self.notes.append((note_id, path, stamp, size, digest, *head))
        rows = self.rows
        if contact is not None:
            rows["contacts"].append(contact)
            rows["names"] += names
        rows["interactions"] += interactions
        if tasks:
            first = self.task_id
            self.task_id += len(tasks)
            rows["tasks"] += [(first + n, *row) for n, row in enumerate(tasks)]
            rows["task_links"] += [
                (first + n, note_id, key)
                for n, row in enumerate(tasks)
                if row[-1]
                for key in json.loads(row[-1])
            ]
        if event is not None:
            rows["events"].append(event)
        rows["problems"] += problems

    def flush(self, conn: sqlite3.Connection) -> None:
        conn.executemany(
            "INSERT OR REPLACE INTO notes VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", self.notes
        )
        conn.executemany("UPDATE notes SET stamp = ?, size = ? WHERE id = ?", self.touched)
        for table, rows in self.rows.items():
            if rows:
                marks = ",".join("?" * len(rows[0]))
                conn.executemany(
                    f"INSERT INTO {table}{_COLUMNS.get(table, '')} VALUES ({marks})", rows
                )
            rows.clear()
        self.notes.clear()
        self.touched.clear()


# Interactions are numbered by SQLite (as max + 1, which is what we would do).
_COLUMNS = {
    "interactions": "(note_id, line, date, text, kind, answer, tags, details, links)",
}


def _chunks(ids: list[int], size: int = 500) -> Iterator[tuple[list[int], str]]:
    for start in range(0, len(ids), size):
        chunk = ids[start : start + size]
        yield chunk, ",".join("?" * len(chunk))


def delete_rows_of(conn: sqlite3.Connection, ids: Iterable[int], notes_too: bool) -> None:
    """Delete what the index holds of these notes (their rows in every table)."""
    for chunk, marks in _chunks(list(ids)):
        for table in CHILD_TABLES:
            conn.execute(f"DELETE FROM {table} WHERE note_id IN ({marks})", chunk)
        if notes_too:
            conn.execute(f"DELETE FROM notes WHERE id IN ({marks})", chunk)


def names_of(conn: sqlite3.Connection, ids: Iterable[int]) -> set[tuple[str, int]]:
    found: set[tuple[str, int]] = set()
    for chunk, marks in _chunks(list(ids)):
        sql = f"SELECT key, note_id FROM names WHERE note_id IN ({marks})"
        found.update(conn.execute(sql, chunk))
    return found


def next_note_id(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT IFNULL(MAX(id), 0) + 1 FROM notes").fetchone()[0]


def refresh_resolved(conn: sqlite3.Connection) -> None:
    """Recompute which names resolve to exactly one contact (cheap: one row per name)."""
    conn.execute("DELETE FROM resolved")
    conn.execute(
        "INSERT INTO resolved SELECT key, MIN(note_id) FROM names GROUP BY key "
        "HAVING COUNT(DISTINCT note_id) = 1"
    )


TOUCHES_INDEXES = ("touches_contact", "touches_note", "touches_kind")


def _temp_ids(conn: sqlite3.Connection, table: str, ids: Iterable[int]) -> None:
    """Fill `temp.<table>` with these ids, for `IN (SELECT id FROM temp.<table>)`."""
    conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS {table} (id INTEGER PRIMARY KEY)")
    conn.execute(f"DELETE FROM temp.{table}")
    conn.executemany(f"INSERT OR IGNORE INTO temp.{table} VALUES (?)", ((i,) for i in ids))


def refresh_touches(conn: sqlite3.Connection, note_ids: list[int] | None) -> None:
    """Recompute the derived `touches` rows written in these notes (None: in every note).

    A note's touches depend only on its own rows and on `resolved`, so an edit that
    leaves every name as it was only redoes the edited notes."""
    if note_ids is None:
        # Loading 300,000 rows into an indexed table costs twice what indexing them after does.
        conn.execute("DELETE FROM touches")
        for name in TOUCHES_INDEXES:
            conn.execute(f"DROP INDEX IF EXISTS {name}")
        where = ""
    else:
        _temp_ids(conn, "changed", note_ids)
        conn.execute("DELETE FROM touches WHERE note_id IN (SELECT id FROM temp.changed)")
        where = "AND {} IN (SELECT id FROM temp.changed)"
    conn.execute(
        f"""
        INSERT INTO touches
        SELECT i.note_id, i.date, i.kind, i.answer, i.note_id, i.line, i.id
        FROM interactions i JOIN contacts c ON c.note_id = i.note_id
        WHERE 1 {where.format("i.note_id")}
        UNION ALL
        SELECT DISTINCT r.contact_id, i.date, i.kind, i.answer, i.note_id, i.line, i.id
        FROM interactions i, json_each(i.links) l JOIN resolved r ON r.key = l.value
        WHERE i.links IS NOT NULL AND r.contact_id <> i.note_id {where.format("i.note_id")}
        """
    )
    if note_ids is None:  # the mentions below look touches up by note: that index first
        conn.execute("CREATE INDEX IF NOT EXISTS touches_note ON touches(note_id)")
    # A dated note that links a contact is a mention, unless an item of that note
    # already gave the contact an interaction on that day.
    conn.execute(
        f"""
        INSERT INTO touches
        SELECT r.contact_id, n.date, 'mention', NULL, n.id, MIN(l.value), NULL
        FROM notes n, json_each(IFNULL(n.mention_links, n.links)) l
        JOIN resolved r ON r.key = l.key
        WHERE n.date IS NOT NULL AND n.generated = 0 AND r.contact_id <> n.id
          {where.format("n.id")}
          AND NOT EXISTS (
            SELECT 1 FROM touches t WHERE t.note_id = n.id AND t.contact_id = r.contact_id
              AND t.date = n.date AND t.interaction_id IS NOT NULL)
        GROUP BY r.contact_id, n.id
        """
    )
    if note_ids is None:
        create_indexes(conn)


def contacts_touched_by(conn: sqlite3.Connection, note_ids: Iterable[int]) -> set[int]:
    """Whose summary changes when these notes do: the contacts their touches are for,
    their tasks link and their events list as attendees, and the notes that are contacts."""
    found = set(note_ids)
    # Each chunk is bound three times: 3 x 300 stays under the 999 variables that SQLite
    # allowed before 3.32 (and builds that keep that default still do).
    for chunk, marks in _chunks(list(found), size=300):
        rows = conn.execute(
            f"""
            SELECT contact_id FROM touches WHERE note_id IN ({marks})
            UNION
            SELECT r.contact_id FROM task_links tl JOIN resolved r ON r.key = tl.key
            WHERE tl.note_id IN ({marks})
            UNION
            SELECT r.contact_id FROM events e, json_each(e.attendees) a
            JOIN resolved r ON r.key = a.value WHERE e.note_id IN ({marks})
            """,
            chunk * 3,
        )
        found.update(row[0] for row in rows)
    return found


LEDGER_KINDS = (
    "gift_given",
    "gift_received",
    "favor_given",
    "favor_received",
    "ask",
    "intro",
    "paid",
)
GIVEN_KINDS = ("gift_given", "favor_given", "intro")
RECEIVED_KINDS = ("gift_received", "favor_received")


def _quoted(kinds: tuple[str, ...]) -> str:
    return ", ".join(f"'{kind}'" for kind in kinds)


# Given: gifts, favours and intros; received: gifts, favours and asks answered yes.
_GIVEN = f"kind IN ({_quoted(GIVEN_KINDS)})"
_RECEIVED = f"(kind IN ({_quoted(RECEIVED_KINDS)}) OR (kind = 'ask' AND answer IS 'yes'))"
LEDGER_COLUMNS = (
    "given",
    "received",
    "asks",
    "declined",
    "pending",
    "paid",
    "last_given",
    "last_received",
    "last_declined",
)
LEDGER_SUMS = f"""
    SUM({_GIVEN}) AS given, SUM({_RECEIVED}) AS received, SUM(kind = 'ask') AS asks,
    SUM(kind = 'ask' AND answer IS 'no') AS declined,
    SUM(kind = 'ask' AND answer IS NULL) AS pending, SUM(kind = 'paid') AS paid,
    MAX(CASE WHEN {_GIVEN} THEN date END) AS last_given,
    MAX(CASE WHEN {_RECEIVED} THEN date END) AS last_received,
    MAX(CASE WHEN kind = 'ask' AND answer IS 'no' THEN date END) AS last_declined"""
LEDGER_ROWS = f"kind IN ({_quoted(LEDGER_KINDS)}) AND kind NOT IN ('touchpoint', 'mention')"
# The latest touchpoint (not a #life item), and the latest mention: on a day with both,
# the logged interaction wins, so the two are kept apart and compared when read.
# The latest touch of a contact: of those on its latest day, the one named last by path
# and line. Not by rowid, which follows the order notes were written in: an index kept
# by edits then chose another one than a rebuild. The day first, through the index, so
# that the path is looked up only for that day's touches.
_LATEST = """(SELECT rowid FROM touches t WHERE t.contact_id = c.note_id AND {0}
              AND t.date = (SELECT t.date FROM touches t WHERE t.contact_id = c.note_id
                            AND {0} AND t.date <= :day ORDER BY t.date DESC LIMIT 1)
              ORDER BY (SELECT path FROM notes WHERE id = t.note_id) DESC, t.line DESC
              LIMIT 1)"""


SUMMARY_DAY = "summary_day"


def refresh_summary(conn: sqlite3.Connection, contact_ids: set[int] | None) -> None:
    """Recompute the summary of these contacts (None: of every contact) from their
    touches dated on or before the summary's day (today when it has none yet)."""
    day = _meta(conn, SUMMARY_DAY)
    if day is None:
        day = dt.date.today().isoformat()
        conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (SUMMARY_DAY, day))
    where = only = ""
    if contact_ids is None:
        conn.execute("DELETE FROM summary")
    else:
        _temp_ids(conn, "dirty", contact_ids)
        conn.execute("DELETE FROM summary WHERE contact_id IN (SELECT id FROM temp.dirty)")
        where = "WHERE c.note_id IN (SELECT id FROM temp.dirty)"
        only = "AND contact_id IN (SELECT id FROM temp.dirty)"
    conn.execute(
        f"""
        INSERT INTO summary
        SELECT c.note_id,
               lt.date, lt.kind, i.text, ln.path, lt.line,
               lm.date, mn.path, lm.line,
               {", ".join("l." + c for c in LEDGER_COLUMNS)},
               lf.items, fu.items, ev.items, lf.latest, ev.latest, :version, {GIFTS_ROW}
        FROM contacts c JOIN notes cn ON cn.id = c.note_id
        LEFT JOIN touches lt ON lt.rowid = {_LATEST.format("t.kind NOT IN ('life', 'mention')")}
        LEFT JOIN interactions i ON i.id = lt.interaction_id
        LEFT JOIN notes ln ON ln.id = lt.note_id
        LEFT JOIN touches lm ON lm.rowid = {_LATEST.format("t.kind = 'mention'")}
        LEFT JOIN notes mn ON mn.id = lm.note_id
        LEFT JOIN (
            SELECT contact_id AS id, {LEDGER_SUMS} FROM touches
            WHERE {LEDGER_ROWS} AND date <= :day {only} GROUP BY contact_id
        ) l ON l.id = c.note_id
        LEFT JOIN (
            SELECT t.contact_id AS id, json_group_array(json_array(t.date, i.text, n.path, t.line))
                   AS items, MAX(t.date) AS latest
            FROM touches t JOIN interactions i ON i.id = t.interaction_id
            JOIN notes n ON n.id = t.note_id
            WHERE t.kind = 'life' AND t.kind NOT IN ('touchpoint', 'mention') AND t.date <= :day
              {only.replace("contact_id", "t.contact_id")}
            GROUP BY t.contact_id
        ) lf ON lf.id = c.note_id
        LEFT JOIN (
            SELECT contact_id AS id, json_group_array(json_array(due, text, path, line)) AS items
            FROM ({_DIRTY_FOLLOW_UPS if contact_ids is not None else _FOLLOW_UPS})
            GROUP BY contact_id
        ) fu ON fu.id = c.note_id
        LEFT JOIN (
            SELECT contact_id AS id,
                   json_group_array(json_array(title, date, end_date, city, path)) AS items,
                   MAX(date) AS latest
            FROM ({_ATTENDED}) WHERE 1 {only} GROUP BY contact_id
        ) ev ON ev.id = c.note_id
        {where}
        """,
        {"day": day, "version": _next_summary_version(conn)},
    )


def _next_summary_version(conn: sqlite3.Connection) -> int:
    version = int(_meta(conn, "summary_version") or 0) + 1
    conn.execute("INSERT OR REPLACE INTO meta VALUES ('summary_version', ?)", (str(version),))
    return version


def generation(conn: sqlite3.Connection) -> str | None:
    """Names this index among the ones built for the vault (a rebuild makes a new one)."""
    return _meta(conn, "generation")


def summary_versions(conn: sqlite3.Connection) -> dict[int, int]:
    """contact id → the version of its summary row: a caller that keeps rows made from
    reconnect_figures (the watcher's memo) knows which ones to read again."""
    rows = conn.execute(
        "SELECT c.note_id, IFNULL(s.version, -1) FROM contacts c "
        "LEFT JOIN summary s ON s.contact_id = c.note_id"
    )
    return dict(rows)


@contextlib.contextmanager
def summary_as_of(conn: sqlite3.Connection, day: str) -> Iterator[None]:
    """A transaction in which the summary holds as of `day`: what is read inside it is
    one snapshot, so another process moving the summary to its own day meanwhile (the
    watcher to today, a report to its --as-of) cannot mix days into a report. Moving it
    redoes only the contacts with a touch between the two days."""
    conn.execute("BEGIN")  # a read snapshot, when the summary is already there
    try:
        if _meta(conn, SUMMARY_DAY) != day:
            conn.execute("ROLLBACK")
            conn.execute("BEGIN IMMEDIATE")  # the write lock, held while we read
            _rebase_summary(conn, day)
        yield
    except BaseException:
        if conn.in_transaction:  # not when BEGIN IMMEDIATE itself timed out
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _rebase_summary(conn: sqlite3.Connection, day: str) -> None:
    old = _meta(conn, SUMMARY_DAY)
    if old == day:
        return  # another process did it while we waited for the lock
    if old is None:
        changed = None
    else:
        low, high = min(old, day), max(old, day)
        rows = conn.execute(
            "SELECT DISTINCT contact_id FROM touches WHERE date > ? AND date <= ?", (low, high)
        )
        changed = {row[0] for row in rows}
    conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (SUMMARY_DAY, day))
    refresh_summary(conn, changed)


def store_scan_problems(
    conn: sqlite3.Connection, problems: list[tuple[str, int, str, str]]
) -> None:
    """Problems of the vault as a whole (conflict copies, loops): note_id NULL."""
    conn.execute("DELETE FROM problems WHERE note_id IS NULL")
    conn.executemany("INSERT INTO problems VALUES (NULL, ?, ?, ?, ?)", problems)


# --- queries for reports and commands -------------------------------------------------

CONTACT_COLUMNS = (
    "c.note_id, c.file_name, c.name, c.circle, c.cadence, c.met, c.last_contact, c.birthday, "
    "c.snooze, c.city, c.company, c.interests, c.tags, c.aliases, n.path"
)


def contacts(
    conn: sqlite3.Connection, with_properties: bool = False, note_id: int | None = None
) -> list[sqlite3.Row]:
    """Every contact (or the one with `note_id`), by name."""
    columns = CONTACT_COLUMNS + (", n.properties" if with_properties else "")
    only = "" if note_id is None else f"WHERE c.note_id = {int(note_id)}"
    return _rows(
        conn,
        f"SELECT {columns} FROM contacts c JOIN notes n ON n.id = c.note_id {only} "
        "ORDER BY c.name COLLATE NOCASE, n.path",
    )


LIFE_EVENT_DAYS = 365  # a #life item is worth bringing up for a year
UPCOMING_EVENT_DAYS = 60  # events this many days ahead are shown next to their attendees

# The reconnect figures of every contact (SPEC section 4), worked out here so that only
# the contacts a report lists reach Python. Read inside summary_as_of(:day): the summary's
# touch and mention are then the latest on or before the report's day. Parameters: see
# reconnect_figures. On a tie the logged touch wins, then a mention, `met`, `last_contact`.
RECONNECT = """
SELECT id, name, path, version, circle, city, reason, cadence, last, days_since,
       days_since - cadence, birthday, src, touch_kind, touch_text, touch_path, touch_line,
       mention_path, mention_line, life, follow_ups, events, life_latest, events_latest,
       met_line, last_contact_line {json}
FROM (
    SELECT *,
        CASE WHEN cadence IS NULL THEN 'no_cadence'
             WHEN snooze_day > :day THEN 'snoozed'
             WHEN days_since >= cadence THEN 'overdue'
             WHEN last IS NULL THEN 'never'
             WHEN birthday <= :horizon THEN 'birthday'
             ELSE 'ok' END AS reason,
        CASE WHEN last IS NULL THEN NULL
             WHEN last = touch_date THEN 'touch'
             WHEN :mentions AND last = mention_date THEN 'mention'
             WHEN last = met THEN 'met'
             ELSE 'last_contact' END AS src
    FROM (
        SELECT *, CAST(:day_jd - julianday(last) AS INTEGER) AS days_since
        FROM (
            SELECT c.note_id AS id, c.name, n.path, IFNULL(s.version, -1) AS version,
                c.circle, c.city, c.snooze_day, c.met_line, c.last_contact_line,
                CASE WHEN c.cadence_days IS NOT NULL THEN NULLIF(c.cadence_days, 0)
                     ELSE {circles} END AS cadence,
                CASE WHEN c.met_day <= :day THEN c.met_day END AS met,
                NULLIF(max(IFNULL(s.touch_date, ''),
                           CASE WHEN :mentions THEN IFNULL(s.mention_date, '') ELSE '' END,
                           CASE WHEN c.met_day <= :day THEN c.met_day ELSE '' END,
                           CASE WHEN c.last_contact_day <= :day THEN c.last_contact_day
                                ELSE '' END), '') AS last,
                -- the next birthday: this year's, else next year's (29 February falls
                -- on 28 February but in leap years)
                CAST(julianday(CASE
                    WHEN :year || '-' || c.birthday_md >= :day
                    THEN :year || '-' || CASE c.birthday_md WHEN '02-29' THEN :feb29
                                                            ELSE c.birthday_md END
                    ELSE :next_year || '-' || CASE c.birthday_md WHEN '02-29' THEN :next_feb29
                                                                 ELSE c.birthday_md END
                    END) - :day_jd AS INTEGER)
                    AS birthday,
                s.touch_date, s.touch_kind, s.touch_text, s.touch_path, s.touch_line,
                s.mention_date, s.mention_path, s.mention_line,
                s.life, s.follow_ups, s.events, s.life_latest, s.events_latest
            FROM contacts c JOIN notes n ON n.id = c.note_id
            LEFT JOIN summary s ON s.contact_id = c.note_id
            {only}
            LIMIT -1  -- worked out once per contact, not again wherever the outer ones use them
        )
    )
)
{listed}"""

# A row of the reconnect report as JSON text (the `json` format), made where the figures
# are: what render.plain makes of a ReconnectRow, field for field (a test holds them
# equal). What to bring up: #life items of the last year and open follow-ups, newest
# first, follow-ups without a due date last, then by source; events of the next 60 days.
RECONNECT_JSON = """, json_object(
    'name', name, 'path', path, 'reason', reason, 'circle', circle, 'last_contact', last,
    'days_since', days_since, 'cadence_days', cadence,
    'overdue_days', CASE WHEN days_since IS NOT NULL AND cadence IS NOT NULL
                         THEN days_since - cadence END,
    'birthday_in_days', birthday,
    'last_interaction', CASE src
        WHEN 'touch' THEN json_object('date', last, 'kind', touch_kind, 'text', touch_text,
                                      'source', touch_path || ':' || touch_line)
        WHEN 'mention' THEN json_object('date', last, 'kind', 'mention', 'text', '',
                                        'source', mention_path || ':' || mention_line)
        WHEN 'met' THEN json_object('date', last, 'kind', 'met', 'text', 'first met',
                                    'source', path || ':' || IFNULL(met_line, 1))
        WHEN 'last_contact' THEN json_object('date', last, 'kind', 'last_contact',
                                             'text', 'last contact (property)',
                                             'source', path || ':' || IFNULL(last_contact_line, 1))
        END,
    'bring_up', CASE WHEN follow_ups IS NULL AND IFNULL(life_latest, '') <= :since THEN json_array()
                     ELSE (
        SELECT json_group_array(json_object('type', type, 'date', date, 'text', text,
                                            'source', p || ':' || l))
        FROM (SELECT * FROM (
                SELECT 'life' AS type, json_extract(value, '$[0]') AS date,
                       json_extract(value, '$[1]') AS text, json_extract(value, '$[2]') AS p,
                       json_extract(value, '$[3]') AS l
                FROM json_each(life) WHERE date > :since AND date <= :day
                UNION ALL
                SELECT 'follow_up', json_extract(value, '$[0]'), json_extract(value, '$[1]'),
                       json_extract(value, '$[2]'), json_extract(value, '$[3]')
                FROM json_each(follow_ups))
              ORDER BY date IS NOT NULL DESC, IFNULL(date, '') DESC, p, l, type <> 'life'))
                     END,
    'events', CASE WHEN IFNULL(events_latest, '') < :day THEN json_array() ELSE (
        SELECT json_group_array(json_object('title', t, 'date', d, 'end', e, 'city', c,
                                            'path', p))
        FROM (SELECT DISTINCT json_extract(value, '$[0]') AS t, json_extract(value, '$[1]') AS d,
                              json_extract(value, '$[2]') AS e, json_extract(value, '$[3]') AS c,
                              json_extract(value, '$[4]') AS p
              FROM json_each(events) WHERE d >= :day AND d <= :until
              ORDER BY d, p, t, e, c)) END
) AS json"""


def reconnect_figures(
    conn: sqlite3.Connection,
    day: dt.date,
    mentions: bool,
    circles: dict[str, int | None],
    default_cadence: int | None,
    horizon: int,
    listed_only: bool = True,
    only: Iterable[int] | None = None,
    as_json: bool = False,
) -> list[tuple]:
    """Per contact (those listed, or all; every one or those with these ids): id, name,
    path, summary version, circle, city, reason, cadence, last day, days since, overdue
    days, days to birthday, which fact was last (touch, mention, met, last_contact), the
    touch's kind, text, path, line, the mention's path, line, the summary's life,
    follow-ups and events (JSON) and the latest date of life items and of events;
    `as_json`: and the report row as JSON text.
    `circles`: cadence by circle in lower case."""
    params: dict[str, object] = {
        "day": day.isoformat(),
        "since": (day - dt.timedelta(days=LIFE_EVENT_DAYS)).isoformat(),
        "until": (day + dt.timedelta(days=UPCOMING_EVENT_DAYS)).isoformat(),
        "day_jd": day.toordinal() + 1721424.5,  # julianday() of that day
        "mentions": int(mentions),
        "horizon": horizon,
        "default": default_cadence,
        "year": f"{day.year:04d}",
        "next_year": f"{day.year + 1:04d}",
        "feb29": "02-29" if calendar.isleap(day.year) else "02-28",
        "next_feb29": "02-29" if calendar.isleap(day.year + 1) else "02-28",
    }
    cases = []
    for n, (key, days) in enumerate(circles.items()):
        params[f"k{n}"], params[f"d{n}"] = key, days
        cases.append(f"WHEN :k{n} THEN :d{n}")
    circle_case = f"CASE c.circle_key {' '.join(cases)} ELSE :default END" if cases else ":default"
    listed = "WHERE reason IN ('overdue', 'never', 'birthday')" if listed_only else ""

    def figures(where: str = "") -> list[tuple]:
        sql = RECONNECT.format(
            circles=circle_case, listed=listed, only=where, json=RECONNECT_JSON if as_json else ""
        )
        return conn.execute(sql, params).fetchall()

    if only is None:
        return figures()
    rows: list[tuple] = []
    for chunk, _ in _chunks(list(only)):  # ids are ours: written out, as named parameters
        rows += figures(f"WHERE c.note_id IN ({', '.join(str(int(i)) for i in chunk)})")
    return rows


GIFTS_COLUMNS = "c.interests, " + ", ".join("s." + c for c in LEDGER_COLUMNS)


def gifts_json(conn: sqlite3.Connection) -> list[tuple[int, str, str, str]]:
    """(balance, name, path, the report row as JSON text) of every contact with a gift,
    favour, ask, intro or paid item on or before the summary's day: the gifts report in
    the `json` format, what render.plain makes of a GiftsRow (a test holds them equal)."""
    return conn.execute(
        """
        SELECT s.given - s.received, c.name, n.path, s.gifts_row
        FROM summary s JOIN contacts c ON c.note_id = s.contact_id
        JOIN notes n ON n.id = s.contact_id
        WHERE s.gifts_row IS NOT NULL
        """
    ).fetchall()


# The gifts report's row as JSON, from a contact `c`, its note `cn` and its ledger `l`.
GIFTS_ROW = """CASE WHEN l.given IS NOT NULL THEN json_object(
    'name', c.name, 'path', cn.path, 'given', l.given, 'received', l.received,
    'balance', l.given - l.received,
    'status', CASE WHEN l.given < l.received THEN 'owe' WHEN l.given = l.received THEN 'even'
                   ELSE 'giving' END,
    'asks', l.asks, 'declined', l.declined, 'pending', l.pending, 'paid', l.paid,
    'last_given', l.last_given, 'last_received', l.last_received,
    'gift_ideas', json(CASE WHEN l.given < l.received THEN c.interests ELSE '[]' END),
    'last_declined', l.last_declined) END"""


def contacts_with_summary(
    conn: sqlite3.Connection, columns: str, only: Iterable[int] | None = None
) -> list[sqlite3.Row]:
    """Every contact (or those with these ids), in no order (reports sort their rows):
    id, name, path, the summary's version and these columns of `contacts c` and
    `summary s`. A report reads 10,000 of them: only the columns it needs."""
    sql = f"""
        SELECT c.note_id, c.name, n.path, IFNULL(s.version, -1) AS version, {columns}
        FROM contacts c JOIN notes n ON n.id = c.note_id
        LEFT JOIN summary s ON s.contact_id = c.note_id"""
    if only is None:
        return _rows(conn, sql)
    rows = []
    for chunk, marks in _chunks(list(only)):
        rows += _rows(conn, f"{sql} WHERE c.note_id IN ({marks})", chunk)
    return rows


def _rows(conn: sqlite3.Connection, sql: str, args: Iterable = ()) -> list[sqlite3.Row]:
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql, tuple(args)).fetchall()
    finally:
        conn.row_factory = None


def shared_file_names(conn: sqlite3.Connection) -> frozenset[str]:
    """File names (as name keys) that more than one contact has: a `[[Sam]]` link
    cannot tell those apart."""
    rows = conn.execute(
        "SELECT key FROM names WHERE source = 'file' GROUP BY key HAVING COUNT(*) > 1"
    )
    return frozenset(row[0] for row in rows)


def contacts_with_key(conn: sqlite3.Connection, key: str) -> set[int]:
    """Ids of the contacts a name key (file name, path or alias) names."""
    rows = conn.execute("SELECT DISTINCT note_id FROM names WHERE key = ?", (key,))
    return {row[0] for row in rows}


# (contact_id, due, text, path, line) of open tasks in a contact's note or linking it.
_FOLLOW_UPS = """
    SELECT t.note_id AS contact_id, t.due, t.text, n.path, t.line
    FROM tasks t JOIN contacts c ON c.note_id = t.note_id JOIN notes n ON n.id = t.note_id
    WHERE t.done = 0
    UNION
    SELECT r.contact_id, t.due, t.text, n.path, t.line
    FROM tasks t JOIN task_links tl ON tl.task_id = t.id JOIN resolved r ON r.key = tl.key
    JOIN notes n ON n.id = t.note_id
    WHERE t.done = 0"""
# The same for the contacts in temp.dirty, found through their names (indexed).
_DIRTY_FOLLOW_UPS = """
    SELECT t.note_id AS contact_id, t.due, t.text, n.path, t.line
    FROM tasks t JOIN notes n ON n.id = t.note_id
    WHERE t.done = 0 AND t.note_id IN (SELECT id FROM temp.dirty)
    UNION
    SELECT r.contact_id, t.due, t.text, n.path, t.line
    FROM names k JOIN resolved r ON r.key = k.key AND r.contact_id = k.note_id
    JOIN task_links tl ON tl.key = k.key JOIN tasks t ON t.id = tl.task_id
    JOIN notes n ON n.id = t.note_id
    WHERE k.note_id IN (SELECT id FROM temp.dirty) AND t.done = 0"""
# (contact_id, title, date, end_date, city, path) of the events contacts attend.
_ATTENDED = """
    SELECT DISTINCT r.contact_id, e.title, e.date, e.end_date, e.city, n.path
    FROM events e JOIN event_attendees a ON a.note_id = e.note_id
    JOIN resolved r ON r.key = a.key JOIN notes n ON n.id = e.note_id"""


def ledger(
    conn: sqlite3.Connection, since: str, as_of: str, contact_id: int | None = None
) -> list[tuple]:
    """Per contact (or only `contact_id`) with any gift, favour, ask, intro or paid item
    in [since, as_of]: (contact id, given, received, asks, declined, pending, paid,
    last given, last received, last declined ask)."""
    only = "" if contact_id is None else f"AND contact_id = {int(contact_id)}"
    return conn.execute(
        f"""
        SELECT contact_id, {LEDGER_SUMS} FROM touches
        WHERE {LEDGER_ROWS} AND date >= ? AND date <= ? {only}
        GROUP BY contact_id
        """,
        (since, as_of),
    ).fetchall()


def timeline(conn: sqlite3.Connection, contact_id: int) -> list[tuple]:
    """(date, kind, answer, text, path, line) of a contact's interactions and mentions."""
    return conn.execute(
        """
        SELECT t.date, t.kind, t.answer, IFNULL(i.text, ''), n.path, t.line
        FROM touches t LEFT JOIN interactions i ON i.id = t.interaction_id
        JOIN notes n ON n.id = t.note_id
        WHERE t.contact_id = ? ORDER BY t.date, n.path, t.line
        """,
        (contact_id,),
    ).fetchall()


def problems(conn: sqlite3.Connection) -> list[tuple]:
    return conn.execute(
        "SELECT path, line, level, message FROM problems ORDER BY path, line, level, message"
    ).fetchall()


def ambiguous_names(conn: sqlite3.Connection) -> list[tuple[str, list[str]]]:
    """(name, the paths it names) for names that resolve to more than one contact."""
    rows = conn.execute(
        """
        SELECT k.key, GROUP_CONCAT(n.path, char(0)) FROM
          (SELECT DISTINCT key, note_id FROM names WHERE key NOT IN (SELECT key FROM resolved)) k
        JOIN notes n ON n.id = k.note_id GROUP BY k.key ORDER BY k.key
        """
    )
    return [(key, sorted(paths.split("\0"))) for key, paths in rows]


def alias_keys(conn: sqlite3.Connection) -> dict[str, list[str]]:
    """alias key → the paths of the contacts whose alias it is."""
    found: dict[str, list[str]] = {}
    rows = conn.execute(
        "SELECT k.key, n.path FROM names k JOIN notes n ON n.id = k.note_id "
        "WHERE k.source = 'alias' ORDER BY n.path"
    )
    for key, path in rows:
        found.setdefault(key, []).append(path)
    return found


def ambiguous_links(conn: sqlite3.Connection) -> list[tuple[str, int, str]]:
    """(path, line, key) of links that use an ambiguous name: the first line of each in a
    note, and every dated item's (whose interaction no contact then gets)."""
    return conn.execute(
        """
        WITH ambiguous AS (SELECT key FROM names EXCEPT SELECT key FROM resolved)
        SELECT path, line, key FROM (
          SELECT l.note_id, l.line, l.key FROM links l WHERE l.key IN ambiguous
          UNION
          SELECT i.note_id, i.line, j.value FROM interactions i, json_each(i.links) j
          WHERE i.links IS NOT NULL AND j.value IN ambiguous
        ) a JOIN notes n ON n.id = a.note_id
        ORDER BY path, line, key
        """
    ).fetchall()


def read_only(path: Path) -> sqlite3.Connection:
    """A connection that can only read: opened read-only and refused everything but reads."""
    from urllib.parse import quote  # not at the top: only query and completion read so

    # A URI: `#`, `?` and `%` in the cache's path would otherwise end or change it.
    conn = sqlite3.connect(f"file:{quote(str(path), safe='/')}?mode=ro", uri=True, timeout=30)
    conn.execute("PRAGMA query_only = 1")
    allowed = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION}
    allowed.add(getattr(sqlite3, "SQLITE_RECURSIVE", 33))

    def authorize(action: int, *args: object) -> int:
        return sqlite3.SQLITE_OK if action in allowed else sqlite3.SQLITE_DENY

    conn.set_authorizer(authorize)
    return conn


def touch_days(
    conn: sqlite3.Connection, contact_id: int, before: str, mentions: bool = True
) -> list[str]:
    """Distinct days before `before` with a touchpoint other than an ask (life is none)."""
    skip = ("ask", "life") if mentions else ("ask", "life", "mention")
    rows = conn.execute(
        "SELECT DISTINCT date FROM touches WHERE contact_id = ? AND date < ? "
        f"AND kind NOT IN ({','.join('?' * len(skip))}) ORDER BY date",
        (contact_id, before, *skip),
    )
    return [row[0] for row in rows]


def asks_of(conn: sqlite3.Connection, contact_id: int, as_of: str) -> list[tuple]:
    """(date, answer, text, path, line) of the asks made to a contact up to as_of."""
    return conn.execute(
        """
        SELECT t.date, t.answer, IFNULL(i.text, ''), n.path, t.line
        FROM touches t LEFT JOIN interactions i ON i.id = t.interaction_id
        JOIN notes n ON n.id = t.note_id
        WHERE t.contact_id = ? AND t.kind = 'ask' AND t.kind NOT IN ('touchpoint', 'mention')
          AND t.date <= ?
        ORDER BY t.date DESC
        """,
        (contact_id, as_of),
    ).fetchall()


def contact_links(conn: sqlite3.Connection) -> list[tuple[int, int]]:
    """(contact id, contact id) for every contact note that links another contact."""
    return conn.execute(
        """
        SELECT DISTINCT c.note_id, r.contact_id
        FROM contacts c JOIN notes n ON n.id = c.note_id, json_each(n.links) l
        JOIN resolved r ON r.key = l.key
        WHERE r.contact_id <> c.note_id
        """
    ).fetchall()


def seen_together(conn: sqlite3.Connection, day: str) -> list[str]:
    """The ids (comma-separated) of the contacts that one line dated on or before `day`
    names together, for every line that names more than one: an #intro item, a dinner
    with both, "saw [[A]] and [[B]] at the club" in a daily note (an open task's links
    are left out: a plan to call both is no meeting). A note's own contact with each one
    it links is db.contact_links. From the link lists, not the touches: grouping those
    by line took 2.4 s at 40,000 notes, this 0.4 s."""
    rows = conn.execute(
        """
        SELECT GROUP_CONCAT(r.contact_id) FROM interactions i, json_each(i.links) l
        JOIN resolved r ON r.key = l.value
        WHERE i.links LIKE '%,%' AND i.date <= ?1 GROUP BY i.id HAVING COUNT(*) > 1
        UNION ALL
        SELECT GROUP_CONCAT(r.contact_id)
        FROM notes n, json_each(IFNULL(n.mention_links, n.links)) l JOIN resolved r ON r.key = l.key
        WHERE n.date <= ?1 AND n.generated = 0 AND n.links LIKE '%,%'
        GROUP BY n.id, l.value HAVING COUNT(*) > 1
        """,
        (day,),
    )
    return [row[0] for row in rows]
