"""`mdnet export`: contacts as vCard 4.0, birthdays and reconnect dates as iCalendar.

UIDs derive from the contact's file name (its identity), so a calendar or an address
book that re-imports the file updates its entries instead of duplicating them."""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
import uuid
from pathlib import Path

from . import db
from .config import Config
from .dates import parse_birthday, parse_day
from .errors import RefusedError
from .importers import restored
from .rows import str_list

NAMESPACE = uuid.UUID("6f1f3c2e-5d0b-4a47-9d0e-6d6e65746e65")  # mdnet's own


def stable_uid(kind: str, identity: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{identity.lower()}"))


def _identity(contact: sqlite3.Row, shared: frozenset[str]) -> str:
    """What a contact's UIDs derive from: its file name in one Unicode form (a note
    renamed from NFD to NFC keeps them), or its path when another contact has the same
    file name (else both cards and both reminders had one UID). All of those use their
    paths: giving one of them the file-name UID would hand it to whichever came to
    rank first, and an address book would then overwrite one person's card with
    another's; a second Sam only makes the first one's card new (a stale copy at worst)."""
    from .parse import name_key

    key = name_key(contact["file_name"])
    return name_key(contact["path"][:-3]) if key in shared else key


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;").replace("\n", "\\n")


def _uri(value: str) -> str:
    """A URL as a card's value. A URI is not escaped (RFC 6350 3.4): its commas stay
    (https://a.example/x,y). A backslash, which no URI holds, is: readers (mdnet's too)
    take `\\n` in a URL for a line break and `\\:` for a colon."""
    return " ".join(value.split()).replace("\\", "\\\\")


def _fold(line: str) -> str:
    """RFC 6350 folding: lines of at most 75 octets, continued with a space."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts: list[str] = []
    current = b""
    for char in line:
        encoded = char.encode("utf-8")
        limit = 75 if not parts else 74
        if len(current) + len(encoded) > limit:
            parts.append(current.decode("utf-8"))
            current = b""
        current += encoded
    parts.append(current.decode("utf-8"))
    return "\r\n ".join(parts)


def intro_text(path: Path) -> str:
    """The text between a note's front matter and its first heading: what an import
    made of a card's NOTE, and what a person would call the note about someone."""
    from .edits import split_encoding
    from .parse import split_front_matter, split_lines

    try:
        _, _, text = split_encoding(path.read_bytes(), for_writing=False)
    except (OSError, RefusedError):
        return ""
    lines = split_lines(text.replace("\x00", "\ufffd"))  # as the index reads it
    start = split_front_matter(lines)[1]
    kept = []
    for line in lines[start:]:
        if line.startswith("#"):
            break
        kept.append(line)
    text = restored("\n".join(kept).strip())
    return text.encode("utf-8", "replace").decode("utf-8")


def _texts(value: object, note: Path, key: str) -> list[str]:
    """A property as text values. A lone number counts too, as the note spells it: YAML
    reads `phone: +447700900123` as 447700900123 and `title: 1.50` as 1.5 (str_list,
    made for names and tags, keeps only text)."""
    if _number(value):
        return [_as_written(note, key) or str(value)]
    if isinstance(value, list) and any(_number(v) for v in value):
        typed = _as_written_list(note, key)
        if len(typed) == len(value):  # item by item, as typed where YAML made a number
            value = [t if _number(v) else v for v, t in zip(value, typed, strict=True)]
    return str_list(value)


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _as_written_list(note: Path, key: str) -> list[str]:
    """The items of a top-level list property as typed: `key: [a, b]` or `- a` lines."""
    raw = _as_written(note, key)
    if raw is not None:
        inner = raw[1:-1] if raw.startswith("[") and raw.endswith("]") else ""
        return [item.strip().strip("\"'") for item in inner.split(",")] if inner else []
    lines = _front_matter(note)
    for index, line in enumerate(lines):
        if re.fullmatch(rf"{re.escape(key)}\s*:\s*(?:#.*)?", line):
            items = []
            for item in lines[index + 1 :]:
                if not item.strip() or item.lstrip().startswith("#"):
                    continue  # a blank or comment line between the items
                match = re.match(r"\s*-\s+", item)
                if not match:
                    break
                items.append(_uncommented(item[match.end() :]).strip("\"'"))
            return items
    return []


def _front_matter(note: Path) -> list[str]:
    from .parse import split_front_matter

    try:
        lines = note.read_text(encoding="utf-8-sig", errors="replace").splitlines()
    except OSError:
        return []
    return split_front_matter(lines)[0] or []


def _as_written(note: Path, key: str) -> str | None:
    """The value of a top-level `key: value` line of a note's front matter, as typed."""
    pattern = re.compile(rf"{re.escape(key)}\s*:\s*")
    for line in _front_matter(note)[::-1]:  # the last one counts
        match = pattern.match(line)
        value = _uncommented(line[match.end() :]) if match else ""
        if value:
            return value
    return None


def _uncommented(text: str) -> str:
    """A value without its ` # comment` and trailing blanks. Not one lazy regex: that
    tried every split of a long run of spaces (quadratic, 40 s for one line)."""
    comment = re.search(r"\s#", text)  # the first `#` after a blank starts the comment
    return (text[: comment.start()] if comment else text).rstrip()


def vcard_export(conn: sqlite3.Connection, vault: Path) -> str:
    cards = []
    shared = db.shared_file_names(conn)
    for contact in db.contacts(conn, with_properties=True):
        props = json.loads(contact["properties"])
        name = contact["name"]
        parts = name.rsplit(" ", 1)
        family, given = (parts[1], parts[0]) if len(parts) == 2 else (name, "")
        lines = [
            "BEGIN:VCARD",
            "VERSION:4.0",
            f"UID:urn:uuid:{stable_uid('contact', _identity(contact, shared))}",
            f"FN:{_escape(name)}",
            f"N:{_escape(family)};{_escape(given)};;;",
        ]
        aliases = json.loads(contact["aliases"])  # as links read them: text split at commas
        if aliases:
            lines.append("NICKNAME:" + ",".join(_escape(a) for a in aliases))
        note = vault / contact["path"]
        lines += [f"EMAIL:{_escape(e)}" for e in _texts(props.get("email"), note, "email")]
        lines += [f"TEL:{_escape(t)}" for t in _texts(props.get("phone"), note, "phone")]
        birthday = parse_birthday(contact["birthday"]) if contact["birthday"] else None
        if birthday:
            year, month, day = birthday
            lines.append(
                f"BDAY:{year:04}{month:02}{day:02}" if year else f"BDAY:--{month:02}{day:02}"
            )
        if contact["company"]:
            lines.append(f"ORG:{_escape(contact['company'])}")
        lines += [f"TITLE:{_escape(t)}" for t in _texts(props.get("title"), note, "title")[:1]]
        if contact["city"]:
            lines.append(f"ADR:;;;{_escape(contact['city'])};;;")
        lines += [
            f"URL:{_uri(u)}" for u in str_list(props.get("urls")) + str_list(props.get("url"))
        ]
        intro = intro_text(note)
        if intro:
            lines.append(f"NOTE:{_escape(intro)}")
        lines.append("END:VCARD")
        cards.append("\r\n".join(_fold(line) for line in lines) + "\r\n")
    return "".join(cards)


def ics_export(conn: sqlite3.Connection, config: Config, as_of: dt.date) -> str:
    """Yearly birthdays, and a reconnect reminder on each contact's due date (today for
    someone overdue or never contacted)."""
    from icalendar import Calendar, Event, vRecur

    from .reports.reconnect import every_row

    calendar = Calendar()
    calendar.add("prodid", "-//mdnet//relationship reminders//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "mdnet")
    stamp = dt.datetime.combine(as_of, dt.time(0, 0), tzinfo=dt.UTC)
    statuses = every_row(conn, config, as_of)
    shared = db.shared_file_names(conn)
    for contact in db.contacts(conn):
        name, identity = contact["name"], _identity(contact, shared)
        birthday = parse_birthday(contact["birthday"]) if contact["birthday"] else None
        if birthday:
            year, month, day = birthday
            event = Event()
            event.add("uid", f"birthday-{stable_uid('birthday', identity)}@mdnet")
            event.add("dtstamp", stamp)
            event.add("summary", f"{name}'s birthday")
            event.add(
                "dtstart", dt.date(year or 2000, month, 29 if (month, day) == (2, 29) else day)
            )
            # 29 February falls on 28 February in other years: the last day of February
            rule = (
                {"freq": "yearly", "bymonth": 2, "bymonthday": -1}
                if (month, day) == (2, 29)
                else {"freq": "yearly"}
            )
            event.add("rrule", vRecur(rule))
            event.add("transp", "TRANSPARENT")
            calendar.add_component(event)
        status = statuses[contact["note_id"]]
        if status.cadence_days is None:
            continue
        if status.last_contact:
            due = dt.date.fromisoformat(status.last_contact) + dt.timedelta(
                days=status.cadence_days
            )
            due = max(due, as_of)
        else:
            due = as_of
        snooze = parse_day(contact["snooze"]) if status.reason == "snoozed" else None
        if snooze is not None:  # no reminder before the snooze ends: on that day, then
            due = max(due, snooze)
        event = Event()
        event.add("uid", f"reconnect-{stable_uid('reconnect', identity)}@mdnet")
        event.add("dtstamp", stamp)
        event.add("summary", f"Reconnect with {name}")
        event.add("dtstart", due)
        last = f"last contact {status.last_contact}" if status.last_contact else "never contacted"
        event.add("description", f"{last}; every {status.cadence_days} days ({contact['path']})")
        calendar.add_component(event)
    return calendar.to_ical().decode("utf-8")
