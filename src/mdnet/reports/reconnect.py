"""The reconnect report: who is overdue, who was never contacted, whose birthday is near."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass, field

from .. import db
from ..config import Config
from .common import Source, by_name

LIFE_EVENT_DAYS, UPCOMING_EVENT_DAYS = db.LIFE_EVENT_DAYS, db.UPCOMING_EVENT_DAYS


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
    with db.summary_as_of(conn, as_of.isoformat()):
        rows = _rows_by_contact(conn, config, as_of, trip, memo)
    listed = [row for row in rows if row is not None]
    listed.sort(
        key=lambda r: (
            _order(r.reason, r.days_since, r.cadence_days, r.birthday_in_days, r.name) + (r.path,)
        )
    )
    return listed


def reconnect_json_rows(
    conn: sqlite3.Connection, config: Config, as_of: dt.date, city: str | None = None
) -> list[str]:
    """The report's rows as JSON text, in the same order: what render.plain makes of
    reconnect_report's rows, made by the index (a report has thousands of rows)."""
    trip = city.strip().lower() if city is not None else None
    with db.summary_as_of(conn, as_of.isoformat()):
        figures = _figures(conn, config, as_of, listed_only=trip is None, as_json=True)
    if trip is not None:
        figures = [f for f in figures if (f[CITY] or "").strip().lower() == trip]
    figures.sort(key=lambda f: _order(*(f[i] for i in ORDER_BY)) + (f[PATH],))
    return [f[-1] for f in figures]


def _order(
    reason: str, days_since: int | None, cadence: int | None, birthday: int | None, name: str
) -> tuple:
    """SPEC order: overdue (most overdue relative to cadence first), never contacted (by
    name), birthday (soonest first), then the others (a trip's), longest unseen first."""
    if reason == "overdue":
        return (0, -(days_since or 0) / (cadence or 1), by_name(name))
    if reason == "never":
        return (1, 0, by_name(name))
    if reason == "birthday":
        return (2, birthday, by_name(name))
    return (3, -(days_since or 0), by_name(name))


def contact_row(
    conn: sqlite3.Connection, config: Config, as_of: dt.date, contact_id: int
) -> ReconnectRow:
    """One contact's figures and what to bring up, listed or not (show, draft)."""
    with db.summary_as_of(conn, as_of.isoformat()):
        (figures,) = _figures(conn, config, as_of, listed_only=False, only=[contact_id])
    return _row(figures, as_of)


def every_row(conn: sqlite3.Connection, config: Config, as_of: dt.date) -> dict[int, ReconnectRow]:
    """Every contact's figures, listed or not, by contact id (the calendar export)."""
    with db.summary_as_of(conn, as_of.isoformat()):
        figures = _figures(conn, config, as_of, listed_only=False)
    return {f[0]: _row(f, as_of) for f in figures}


def _figures(
    conn: sqlite3.Connection,
    config: Config,
    as_of: dt.date,
    listed_only: bool = True,
    only: list[int] | None = None,
    as_json: bool = False,
) -> list[tuple]:
    return db.reconnect_figures(
        conn,
        as_of,
        config.mentions,
        config.circles,
        config.default_cadence,
        config.birthday_horizon,
        listed_only=listed_only,
        only=only,
        as_json=as_json,
    )


def _rows_by_contact(
    conn: sqlite3.Connection,
    config: Config,
    as_of: dt.date,
    trip: str | None,
    memo: ReconnectMemo | None,
) -> list[ReconnectRow | None]:
    """Each listed contact's row (None: not listed), made anew or taken from the memo.
    The index works out who is listed: only those rows are made here."""

    def made(figures: tuple) -> ReconnectRow | None:
        if trip is not None and (figures[CITY] or "").strip().lower() != trip:
            return None
        return _row(figures, as_of)

    listed_only = trip is None  # on a trip, everyone in that city is listed
    if memo is None:
        return [made(f) for f in _figures(conn, config, as_of, listed_only)]
    key = (db.generation(conn), id(config), as_of, trip)
    if memo.key != key:
        memo.key, memo.rows, memo.lines = key, {}, {}
    versions = db.summary_versions(conn)
    stale = [cid for cid, v in versions.items() if memo.rows.get(cid, (None,))[0] != v]
    fresh = _figures(
        conn, config, as_of, listed_only, only=None if len(stale) == len(versions) else stale
    )
    rows = {cid: entry for cid, entry in memo.rows.items() if cid in versions}
    rows.update((cid, (versions[cid], None)) for cid in stale)  # until found listed
    rows.update((f[0], (f[VERSION], made(f))) for f in fresh)
    memo.rows = rows
    return [row for _, row in rows.values()]


# Positions in a row of db.reconnect_figures (see _row): id, name, path, version, circle,
# city, reason, cadence, last, days since, overdue, birthday, ...
PATH, VERSION, CITY = 2, 3, 5
ORDER_BY = (6, 9, 7, 11, 1)  # _order's: reason, days since, cadence, birthday, name
DATED_PROPERTY = {"met": "first met", "last_contact": "last contact (property)"}


def _row(figures: tuple, as_of: dt.date) -> ReconnectRow:
    """A row of db.reconnect_figures as a report row, with what to bring up. The lists
    are read only when they hold something recent enough (most #life items are old, most
    events past)."""
    (_, name, path, _, circle, _, reason, cadence, last, days_since, overdue, birthday, src,
     kind, text, touch_path, touch_line, mention_path, mention_line,
     life, follow_ups, events, life_latest, events_latest, met_line,
     last_contact_line) = figures[:26]  # fmt: skip
    day = as_of.isoformat()
    if not life or life_latest <= (as_of - dt.timedelta(days=LIFE_EVENT_DAYS)).isoformat():
        life = None
    if not events or events_latest is None or events_latest < day:  # None: all undated
        events = None
    interaction = None
    if src == "touch":
        interaction = LastInteraction(last, kind, text, Source(touch_path, touch_line))
    elif src == "mention":
        interaction = LastInteraction(last, "mention", "", Source(mention_path, mention_line))
    elif src is not None:
        line = met_line if src == "met" else last_contact_line
        interaction = LastInteraction(last, src, DATED_PROPERTY[src], Source(path, line or 1))
    return ReconnectRow(
        name=name,
        path=path,
        reason=reason,
        circle=circle,
        last_contact=last,
        days_since=days_since,
        cadence_days=cadence,
        overdue_days=overdue,
        birthday_in_days=birthday,
        last_interaction=interaction,
        bring_up=bring_up(
            json.loads(life) if life else [], json.loads(follow_ups) if follow_ups else [], as_of
        ),
        events=events_ahead(json.loads(events) if events else [], as_of),
    )


def bring_up(life: list, follow_ups: list, as_of: dt.date) -> tuple[BringUp, ...]:
    """#life items of the last year ([date, text, path, line]) and open follow-ups
    ([due, text, path, line]): newest first, follow-ups without a due date last."""
    since = (as_of - dt.timedelta(days=LIFE_EVENT_DAYS)).isoformat()
    day = as_of.isoformat()
    if not life and not follow_ups:
        return ()
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
    if not events:
        return ()
    start, until = as_of.isoformat(), (as_of + dt.timedelta(days=UPCOMING_EVENT_DAYS)).isoformat()
    ahead = {tuple(e) for e in events if e[1] is not None and start <= e[1] <= until}
    return tuple(Event(*e) for e in sorted(ahead, key=lambda e: (e[1], e[4], e)))
