"""Rows → text for a terminal, an Obsidian note, or JSON. Nothing here reads the vault."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
import shutil
import sys
from collections.abc import Sequence
from typing import Any

from .dates import DUE
from .reports.common import DECLINED_DAYS, Source
from .reports.gifts import GiftsRow
from .reports.reconnect import BringUp, ReconnectRow

WIDTH = 80
MIN_WIDTH = 40  # narrower, a row would be little but its date: let the terminal wrap it
MAX_WIDTH = 1000


# --- JSON -----------------------------------------------------------------------------


_FIELDS: dict[type, tuple[str, ...]] = {}
_SCALARS = (str, int, float, bool, type(None))


def plain(value: Any) -> Any:
    """Dataclass rows as JSON-ready values; a Source becomes `path:line`. (Field names are
    looked up once per class, and scalars are not passed down again: reports can hold
    tens of thousands of rows.)"""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is list or kind is tuple:
        return [v if type(v) in _SCALARS else plain(v) for v in value]
    if kind is Source:
        return str(value)
    if kind is ReconnectRow:
        return _reconnect_row(value)
    if kind is GiftsRow:
        return _gifts_row(value)
    names = _FIELDS.get(kind)
    if names is None and dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = _FIELDS[kind] = tuple(f.name for f in dataclasses.fields(value))
    if names is not None:
        out = {}
        for name in names:
            v = getattr(value, name)
            out[name] = v if type(v) in _SCALARS else plain(v)
        return out
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def _reconnect_row(row: ReconnectRow) -> dict[str, Any]:
    """What plain() makes of the row, written out: a report has thousands of them."""
    li = row.last_interaction
    return {
        "name": row.name,
        "path": row.path,
        "reason": row.reason,
        "circle": row.circle,
        "last_contact": row.last_contact,
        "days_since": row.days_since,
        "cadence_days": row.cadence_days,
        "overdue_days": row.overdue_days,
        "birthday_in_days": row.birthday_in_days,
        "last_interaction": None
        if li is None
        else {"date": li.date, "kind": li.kind, "text": li.text, "source": str(li.source)},
        "bring_up": [
            {"type": b.type, "date": b.date, "text": b.text, "source": str(b.source)}
            for b in row.bring_up
        ],
        "events": [
            {"title": e.title, "date": e.date, "end": e.end, "city": e.city, "path": e.path}
            for e in row.events
        ],
    }


def _gifts_row(row: GiftsRow) -> dict[str, Any]:
    return {
        "name": row.name,
        "path": row.path,
        "given": row.given,
        "received": row.received,
        "balance": row.balance,
        "status": row.status,
        "asks": row.asks,
        "declined": row.declined,
        "pending": row.pending,
        "paid": row.paid,
        "last_given": row.last_given,
        "last_received": row.last_received,
        "gift_ideas": list(row.gift_ideas),
        "last_declined": row.last_declined,
    }


def to_json(value: Any) -> str:
    """Compact JSON (the C encoder; indenting would take the slow pure-Python one)."""
    return json_text(value) + "\n"


def json_text(value: Any) -> str:
    return json.dumps(plain(value), ensure_ascii=False, separators=(",", ":"))


def report_json(name: str, as_of: dt.date, rows: Sequence[str], **more: Any) -> str:
    """A report's JSON object around its rows, already JSON text (see reports_api)."""
    head = json_text({"report": name, "as_of": as_of.isoformat()})[:-1]
    tail = "".join(f",{json_text(key)}:{json_text(value)}" for key, value in more.items())
    return f'{head},"contacts":[{",".join(rows)}]{tail}}}'


# --- text -----------------------------------------------------------------------------


