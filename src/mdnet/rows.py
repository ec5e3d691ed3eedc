"""A parsed note as plain tuples, ready for the index: built in the worker processes,
so the main process only numbers the rows and hands them to SQLite."""

from __future__ import annotations

import json
import re
from typing import Any, NamedTuple

from .dates import parse_birthday, parse_day, parse_duration
from .models import ParsedNote
from .parse import link_key, links_in, name_key


class NoteRows(NamedTuple):
    path: str
    is_contact: bool
    is_event: bool
    generated: bool
    date: str | None
    body_line: int
    properties: str  # JSON
    links: str  # JSON {key: first line}
    contact: tuple | None  # the contacts row without its id
    names: list[tuple[str, str]]  # (key, source)
    interactions: list[tuple]  # (line, date, text, kind, answer, tags, details, links JSON)
    tasks: list[tuple]  # (line, text, done, due, links JSON)
    event: tuple | None  # (date, end, city, title, attendees JSON)
    problems: list[tuple[str, int, str, str]]


def note_rows(note: ParsedNote) -> NoteRows:
    props = note.properties
    seen: dict[str, int] = {}
    for link in note.links:
        seen.setdefault(link.key, link.line)
    contact = names = None
    if note.is_contact:
        contact, names = _contact(note)
    event = _event(note) if note.is_event else None
    return NoteRows(
        path=note.path,
        is_contact=note.is_contact,
        is_event=note.is_event,
        generated=note.generated,
        date=note.date,
        body_line=note.body_line,
        properties=json.dumps(props, ensure_ascii=False) if props else "{}",
        links=json.dumps(seen, ensure_ascii=False) if seen else "{}",
        contact=contact,
        names=names or [],
        interactions=[
            (i.line, i.date, i.text, i.kind, i.answer, " ".join(i.tags), i.details, _keys(i.links))
            for i in note.interactions
        ],
        tasks=[(t.line, t.text, t.done, t.due, _keys(t.links)) for t in note.tasks],
        event=event,
        problems=[(p.path, p.line, p.level, p.message) for p in note.problems],
    )


def _keys(keys: tuple[str, ...]) -> str | None:
    return json.dumps(keys, ensure_ascii=False) if keys else None


def file_name(path: str) -> str:
    """A note's identity: its file name without `.md`."""
    return path.rsplit("/", 1)[-1][:-3]


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    return str(value)


def str_list(value: Any) -> list[str]:
    """A property that should be a list of text, as a list (a lone string is one item)."""
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, list):
        return [str(v) for v in value if isinstance(v, str | int | float) and str(v).strip()]
    return []


def _contact(note: ParsedNote) -> tuple[tuple, list[tuple[str, str]]]:
    props = note.properties
    own = file_name(note.path)
    name = props.get("name")
    name = name.strip() if isinstance(name, str) and name.strip() else own
    tags = [t.lstrip("#").lower() for t in str_list(props.get("tags"))]
    circle, met = _text(props.get("circle")), _text(props.get("met"))
    last_contact, snooze = _text(props.get("last_contact")), _text(props.get("snooze"))
    birthday = _text(props.get("birthday"))
    row = (
        own,
        name,
        circle,
        _text(props.get("cadence")),
        met,
        last_contact,
        birthday,
        snooze,
        _text(props.get("city")),
        _text(props.get("company")),
        json.dumps(str_list(props.get("interests")), ensure_ascii=False),
        json.dumps(tags, ensure_ascii=False),
        # The same, read once here so that reports work them out in SQL (db.RECONNECT).
        circle.lower() if circle is not None else None,
        _cadence_days(props.get("cadence")),
        _iso_day(met),
        _iso_day(last_contact),
        _iso_day(snooze),
        _month_day(birthday),
    )
    # Links resolve by file name, by the path's tail (`[[people/Jib]]`) and by alias.
    parts = name_key(note.path[:-3]).split("/")
    names = [
        ("/".join(parts[i:]), "file" if i == len(parts) - 1 else "path") for i in range(len(parts))
    ]
    for alias in str_list(props.get("aliases")):
        key = name_key(alias.strip())
        if key and key != parts[-1]:
            names.append((key, "alias"))
    return row, names


def _cadence_days(value: Any) -> int | None:
    """A `cadence` in days; 0 for `none`; None when unset or not a duration (`check` says
    so): the circle's cadence applies."""
    if value is None or value == "" or isinstance(value, dict | list):
        return None
    try:
        days = parse_duration(value)
    except ValueError:
        return None
    return 0 if days is None else days


def _iso_day(value: str | None) -> str | None:
    day = parse_day(value)
    return day.isoformat() if day is not None else None


def _month_day(value: str | None) -> str | None:
    """A birthday as `MM-DD` (any year, or none)."""
    parsed = parse_birthday(value)
    return f"{parsed[1]:02d}-{parsed[2]:02d}" if parsed is not None else None


DATED_TITLE = re.compile(r"^\d{4}-\d\d-\d\d\s*[-–—:]?\s*")


def _event(note: ParsedNote) -> tuple:
    props = note.properties
    title = props.get("title") or props.get("name")
    if not title:  # "2026-09-17 PyData Lisbon.md" → "PyData Lisbon"
        title = DATED_TITLE.sub("", file_name(note.path)) or file_name(note.path)
    attendees = []
    for value in str_list(props.get("attendees")):
        attendees += [key for key in (links_in(value) or [link_key(value)]) if key]
    attendees = list(dict.fromkeys(attendees))
    city = _text(props.get("city"))
    return (note.date, _text(props.get("end")), city, str(title), json.dumps(attendees))
