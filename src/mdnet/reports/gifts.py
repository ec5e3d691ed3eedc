"""The gift-reciprocity report: what you gave and received, so you give more than you take."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass

from .. import db
from .common import by_name


@dataclass(slots=True)
class GiftsRow:
    name: str
    path: str
    given: int
    received: int
    balance: int
    status: str  # "owe", "even", "giving"
    asks: int
    declined: int
    pending: int
    paid: int
    last_given: str | None
    last_received: str | None
    gift_ideas: tuple[str, ...]
    last_declined: str | None  # the latest ask answered #no: "no" is a complete sentence


def gifts_report(
    conn: sqlite3.Connection,
    as_of: dt.date,
    since: dt.date | None = None,
    contact_id: int | None = None,
) -> list[GiftsRow]:
    """Rows for contacts (or the one `contact_id`) with any gift, favour, ask, intro or
    paid item in [since, as_of], most owed first."""
    whole = since is None and contact_id is None  # one contact: its touches are quicker
    if whole:
        with db.summary_as_of(conn, as_of.isoformat()):
            contacts = db.contacts_with_summary(conn, db.GIFTS_COLUMNS)
    else:
        contacts = db.contacts(conn, note_id=contact_id)
    tallies = _tallies(contacts) if whole else _ledger(conn, as_of, since, contacts)
    rows = []
    for contact in contacts:
        tally = tallies.get(contact["note_id"])
        if tally is None:
            continue
        given, received, asks, declined, pending, paid, last_given, last_received, last_no = tally
        balance = given - received
        status = "owe" if balance < 0 else "even" if balance == 0 else "giving"
        ideas = tuple(json.loads(contact["interests"])) if status == "owe" else ()
        rows.append(
            GiftsRow(
                name=contact["name"],
                path=contact["path"],
                given=given,
                received=received,
                balance=balance,
                status=status,
                asks=asks,
                declined=declined,
                pending=pending,
                paid=paid,
                last_given=last_given,
                last_received=last_received,
                gift_ideas=ideas,
                last_declined=last_no,
            )
        )
    rows.sort(key=lambda r: (r.balance, by_name(r.name), r.path))
    return rows


def gifts_json_rows(conn: sqlite3.Connection, as_of: dt.date) -> list[str]:
    """The rows of gifts_report for all time as JSON text, in the same order: what
    render.plain makes of them, made by the index (a report has thousands of rows)."""
    with db.summary_as_of(conn, as_of.isoformat()):
        rows = db.gifts_json(conn)
    rows.sort(key=lambda r: (r[0], by_name(r[1]), r[2]))
    return [r[3] for r in rows]


def _tallies(contacts: list[sqlite3.Row]) -> dict[int, tuple]:
    """contact id → (given, received, asks, declined, pending, paid, last given, last
    received, last declined) for all time, from the contacts' summaries."""
    first = 5  # id, name, path, version, interests, then the ledger columns (db.GIFTS_COLUMNS)
    return {c[0]: c[first:] for c in contacts if c[first] is not None}


def _ledger(
    conn: sqlite3.Connection, as_of: dt.date, since: dt.date | None, contacts: list[sqlite3.Row]
) -> dict[int, tuple]:
    """The same from the touches in [since, as_of] of these contacts."""
    start = since.isoformat() if since else "0000-01-01"
    only = contacts[0]["note_id"] if len(contacts) == 1 else None
    wanted = {c["note_id"] for c in contacts}
    rows = db.ledger(conn, start, as_of.isoformat(), only)
    return {row[0]: row[1:] for row in rows if row[0] in wanted}
