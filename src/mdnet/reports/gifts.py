"""The gift-reciprocity report: what you gave and received, so you give more than you take."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass

from .. import db

GIVEN = {"gift_given", "favor_given", "intro"}
RECEIVED = {"gift_received", "favor_received"}


@dataclass(frozen=True)
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


def gifts_report(
    conn: sqlite3.Connection, as_of: dt.date, since: dt.date | None = None
) -> list[GiftsRow]:
    """Rows for contacts with any gift, favour, ask, intro or paid item in [since, as_of],
    most owed first."""
    start = since.isoformat() if since else "0000-01-01"
    tallies: dict[int, dict] = {}
    for cid, kind, answer, date in db.ledger(conn, start, as_of.isoformat()):
        t = tallies.setdefault(cid, _empty_tally())
        if kind in GIVEN:
            t["given"] += 1
            t["last_given"] = max(t["last_given"] or "", date)
        elif kind in RECEIVED or (kind == "ask" and answer == "yes"):
            t["received"] += 1
            t["last_received"] = max(t["last_received"] or "", date)
        if kind == "ask":
            t["asks"] += 1
            t["declined"] += answer == "no"
            t["pending"] += answer is None
        elif kind == "paid":
            t["paid"] += 1
    rows = []
    for contact in db.contacts(conn):
        t = tallies.get(contact["note_id"])
        if t is None:
            continue
        balance = t["given"] - t["received"]
        status = "owe" if balance < 0 else "even" if balance == 0 else "giving"
        ideas = tuple(json.loads(contact["interests"])) if status == "owe" else ()
        rows.append(
            GiftsRow(
                name=contact["name"],
                path=contact["path"],
                balance=balance,
                status=status,
                gift_ideas=ideas,
                **t,
            )
        )
    rows.sort(key=lambda r: (r.balance, r.name.lower(), r.path))
    return rows


def _empty_tally() -> dict:
    return {
        "given": 0,
        "received": 0,
        "asks": 0,
        "declined": 0,
        "pending": 0,
        "paid": 0,
        "last_given": None,
        "last_received": None,
    }
