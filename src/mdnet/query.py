"""`mdnet query`: read-only SQL over the index."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from . import db
from .errors import RefusedError, UsageError

MAX_ROWS = 100_000


def run_query(index_path: Path, sql: str) -> tuple[list[str], list[tuple], bool]:
    """Column names and rows (the first MAX_ROWS) of one read-only statement, and whether
    it had more rows than those."""
    if not sql.strip():
        raise UsageError('query: the SQL is empty (try: mdnet query "SELECT name FROM contacts")')
    conn = db.read_only(index_path)
    try:
        cursor = conn.execute(sql)
        headers = [d[0] for d in cursor.description or ()]
        rows = cursor.fetchmany(MAX_ROWS + 1)
    except sqlite3.DatabaseError as exc:
        message = str(exc)
        if "not authorized" in message or "readonly" in message or "read-only" in message:
            raise RefusedError(
                "query: the index is read-only here; only SELECT is allowed"
            ) from None
        raise UsageError(f"query: {message}") from None
    except sqlite3.Warning as exc:  # e.g. several statements at once
        raise UsageError(f"query: {exc}") from None
    finally:
        conn.close()
    return headers, rows[:MAX_ROWS], len(rows) > MAX_ROWS
