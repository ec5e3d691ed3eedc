"""`mdnet ask`: the first-date rule, and whether an ask is concrete enough to say yes to."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from dataclasses import dataclass

from .. import db
from ..config import Config
from ..dates import parse_day
from .common import DECLINED_DAYS
from .gifts import gifts_report

PENDING_DAYS = 30  # a pending ask younger than this: wait for the answer
MIN_WORDS = 6

# Phrases that make an ask vague, each with how to make it concrete.
VAGUE = {
    "pick your brain": "say which question you want answered",
    "any advice": "ask one specific question",
    "help me out": "name the one thing you need done",
    "touch base": "say what you want to decide together",
    "hop on a call": "say what the call is for and how long (15 minutes?)",
    "jump on a call": "say what the call is for and how long",
    "anything you can do": "name the one thing they could do",
    "grab a coffee": "say what you would like to talk about",
    "catch up sometime": "propose a day",
    "let me know if": "ask a yes/no question",
    "keep me in mind": "say what to keep you in mind for, and until when",
    "any thoughts": "ask for feedback on one named thing",
    "get your thoughts": "name the thing you want thoughts on",
    "bounce some ideas": "send the one idea and the question",
    "chat about": "say what you want to decide",
    "connect with anyone": "name the person or the kind of person",
    "open to": "ask for a yes or no on a named thing",
    "whenever you have time": "propose a time and a length",
    "at some point": "propose a date",
    "some help": "name the help",
    "a favor": "name the favour",
    "a favour": "name the favour",
    "leverage your network": "name the person you want to meet and why",
    "learn more about": "ask the one question you want answered",
}
# Of those, the ones that only frame an ask: vague when nothing in it names a time or a
# thing to deliver ("open to reviewing my draft by Friday" is concrete).
VAGUE_WITHOUT_SPECIFICS = frozenset(
    {
        "hop on a call",
        "jump on a call",
        "grab a coffee",
        "let me know if",
        "get your thoughts",
        "chat about",
        "connect with anyone",
        "open to",
        "a favor",
        "a favour",
        "learn more about",
    }
)
# Whole words only: "a favor" is not in "a favorite", nor "some help" in "awesome help".
VAGUE_PHRASES = {phrase: re.compile(rf"\b{re.escape(phrase)}\b") for phrase in VAGUE}
TIME_OR_DELIVERABLE = re.compile(
    r"\d|\b(today|tomorrow|tonight|monday|tuesday|wednesday|thursday|friday|saturday|sunday"
    r"|week|month|minutes?|hours?|deadline|by|before|until|draft|review|intro(duce|duction)?"
    r"|letter|reference|quote|feedback on|read|sign|send)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class AskCheck:
    name: str
    path: str
    as_of: str
    ready: bool
    reasons: tuple[str, ...]
    warnings: tuple[str, ...]
    prior_days: int
    balance: int


def check_ask(
    conn: sqlite3.Connection, config: Config, contact: sqlite3.Row, as_of: dt.date, text: str | None
) -> AskCheck:
    day = as_of.isoformat()
    cid = contact["note_id"]
    days = set(db.touch_days(conn, cid, day, mentions=config.mentions))
    for key in ("met", "last_contact"):  # both count as touchpoints
        prop = parse_day(contact[key])
        if prop is not None and prop < as_of:
            days.add(prop.isoformat())
    reasons = []
    asks = db.asks_of(conn, cid, day)
    if len(days) < 2:
        reasons.append(_first_date_reason(days, asks, as_of))
    for date, answer, _text, path, line in asks:
        age = (as_of - dt.date.fromisoformat(date)).days
        if answer is None and age < PENDING_DAYS:
            reasons.append(f"an ask of {date} is still open ({path}:{line}): wait for the answer")
        if answer == "no" and age < DECLINED_DAYS:
            until = dt.date.fromisoformat(date) + dt.timedelta(days=DECLINED_DAYS)
            reasons.append(
                f"they said no on {date} ({path}:{line}); no is a complete sentence: "
                f"do not ask again before {until.isoformat()}"
            )
    rows = gifts_report(conn, as_of, contact_id=cid)
    balance = rows[0].balance if rows else 0
    return AskCheck(
        name=contact["name"],
        path=contact["path"],
        as_of=day,
        ready=not reasons,
        reasons=tuple(reasons),
        warnings=tuple(concreteness_warnings(text)) if text is not None else (),
        prior_days=len(days),
        balance=balance,
    )


def _first_date_reason(days: set[str], asks: list, as_of: dt.date) -> str:
    """ "You have never met" was said of someone met, and asked, yesterday: an ask is no
    meeting for this rule, but it says that it was one (found by an audit)."""
    before = "today" if as_of == dt.date.today() else as_of.isoformat()
    if days:
        met = f"you have met only once before {before} ({min(days)})"
    elif asks:
        met = f"you have logged nothing but asks before {before} (from {asks[0][0]})"
    else:
        met = f"you have no meeting logged before {before}"
    return f"first-date rule: {met}; build the relationship first (never ask on the first or second meeting)"


def concreteness_warnings(text: str) -> list[str]:
    """Warnings for a vague ask, each saying how to make it concrete."""
    lowered = " ".join(text.lower().split())
    specific = TIME_OR_DELIVERABLE.search(text) is not None
    warnings = [
        f'"{phrase}" is vague: {VAGUE[phrase]}'
        for phrase, pattern in VAGUE_PHRASES.items()
        if pattern.search(lowered) and not (specific and phrase in VAGUE_WITHOUT_SPECIFICS)
    ]
    words = re.findall(r"[\w'’-]+", text)
    if len(words) < MIN_WORDS:
        counted = f"{len(words)} word{'' if len(words) == 1 else 's'}"
        warnings.append(f"only {counted}: say what you need, by when, and why them")
    if not specific:
        warnings.append(
            "no deliverable or time: name the thing (a 15-minute call, a review of a draft, "
            "an intro to a named person) and when"
        )
    return warnings
