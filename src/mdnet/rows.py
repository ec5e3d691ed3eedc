"""A parsed note as plain tuples, ready for the index: built in the worker processes,
so that the main process hands them to SQLite as they are."""

from __future__ import annotations

import json
import posixpath
import re
from typing import Any

from .dates import parse_birthday, parse_day, parse_duration
from .models import ParsedNote
from .parse import link_key, links_in, list_property, name_key, note_tags

# A note's rows for every table, in plain tuples with the note's id in place, so that
# marshal can send them from a worker and the main process hands them to SQLite as they
# are: (notes row but its fingerprint, contacts row or None, names, interactions, tasks,
# events row or None, problems). Each row is in its table's column order; interactions
# leave out their id (SQLite numbers them) and tasks leave out theirs (see db.Batch).
NoteRows = tuple


def note_rows(note: ParsedNote, note_id: int) -> NoteRows:
    props = note.properties
    if any(link.key.startswith(".") for link in note.links) or any(
        key.startswith(".") for task in note.tasks for key in task.links
    ):
        _resolve_relative_links(note)
    seen: dict[str, int] = {}
    for link in note.links:
        seen.setdefault(link.key, link.line)
    mentioned = _mention_links(note)
    contact = None
    names: list[tuple[str, int, str]] = []
    if note.is_contact:
        contact, names = _contact(note, note_id)
    event = (note_id, *_event(note)) if note.is_event else None
    head = (
        note.is_contact,
        note.is_event,
        note.generated,
        note.date,
        note.body_line,
        _json(props) if props else "{}",
        _json(seen) if seen else "{}",
        mentioned,
    )
    interactions = [
        (note_id, line, day, text, kind, answer, " ".join(tags), details, _keys(links))
        for line, day, text, kind, answer, tags, links, details in note.interactions
    ]
    tasks = [
        (note_id, line, text, done, due, _keys(links))
        for line, text, done, due, links in note.tasks
    ]
    problems = [(note_id, p.path, p.line, p.level, p.message) for p in note.problems]
    return head, contact, names, interactions, tasks, event, problems


def _mention_links(note: ParsedNote) -> str | None:
    """The note's links but those only in open tasks, as JSON; None when that is all of
    them. An open task is a reminder ("- [ ] call [[Carla]]"), not contact: it is her
    follow-up and gives no mention (a done one does)."""
    open_lines = {task.line for task in note.tasks if not task.done}
    if not open_lines or not any(link.line in open_lines for link in note.links):
        return None
    kept: dict[str, int] = {}
    for link in note.links:
        if link.line not in open_lines:
            kept.setdefault(link.key, link.line)
    return _json(kept)


def _resolve_relative_links(note: ParsedNote) -> None:
    """Links written relative to the note (`../people/Afi Doe.md`, as Obsidian writes them
    with "Relative path to file") as paths from the vault's root, which `names` holds."""
    folder = name_key(note.path).rpartition("/")[0]

    def resolved(key: str) -> str:
        if not key.startswith(("./", "../")):
            return key
        path = posixpath.normpath(posixpath.join(folder, key))
        return key if path.startswith("../") or path == ".." else path

    note.links[:] = [link._replace(key=resolved(link.key)) for link in note.links]
    note.interactions[:] = [
        item._replace(links=tuple(dict.fromkeys(map(resolved, item.links))))
        for item in note.interactions
    ]
    note.tasks[:] = [
        task._replace(links=tuple(dict.fromkeys(map(resolved, task.links)))) for task in note.tasks
    ]


# json.dumps builds an encoder at each call: one made once is the same, for less.
_json = json.JSONEncoder(ensure_ascii=False).encode


def _keys(keys: tuple[str, ...]) -> str | None:
    """A JSON list of link keys. Keys are almost always plain text, which is quoted as it
    is: the rows of 300 contacts take 73 M instructions so, 90 M with the encoder."""
    if not keys:
        return None
    joined = '","'.join(keys)
    if '"' in joined or "\\" in joined or not joined.isprintable():
        return _json(keys)
    return f'["{joined}"]'


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


def _contact(note: ParsedNote, note_id: int) -> tuple[tuple, list[tuple[str, int, str]]]:
    props = note.properties
    own = file_name(note.path)
    name = props.get("name")
    name = name.strip() if isinstance(name, str) and name.strip() else own
    tags = note_tags(props)
    circle, met = _text(props.get("circle")), _text(props.get("met"))
    last_contact, snooze = _text(props.get("last_contact")), _text(props.get("snooze"))
    birthday = _text(props.get("birthday"))
    row = (
        note_id,
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
        _json(list_property(props, "interests")),
        _json(tags),
        # The same, read once here so that reports work them out in SQL (db.RECONNECT).
        circle.lower() if circle is not None else None,
        _cadence_days(props.get("cadence")),
        _iso_day(met),
        _iso_day(last_contact),
        _iso_day(snooze),
        _month_day(birthday),
        note.property_lines.get("met"),
        note.property_lines.get("last_contact"),
        _json(list_property(props, "aliases")),
    )
    # Links resolve by file name, by the path's tail (`[[people/Jib]]`) and by alias.
    keys = path_keys(note.path)
    names = [(key, note_id, "path") for key in keys[:-1]] + [(keys[-1], note_id, "file")]
    for alias in list_property(props, "aliases"):
        key = name_key(alias.strip())
        if key and key != keys[-1]:
            names.append((key, note_id, "alias"))
    return row, names


def path_keys(path: str) -> list[str]:
    """The names a note's path gives it: each tail of its path, the file name last."""
    parts = name_key(path[:-3]).split("/")
    return ["/".join(parts[i:]) for i in range(len(parts))]


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
    end = _iso_day(_text(props.get("end"))) or _text(props.get("end"))  # a day, if it is one
    return (note.date, end, city, str(title), json.dumps(attendees))
