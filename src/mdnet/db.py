"""The index: schema, version and every SQL statement. A cache: rebuilt, never migrated."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .models import ParsedNote

SCHEMA_VERSION = 3  # bump whenever the tables or what the parser stores change

TABLES = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE notes (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,      -- relative to the vault, '/' separators
    mtime_ns INTEGER NOT NULL,
    size INTEGER NOT NULL,
    hash BLOB NOT NULL,             -- blake2b of the bytes: a touched note is not re-parsed
    is_contact INTEGER NOT NULL,
    is_event INTEGER NOT NULL,
    generated INTEGER NOT NULL,     -- generated_by: mdnet (a report note)
    date TEXT,                      -- the day of a dated note (file name or `date:`)
    body_line INTEGER NOT NULL,
    properties TEXT NOT NULL        -- the front matter as JSON
);
CREATE TABLE contacts (
    note_id INTEGER PRIMARY KEY,
    file_name TEXT NOT NULL,        -- identity: what [[links]] name
    name TEXT NOT NULL,             -- display name
    circle TEXT, cadence TEXT, met TEXT, last_contact TEXT, birthday TEXT, snooze TEXT,
    city TEXT, company TEXT,
    interests TEXT NOT NULL,        -- JSON list, as written
    tags TEXT NOT NULL              -- JSON list, lower case
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
    tags TEXT NOT NULL, details TEXT NOT NULL
);
CREATE TABLE interaction_links (
    interaction_id INTEGER NOT NULL, note_id INTEGER NOT NULL, key TEXT NOT NULL
);
CREATE TABLE links (                -- distinct link targets of a note, first line of each
    note_id INTEGER NOT NULL, key TEXT NOT NULL, line INTEGER NOT NULL
);
CREATE TABLE tasks (
    id INTEGER PRIMARY KEY, note_id INTEGER NOT NULL, line INTEGER NOT NULL,
    text TEXT NOT NULL, done INTEGER NOT NULL, due TEXT
);
CREATE TABLE task_links (task_id INTEGER NOT NULL, note_id INTEGER NOT NULL, key TEXT NOT NULL);
CREATE TABLE events (
    note_id INTEGER PRIMARY KEY, date TEXT, end_date TEXT, city TEXT, title TEXT NOT NULL
);
CREATE TABLE event_attendees (note_id INTEGER NOT NULL, key TEXT NOT NULL);
CREATE TABLE problems (
    note_id INTEGER, path TEXT NOT NULL, line INTEGER NOT NULL,
    level TEXT NOT NULL, message TEXT NOT NULL
);
CREATE VIEW properties AS
    SELECT n.id AS note_id, n.path AS path, j.key AS key, j.value AS value, j.type AS type
    FROM notes n, json_each(n.properties) j;
CREATE VIEW interaction_contacts AS
    SELECT i.id AS interaction_id, i.note_id AS contact_id
    FROM interactions i JOIN contacts c ON c.note_id = i.note_id
    UNION
    SELECT il.interaction_id, r.contact_id
    FROM interaction_links il JOIN resolved r ON r.key = il.key;
CREATE VIEW mentions AS
    SELECT DISTINCT n.id AS note_id, r.contact_id AS contact_id, n.date AS date, l.line AS line
    FROM notes n JOIN links l ON l.note_id = n.id JOIN resolved r ON r.key = l.key
    WHERE n.date IS NOT NULL AND n.generated = 0 AND r.contact_id <> n.id
      AND NOT EXISTS (
        SELECT 1 FROM interactions i JOIN interaction_contacts ic ON ic.interaction_id = i.id
        WHERE i.note_id = n.id AND i.date = n.date AND ic.contact_id = r.contact_id);
"""

