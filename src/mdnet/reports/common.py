"""What the reports share: a contact's cadence, birthday and the source of a fact."""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass

from ..config import Config
from ..dates import days_to_birthday, parse_birthday, parse_duration


@dataclass(frozen=True)
class Source:
    """Where a fact was written: `path:line`."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


def cadence_days(config: Config, contact: sqlite3.Row) -> int | None:
    """The contact's `cadence`, else its circle's, else the default; None = never remind."""
    raw = contact["cadence"]
    if raw not in (None, ""):
        try:
            return parse_duration(raw)
        except ValueError:
            pass  # reported by `check`; fall back to the circle
    return config.cadence_for_circle(contact["circle"])


def birthday_in_days(contact: sqlite3.Row, as_of: dt.date) -> int | None:
    parsed = parse_birthday(contact["birthday"]) if contact["birthday"] else None
    if parsed is None:
        return None
    _, month, day = parsed
    return days_to_birthday(month, day, as_of)
