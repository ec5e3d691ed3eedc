"""`mdnet intros`: introductions worth making (being a connector is a superpower)."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations

from .. import db

MAX_GROUP = 40  # an interest shared by more people than this makes no intro special
IGNORED_TAGS = {"person"}


@dataclass(frozen=True)
class IntroPair:
    a: str
    b: str
    a_path: str
    b_path: str
    shared: tuple[str, ...]
    score: float


def intro_pairs(
    conn: sqlite3.Connection, as_of: dt.date, limit: int | None = None
) -> list[IntroPair]:
    """Pairs who share interests (or a city and a tag), not yet linked from either note,
    introduced or seen together, best first. Pairs come from an index by interest, never from
    all pairs of contacts."""
    contacts = {c["note_id"]: c for c in db.contacts(conn)}
    groups: dict[str, set[int]] = defaultdict(set)
    cities: dict[str, str] = {}  # "bristol" is "Bristol": shown as first written
    for cid, contact in contacts.items():
        for interest in json.loads(contact["interests"]):
            groups[f"interest: {interest.strip().lower()}"].add(cid)
        city = (contact["city"] or "").strip()
        if city:
            shown = cities.setdefault(city.lower(), city)
            for tag in json.loads(contact["tags"]):
                if tag not in IGNORED_TAGS:
                    groups[f"city: {shown} + tag: {tag}"].add(cid)
    shared: dict[tuple[int, int], list[str]] = defaultdict(list)
    for label, members in groups.items():
        if 2 <= len(members) <= MAX_GROUP:
            for pair in combinations(sorted(members), 2):
                shared[pair].append(label)
    known = _already_connected(conn, as_of)
    pairs = []
    for (x, y), labels in shared.items():
        if (x, y) in known:
            continue
        # rarer common ground is worth more: a shared niche beats a shared city
        score = round(sum(1.0 / len(groups[label]) ** 0.5 for label in labels) * 10, 2)
        a, b = sorted((contacts[x], contacts[y]), key=lambda c: (c["name"].lower(), c["path"]))
        pairs.append(
            IntroPair(a["name"], b["name"], a["path"], b["path"], tuple(sorted(labels)), score)
        )
    pairs.sort(key=lambda p: (-p.score, p.a.lower(), p.b.lower()))
    return pairs[:limit]


def _already_connected(conn: sqlite3.Connection, as_of: dt.date) -> set[tuple[int, int]]:
    """Pairs linked from either note, or named together by a dated line up to as-of: an
    #intro item (a planned introduction is not made yet), or any item or mention that
    has them together (a game night with both: they know each other)."""
    known: set[tuple[int, int]] = {(min(x, y), max(x, y)) for x, y in db.contact_links(conn)}
    for group in db.seen_together(conn, as_of.isoformat()):
        ids = sorted({int(x) for x in group.split(",")})
        known.update((x, y) for x, y in combinations(ids, 2))
    return known
