"""The reconnect report: who is overdue, who was never contacted, whose birthday is near."""

from __future__ import annotations

import datetime as dt
import json
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


@dataclass(slots=True)  # not frozen: the last two fields are filled in after the figures
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


class ReconnectMemo:
    """The rows of the last report, by contact, with the version of the summary each was
    made from. A long-lived caller (the watcher) passes the same memo each time: only
    contacts whose summary was written since are read again (after an edit, a few)."""

    def __init__(self) -> None:
        self.key: tuple = ()
        self.rows: dict[int, tuple[int, ReconnectRow | None]] = {}
        self.lines: dict[int, tuple[ReconnectRow, str]] = {}  # id(row) → (row, its line)


def reconnect_report(
    conn: sqlite3.Connection,
    config: Config,
    as_of: dt.date,
    city: str | None = None,
    memo: ReconnectMemo | None = None,
) -> list[ReconnectRow]:
    """Rows in SPEC order: overdue (most overdue relative to cadence first), never
    contacted (by name), then birthday-only (soonest first). With `city` (a trip), every
    contact there is listed: after those three groups, the others, longest unseen first."""
    trip = city.strip().lower() if city is not None else None
    status = Status(config, as_of, trip=trip is not None)
    with db.summary_as_of(conn, as_of.isoformat()):
        rows = _rows_by_contact(conn, status, trip, memo)
    groups: dict[str, list[ReconnectRow]] = {reason: [] for reason in LISTED}
    others: list[ReconnectRow] = []
    for row in rows:
        if row is not None:
            groups.get(row.reason, others).append(row)
    groups["overdue"].sort(
        key=lambda r: (-(r.days_since or 0) / (r.cadence_days or 1), r.name.lower(), r.path)
    )
    groups["never"].sort(key=lambda r: (r.name.lower(), r.path))
    groups["birthday"].sort(key=lambda r: (r.birthday_in_days, r.name.lower(), r.path))
    others.sort(key=lambda r: (-(r.days_since or 0), r.name.lower(), r.path))
    return groups["overdue"] + groups["never"] + groups["birthday"] + others


def _rows_by_contact(
    conn: sqlite3.Connection, status: Status, trip: str | None, memo: ReconnectMemo | None
) -> list[ReconnectRow | None]:
    """Each contact's row (None: not listed), made anew or taken from the memo."""

    def made(contact: sqlite3.Row) -> ReconnectRow | None:
        if trip is not None and (contact["city"] or "").strip().lower() != trip:
            return None
        return status.listed(contact)

    if memo is None:
        return [made(c) for c in db.contacts_with_summary(conn, db.RECONNECT_COLUMNS)]
    key = (db.generation(conn), id(status.config), status.as_of, trip)
    if memo.key != key:
        memo.key, memo.rows, memo.lines = key, {}, {}
    versions = db.summary_versions(conn)
    stale = [cid for cid, v in versions.items() if memo.rows.get(cid, (None,))[0] != v]
    fresh = db.contacts_with_summary(conn, db.RECONNECT_COLUMNS, only=stale)
    rows = {cid: entry for cid, entry in memo.rows.items() if cid in versions}
    rows.update((c["note_id"], (c["version"], made(c))) for c in fresh)
    memo.rows = rows
    return [row for _, row in rows.values()]


def last_touches(
    conn: sqlite3.Connection, config: Config, as_of: dt.date, contact_id: int | None = None
) -> dict[int, tuple]:
    """Each contact's (or one contact's) latest touchpoint; a mention counts too, unless
    the config turns mentions off."""
    day = as_of.isoformat()
    return db.last_touchpoints(conn, day, mentions=config.mentions, contact_id=contact_id)


def summary_touch(config: Config, c: sqlite3.Row) -> tuple | None:
    """A contact's latest touch (date, kind, text, path, line) as last_touches gives it,
    read from its summary columns (which hold as of the report's day: db.summary_as_of)."""
    best = None
    if c["touch_date"] is not None:
        best = (c["touch_date"], c["touch_kind"], c["touch_text"], c["touch_path"], c["touch_line"])
    mention = c["mention_date"]
    if config.mentions and mention is not None and (best is None or mention > best[0]):
        best = (mention, "mention", "", c["mention_path"], c["mention_line"])
    return best


