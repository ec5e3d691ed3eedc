"""NAME → one contact: by file name, path, alias or `name`, case-insensitive."""

from __future__ import annotations

import difflib
import sqlite3

from . import db
from .errors import NotFoundError
from .parse import name_key


def find_contact(conn: sqlite3.Connection, name: str) -> sqlite3.Row:
    """The one contact NAME names; an error listing the nearest names for none or several.

    File names, paths and aliases are the keys links resolve by (the `names` table, in
    one Unicode form and lower case); the display `name` is compared the same way."""
    wanted = name_key(name.strip().removesuffix(".md"))
    by_key = db.contacts_with_key(conn, wanted)
    contacts = db.contacts(conn)
    matches = [c for c in contacts if c["note_id"] in by_key or name_key(c["name"]) == wanted]
    if len(matches) == 1:
        return db.contacts(conn, with_properties=True, note_id=matches[0]["note_id"])[0]
    if matches:
        listed = ", ".join(f"{c['name']} ({c['path']})" for c in matches)
        example = matches[0]["path"].removesuffix(".md")
        raise NotFoundError(
            f"{name!r} names {len(matches)} contacts: {listed}; name one by its path, "
            f"e.g. {example!r}"
        )
    note = _note_named(conn, wanted)
    if note is not None:  # its items were lost without a word (found by an audit)
        raise NotFoundError(
            f"{note} is a note but no contact: give it `tags: [person]` in its front matter, "
            "or move it into the people folder"
        )
    everyone = {c["name"]: c for c in contacts} | {c["file_name"]: c for c in contacts}
    near = difflib.get_close_matches(name, list(everyone), n=3, cutoff=0.5)
    near += [n for n in everyone if wanted and wanted in n.lower() and n not in near][:3]
    hint = f"; nearest: {', '.join(near[:5])}" if near else ""
    raise NotFoundError(f"no contact named {name!r}{hint}")


def _note_named(conn: sqlite3.Connection, wanted: str) -> str | None:
    """The path of a note (no contact) whose file name, or path, is `wanted`."""
    pattern = wanted.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    rows = conn.execute(
        "SELECT path FROM notes WHERE path LIKE ? ESCAPE '\\' OR path LIKE ? ESCAPE '\\' "
        "ORDER BY path LIMIT 20",
        (pattern + ".md", "%/" + pattern + ".md"),
    )
    return next((path for (path,) in rows if name_key(path[:-3]).endswith(wanted)), None)
