"""`mdnet show NAME`: one contact with its timeline, balance and follow-ups."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from . import db, render
from .config import Config
from .dates import parse_day
from .lookup import find_contact
from .reports.common import Source
from .reports.gifts import GiftsRow, gifts_report
from .reports.reconnect import BringUp, ReconnectRow, contact_row


@dataclass(frozen=True)
class TimelineItem:
    date: str
    kind: str
    answer: str | None
    text: str
    source: Source


@dataclass(frozen=True)
class ContactCard:
    name: str
    path: str
    as_of: str
    properties: dict[str, Any]
    status: ReconnectRow
    balance: GiftsRow
    timeline: tuple[TimelineItem, ...]
    follow_ups: tuple[BringUp, ...]


def show_contact(
    conn: sqlite3.Connection, config: Config, name: str, as_of: dt.date
) -> ContactCard:
    contact = find_contact(conn, name)
    status = contact_row(conn, config, as_of, contact["note_id"])
    day = as_of.isoformat()
    timeline = tuple(  # an item dated after as-of does not exist for the command (SPEC)
        TimelineItem(date, kind, answer, text, Source(path, line))
        for date, kind, answer, text, path, line in db.timeline(conn, contact["note_id"])
        if (config.mentions or kind != "mention") and date <= day
    )
    balance = next(iter(gifts_report(conn, as_of, contact_id=contact["note_id"])), None)
    if balance is None:  # nothing given or received yet: even, as `ask` says (not null)
        balance = GiftsRow(contact["name"], contact["path"], 0, 0, 0, "even", 0, 0, 0, 0,
                           None, None, (), None)  # fmt: skip
    follow_ups = tuple(b for b in status.bring_up if b.type == "follow_up")
    return ContactCard(
        name=contact["name"],
        path=contact["path"],
        as_of=day,
        properties=json.loads(contact["properties"]),
        status=status,
        balance=balance,
        timeline=timeline,
        follow_ups=follow_ups,
    )


BARS = " ▁▂▃▄▅▆▇█"


def sparkline(card: ContactCard, style: render.Style, months: int = 24) -> list[str]:
    """The last two years at a glance: touchpoints per month, and gifts and favours
    given (+), received (-) or both (±)."""
    end = dt.date.fromisoformat(card.as_of)
    keys = []
    year, month = end.year, end.month
    for _ in range(months):
        keys.append(f"{year:04}-{month:02}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    keys.reverse()
    touches = dict.fromkeys(keys, 0)
    given, received = set(), set()
    for item in card.timeline:
        key = item.date[:7]
        if key not in touches:
            continue
        if item.kind != "life":
            touches[key] += 1
        if item.kind in db.GIVEN_KINDS:
            given.add(key)
        if item.kind in db.RECEIVED_KINDS or (item.kind == "ask" and item.answer == "yes"):
            received.add(key)
    top = max(touches.values()) or 1
    bars = "".join(BARS[0 if n == 0 else max(1, round(n / top * 8))] for n in touches.values())
    marks = "".join(
        "±"
        if k in given and k in received
        else "+"
        if k in given
        else "-"
        if k in received
        else "·"
        for k in keys
    )
    return [
        style.bold(f"Last {months} months") + style.dim(f"  {keys[0]} … {keys[-1]}"),
        f"  touches  {bars}",
        f"  gifts    {marks}  (+ given, - received)",
    ]


def render_contact(card: ContactCard, fmt: str, color: bool, width: int | None = None) -> str:
    """The card as JSON, or as text drawn within `width` columns (default: the terminal's)."""
    if fmt == "json":
        return render.to_json(card)
    style = render.Style(color)
    width = width or render.terminal_width()
    lines = [style.bold(card.name) + style.dim(f"  {card.path}"), ""]
    lines += _property_lines(card.properties, width)
    lines += ["", *_summary_lines(card, width)]
    lines += ["", *sparkline(card, style), "", style.bold("Timeline")]
    lines += _timeline_lines(card.timeline, style, width)
    if card.follow_ups:
        lines += ["", style.bold("Follow-ups")]
        for f in card.follow_ups:
            due = f" ({render.due_words(f.date, card.as_of)})" if f.date else ""
            text = render.task_text(f.text) + due
            lines += with_source("  [ ] ", text, str(f.source), style, width)
    return "\n".join(lines) + "\n"


def _property_lines(properties: dict[str, Any], width: int) -> list[str]:
    lines = []
    for key, value in properties.items():
        if isinstance(value, list):
            shown = ", ".join(str(v) for v in value if v is not None)
        else:
            shown = value
        shown = "" if shown is None else str(shown)  # an empty property, not "None"
        head = f"  {key + ':':<14} "
        lines.append((head + render.clip(shown, max(width - len(head), 10))).rstrip())
    return lines


def _summary_lines(card: ContactCard, width: int) -> list[str]:
    s, b = card.status, card.balance
    cadence = render.cadence_words(s) if s.cadence_days else "none"
    last = f"{s.last_contact} ({render.ago(s.days_since)})" if s.last_contact else "never"
    status = [f"cadence: {cadence}", f"last contact: {last}", f"status: {_status_words(card)}"]
    balance = [
        f"given {b.given}",
        f"received {b.received}",
        f"balance {b.balance:+d} ({b.status})",
        f"asks {b.asks} (declined {b.declined}, pending {b.pending})",
    ]
    return packed(status, width) + packed(balance, width)


def _status_words(card: ContactCard) -> str:
    if card.status.reason == "no_cadence":
        return "no reminders (cadence none)"
    if card.status.reason == "snoozed":  # snoozed only by a valid day: parse_day reads it
        until = parse_day(card.properties.get("snooze"))
        return f"snoozed until {until.isoformat()}" if until else "snoozed"
    return render.why(card.status)


def packed(parts: list[str], width: int, indent: str = "  ") -> list[str]:
    """The parts joined by ` · `, on as few lines of `width` as they fit on."""
    lines, line = [], ""
    for part in parts:
        joined = f"{line} · {part}" if line else part
        if line and len(indent + joined) > width:
            lines.append(indent + line)
            joined = part
        line = joined
    return lines + [indent + line]


def _timeline_lines(
    timeline: tuple[TimelineItem, ...], style: render.Style, width: int
) -> list[str]:
    if not timeline:
        return ["  nothing logged yet"]
    kinds = [render.kind_words(i.kind) + (f" #{i.answer}" if i.answer else "") for i in timeline]
    kind_width = max(len(kind) for kind in kinds)
    lines = []
    for item, kind in zip(timeline, kinds, strict=True):
        head = f"  {item.date}  {kind:<{kind_width}}  "
        lines += with_source(head, item.text, str(item.source), style, width)
    return lines


def with_source(head: str, text: str, source: str, style: render.Style, width: int) -> list[str]:
    """`head` and `text`, with the `path:line` source at the right edge when the whole
    text leaves room for it; else the text gets the whole line (clipped) and the source a
    line of its own (a clipped path would name no file)."""
    text = " ".join(text.split())
    room = width - len(head)
    if len(text) + 2 + len(source) <= room:
        return [head + text + " " * (room - len(text) - len(source)) + style.dim(source)]
    line = (head + render.clip(text, room)).rstrip()
    return [line, " " * max(width - len(source), 0) + style.dim(source)]
