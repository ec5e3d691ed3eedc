"""The reconnect rules of SPEC section 4 written the plain way, for differential tests.

mdnet works the figures out in SQL from the per-contact summary (db.RECONNECT); this
module works them out in Python, contact by contact, from the touches themselves and the
contacts' properties as written, with the functions of mdnet.dates. The two must agree
for every contact, day and config."""

from __future__ import annotations

import datetime as dt
import sqlite3

from mdnet.config import Config
from mdnet.dates import parse_birthday, parse_day, parse_duration
from mdnet.reports.common import Source
from mdnet.reports.reconnect import LastInteraction, bring_up, events_ahead

LIFE_EVENT_DAYS = 365
UPCOMING_EVENT_DAYS = 60


def reference_rows(conn: sqlite3.Connection, config: Config, as_of: dt.date) -> dict[str, dict]:
    """Every contact's figures by path: what mdnet's ReconnectRow holds, as a dict."""
    day = as_of.isoformat()
    touches = last_touchpoints(conn, day, config.mentions)
    since = (as_of - dt.timedelta(days=LIFE_EVENT_DAYS)).isoformat()
    life = _by_contact(_life_events(conn, since, day))
    follow_ups = _by_contact(conn.execute(FOLLOW_UPS).fetchall())
    until = (as_of + dt.timedelta(days=UPCOMING_EVENT_DAYS)).isoformat()
    events = _by_contact(_upcoming_events(conn, day, until))
    conn.row_factory = sqlite3.Row
    try:
        contacts = conn.execute(
            "SELECT c.*, n.path, n.properties FROM contacts c JOIN notes n ON n.id = c.note_id"
        ).fetchall()
    finally:
        conn.row_factory = None
    rows = {}
    for c in contacts:
        cid = c["note_id"]
        row = _figures(config, c, as_of, touches.get(cid))
        row["bring_up"] = bring_up(life.get(cid, []), follow_ups.get(cid, []), as_of)
        row["events"] = events_ahead(events.get(cid, []), as_of)
        rows[c["path"]] = row
    return rows


def _property_line(config: Config, path: str, key: str) -> int:
    """The line of `key:` in the note's front matter, read from the file itself."""
    lines = (config.vault / path).read_text(encoding="utf-8-sig").splitlines()
    for number, line in enumerate(lines[1:], 2):
        if line.strip() in ("---", "..."):
            break
        if line.startswith((f"{key}:", f"{key} :")):
            return number
    return 1


def _figures(config: Config, contact: sqlite3.Row, as_of: dt.date, touch: tuple | None) -> dict:
    cadence = _cadence(config, contact)
    last = touch
    for key in ("met", "last_contact"):
        found = parse_day(contact[key]) if contact[key] else None
        if found is not None and found <= as_of and (last is None or found.isoformat() > last[0]):
            what = "first met" if key == "met" else "last contact (property)"
            line = _property_line(config, contact["path"], key)
            last = (found.isoformat(), key, what, contact["path"], line)
    days_since = (as_of - dt.date.fromisoformat(last[0])).days if last else None
    overdue = days_since - cadence if days_since is not None and cadence is not None else None
    parsed = parse_birthday(contact["birthday"]) if contact["birthday"] else None
    birthday = days_to_birthday(parsed[1], parsed[2], as_of) if parsed else None
    snooze = parse_day(contact["snooze"]) if contact["snooze"] else None
    if cadence is None:
        reason = "no_cadence"
    elif snooze is not None and snooze > as_of:
        reason = "snoozed"
    elif overdue is not None and overdue >= 0:
        reason = "overdue"
    elif last is None:
        reason = "never"
    elif birthday is not None and birthday <= config.birthday_horizon:
        reason = "birthday"
    else:
        reason = "ok"
    interaction = None
    if last is not None:
        interaction = LastInteraction(last[0], last[1], last[2], Source(last[3], last[4]))
    return {
        "name": contact["name"],
        "path": contact["path"],
        "reason": reason,
        "circle": contact["circle"],
        "last_contact": last[0] if last else None,
        "days_since": days_since,
        "cadence_days": cadence,
        "overdue_days": overdue,
        "birthday_in_days": birthday,
        "last_interaction": interaction,
    }