# Created after a bulk load: building an index once is faster than maintaining it per row.
INDEXES = """
CREATE INDEX names_key ON names(key);
CREATE INDEX names_note ON names(note_id);
CREATE INDEX interactions_note ON interactions(note_id);
CREATE INDEX interaction_links_key ON interaction_links(key);
CREATE INDEX interaction_links_note ON interaction_links(note_id);
CREATE INDEX interaction_links_interaction ON interaction_links(interaction_id);
CREATE INDEX links_key ON links(key);
CREATE INDEX links_note ON links(note_id);
CREATE INDEX tasks_note ON tasks(note_id);
CREATE INDEX task_links_key ON task_links(key);
CREATE INDEX task_links_note ON task_links(note_id);
CREATE INDEX event_attendees_note ON event_attendees(note_id);
CREATE INDEX problems_note ON problems(note_id);
CREATE INDEX notes_date ON notes(date) WHERE date IS NOT NULL;
"""

CHILD_TABLES = (
    "contacts",
    "names",
    "interactions",
    "interaction_links",
    "links",
    "tasks",
    "task_links",
    "events",
    "event_attendees",
    "problems",
)


def index_path(vault: Path) -> Path:
    """One index per vault, under the user's cache folder, never inside the vault."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    real = os.path.realpath(vault)
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", os.path.basename(real) or "vault")[:40]
    digest = hashlib.sha1(real.encode("utf-8", "surrogateescape")).hexdigest()[:12]
    return Path(base) / "mdnet" / f"{slug}-{digest}.sqlite3"


def _prepare_folder(path: Path) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        os.chmod(path.parent, 0o700)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    with contextlib.suppress(OSError):
        os.chmod(path, 0o600)


def remove_index(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            os.remove(str(path) + suffix)


def connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout = 30000")
    return conn


def open_index(path: Path, fingerprint: str) -> tuple[sqlite3.Connection, bool]:
    """The index at `path`, made new when missing, corrupt, of another schema or built
    for another config. Returns the connection and whether it is empty (new)."""
    _prepare_folder(path)
    try:
        conn = connect(path)
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version == SCHEMA_VERSION and _meta(conn, "fingerprint") == fingerprint:
            _configure(conn)
            return conn, False
        conn.close()
    except sqlite3.DatabaseError:
        pass
    remove_index(path)
    _prepare_folder(path)
    conn = connect(path)
    _configure(conn)
    create_schema(conn, fingerprint)
    return conn, True


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


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


def create_schema(conn: sqlite3.Connection, fingerprint: str) -> None:
    with write_transaction(conn):
        if conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
            return  # another process built it while we waited for the lock
        for statement in _statements(TABLES + INDEXES):
            conn.execute(statement)
        conn.execute("INSERT INTO meta VALUES ('fingerprint', ?)", (fingerprint,))
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


@dataclass(frozen=True, slots=True)
class Known:
    id: int
    mtime_ns: int
    size: int
    hash: bytes


def known_notes(conn: sqlite3.Connection) -> dict[str, Known]:
    rows = conn.execute("SELECT path, id, mtime_ns, size, hash FROM notes")
    return {path: Known(i, m, s, h) for path, i, m, s, h in rows}


def next_ids(conn: sqlite3.Connection) -> tuple[int, int, int]:
    """The next free ids of notes, interactions and tasks: we assign ids ourselves so
    that rows of many notes go in with one executemany per table."""
    row = conn.execute(
        "SELECT (SELECT IFNULL(MAX(id), 0) FROM notes), (SELECT IFNULL(MAX(id), 0) "
        "FROM interactions), (SELECT IFNULL(MAX(id), 0) FROM tasks)"
    ).fetchone()
    return row[0] + 1, row[1] + 1, row[2] + 1


# --- writing rows ---------------------------------------------------------------------


@dataclass
class Batch:
    """Rows for many notes, written with one executemany per table."""

    note_id: int
    interaction_id: int
    task_id: int
    notes: list[tuple] = field(default_factory=list)
    touched: list[tuple] = field(default_factory=list)
    rows: dict[str, list[tuple]] = field(default_factory=lambda: {t: [] for t in CHILD_TABLES})
    contacts_changed: bool = False

    def add(self, note: ParsedNote, mtime_ns: int, size: int, digest: bytes) -> None:
        note_id = self.note_id
        self.note_id += 1
        props = note.properties
        self.notes.append(
            (
                note_id,
                note.path,
                mtime_ns,
                size,
                digest,
                note.is_contact,
                note.is_event,
                note.generated,
                note.date,
                note.body_line,
                json.dumps(props, ensure_ascii=False) if props else "{}",
            )
        )
        rows = self.rows
        if note.is_contact:
            self.contacts_changed = True
            _contact_rows(rows, note_id, note)
        for item in note.interactions:
            iid = self.interaction_id
            self.interaction_id += 1
            rows["interactions"].append(
                (iid, note_id, item.line, item.date, item.text, item.kind, item.answer,
                 " ".join(item.tags), item.details)
            )  # fmt: skip
            for key in item.links:
                rows["interaction_links"].append((iid, note_id, key))
        for task in note.tasks:
            tid = self.task_id
            self.task_id += 1
            rows["tasks"].append((tid, note_id, task.line, task.text, task.done, task.due))
            for key in task.links:
                rows["task_links"].append((tid, note_id, key))
        seen: set[str] = set()
        for link in note.links:
            if link.key not in seen:
                seen.add(link.key)
                rows["links"].append((note_id, link.key, link.line))
        if note.is_event:
            _event_rows(rows, note_id, note)
        for p in note.problems:
            rows["problems"].append((note_id, p.path, p.line, p.level, p.message))

    def flush(self, conn: sqlite3.Connection) -> None:
        conn.executemany(
            "INSERT INTO notes VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            self.notes,
        )
        conn.executemany("UPDATE notes SET mtime_ns = ?, size = ? WHERE id = ?", self.touched)
        for table, rows in self.rows.items():
            if rows:
                marks = ",".join("?" * len(rows[0]))
                conn.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
            rows.clear()
        self.notes.clear()
        self.touched.clear()


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    return str(value)


def _str_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, list):
        return [str(v) for v in value if isinstance(v, str | int | float) and str(v).strip()]
    return []


def contact_file_name(path: str) -> str:
    return path.rsplit("/", 1)[-1][:-3]


def _contact_rows(rows: dict[str, list[tuple]], note_id: int, note: ParsedNote) -> None:
    props = note.properties
    file_name = contact_file_name(note.path)
    name = props.get("name")
    name = name.strip() if isinstance(name, str) and name.strip() else file_name
    tags = props.get("tags")
    tag_list = [t.lstrip("#").lower() for t in _str_list(tags)]
    rows["contacts"].append(
        (
            note_id,
            file_name,
            name,
            _text(props.get("circle")),
            _text(props.get("cadence")),
            _text(props.get("met")),
            _text(props.get("last_contact")),
            _text(props.get("birthday")),
            _text(props.get("snooze")),
            _text(props.get("city")),
            _text(props.get("company")),
            json.dumps(_str_list(props.get("interests")), ensure_ascii=False),
            json.dumps(tag_list, ensure_ascii=False),
        )
    )
    names = rows["names"]
    parts = note.path[:-3].lower().split("/")
    for i in range(len(parts)):
        names.append(("/".join(parts[i:]), note_id, "file" if i == len(parts) - 1 else "path"))
    for alias in _str_list(props.get("aliases")):
        key = alias.strip().lower()
        if key and key != parts[-1]:
            names.append((key, note_id, "alias"))


def _event_rows(rows: dict[str, list[tuple]], note_id: int, note: ParsedNote) -> None:
    from .parse import link_key, links_in

    props = note.properties
    title = props.get("title") or props.get("name")
    if not title:  # "2026-09-17 PyData Lisbon.md" → "PyData Lisbon"
        title = re.sub(r"^\d{4}-\d\d-\d\d\s*[-–—:]?\s*", "", contact_file_name(note.path))
        title = title or contact_file_name(note.path)
    end = _text(props.get("end"))
    rows["events"].append((note_id, note.date, end, _text(props.get("city")), str(title)))
    attendees = props.get("attendees")
    for value in _str_list(attendees):
        keys = links_in(value) or [link_key(value)]
        for key in keys:
            if key:
                rows["event_attendees"].append((note_id, key))


def delete_notes(conn: sqlite3.Connection, ids: Iterable[int]) -> None:
    ids = list(ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for table in CHILD_TABLES:
            conn.execute(f"DELETE FROM {table} WHERE note_id IN ({marks})", chunk)
        conn.execute(f"DELETE FROM notes WHERE id IN ({marks})", chunk)


def any_contacts(conn: sqlite3.Connection, ids: list[int]) -> bool:
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        sql = f"SELECT 1 FROM contacts WHERE note_id IN ({marks}) LIMIT 1"
        if conn.execute(sql, chunk).fetchone():
            return True
    return False


def refresh_resolved(conn: sqlite3.Connection) -> None:
    """Recompute which names resolve to exactly one contact (cheap: one row per name)."""
    conn.execute("DELETE FROM resolved")
    conn.execute(
        "INSERT INTO resolved SELECT key, MIN(note_id) FROM names GROUP BY key "
        "HAVING COUNT(DISTINCT note_id) = 1"
    )


def set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))


def store_scan_problems(
    conn: sqlite3.Connection, problems: list[tuple[str, int, str, str]]
) -> None:
    """Problems of the vault as a whole (conflict copies, loops): note_id NULL."""
    conn.execute("DELETE FROM problems WHERE note_id IS NULL")
    conn.executemany("INSERT INTO problems VALUES (NULL, ?, ?, ?, ?)", problems)


# --- queries for reports and commands -------------------------------------------------

TOUCH_KINDS_EXCLUDED = ("life",)
LEDGER_KINDS = (
    "gift_given",
    "gift_received",
    "favor_given",
    "favor_received",
    "ask",
    "intro",
    "paid",
)


def contacts(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(
            "SELECT c.*, n.path, n.properties FROM contacts c JOIN notes n ON n.id = c.note_id "
            "ORDER BY c.name COLLATE NOCASE, n.path"
        ).fetchall()
    finally:
        conn.row_factory = None


def last_touchpoints(conn: sqlite3.Connection, as_of: str) -> dict[int, tuple]:
    """contact id → (date, kind, text, path, line) of its latest touchpoint on or before as_of."""
    rows = conn.execute(
        """
        SELECT contact_id, date, kind, text, path, line FROM (
          SELECT ic.contact_id, i.date, i.kind, i.text, n.path, i.line,
                 ROW_NUMBER() OVER (PARTITION BY ic.contact_id
                                    ORDER BY i.date DESC, i.id DESC) AS rn
          FROM interactions i
          JOIN interaction_contacts ic ON ic.interaction_id = i.id
          JOIN notes n ON n.id = i.note_id
          WHERE i.kind <> 'life' AND i.date <= ?)
        WHERE rn = 1
        """,
        (as_of,),
    )
    return {row[0]: row[1:] for row in rows}


def last_mentions(conn: sqlite3.Connection, as_of: str) -> dict[int, tuple]:
    """contact id → (date, path, line) of its latest mention on or before as_of."""
    rows = conn.execute(
        """
        SELECT contact_id, date, path, line FROM (
          SELECT m.contact_id, m.date, n.path, m.line,
                 ROW_NUMBER() OVER (PARTITION BY m.contact_id
                                    ORDER BY m.date DESC, n.path DESC) AS rn
          FROM mentions m JOIN notes n ON n.id = m.note_id WHERE m.date <= ?)
        WHERE rn = 1
        """,
        (as_of,),
    )
    return {row[0]: row[1:] for row in rows}


def life_events(conn: sqlite3.Connection, since: str, as_of: str) -> list[tuple]:
    """(contact id, date, text, path, line) of #life items in (since, as_of]."""
    return conn.execute(
        """
        SELECT ic.contact_id, i.date, i.text, n.path, i.line
        FROM interactions i JOIN interaction_contacts ic ON ic.interaction_id = i.id
        JOIN notes n ON n.id = i.note_id
        WHERE i.kind = 'life' AND i.date > ? AND i.date <= ?
        ORDER BY i.date DESC, n.path, i.line
        """,
        (since, as_of),
    ).fetchall()