def contact_status(
    config: Config, contact: sqlite3.Row, as_of: dt.date, touch: dict[int, tuple]
) -> ReconnectRow:
    """A contact's reconnect figures; `reason` says whether and why it is listed
    (overdue, never, birthday) or not (ok, snoozed, no_cadence)."""
    return Status(config, as_of).row(contact, touch.get(contact["note_id"]))


class Status:
    """Reconnect figures for many contacts on one day. Contacts share a few cadences,
    birthdays and days, so each is worked out once (a report has tens of thousands)."""

    def __init__(self, config: Config, as_of: dt.date, trip: bool = False) -> None:
        self.config = config
        self.as_of = as_of
        self.trip = trip  # list every contact (a trip to their city), not only the due
        self.day = as_of.isoformat()
        self._cadences: dict[tuple, int | None] = {}
        self._birthdays: dict[str, int | None] = {}
        self._ordinals: dict[str, int] = {}

    def figures(self, contact: sqlite3.Row, touch: tuple | None) -> tuple:
        """(reason, last touch (date, kind, text, path, line) or None, days since,
        cadence, overdue days, birthday in days)."""
        key = (contact["cadence"], contact["circle"])
        if key not in self._cadences:
            self._cadences[key] = cadence_days(self.config, contact)
        cadence = self._cadences[key]
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

    def listed(self, contact: sqlite3.Row) -> ReconnectRow | None:
        """The report row of a contact read with db.RECONNECT_COLUMNS, with what to bring
        up; None when the report does not list it (unless on a trip: `self.trip`)."""
        figures = self.figures(contact, summary_touch(self.config, contact))
        if figures[0] not in LISTED and not self.trip:
            return None
        row = self.row(contact, None, figures)
        life, follow_ups, events = contact["life"], contact["follow_ups"], contact["events"]
        row.bring_up = bring_up(
            json.loads(life) if life else [],
            json.loads(follow_ups) if follow_ups else [],
            self.as_of,
        )
        row.events = events_ahead(json.loads(events) if events else [], self.as_of)
        return row

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
    """The rows (a few: show, draft) with what to bring up and the events ahead, looked
    up in the index; `ids`: contact id by path."""
    owners = {contact_id: path for path, contact_id in ids.items()}
    life: dict[str, list] = {row.path: [] for row in rows}
    follow_ups: dict[str, list] = {row.path: [] for row in rows}
    events: dict[str, list] = {row.path: [] for row in rows}
    since = (as_of - dt.timedelta(days=LIFE_EVENT_DAYS)).isoformat()
    for cid, *item in db.life_events(conn, since, as_of.isoformat()):
        if owners.get(cid) in life:
            life[owners[cid]].append(item)
    for cid, *item in db.open_follow_ups(conn):
        if owners.get(cid) in follow_ups:
            follow_ups[owners[cid]].append(item)
    until = (as_of + dt.timedelta(days=UPCOMING_EVENT_DAYS)).isoformat()
    for cid, *item in db.upcoming_events(conn, as_of.isoformat(), until):
        if owners.get(cid) in events:
            events[owners[cid]].append(item)
    for row in rows:
        row.bring_up = bring_up(life[row.path], follow_ups[row.path], as_of)
        row.events = events_ahead(events[row.path], as_of)
    return rows


def bring_up(life: list, follow_ups: list, as_of: dt.date) -> tuple[BringUp, ...]:
    """#life items of the last year ([date, text, path, line]) and open follow-ups
    ([due, text, path, line]): newest first, follow-ups without a due date last."""
    since = (as_of - dt.timedelta(days=LIFE_EVENT_DAYS)).isoformat()
    day = as_of.isoformat()
    items = [
        BringUp("life", date, text, Source(path, line))
        for date, text, path, line in life
        if since < date <= day
    ]
    items += [
        BringUp("follow_up", due, text, Source(path, line)) for due, text, path, line in follow_ups
    ]
    items.sort(key=lambda b: (b.source.path, b.source.line))
    items.sort(key=lambda b: (b.date is not None, b.date or ""), reverse=True)  # stable
    return tuple(items)


def events_ahead(events: list, as_of: dt.date) -> tuple[Event, ...]:
    """Events ([title, date, end, city, path]) within the coming days, soonest first."""
    start, until = as_of.isoformat(), (as_of + dt.timedelta(days=UPCOMING_EVENT_DAYS)).isoformat()
    ahead = {tuple(e) for e in events if e[1] is not None and start <= e[1] <= until}
    return tuple(Event(*e) for e in sorted(ahead, key=lambda e: (e[1], e[4], e)))