def _cadence(config: Config, contact: sqlite3.Row) -> int | None:
    """The contact's `cadence` as written (a YAML number too), else its circle's."""
    import json

    raw = json.loads(contact["properties"]).get("cadence")
    if raw not in (None, "") and not isinstance(raw, dict | list):
        try:
            return parse_duration(raw)
        except ValueError:
            pass
    return config.cadence_for_circle(contact["circle"])


def _by_contact(rows: list[tuple]) -> dict[int, list]:
    out: dict[int, list] = {}
    for cid, *item in rows:
        out.setdefault(cid, []).append(item)
    return out


def last_touchpoints(conn: sqlite3.Connection, as_of: str, mentions: bool) -> dict[int, tuple]:
    """contact id → (date, kind, text, path, line) of its latest touchpoint on or before
    as_of; on a day with both, a logged interaction is preferred to a mention, and of
    several, the one named last by path and line."""
    skip_mentions = "" if mentions else "AND t2.kind <> 'mention'"
    rows = conn.execute(
        f"""
        SELECT c.note_id, t.date, t.kind, IFNULL(i.text, ''), n.path, t.line
        FROM contacts c
        JOIN touches t ON t.rowid = (
            SELECT t2.rowid FROM touches t2
            WHERE t2.contact_id = c.note_id AND t2.date <= ? AND t2.kind <> 'life' {skip_mentions}
            ORDER BY t2.date DESC, t2.interaction_id IS NULL,
                     (SELECT path FROM notes WHERE id = t2.note_id) DESC, t2.line DESC LIMIT 1)
        LEFT JOIN interactions i ON i.id = t.interaction_id
        JOIN notes n ON n.id = t.note_id
        """,
        (as_of,),
    )
    return {row[0]: row[1:] for row in rows}


def _life_events(conn: sqlite3.Connection, since: str, as_of: str) -> list[tuple]:
    return conn.execute(
        """
        SELECT t.contact_id, t.date, i.text, n.path, t.line
        FROM touches t JOIN interactions i ON i.id = t.interaction_id
        JOIN notes n ON n.id = t.note_id
        WHERE t.kind = 'life' AND t.date > ? AND t.date <= ?
        """,
        (since, as_of),
    ).fetchall()


# Written out again on purpose (db.py has the same rule for the summary): the reference
# states the rule itself, and tests the summary that is built from it incrementally.
FOLLOW_UPS = """
    SELECT t.note_id AS contact_id, t.due, t.text, n.path, t.line
    FROM tasks t JOIN contacts c ON c.note_id = t.note_id JOIN notes n ON n.id = t.note_id
    WHERE t.done = 0
    UNION
    SELECT r.contact_id, t.due, t.text, n.path, t.line
    FROM tasks t JOIN task_links tl ON tl.task_id = t.id JOIN resolved r ON r.key = tl.key
    JOIN notes n ON n.id = t.note_id
    WHERE t.done = 0"""


def _upcoming_events(conn: sqlite3.Connection, start: str, end: str) -> list[tuple]:
    return conn.execute(
        """
        SELECT DISTINCT r.contact_id, e.title, e.date, e.end_date, e.city, n.path
        FROM events e JOIN event_attendees a ON a.note_id = e.note_id
        JOIN resolved r ON r.key = a.key JOIN notes n ON n.id = e.note_id
        WHERE e.date >= ? AND e.date <= ?
        """,
        (start, end),
    ).fetchall()


def birthday_on(year: int, month: int, day: int) -> dt.date:
    """The birthday in `year`; 29 February falls on 28 February in other years."""
    if month == 2 and day == 29:
        try:
            return dt.date(year, 2, 29)
        except ValueError:
            return dt.date(year, 2, 28)
    return dt.date(year, month, day)


def days_to_birthday(month: int, day: int, as_of: dt.date) -> int:
    """Days from as_of to the next birthday, 0 when it is today."""
    this_year = birthday_on(as_of.year, month, day)
    if this_year >= as_of:
        return (this_year - as_of).days
    return (birthday_on(as_of.year + 1, month, day) - as_of).days
