"""The reconnect report: who is overdue, who was never contacted, whose birthday is near."""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass, field, replace

from .. import db
from ..config import Config
from ..dates import parse_day
from .common import Source, birthday_in_days, cadence_days

UPCOMING_EVENT_DAYS = 60
LIFE_EVENT_DAYS = 365


@dataclass(frozen=True)
class BringUp:
    """Something to bring up: a #life event or an open follow-up."""

    type: str  # "life" or "follow_up"
    date: str | None  # the event's day, or the follow-up's due date
    text: str
    source: Source


@dataclass(frozen=True)
class LastInteraction:
    date: str
    kind: str
    text: str
    source: Source


@dataclass(frozen=True)
class Event:
    title: str
    date: str
    end: str | None
    city: str | None
    path: str


@dataclass(frozen=True)
class ReconnectRow:
    name: str
    path: str
    reason: str  # listed: overdue, never, birthday; not listed: ok, snoozed, no_cadence
    circle: str | None
    last_contact: str | None
    days_since: int | None
    cadence_days: int | None
    overdue_days: int | None
    birthday_in_days: int | None
    last_interaction: LastInteraction | None
    bring_up: tuple[BringUp, ...] = field(default_factory=tuple)
    events: tuple[Event, ...] = field(default_factory=tuple)


LISTED = ("overdue", "never", "birthday")


def reconnect_report(
    conn: sqlite3.Connection, config: Config, as_of: dt.date, city: str | None = None
) -> list[ReconnectRow]:
    """Rows in SPEC order: overdue (most overdue relative to cadence first), never
    contacted (by name), then birthday-only (soonest first). With `city` (a trip), every
    contact there is listed: after those three groups, the others, longest unseen first."""
    touch = last_touches(conn, config, as_of)
    groups: dict[str, list[ReconnectRow]] = {reason: [] for reason in LISTED}
    others: list[ReconnectRow] = []
    ids: dict[str, int] = {}
    for contact in db.contacts(conn):
        if city is not None and (contact["city"] or "").strip().lower() != city.strip().lower():
            continue
        row = contact_status(config, contact, as_of, touch)
        if row.reason in groups:
            groups[row.reason].append(row)
        elif city is not None:
            others.append(row)
        else:
            continue
        ids[row.path] = contact["note_id"]
    groups["overdue"].sort(
        key=lambda r: (-(r.days_since or 0) / (r.cadence_days or 1), r.name.lower(), r.path)
    )
    groups["never"].sort(key=lambda r: (r.name.lower(), r.path))
    groups["birthday"].sort(key=lambda r: (r.birthday_in_days, r.name.lower(), r.path))
    others.sort(key=lambda r: (-(r.days_since or 0), r.name.lower(), r.path))
    rows = groups["overdue"] + groups["never"] + groups["birthday"] + others
    return with_bring_up(conn, rows, as_of, ids) if rows else rows


def last_touches(
    conn: sqlite3.Connection, config: Config, as_of: dt.date, contact_id: int | None = None
) -> dict[int, tuple]:
    """Each contact's (or one contact's) latest touchpoint; a mention counts too, unless
    the config turns mentions off."""
    day = as_of.isoformat()
    return db.last_touchpoints(conn, day, mentions=config.mentions, contact_id=contact_id)


def contact_status(
    config: Config, contact: sqlite3.Row, as_of: dt.date, touch: dict[int, tuple]
) -> ReconnectRow:
    """A contact's reconnect figures; `reason` says whether and why it is listed
    (overdue, never, birthday) or not (ok, snoozed, no_cadence)."""
    cadence = cadence_days(config, contact)
    snooze = parse_day(contact["snooze"])
    last, last_interaction = _last_contact(contact, as_of, touch)
    birthday = birthday_in_days(contact, as_of)
    days_since = (as_of - last).days if last else None
    overdue_days = None
    if days_since is not None and cadence is not None:
        overdue_days = days_since - cadence
    if cadence is None:
        reason = "no_cadence"
    elif snooze is not None and snooze > as_of:
        reason = "snoozed"
    elif overdue_days is not None and overdue_days >= 0:
        reason = "overdue"
    elif last is None:
        reason = "never"
    elif birthday is not None and birthday <= config.birthday_horizon:
        reason = "birthday"
    else:
        reason = "ok"
    return ReconnectRow(
        name=contact["name"],
        path=contact["path"],
        reason=reason,
        circle=contact["circle"],
        last_contact=last.isoformat() if last else None,
        days_since=days_since,
        cadence_days=cadence,
        overdue_days=overdue_days,
        birthday_in_days=birthday,
        last_interaction=last_interaction,
    )


def _last_contact(
    contact: sqlite3.Row, as_of: dt.date, touch: dict[int, tuple]
) -> tuple[dt.date | None, LastInteraction | None]:
    """The latest touchpoint (or mention), `met` or `last_contact` on or before as_of;
    on a tie the logged interaction wins. ISO days compare as text: no parsing needed."""
    best = touch.get(contact["note_id"])  # (date, kind, text, path, line)
    for key in ("met", "last_contact"):
        day = parse_day(contact[key]) if contact[key] else None
        if day is not None and day <= as_of and (best is None or day.isoformat() > best[0]):
            text = "first met" if key == "met" else "last contact (property)"
            best = (day.isoformat(), key, text, contact["path"], 1)
    if best is None:
        return None, None
    date, kind, text, path, line = best
    return parse_day(date), LastInteraction(date, kind, text, Source(path, line))


def with_bring_up(
    conn: sqlite3.Connection, rows: list[ReconnectRow], as_of: dt.date, ids: dict[str, int]
) -> list[ReconnectRow]:
    """The rows with what to bring up and the events ahead; `ids`: contact id by path."""
    by_path: dict[str, list[BringUp]] = {row.path: [] for row in rows}
    events: dict[str, list[Event]] = {row.path: [] for row in rows}
    contact_paths = {contact_id: path for path, contact_id in ids.items()}
    since = (as_of - dt.timedelta(days=LIFE_EVENT_DAYS)).isoformat()
    for cid, date, text, path, line in db.life_events(conn, since, as_of.isoformat()):
        owner = contact_paths.get(cid)
        if owner in by_path:
            by_path[owner].append(BringUp("life", date, text, Source(path, line)))
    for cid, due, text, path, line in db.open_follow_ups(conn):
        owner = contact_paths.get(cid)
        if owner in by_path:
            by_path[owner].append(BringUp("follow_up", due, text, Source(path, line)))
    until = (as_of + dt.timedelta(days=UPCOMING_EVENT_DAYS)).isoformat()
    for cid, title, date, end, city, path in db.upcoming_events(conn, as_of.isoformat(), until):
        owner = contact_paths.get(cid)
        if owner in events:
            events[owner].append(Event(title, date, end, city, path))
    out = []
    for row in rows:
        # newest first; follow-ups without a due date last
        items = sorted(by_path[row.path], key=lambda b: (b.date is not None, b.date or ""))
        items.reverse()
        out.append(replace(row, bring_up=tuple(items), events=tuple(events[row.path])))
    return out
