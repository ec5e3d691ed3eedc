"""The reconnect report: who is overdue, who was never contacted, whose birthday is near."""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass, field

from .. import db
from ..config import Config
from ..dates import days_to_birthday, parse_birthday, parse_day
from .common import Source, cadence_days

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


@dataclass(slots=True)  # not frozen: with_bring_up fills in the last two fields
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
    db.summary_as_of(conn, as_of.isoformat())
    contacts = db.contacts_with_summary(conn, db.RECONNECT_COLUMNS)
    touch = touches_from_summary(config, contacts)
    status = Status(config, as_of)
    groups: dict[str, list[ReconnectRow]] = {reason: [] for reason in LISTED}
    others: list[ReconnectRow] = []
    ids: dict[str, int] = {}
    trip = city.strip().lower() if city is not None else None
    for contact in contacts:
        if trip is not None and (contact["city"] or "").strip().lower() != trip:
            continue
        figures = status.figures(contact, touch.get(contact["note_id"]))
        group = groups.get(figures[0], others if trip is not None else None)
        if group is None:
            continue
        row = status.row(contact, None, figures)
        group.append(row)
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


def touches_from_summary(config: Config, contacts: list[sqlite3.Row]) -> dict[int, tuple]:
    """The same as last_touches, read from the contacts' summary columns (which hold as
    of the report's day: see db.summary_as_of)."""
    touch: dict[int, tuple] = {}
    for c in contacts:
        best = None
        if c["touch_date"] is not None:
            best = (
                c["touch_date"],
                c["touch_kind"],
                c["touch_text"],
                c["touch_path"],
                c["touch_line"],
            )
        mention = c["mention_date"]
        if config.mentions and mention is not None and (best is None or mention > best[0]):
            best = (mention, "mention", "", c["mention_path"], c["mention_line"])
        if best is not None:
            touch[c["note_id"]] = best
    return touch


def contact_status(
    config: Config, contact: sqlite3.Row, as_of: dt.date, touch: dict[int, tuple]
) -> ReconnectRow:
    """A contact's reconnect figures; `reason` says whether and why it is listed
    (overdue, never, birthday) or not (ok, snoozed, no_cadence)."""
    return Status(config, as_of).row(contact, touch.get(contact["note_id"]))


class Status:
    """Reconnect figures for many contacts on one day. Contacts share a few cadences,
    birthdays and days, so each is worked out once (a report has tens of thousands)."""

    def __init__(self, config: Config, as_of: dt.date) -> None:
        self.config = config
        self.as_of = as_of
        self.day = as_of.isoformat()
        self._cadences: dict[tuple, int | None] = {}
        self._birthdays: dict[str, int | None] = {}
        self._ordinals: dict[str, int] = {}

    def figures(self, contact: sqlite3.Row, touch: tuple | None) -> tuple:
        """(reason, last touch (date, kind, text, path, line) or None, days since,
        cadence, overdue days, birthday in days)."""
        key = (contact["cadence"], contact["circle"])
        cadence = self._cadences.get(key, -1)
        if cadence == -1:
            cadence = self._cadences[key] = cadence_days(self.config, contact)
        last = self._last(contact, touch)
        days_since = self._days_to(last[0]) if last else None
        overdue = days_since - cadence if days_since is not None and cadence is not None else None
        birthday = self._birthday(contact["birthday"])
        snooze = contact["snooze"]
        if cadence is None:
            reason = "no_cadence"
        elif snooze and (until := parse_day(snooze)) is not None and until > self.as_of:
            reason = "snoozed"
        elif overdue is not None and overdue >= 0:
            reason = "overdue"
        elif last is None:
            reason = "never"
        elif birthday is not None and birthday <= self.config.birthday_horizon:
            reason = "birthday"
        else:
            reason = "ok"
        return reason, last, days_since, cadence, overdue, birthday

    def row(self, contact: sqlite3.Row, touch: tuple | None, figures: tuple | None = None):
        reason, last, days_since, cadence, overdue, birthday = figures or self.figures(
            contact, touch
        )
        interaction = None
        if last is not None:
            date, kind, text, path, line = last
            interaction = LastInteraction(date, kind, text, Source(path, line))
        return ReconnectRow(
            name=contact["name"],
            path=contact["path"],
            reason=reason,
            circle=contact["circle"],
            last_contact=last[0] if last else None,
            days_since=days_since,
            cadence_days=cadence,
            overdue_days=overdue,
            birthday_in_days=birthday,
            last_interaction=interaction,
        )

    def _last(self, contact: sqlite3.Row, touch: tuple | None) -> tuple | None:
        """The latest touchpoint (or mention), `met` or `last_contact` on or before as_of;
        on a tie the logged interaction wins. ISO days compare as text."""
        best = touch
        for key in ("met", "last_contact"):
            value = contact[key]
            if not value:
                continue
            day = parse_day(value)
            if day is None:
                continue
            text = day.isoformat()
            if text <= self.day and (best is None or text > best[0]):
                what = "first met" if key == "met" else "last contact (property)"
                best = (text, key, what, contact["path"], 1)
        return best

    def _days_to(self, day: str) -> int:
        ordinal = self._ordinals.get(day)
        if ordinal is None:
            ordinal = self._ordinals[day] = dt.date.fromisoformat(day).toordinal()
        return self.as_of.toordinal() - ordinal

    def _birthday(self, value: str | None) -> int | None:
        if not value:
            return None
        if value not in self._birthdays:
            parsed = parse_birthday(value)
            days = days_to_birthday(parsed[1], parsed[2], self.as_of) if parsed else None
            self._birthdays[value] = days
        return self._birthdays[value]


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
    for row in rows:
        # newest first; follow-ups without a due date last
        items = sorted(by_path[row.path], key=lambda b: (b.date is not None, b.date or ""))
        items.reverse()
        row.bring_up = tuple(items)
        row.events = tuple(events[row.path])
    return rows