def open_follow_ups(conn: sqlite3.Connection) -> list[tuple]:
    """(contact id, due, text, path, line) of open tasks in a contact's note or linking it."""
    return conn.execute(
        """
        SELECT t.note_id AS contact_id, t.due, t.text, n.path, t.line
        FROM tasks t JOIN contacts c ON c.note_id = t.note_id JOIN notes n ON n.id = t.note_id
        WHERE t.done = 0
        UNION
        SELECT r.contact_id, t.due, t.text, n.path, t.line
        FROM tasks t JOIN task_links tl ON tl.task_id = t.id JOIN resolved r ON r.key = tl.key
        JOIN notes n ON n.id = t.note_id
        WHERE t.done = 0
        """
    ).fetchall()


def upcoming_events(conn: sqlite3.Connection, start: str, end: str) -> list[tuple]:
    """(contact id, title, date, end, city, path) of events in [start, end] that contacts attend."""
    return conn.execute(
        """
        SELECT DISTINCT r.contact_id, e.title, e.date, e.end_date, e.city, n.path
        FROM events e JOIN event_attendees a ON a.note_id = e.note_id
        JOIN resolved r ON r.key = a.key JOIN notes n ON n.id = e.note_id
        WHERE e.date >= ? AND e.date <= ?
        ORDER BY e.date, n.path
        """,
        (start, end),
    ).fetchall()


