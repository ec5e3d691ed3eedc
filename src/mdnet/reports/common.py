"""What the reports share: a contact's cadence and the source of a fact."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from ..config import Config
from ..dates import parse_duration


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
