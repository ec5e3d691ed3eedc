"""Dates and durations as the vault writes them: ISO days, `90d`, `monthly`, birthdays."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

NAMED_DURATIONS = {"weekly": 7, "biweekly": 14, "monthly": 30, "quarterly": 90, "yearly": 365}
UNIT_DAYS = {"d": 1, "w": 7, "m": 30, "y": 365}
MAX_DURATION_DAYS = 100 * 365  # longer is a typo (and would not fit the index's integers)
_DURATION = re.compile(r"^\s*(\d+)\s*([dwmy])\s*$", re.IGNORECASE)
# A day, or a day and time as Obsidian's "Date & time" property writes it (2025-06-28T18:30)
# and YAML's timestamps (2025-06-28 18:30:00+02:00): the day is what counts.
_ISO_DAY = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[Tt ](?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?"
    r"(?:[ ]?(?:Z|z|[+-](?:[01]\d|2[0-3])(?::?[0-5]\d)?))?)?$"
)
_BIRTHDAY = re.compile(r"^(?:(\d{4})-|--)?(\d{2})-(\d{2})$")
# A task's due date as the Obsidian Tasks plugin writes it (here, not in parse, so that
# rendering a report does not import the parser).
DUE = re.compile(r"📅\ufe0f?[ \t]*(\d{4}-\d\d-\d\d)")


def parse_day(value: object) -> dt.date | None:
    """An ISO `YYYY-MM-DD` (str or date; a time after it is left out) as a date; None
    when absent or impossible."""
    if isinstance(value, str):
        return _parse_day_text(value)
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return None


@lru_cache(maxsize=65536)  # reports look up the same few thousand days for every contact
def _parse_day_text(value: str) -> dt.date | None:
    match = _ISO_DAY.match(value.strip())
    if not match:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


@lru_cache(maxsize=65536)  # a vault repeats the same few thousand days
def is_valid_day(text: str) -> bool:
    return parse_day(text) is not None


def parse_duration(value: object) -> int | None:
    """Days in a duration (`30d`, `2w`, `3m`, `1y`, `monthly`, or a bare number of days).

    Returns None for `none` (never remind) and raises ValueError for anything else.
    """
    if isinstance(value, bool):
        raise ValueError(f"not a duration: {value!r}")
    if isinstance(value, int) and value > 0:
        return _at_most_a_century(value)
    text = str(value).strip().lower()
    if text in ("none", "never"):
        return None
    if text in NAMED_DURATIONS:
        return NAMED_DURATIONS[text]
    match = _DURATION.match(text)
    if match and int(match[1]) > 0:
        return _at_most_a_century(int(match[1]) * UNIT_DAYS[match[2].lower()])
    raise ValueError(
        f"not a duration: {value!r} (use 30d, 2w, 3m, 1y, weekly, biweekly, monthly, "
        "quarterly, yearly or none)"
    )


def _at_most_a_century(days: int) -> int:
    if days > MAX_DURATION_DAYS:
        raise ValueError(f"{days} days is longer than 100 years")
    return days


def parse_birthday(value: object) -> tuple[int | None, int, int] | None:
    """`YYYY-MM-DD`, `MM-DD` or `--MM-DD` as (year or None, month, day); None if invalid."""
    if isinstance(value, dt.date):
        return value.year, value.month, value.day
    if not isinstance(value, str):
        return None
    return _parse_birthday_text(value)


def birthday_mistake(value: object) -> str:
    """What is wrong with a birthday that parse_birthday refuses, said for `check`."""
    match = _BIRTHDAY.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        return "is not YYYY-MM-DD, MM-DD or --MM-DD"
    if match[1] and (match[2], match[3]) == ("02", "29"):
        return f"is not a real day: {match[1]} is not a leap year"
    return "is not a real day"


@lru_cache(maxsize=65536)
def _parse_birthday_text(value: str) -> tuple[int | None, int, int] | None:
    match = _BIRTHDAY.match(value.strip())
    if not match:
        return None
    year = int(match[1]) if match[1] else None
    month, day = int(match[2]), int(match[3])
    try:
        dt.date(year or 2000, month, day)  # 2000 is a leap year: 02-29 is valid without a year
    except ValueError:
        return None
    return year, month, day
