"""`mdnet check`: every problem of the vault, from the index and the config."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from . import db
from .config import CONFIG_NAME, Config
from .models import ERROR, WARNING, Problem
from .rows import path_keys


def vault_problems(conn: sqlite3.Connection, config: Config) -> list[Problem]:
    problems = [Problem(*row) for row in db.problems(conn)]
    for key, paths in db.ambiguous_names(conn):
        for path in paths:
            others = ", ".join(p for p in paths if p != path)
            message = (
                f"the name {key!r} is ambiguous: {others} has it too; links to it count for no one"
            )
            # The file name is the note's own (line 1); an alias, its `aliases` line.
            own = key in path_keys(path)
            line = 1 if own else property_line(config.vault / path, "aliases")
            problems.append(Problem(path, line, WARNING, message))
    for path, line, key in db.ambiguous_links(conn):
        problems.append(
            Problem(path, line, WARNING, f"[[{key}]] is ambiguous; no contact gets this link")
        )
    problems += _aliases_named_like_notes(conn, config)
    # A misspelt key (default_cadance) is ignored: every reminder would silently change.
    problems += [Problem(CONFIG_NAME, line or 1, WARNING, why) for line, why in config.unknown_keys]
    for contact in db.contacts(conn):
        circle = contact["circle"]
        if circle and circle.lower() not in config.circles:
            known = ", ".join(sorted(config.circles))
            line = property_line(config.vault / contact["path"], "circle")
            message = f"unknown circle {circle!r} (known: {known})"
            problems.append(Problem(contact["path"], line, WARNING, message))
    problems.sort(key=lambda p: (p.path, p.line, p.level != ERROR, p.message))
    return problems


def _aliases_named_like_notes(conn: sqlite3.Connection, config: Config) -> list[Problem]:
    """An alias that is another note's file name: Obsidian opens that note for [[Atlas]],
    while mdnet gives the link to the contact (SPEC: aliases resolve links)."""
    from .parse import name_key

    aliases = db.alias_keys(conn)  # key -> paths of the contacts that have it
    if not aliases:
        return []
    found = []
    for (path,) in conn.execute("SELECT path FROM notes WHERE is_contact = 0 AND generated = 0"):
        key = name_key(path.rsplit("/", 1)[-1][:-3])
        for contact in aliases.get(key, ()):
            message = (
                f"the alias {key!r} is also the file name of {path}: Obsidian opens that note "
                f"for [[{key}]], mdnet counts the link for this contact"
            )
            line = property_line(config.vault / contact, "aliases")
            found.append(Problem(contact, line, WARNING, message))
    return found


def property_line(path: Path, key: str) -> int:
    """The line of a front-matter property in the note, for a message (1 if not found)."""
    from .edits import split_encoding
    from .errors import RefusedError
    from .parse import key_line, split_front_matter, split_lines

    try:
        _, _, text = split_encoding(path.read_bytes(), for_writing=False)
    except (OSError, RefusedError):
        return 1
    yaml_lines = split_front_matter(split_lines(text))[0]
    return key_line(yaml_lines, key) if yaml_lines is not None else 1