class Style:
    """ANSI colour, or nothing: colour only on a terminal and never with NO_COLOR."""

    def __init__(self, color: bool) -> None:
        self.color = color

    def _wrap(self, code: str, text: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.color and text else text

    def bold(self, text: str) -> str:
        return self._wrap("1", text)

    def dim(self, text: str) -> str:
        return self._wrap("2", text)

    def red(self, text: str) -> str:
        return self._wrap("31", text)

    def yellow(self, text: str) -> str:
        return self._wrap("33", text)

    def green(self, text: str) -> str:
        return self._wrap("32", text)


def ago(days: int | None) -> str:
    if days is None:
        return "never"
    if days == 0:
        return "today"
    if days == 1:
        return "yesterday"
    return f"{days} days ago"


def in_days(days: int) -> str:
    return "today" if days == 0 else "tomorrow" if days == 1 else f"in {days} days"


def terminal_width() -> int:
    """The width to draw `show` in: $COLUMNS, else the terminal's when printing to one,
    else 80 (a pipe, a file and the tests read the same on every machine)."""
    if not os.environ.get("COLUMNS") and not sys.stdout.isatty():
        return WIDTH
    # At most MAX_WIDTH: COLUMNS=999999999999 ran out of memory (found by a review).
    return min(max(shutil.get_terminal_size((WIDTH, 24)).columns, MIN_WIDTH), MAX_WIDTH)


def clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def why(row: ReconnectRow) -> str:
    """The row's reason in words (the JSON keeps the identifier)."""
    if row.reason == "overdue":
        return "due today" if row.overdue_days == 0 else f"{row.overdue_days}d overdue"
    if row.reason == "never":
        return "never contacted"
    if row.reason == "birthday":
        return f"birthday {in_days(row.birthday_in_days or 0)}"
    return {"ok": "in touch", "snoozed": "snoozed", "no_cadence": "no reminders"}[row.reason]


# Kinds as the guide names them; JSON and the index keep the identifiers.
KIND_WORDS = {
    "gift_given": "gift given",
    "gift_received": "gift received",
    "favor_given": "favour given",
    "favor_received": "favour received",
    "last_contact": "last contact",
}


def kind_words(kind: str) -> str:
    return KIND_WORDS.get(kind, kind)


def cadence_words(row: ReconnectRow) -> str:
    """`every 90d (work)`: the contact's own cadence, then its circle's name, whose
    configured cadence may be another (a `cadence` property wins over the circle's)."""
    if not row.cadence_days:
        return "no cadence"
    every = f"every {row.cadence_days}d"
    return f"{every} ({row.circle})" if row.circle else every


# What an empty report says when it is empty only because --limit 0 kept no rows.
NONE_SHOWN = "None shown (--limit 0)."


def reconnect_text(
    rows: Sequence[ReconnectRow],
    as_of: dt.date,
    style: Style,
    total: int | None = None,
    no_contacts: bool = False,
    due: int | None = None,
    where: str = "people/",
    city: str | None = None,
) -> str:
    """`total`: how many rows there were before --limit kept the first ones; `due`: how
    many of them are to reach out to (a trip's --city lists those in touch too);
    `where`: the people folder, and the vault when it was not found but assumed;
    `city`: the trip's, whose report lists everyone there, due or not."""
    count = len(rows) if total is None else total
    title = (
        f"Reconnect · as of {as_of.isoformat()} · {count if due is None else due} to reach out to"
    )
    lines = [style.bold(title), ""]
    if not rows and total == 0 and no_contacts:
        lines.append(
            f"  No contacts yet: `mdnet add NAME`, or notes under {where} or tagged person."
        )
    elif not rows:
        lines.append(f"  {NONE_SHOWN}" if count else f"  {_nobody_due(city)}")
    number_width = len(str(len(rows)))
    day = as_of.isoformat()
    for n, row in enumerate(rows, 1):
        reason = why(row)
        when = f"last {row.last_contact} ({ago(row.days_since)})" if row.last_contact else ""
        head = f"{n:>{number_width}}. "
        name_width = max(WIDTH - len(head) - len(reason) - 2, 10)
        colour = style.red if row.reason == "overdue" else style.yellow
        lines.append(
            f"{head}{style.bold(clip(row.name, name_width)):<{name_width}}  {colour(reason)}"
        )
        pad = " " * len(head)
        detail = " · ".join(x for x in (cadence_words(row), when) if x)
        if (
            row.birthday_in_days is not None
            and row.birthday_in_days <= 30
            and row.reason != "birthday"
        ):
            detail += f" · birthday {in_days(row.birthday_in_days)}"
        lines.append(pad + style.dim(detail))
        for item in row.bring_up:
            if item.type == "life":
                label = f"life {item.date}"
            else:
                label = f"todo ({due_words(item.date, day)})" if item.date else "todo"
            lines.append(_arrow(pad, label, task_text(item.text)))
        li = row.last_interaction
        if li is not None:
            plain = ("touchpoint", "met", "last_contact", "mention")
            kind = "" if li.kind in plain else kind_words(li.kind)
            text = li.text or f"mentioned in {li.source.path}"
            if li.kind in ("met", "last_contact"):
                text = f"from the `{li.kind}` property"
            label = f"last {li.date}" + (f" {kind}" if kind else "")
            lines.append(style.dim(_arrow(pad, label, text)))
        for event in row.events:
            where = f" ({event.city})" if event.city else ""
            lines.append(style.green(_arrow(pad, f"event {event.date}", event.title + where)))
    return "\n".join(lines) + "\n"


def _arrow(pad: str, label: str, text: str) -> str:
    prefix = f"{pad}↳ {label}: "
    return prefix + clip(text, WIDTH - len(prefix))


# The Obsidian Tasks plugin's other fields: start, scheduled, created, done and cancelled
# dates, recurrence (its words run to the next field or tag), priority, id, dependencies
# and what to do on completion. They are for the plugin, and would fill a narrow line.
TASK_FIELDS = re.compile(
    r"[🛫⏳⌛➕✅❌]\ufe0f?[ \t]*\d{4}-\d\d-\d\d"
    r"|[🔺⏫🔼🔽⏬]\ufe0f?"
    r"|🔁\ufe0f?[^📅🛫⏳⌛➕✅❌🔺⏫🔼🔽⏬🆔⛔🏁#]*"
    r"|🆔\ufe0f?[ \t]*[\w-]+"
    r"|⛔\ufe0f?[ \t]*[\w-]+(?:[ \t]*,[ \t]*[\w-]+)*"
    r"|🏁\ufe0f?[ \t]*\w+"
)


def task_text(text: str) -> str:
    """A task's text without the Tasks plugin's fields (the due date is shown apart)."""
    return " ".join(TASK_FIELDS.sub(" ", DUE.sub(" ", text)).split())


def due_words(due: str | None, as_of: str) -> str:
    """`due 2026-11-30`, and `due 2026-11-30, overdue` once that day has passed."""
    if not due:
        return ""
    return f"due {due}, overdue" if due < as_of else f"due {due}"


def _rest_until(declined: str | None, as_of: dt.date) -> str | None:
    """The day a declined ask may be followed by another, if that is still ahead."""
    if not declined:
        return None
    until = dt.date.fromisoformat(declined) + dt.timedelta(days=DECLINED_DAYS)
    return until.isoformat() if until > as_of else None


def _nobody_due(city: str | None) -> str:
    if city is not None:  # a trip lists everyone there: none means nobody lives there
        return f"None of your contacts lives in {city}."
    return "Nobody is overdue. Good friend!"


def _nothing_logged(as_of: dt.date, since: dt.date | None) -> str:
    if since is not None:  # items before the window may well exist
        return f"No gifts, favours, asks, intros or payments from {since} to {as_of}."
    return "No gifts, favours, asks, intros or payments logged yet."


def gifts_text(
    rows: Sequence[GiftsRow],
    as_of: dt.date,
    style: Style,
    owe: int | None = None,
    total: int | None = None,
    since: dt.date | None = None,
) -> str:
    """`owe`: how many contacts you owe, and `total` how many rows there were, counted
    before --limit kept the first rows; `since`: the window's first day."""
    if owe is None:
        owe = sum(1 for r in rows if r.status == "owe")
    title = f"Gifts and favours · as of {as_of.isoformat()} · you owe {owe}"
    lines = [style.bold(title), ""]
    if not rows:
        lines.append(f"  {NONE_SHOWN if total else _nothing_logged(as_of, since)}")
        return "\n".join(lines) + "\n"
    name_width = min(max(len(r.name) for r in rows), 26)
    header = f"  {'':<{name_width}}  give  take  bal  status  asks (no/open)  paid"
    lines.append(style.dim(header))
    for row in rows:
        colour = {"owe": style.red, "giving": style.green}.get(row.status, str)
        asks = f"{row.asks} ({row.declined}/{row.pending})" if row.asks else "-"
        line = (
            f"  {clip(row.name, name_width):<{name_width}}  {row.given:>4}  {row.received:>4}"
            f"  {row.balance:>+3d}  {colour(f'{row.status:<6}')}  {asks:<14}  {row.paid or '-':>4}"
        )
        lines.append(line.rstrip())
        if row.status == "owe":
            ideas = ", ".join(row.gift_ideas) if row.gift_ideas else "ask what they enjoy"
            tip = f"say thank you; gift ideas: {ideas}"
            lines.append(style.dim("    ↳ " + clip(tip, WIDTH - 6)))
        rest_until = _rest_until(row.last_declined, as_of)
        if rest_until:
            tip = f"said no on {row.last_declined}: no asks before {rest_until}"
            lines.append(style.dim("    ↳ " + clip(tip, WIDTH - 6)))
    return "\n".join(lines) + "\n"


# --- Markdown (an Obsidian note) -------------------------------------------------------


def front_matter(report: str, as_of: dt.date) -> str:
    return f"---\ngenerated_by: mdnet\nreport: {report}\nas_of: {as_of.isoformat()}\n---\n"


def cell(text: str) -> str:
    """Table-cell safe: one line, pipes escaped, HTML neutralised."""
    text = " ".join(str(text).split())
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;")


# In an Obsidian note a `#` that starts a word starts a tag: a report note that copied an
# item's `#life` would be listed in the tag pane with the real life events. Code spans
# and [[links]] (`[[Jib#Heading]]`) are no tags and are left as written.
_NO_TAGS_IN = re.compile(r"(`+).*?\1|\[\[.*?\]\]")
_TAG_START = re.compile(r"(?<![\w&/])#(?=[\w/-]|[^\x00-\x7f])")


def escape_tags(text: str) -> str:
    """`#life` as `\\#life`: shown as written, but no tag of the note."""
    parts, start = [], 0
    for literal in _NO_TAGS_IN.finditer(text):
        parts += [_TAG_START.sub(r"\\#", text[start : literal.start()]), literal.group()]
        start = literal.end()
    parts.append(_TAG_START.sub(r"\\#", text[start:]))
    return "".join(parts)


def text_cell(text: str) -> str:
    """A cell of text copied from notes: safe in a table, and its tags no tags."""
    return escape_tags(cell(text))


def wikilink(path: str, name: str, shared: frozenset[str] = frozenset()) -> str:
    """`[[file name|display name]]`, safe inside a table cell. `shared`: file names (as
    name keys) that several contacts have: those are linked by path, which tells them
    apart (`[[people/work/Sam|Sam]]`)."""
    target = path.rsplit("/", 1)[-1][:-3] if path.endswith(".md") else path
    if shared and path.endswith(".md"):
        from .parse import name_key  # not at the top: only Markdown reports come here

        if name_key(target) in shared:
            target = path[:-3]
    if any(c in target for c in "[]|#^"):
        return text_cell(target)  # a file name Obsidian cannot link: plain text
    if name and name != target and not any(c in name for c in "[]|"):
        return f"[[{target}\\|{cell(name)}]]"
    return f"[[{target}]]"


def reconnect_markdown_body(
    rows: Sequence[ReconnectRow],
    as_of: dt.date,
    lines_of: dict[int, tuple[ReconnectRow, str]] | None = None,
    total: int | None = None,
    shared: frozenset[str] = frozenset(),
    city: str | None = None,
) -> str:
    """`lines_of`: table lines made before, by id of their row (the watcher's memo keeps
    the rows alive, so an id names the same row);
    `total`: rows before --limit; `shared`: see wikilink; `city`: a trip's."""
    lines = [f"# Reconnect — {as_of.isoformat()}", ""]
    if not rows:
        return "\n".join(lines + [NONE_SHOWN if total else _nobody_due(city), ""])
    lines += [
        "| Contact | Why | Last contact | Cadence | Bring up |",
        "| --- | --- | --- | --- | --- |",
    ]
    made: dict[int, tuple[ReconnectRow, str]] = {}
    for row in rows:
        cached = lines_of.get(id(row)) if lines_of is not None else None
        reuse = cached is not None and cached[0] is row
        line = cached[1] if reuse and cached else _markdown_line(row, shared, as_of)
        made[id(row)] = (row, line)
        lines.append(line)
    if lines_of is not None:
        lines_of.clear()
        lines_of.update(made)
    return "\n".join(lines) + "\n"


def _markdown_line(row: ReconnectRow, shared: frozenset[str], as_of: dt.date) -> str:
    last = f"{row.last_contact} ({ago(row.days_since)})" if row.last_contact else "never"
    bring = [_bring_up_label(b, as_of.isoformat()) for b in row.bring_up]
    bring += [f"event {e.date}: {e.title}" for e in row.events]
    return (
        f"| {wikilink(row.path, row.name, shared)} | {why(row)} | {last} | {row.cadence_days}d "
        f"| {text_cell('; '.join(bring))} |"
    )


def _bring_up_label(item: BringUp, day: str) -> str:
    if item.type == "life":
        return f"{item.date}: {item.text}"
    due = f" ({due_words(item.date, day)})" if item.date else ""
    return f"todo: {task_text(item.text)}{due}"


CHART_ROWS = 12


def _given_received_chart(rows: Sequence[GiftsRow]) -> list[str]:
    """A Mermaid bar chart Obsidian draws: given and received for the most owed."""
    shown = list(rows[:CHART_ROWS])
    if not shown:
        return []
    names = ", ".join('"' + re.sub(r'["\\\n`]', "", r.name)[:24] + '"' for r in shown)
    top = max(max(r.given, r.received) for r in shown) or 1
    which = f": the {len(shown)} most owed of {len(rows)}" if len(rows) > len(shown) else ""
    return [
        "```mermaid",
        "xychart-beta",
        f'    title "Given (first bar) and received{which}"',
        f"    x-axis [{names}]",
        f'    y-axis "count" 0 --> {top}',
        f"    bar [{', '.join(str(r.given) for r in shown)}]",
        f"    bar [{', '.join(str(r.received) for r in shown)}]",
        "```",
        "",
    ]


def gifts_markdown_body(
    rows: Sequence[GiftsRow],
    as_of: dt.date,
    total: int | None = None,
    shared: frozenset[str] = frozenset(),
    since: dt.date | None = None,
) -> str:
    """`total`: how many rows there were before --limit kept the first ones; `shared`:
    see wikilink; `since`: the window's first day."""
    lines = [f"# Gifts and favours — {as_of.isoformat()}", ""]
    if not rows:
        return "\n".join(lines + [NONE_SHOWN if total else _nothing_logged(as_of, since), ""])
    lines += _given_received_chart(rows)
    lines += [
        "| Contact | Given | Received | Balance | Status | Asks | Declined | Pending | Paid "
        "| Ideas | No asks before |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:  # what the text report says, paid and a recent no included
        lines.append(
            f"| {wikilink(row.path, row.name, shared)} | {row.given} | {row.received}"
            f" | {row.balance:+d}"
            f" | {row.status} | {row.asks} | {row.declined} | {row.pending} | {row.paid}"
            f" | {text_cell(', '.join(row.gift_ideas))} | {_rest_until(row.last_declined, as_of) or ''} |"
        )
    return "\n".join(lines) + "\n"


# --- generic tables (query, check) -----------------------------------------------------


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], max_width: int = 40) -> str:
    shown = [[_cell_text(v, max_width) for v in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in shown:
        widths = [max(w, len(v)) for w, v in zip(widths, row, strict=True)]
    out = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    out.append("  ".join("-" * w for w in widths))
    for row in shown:
        out.append("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
    return "\n".join(out) + "\n"


def _cell_text(value: Any, max_width: int) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        value = value.hex()
    return clip(str(value), max_width)
