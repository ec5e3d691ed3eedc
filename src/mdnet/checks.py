"""`mdnet check`: every problem of the vault, from the index and the config."""

from __future__ import annotations

import sqlite3

from . import db
from .config import Config
from .models import ERROR, WARNING, Problem


def vault_problems(conn: sqlite3.Connection, config: Config) -> list[Problem]:
    problems = [Problem(*row) for row in db.problems(conn)]
    for key, paths in db.ambiguous_names(conn):
        for path in paths:
            others = ", ".join(p for p in paths if p != path)
            message = (
                f"the name {key!r} is ambiguous: {others} has it too; links to it count for no one"
            )
            problems.append(Problem(path, 1, WARNING, message))
    for path, line, key in db.ambiguous_links(conn):
        problems.append(
            Problem(path, line, WARNING, f"[[{key}]] is ambiguous; no contact gets this link")
        )
    for contact in db.contacts(conn):
        circle = contact["circle"]
        if circle and circle.lower() not in config.circles:
            known = ", ".join(sorted(config.circles))
            problems.append(
                Problem(contact["path"], 1, WARNING, f"unknown circle {circle!r} (known: {known})")
            )
    problems.sort(key=lambda p: (p.path, p.line, p.level != ERROR, p.message))
    return problems
