"""NAME → one contact: by file name, `name` or alias, case-insensitive."""

from __future__ import annotations

import difflib
import json
import sqlite3

from . import db
from .errors import NotFoundError
from .parse import name_key
from .rows import str_list


def find_contact(conn: sqlite3.Connection, name: str) -> sqlite3.Row:
    """The one contact NAME names; an error listing the nearest names for none or several."""
    wanted = name_key(name.strip().removesuffix(".md"))
    contacts = db.contacts(conn, with_properties=True)
    matches = []
    for contact in contacts:
        names = {
            contact["file_name"].lower(),
            contact["name"].lower(),
            contact["path"][:-3].lower(),
        }
        names.update(a.lower() for a in _aliases(contact))
        if wanted in names:
            matches.append(contact)
    if len(matches) == 1:
        return matches[0]
    if matches:
        listed = ", ".join(f"{c['name']} ({c['path']})" for c in matches)
        raise NotFoundError(f"{name!r} names {len(matches)} contacts: {listed}; use the file name")
    everyone = {c["name"]: c for c in contacts} | {c["file_name"]: c for c in contacts}
    near = difflib.get_close_matches(name, list(everyone), n=3, cutoff=0.5)
    near += [n for n in everyone if wanted and wanted in n.lower() and n not in near][:3]
    hint = f"; nearest: {', '.join(near[:5])}" if near else ""
    raise NotFoundError(f"no contact named {name!r}{hint}")


def _aliases(contact: sqlite3.Row) -> list[str]:
    return str_list(json.loads(contact["properties"]).get("aliases"))
