"""Reports as finished text in a chosen format: what `mdnet report` and the watcher print."""

from __future__ import annotations

import datetime as dt
import sqlite3

from . import db, render
from .config import Config
from .reports.gifts import gifts_json_rows, gifts_report
from .reports.reconnect import ReconnectMemo, reconnect_json_rows, reconnect_report


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
    if fmt == "json":
        return reconnect_json(conn, config, as_of, limit, city) + "\n"
    every = reconnect_report(conn, config, as_of, city=city, memo=memo)
    rows = every[:limit]
    if fmt == "markdown":
        # A line made before links as it should: `shared` changes only with the names,
        # and a change of names rewrites every summary, so every row is made again.
        shared = db.shared_file_names(conn)
        lines = memo.lines if memo is not None else None
        body = render.reconnect_markdown_body(rows, as_of, lines, len(every), shared, city)
        return render.front_matter("reconnect", as_of) + body
    no_contacts = not every and not db.has_contacts(conn)
    style = render.Style(color)
    due = sum(1 for row in every if row.reason in ("overdue", "never", "birthday"))
    where = f"{config.vault / config.people_dir}/"
    return render.reconnect_text(
        rows,
        as_of,
        style,
        total=len(every),
        no_contacts=no_contacts,
        due=due,
        where=where,
        city=city,
    )


def gifts(
    conn: sqlite3.Connection,
    as_of: dt.date,
    since: dt.date | None = None,
    fmt: str = "text",
    limit: int | None = None,
    color: bool = False,
) -> str:
    if fmt == "json":
        return gifts_json(conn, as_of, since, limit) + "\n"
    every = gifts_report(conn, as_of, since)
    rows = every[:limit]
    if fmt == "markdown":
        shared = db.shared_file_names(conn)
        body = render.gifts_markdown_body(rows, as_of, len(every), shared, since)
        return render.front_matter("gifts", as_of) + body
    owe = sum(1 for row in every if row.status == "owe")
    style = render.Style(color)
    return render.gifts_text(rows, as_of, style, owe=owe, total=len(every), since=since)


# The JSON format's rows are made by the index as JSON text (reports.*.…_json_rows): a report
# can have tens of thousands of rows, and building them as objects to convert them
# took most of its time.


def reconnect_json(
    conn: sqlite3.Connection,
    config: Config,
    as_of: dt.date,
    limit: int | None,
    city: str | None = None,
) -> str:
    rows = reconnect_json_rows(conn, config, as_of, city)[:limit]
    return render.report_json("reconnect", as_of, rows)


def gifts_json(
    conn: sqlite3.Connection, as_of: dt.date, since: dt.date | None, limit: int | None
) -> str:
    if since is None:
        rows = gifts_json_rows(conn, as_of)[:limit]
    else:  # a window: from the touches themselves, not the all-time summary
        rows = [render.json_text(row) for row in gifts_report(conn, as_of, since)[:limit]]
    return render.report_json("gifts", as_of, rows, since=since.isoformat() if since else None)


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
        day = render.json_text(as_of.isoformat())
        return (
            f'{{"as_of":{day},"reconnect":{reconnect_json(conn, config, as_of, limit)},'
            f'"gifts":{gifts_json(conn, as_of, since, limit)}}}\n'
        )
    if fmt == "markdown":
        people = reconnect_report(conn, config, as_of)
        ledger = gifts_report(conn, as_of, since)
        shared = db.shared_file_names(conn)
        return (
            render.front_matter("both", as_of)
            + render.reconnect_markdown_body(people[:limit], as_of, None, len(people), shared)
            + "\n"
            + render.gifts_markdown_body(ledger[:limit], as_of, len(ledger), shared, since)
        )
    return (
        reconnect(conn, config, as_of, fmt, limit, color)
        + "\n"
        + gifts(conn, as_of, since, fmt, limit, color)
    )
