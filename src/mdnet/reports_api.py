"""Reports as finished text in a chosen format: what `mdnet report` and the watcher print."""

from __future__ import annotations

import datetime as dt
import sqlite3

from . import db, render
from .config import Config
from .reports.gifts import gifts_report
from .reports.reconnect import ReconnectMemo, reconnect_report


def reconnect(
    conn: sqlite3.Connection,
    config: Config,
    as_of: dt.date,
    fmt: str = "text",
    limit: int | None = None,
    color: bool = False,
    city: str | None = None,
    memo: ReconnectMemo | None = None,
) -> str:
    """`memo`: for a caller that makes the report again and again (the watcher)."""
    every = reconnect_report(conn, config, as_of, city=city, memo=memo)
    rows = every[:limit]
    if fmt == "json":
        return render.to_json(reconnect_json(rows, as_of))
    if fmt == "markdown":
        lines = memo.lines if memo is not None else None
        body = render.reconnect_markdown_body(rows, as_of, lines)
        return render.front_matter("reconnect", as_of) + body
    no_contacts = not every and not db.has_contacts(conn)
    style = render.Style(color)
    return render.reconnect_text(rows, as_of, style, total=len(every), no_contacts=no_contacts)


def gifts(
    conn: sqlite3.Connection,
    as_of: dt.date,
    since: dt.date | None = None,
    fmt: str = "text",
    limit: int | None = None,
    color: bool = False,
) -> str:
    every = gifts_report(conn, as_of, since)
    rows = every[:limit]
    if fmt == "json":
        return render.to_json(gifts_json(rows, as_of, since))
    if fmt == "markdown":
        return render.front_matter("gifts", as_of) + render.gifts_markdown_body(rows, as_of)
    owe = sum(1 for row in every if row.status == "owe")
    return render.gifts_text(rows, as_of, render.Style(color), owe=owe)


def reconnect_json(rows: list, as_of: dt.date) -> dict:
    return render.report_json("reconnect", as_of, rows)


def gifts_json(rows: list, as_of: dt.date, since: dt.date | None) -> dict:
    data = render.report_json("gifts", as_of, rows)
    data["since"] = since.isoformat() if since else None
    return data


def both(
    conn: sqlite3.Connection,
    config: Config,
    as_of: dt.date,
    since: dt.date | None,
    fmt: str = "text",
    limit: int | None = None,
    color: bool = False,
) -> str:
    if fmt == "json":
        data = {
            "as_of": as_of.isoformat(),
            "reconnect": reconnect_json(reconnect_report(conn, config, as_of)[:limit], as_of),
            "gifts": gifts_json(gifts_report(conn, as_of, since)[:limit], as_of, since),
        }
        return render.to_json(data)
    if fmt == "markdown":
        return (
            render.front_matter("both", as_of)
            + render.reconnect_markdown_body(reconnect_report(conn, config, as_of)[:limit], as_of)
            + "\n"
            + render.gifts_markdown_body(gifts_report(conn, as_of, since)[:limit], as_of)
        )
    return (
        reconnect(conn, config, as_of, fmt, limit, color)
        + "\n"
        + gifts(conn, as_of, since, fmt, limit, color)
    )