def ledger(conn: sqlite3.Connection, since: str, as_of: str) -> list[tuple]:
    """(contact id, kind, answer, date) of gift, favour, ask, intro and paid items in the window."""
    marks = ",".join("?" * len(LEDGER_KINDS))
    return conn.execute(
        f"""
        SELECT ic.contact_id, i.kind, i.answer, i.date
        FROM interactions i JOIN interaction_contacts ic ON ic.interaction_id = i.id
        WHERE i.kind IN ({marks}) AND i.date >= ? AND i.date <= ?
        """,
        (*LEDGER_KINDS, since, as_of),
    ).fetchall()


def timeline(conn: sqlite3.Connection, contact_id: int) -> list[tuple]:
    """(date, kind, answer, text, path, line, tags) of a contact's interactions and mentions."""
    return conn.execute(
        """
        SELECT i.date, i.kind, i.answer, i.text, n.path, i.line, i.tags
        FROM interactions i JOIN interaction_contacts ic ON ic.interaction_id = i.id
        JOIN notes n ON n.id = i.note_id WHERE ic.contact_id = ?
        UNION ALL
        SELECT m.date, 'mention', NULL, '', n.path, m.line, ''
        FROM mentions m JOIN notes n ON n.id = m.note_id WHERE m.contact_id = ?
        ORDER BY 1, 5, 6
        """,
        (contact_id, contact_id),
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


def ambiguous_links(conn: sqlite3.Connection) -> list[tuple[str, int, str]]:
    """(path, line, key) of links that use an ambiguous name."""
    return conn.execute(
        """
        SELECT n.path, l.line, l.key FROM links l JOIN notes n ON n.id = l.note_id
        WHERE l.key IN (SELECT key FROM names) AND l.key NOT IN (SELECT key FROM resolved)
        ORDER BY n.path, l.line
        """
    ).fetchall()


def read_only(path: Path) -> sqlite3.Connection:
    """A connection that can only read: opened read-only and refused everything but reads."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    conn.execute("PRAGMA query_only = 1")
    allowed = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION}
    allowed.add(getattr(sqlite3, "SQLITE_RECURSIVE", 33))

    def authorize(action: int, *args: object) -> int:
        return sqlite3.SQLITE_OK if action in allowed else sqlite3.SQLITE_DENY

    conn.set_authorizer(authorize)
    return conn
