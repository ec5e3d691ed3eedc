"""The command line: options in, one call into the core, rendered rows out."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import sys
from collections.abc import Callable
from math import isfinite
from pathlib import Path
from typing import Any, TypeVar

import click

from . import __version__
from .errors import MdnetError, RefusedError, UsageError

T = TypeVar("T")

FORMATS = ("text", "json")
REPORT_FORMATS = ("text", "markdown", "json")


class SuggestingGroup(click.Group):
    """A group that answers a mistyped command with the nearest one."""

    noun = "command"  # what its subcommands are, for the message

    def resolve_command(self, ctx: click.Context, args: list[str]) -> Any:
        name = args[0] if args else None
        if name and name not in self.commands and not name.startswith("-"):
            import difflib

            near = difflib.get_close_matches(name, list(self.commands), n=1)
            known = ", ".join(sorted(self.commands))
            hint = f" (did you mean '{near[0]}'?)" if near else f" (one of: {known})"
            raise click.UsageError(f"no {self.noun} '{name}'{hint}", ctx)
        return super().resolve_command(ctx, args)


class ReportGroup(SuggestingGroup):
    noun = "report"


class MdnetGroup(SuggestingGroup):
    """Turns every MdnetError into one line on stderr and its exit code, in one place."""

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as exc:
            if parent is not None:  # a subcommand's: invoke() below says it
                raise
            _say_usage_error(exc)
            raise click.exceptions.Exit(exc.exit_code) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:  # a subcommand's options or arguments
            _say_usage_error(exc)
            ctx.exit(exc.exit_code)
        except MdnetError as exc:
            echo(f"mdnet: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            echo("mdnet: interrupted", err=True)
            ctx.exit(130)
        except OSError as exc:
            where = f" {exc.filename}" if exc.filename else ""
            echo(f"mdnet: {exc.strerror or exc}{':' + where if where else ''}", err=True)
            ctx.exit(1)


def _say_usage_error(exc: click.UsageError) -> None:
    """One line, as every user mistake gets (click's own is four: usage, hint, error).
    A group called without its command (`mdnet import`) shows its help, as click does."""
    if isinstance(exc, getattr(click.exceptions, "NoArgsIsHelpError", ())):
        exc.show()
        return
    hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx is not None else ""
    echo(f"mdnet: {exc.format_message()}{hint}", err=True)


class Utf8Text(click.ParamType):
    """Text typed on the command line. A shell can pass bytes that are not UTF-8: they
    would reach the index or a note as such, so they are a usage error here."""

    name = "TEXT"

    def convert(self, value: Any, param: Any, ctx: Any) -> str:
        from .vault import shown_name, utf8_name  # the walk's own test of names

        if not utf8_name(value):
            self.fail(f"'{shown_name(value)}' is not valid UTF-8 text", param, ctx)
        return value


TEXT = Utf8Text()


class DateType(click.ParamType):
    name = "DATE"

    # Reports count days back and forth from the day they are for (a year of gifts, 60
    # days of events): days near year 1 or 9999 would leave the calendar.
    EARLIEST, LATEST = dt.date(100, 1, 1), dt.date(9899, 12, 31)

    def convert(self, value: Any, param: Any, ctx: Any) -> dt.date:
        if isinstance(value, dt.date):
            return value
        try:
            # Only YYYY-MM-DD: fromisoformat also takes 20260101 and week dates (2026W011),
            # which `log` would have written into a note as another day.
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(value)):
                raise ValueError(value)
            day = dt.date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{value!r} is not a date (YYYY-MM-DD)", param, ctx)
        if not self.EARLIEST <= day <= self.LATEST:
            self.fail(f"{value!r} is outside the years 0100 to 9899", param, ctx)
        return day


DATE = DateType()


class State:
    """The vault chosen by `--vault`; config and index are opened on first use."""

    def __init__(self, vault: str | None) -> None:
        self.vault_option = vault
        self._config = None

    @property
    def config(self):
        if self._config is None:
            from .config import find_vault, load_config, marks_a_vault

            vault = find_vault(self.vault_option)
            if not (self.vault_option or os.environ.get("MDNET_VAULT") or marks_a_vault(vault)):
                # SPEC's last resort; said, or `mdnet report` in ~ indexes the home folder
                # in silence (found by an audit)
                echo(
                    f"mdnet: no .mdnet.toml or .obsidian/ here or above: using {vault} as "
                    "the vault (--vault or $MDNET_VAULT chooses one)",
                    err=True,
                )
            self._config = load_config(vault)
        return self._config

    def index(self, rebuild: bool = False, progress: bool = False):
        """The index, brought up to date: every command that reads calls this first."""
        from .sync import Index

        index = Index(self.config, rebuild=rebuild)
        if progress and sys.stderr.isatty():
            with _ProgressBar() as bar:
                result = index.refresh(progress=bar.update)
        else:
            result = index.refresh()
        return index, result

    def read(self, compute: Callable[[Any], T]) -> T:
        """compute(index) on an index brought up to date, the walk that checks it made
        alongside (sync.Index.read_current): what the commands that only read use.
        compute may run twice, so it must not write (a summary moved to its day aside)."""
        from .sync import Index

        with Index(self.config) as index:
            return index.read_current(lambda: compute(index))


def _read_report(state: State, make: Callable[[Any, Any], str]) -> str:
    """make(reports_api, connection) on a current index (State.read); the report code is
    imported after the walking child has started, so that the two overlap."""

    def compute(index: Any) -> str:
        from . import reports_api

        return make(reports_api, index.conn)

    return state.read(compute)


class _ProgressBar:
    """A bar on stderr, shown only when there is a lot to read."""

    def __init__(self) -> None:
        self.bar: Any = None

    def update(self, done: int, total: int) -> None:
        if self.bar is None:
            if total < 2000:
                return
            self.bar = click.progressbar(length=total, label="indexing", file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.bar.pos)

    def __enter__(self) -> _ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)


pass_state = click.make_pass_decorator(State)


def complete_contact(ctx: click.Context, param: click.Parameter, incomplete: str) -> list:
    """Contact names for shell completion, from the index as it is (no refresh: instant)."""
    from click.shell_completion import CompletionItem

    from . import db
    from .config import find_vault

    try:
        path = db.index_path(find_vault(ctx.find_root().params.get("vault")))
        if not path.exists():
            return []
        conn = db.read_only(path)
        pattern = incomplete.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = conn.execute(
            "SELECT name FROM contacts WHERE name LIKE ? ESCAPE '\\' ORDER BY name LIMIT 100",
            (pattern,),
        ).fetchall()
        conn.close()
    except Exception:  # completion must never print a traceback into the shell
        return []
    return [CompletionItem(_as_bash_types_it(name)) for (name,) in rows]


def _as_bash_types_it(name: str) -> str:
    """Bash puts a completion into the line as it is: `Maya Chen` became two arguments
    (found by an audit). Escaped with backslashes as bash's own file names are, unless
    the word was begun with a quote (bash then completes inside it) or the shell is
    another (zsh and fish quote what they insert)."""
    if os.environ.get("_MDNET_COMPLETE") != "bash_complete":
        return name
    words = os.environ.get("COMP_WORDS", "")
    words_typed = words.split("\n") if "\n" in words else words.split(" ")
    try:
        typed = words_typed[int(os.environ.get("COMP_CWORD", ""))]
    except (ValueError, IndexError):
        typed = ""
    if typed.startswith(("'", '"')):
        return name
    escaped = re.sub(r"([^\w@%+=:,./-])", r"\\\1", name)
    return escaped.replace("\\", "\\\\")  # click's script reads it with `read`, sans -r


# What a note, a file name or an imported card may hold that a terminal would obey:
# escape sequences (a window title, a cleared screen, OSC 52 writing the clipboard),
# backspaces and carriage returns that overwrite what was shown. Kept: line breaks (CRLF
# too: vCard and iCalendar need it), tabs and mdnet's own colours (SGR, `ESC [ ... m`,
# made only by render.Style).
TERMINAL_CONTROL = re.compile(
    r"\x1b(?!\[[0-9;]*m)|\r(?!\n)|[\x00-\x08\x0b\x0c\x0e-\x1a\x1c-\x1f\x7f-\x9f]"
)


# Any control character but a tab or a line break: a search for one is 3 times quicker
# than for TERMINAL_CONTROL's alternatives (18 against 61 ms over a 4.6 MB report).
ANY_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def echo(text: str = "", nl: bool = True, err: bool = False) -> None:
    """click.echo, with every control character mdnet did not put there made visible."""
    if ANY_CONTROL.search(text):
        text = TERMINAL_CONTROL.sub(_visible, text)
    click.echo(text, nl=nl, err=err)


def _visible(match: re.Match[str]) -> str:
    # \u00XX: visible as text, and inside a JSON string (json.dumps leaves DEL and the
    # C1 characters as they are) an escape that reads back as the same character.
    return f"\\u{ord(match[0]):04x}"


def use_color() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


def emit(text: str, output: str | None, state: State | None = None, markdown: bool = False) -> None:
    """Print, or write to --output (a Markdown report as a note mdnet may overwrite)."""
    descriptor = 1 if output is None or output == "-" else _descriptor(output)
    if descriptor in (1, 2):
        echo(text, nl=False, err=descriptor == 2)
        return
    if descriptor is not None:  # /dev/fd/3: into what is open there, as `>&3` would
        _refuse_our_own(descriptor, str(output))
        with os.fdopen(os.dup(descriptor), "wb") as handle:
            handle.write(text.encode("utf-8"))
        return
    path = Path(str(output))
    if markdown:
        from .writer import write_report_note

        vault = state.config.vault if state else None
        if not write_report_note(path, text, vault=vault):
            echo(f"unchanged {output}", err=True)  # not rewritten: no churn to sync
            return
    elif path.suffix.lower() == ".md" or Path(os.path.realpath(path)).suffix.lower() == ".md":
        # A note, or a link to one: a note without the marker is never rewritten after.
        raise RefusedError(f"{output}: a note; only a --format markdown report is written as one")
    else:
        from .writer import atomic_write, make_folders, regular_or_missing

        if regular_or_missing(path):
            make_folders(path.parent, state.config.vault if state else None)
            atomic_write(path, text.encode("utf-8"))
        else:  # /dev/stdout, a FIFO, a device: written into, as a shell's `>` does
            with open(path, "wb") as handle:
                handle.write(text.encode("utf-8"))
    echo(f"wrote {output}", err=True)


def _descriptor(output: str) -> int | None:
    """The open file descriptor a path names (/dev/stdout, /dev/fd/3, /proc/self/fd/3):
    opening it again would truncate a file the shell opened for appending, and renaming
    over it would replace that file."""
    import re

    raw = os.path.abspath(output)
    named = {"/dev/stdin": 0, "/dev/stdout": 1, "/dev/stderr": 2}
    if raw in named:
        return named[raw]
    match = re.fullmatch(r"/(?:dev/fd|proc/self/fd)/(\d+)", raw)
    return int(match[1]) if match else None


def _refuse_our_own(descriptor: int, output: str) -> None:
    """/dev/fd/3 may be a file mdnet itself has open (the index, its WAL): never that."""
    from . import db

    try:
        st = os.fstat(descriptor)
    except OSError:
        return  # the write says what is wrong
    folder = db.index_path(Path(".")).parent
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            own = entry.stat(follow_symlinks=False)
            if (own.st_dev, own.st_ino) == (st.st_dev, st.st_ino):
                raise RefusedError(f"{output}: one of mdnet's own files; nothing was written")


@click.group(
    cls=MdnetGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--vault",
    type=click.Path(file_okay=False),
    help="The vault folder (default: $MDNET_VAULT, else the nearest folder up with "
    ".mdnet.toml or .obsidian/, else the working directory).",
)
@click.version_option(__version__, prog_name="mdnet")
@click.pass_context
def main(ctx: click.Context, vault: str | None) -> None:
    """mdnet: a personal relationship manager for your Markdown vault.

    \b
    Example:
      mdnet --vault ~/Notes report --as-of 2026-11-20
    """
    ctx.obj = State(vault)
    if ctx.invoked_subcommand is None:  # `mdnet` alone: the help, and no error
        echo(ctx.get_help())


@main.command()
@click.option("--rebuild", is_flag=True, help="Throw the index away and read every note again.")
@pass_state
def index(state: State, rebuild: bool) -> None:
    """Bring the index up to date and say what it read.

    \b
    Example:
      mdnet index --rebuild
    """
    idx, result = state.index(rebuild=rebuild, progress=True)
    with idx:
        problems = idx.conn.execute("SELECT COUNT(*) FROM problems").fetchone()[0]
    verb = "rebuilt" if result.rebuilt else "indexed"
    echo(
        f"{verb} {result.total} notes: read {result.read}, changed {result.changed}, "
        f"removed {result.removed} in {result.seconds:.2f}s"
    )
    if problems:  # check also looks across notes and at the config: too slow to count here
        echo(
            f"{problems} problem(s) in notes: `mdnet check` lists them, and any in links, "
            "names or the config",
            err=True,
        )


@main.command()
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@pass_state
def check(state: State, fmt: str) -> None:
    """List every problem in the vault as `path:line: error|warning: message`.

    Exits 1 when there is any error.

    \b
    Example:
      mdnet check
    """
    from .checks import vault_problems
    from .errors import ConfigError

    try:
        config = state.config
    except ConfigError as exc:  # listed as a problem: check is where problems are listed
        problems, notes = [_config_problem(exc)], None
    else:
        idx, _ = state.index()
        with idx:
            problems = vault_problems(idx.conn, config)
            notes = idx.conn.execute("SELECT COUNT(*) FROM notes").fetchone()[0]
    if fmt == "json":
        from .render import to_json

        echo(to_json(problems), nl=False)
    else:
        for problem in problems:
            echo(str(problem))
        errors = sum(1 for p in problems if p.level == "error")
        if problems:
            echo(f"{errors} error(s), {len(problems) - errors} warning(s)", err=True)
        else:  # silence looked like nothing had run
            echo(f"no problems in {notes} note(s)", err=True)
        if notes is None:
            echo("the notes are checked once the config reads", err=True)
    if any(p.level == "error" for p in problems):
        sys.exit(1)


def _config_problem(exc: Exception) -> Any:
    """A config error as `check` lists problems: `.mdnet.toml:LINE: error: ...` (line 1
    when the message names none)."""
    from .models import ERROR, Problem

    found = re.match(r"(\.mdnet\.toml)(?::(\d+))?: (.*)", str(exc), re.DOTALL)
    if found is None:
        return Problem(".mdnet.toml", 1, ERROR, str(exc))
    return Problem(found[1], int(found[2] or 1), ERROR, found[3])


def report_options(func):
    """The options every report shares."""
    func = click.option("--output", "-o", metavar="FILE", help="Write the report to FILE.")(func)
    func = click.option("--limit", type=click.IntRange(min=0), help="Keep the first N rows.")(func)
    func = click.option(
        "--format", "fmt", type=click.Choice(REPORT_FORMATS), default="text", show_default=True
    )(func)
    func = click.option("--as-of", type=DATE, help="Compute for this day (default: today).")(func)
    return func


@main.group(cls=ReportGroup, invoke_without_command=True)
@report_options
@click.option("--since", type=DATE, help="Gifts: start of the window (default: all time).")
@pass_state
@click.pass_context
def report(ctx, state: State, as_of, fmt, limit, output, since) -> None:
    """The reconnect report, then the gifts report.

    \b
    Examples:
      mdnet report
      mdnet report reconnect --as-of 2026-11-20 --format json
      mdnet report reconnect --city Lisbon      (a trip: everyone there)
      mdnet report gifts --since 2026-01-01
    """
    if ctx.invoked_subcommand is not None:
        _pass_options_down(ctx)
        return
    as_of = _window_end(as_of, since)
    color = use_color()
    text = _read_report(
        state, lambda api, conn: api.both(conn, state.config, as_of, since, fmt, limit, color)
    )
    emit(text, output, state, markdown=fmt == "markdown")


def _window_end(as_of: dt.date | None, since: dt.date | None) -> dt.date:
    """As of (default today), after checking that `--since` does not come after it: such
    a window is empty, which the report said as if nothing had been logged."""
    as_of = as_of or dt.date.today()
    if since is not None and since > as_of:
        raise click.BadParameter(
            f"{since} is after the report's day, {as_of}: nothing could be in that window",
            param_hint="'--since'",
        )
    return as_of


def _pass_options_down(ctx: click.Context) -> None:
    """`mdnet report --format json gifts`: the options given before the report's name
    are its defaults (its own options still win), rather than silently dropped."""
    from click.core import ParameterSource

    given = {
        name: value
        for name, value in ctx.params.items()
        if ctx.get_parameter_source(name) == ParameterSource.COMMANDLINE
    }
    name = ctx.invoked_subcommand or ""
    command = report.commands.get(name)
    if not given or command is None:
        return
    known = {param.name for param in command.params}
    for key in given:
        if key not in known:
            flag = "--" + key.replace("_", "-")
            raise click.UsageError(f"{flag} does not apply to `report {name}`", ctx)
    ctx.default_map = {name: given}


@report.command("reconnect")
@report_options
@click.option("--city", help="Only contacts in this city (for a trip).", type=TEXT)
@pass_state
def report_reconnect(state: State, as_of, fmt, limit, output, city) -> None:
    """Who is overdue, and what to bring up.

    \b
    Example:
      mdnet report reconnect --as-of 2026-11-20
    """
    as_of = as_of or dt.date.today()
    color = use_color()
    text = _read_report(
        state, lambda api, conn: api.reconnect(conn, state.config, as_of, fmt, limit, color, city)
    )
    emit(text, output, state, markdown=fmt == "markdown")


@report.command("gifts")
@report_options
@click.option("--since", type=DATE, help="Start of the window (default: all time).")
@pass_state
def report_gifts(state: State, as_of, fmt, limit, output, since) -> None:
    """What you gave and received, so you give more than you take.

    \b
    Example:
      mdnet report gifts --since 2026-01-01
    """
    as_of = _window_end(as_of, since)
    color = use_color()
    text = _read_report(state, lambda api, conn: api.gifts(conn, as_of, since, fmt, limit, color))
    emit(text, output, state, markdown=fmt == "markdown")


@main.command()
@click.argument("name", shell_complete=complete_contact, type=TEXT)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--as-of", type=DATE, help="Compute for this day (default: today).")
@click.option("--output", "-o", metavar="FILE", help="Write to FILE.")
@pass_state
def show(state: State, name: str, fmt: str, as_of, output) -> None:
    """One contact: properties, timeline with sources, balance, follow-ups.

    \b
    Example:
      mdnet show "Jib Okafor"
    """
    from .show import render_contact, show_contact

    as_of = as_of or dt.date.today()
    card = state.read(lambda idx: show_contact(idx.conn, state.config, name, as_of))
    emit(render_contact(card, fmt, use_color()), output)


@main.command()
@click.argument("sql", type=TEXT)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--output", "-o", metavar="FILE", help="Write to FILE.")
@pass_state
def query(state: State, sql: str, fmt: str, output) -> None:
    """Read-only SQL over the index (tables: notes, contacts, interactions, links, ...).

    \b
    Example:
      mdnet query "SELECT name, city FROM contacts ORDER BY name"
    """
    from .query import MAX_ROWS, run_query

    idx, _ = state.index()
    idx.close()
    headers, rows, more = run_query(idx.path, sql)
    if more:
        echo(
            f"mdnet: query: only the first {MAX_ROWS:,} rows are shown; "
            "page through the rest with LIMIT and OFFSET",
            err=True,
        )
    if fmt == "json":
        from .render import to_json

        keys = _unique(headers)
        text = to_json([dict(zip(keys, _jsonable_row(row), strict=True)) for row in rows])
    else:
        from .render import table

        text = table(headers, rows)
    emit(text, output)


@main.command()
@click.argument("name", shell_complete=complete_contact, type=TEXT)
@click.argument("text", type=TEXT)
@click.option("--date", "day", type=DATE, help="The day it happened (default: today).")
@click.option(
    "--tag",
    "tags",
    multiple=True,
    metavar="T",
    help="A tag, e.g. call or gift/given (again for more: --tag ask --tag yes).",
    type=TEXT,
)
@pass_state
def log(state: State, name: str, text: str, day, tags: tuple[str, ...]) -> None:
    """Add `- DATE TEXT #TAG` to the end of a contact's `## Log` section.

    Nothing else in the note changes; the section is added when it is missing.

    \b
    Example:
      mdnet log "Jib Okafor" "Coffee at Harbour Grind" --tag coffee
    """
    from .writer import log_interaction

    idx, _ = state.index()
    with idx:
        written = log_interaction(idx.conn, state.config, name, text, day or dt.date.today(), tags)
    echo(f"logged {written.path}:{written.line}: {written.text}")
    if written.warning:
        echo(f"mdnet: log: {written.warning}", err=True)


@main.command()
@click.argument("name", type=TEXT)
@click.option("--circle", help="A circle from the config (inner, close, friends, ...).", type=TEXT)
@click.option(
    "--cadence", metavar="D", help="How often to reconnect: 30d, 2w, monthly, none.", type=TEXT
)
@click.option("--met", type=DATE, help="When you first met.")
@click.option(
    "--tag",
    "tags",
    multiple=True,
    metavar="T",
    help="A tag for the note (again for more).",
    type=TEXT,
)
@pass_state
def add(state: State, name: str, circle, cadence, met, tags: tuple[str, ...]) -> None:
    """Create a contact note `people/NAME.md`; never overwrites a note.

    \b
    Example:
      mdnet add "Ada Lovelace" --circle friends --met 2026-11-20
    """
    from .writer import add_contact

    _check_circle(state, "add", circle)
    idx, _ = state.index()
    with idx:
        written = add_contact(idx.conn, state.config, name, circle, cadence, met, tags)
    echo(f"created {written.path}")


def _check_circle(state: State, command: str, circle: str | None) -> None:
    if circle is not None and circle.lower() not in state.config.circles:  # as the index reads it
        known = ", ".join(sorted(state.config.circles))
        raise UsageError(
            f"{command}: --circle: {circle!r} is not a circle of the config (known: {known})"
        )


@main.command()
@click.option("--quiet", "-q", is_flag=True, help="Print only warnings.")
@click.option("--verbose", "-v", is_flag=True, help="Also list the notes of each batch.")
@click.option("--polling", is_flag=True, help="Poll instead of inotify/FSEvents (network drives).")
@pass_state
def watch(state: State, quiet: bool, verbose: bool, polling: bool) -> None:
    """Keep the index current and rewrite the report notes of `[watch.reports]`.

    Stops cleanly on Ctrl-C, SIGTERM or SIGHUP. It writes nothing but those report
    notes. One watcher per vault: a second is refused.

    \b
    Example:
      mdnet watch            # in a terminal, a tmux pane or a service
    """
    import signal

    from .watch import Watcher

    watcher = Watcher(
        state.config,
        log=lambda line: echo(line, err=True),
        verbose=verbose,
        quiet=quiet,
        polling=polling,
    )
    if not state.config.watch_reports and not quiet:
        echo("mdnet: no [watch.reports] in .mdnet.toml: keeping the index only", err=True)

    def stop(signum: int, frame: object) -> None:
        watcher.stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if hasattr(signal, "SIGHUP"):  # its terminal or ssh session closed: stop as cleanly
        signal.signal(signal.SIGHUP, stop)
    watcher.run()
    if not quiet:
        echo("mdnet: stopped", err=True)


@main.command()
@click.argument("name", shell_complete=complete_contact, type=TEXT)
@click.argument("text", required=False, type=TEXT)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--as-of", type=DATE, help="Check for this day (default: today).")
@click.option("--output", "-o", metavar="FILE", help="Write to FILE.")
@pass_state
def ask(state: State, name: str, text, fmt: str, as_of, output) -> None:
    """Is it time to ask NAME for something? Exit 0 ready, 1 not yet.

    Never ask on a first or second meeting; wait for an open ask; a "no" rests for 180
    days. With TEXT, also checks that the ask is concrete.

    \b
    Example:
      mdnet ask "Lena Brandt" "Could you review my grant draft (4 pages) by Friday?"
    """
    from .lookup import find_contact
    from .render import to_json
    from .reports.ask import check_ask

    as_of = as_of or dt.date.today()
    check = state.read(
        lambda idx: check_ask(idx.conn, state.config, find_contact(idx.conn, name), as_of, text)
    )
    if fmt == "json":
        emit(to_json(check), output)
    else:
        verdict = "ready to ask" if check.ready else "not yet"
        n = check.prior_days
        met = (
            "no meeting" if n == 0 else "met on one day" if n == 1 else f"met on {n} different days"
        )
        lines = [f"{check.name}: {verdict} ({met} before {_day_said(as_of)})"]
        lines += [f"  ✗ {reason}" for reason in check.reasons]
        if check.ready:
            owe = " (you owe them: ask with care, and give first)" if check.balance < 0 else ""
            lines.append(f"  balance {check.balance:+d}{owe}")
        lines += [f"  ! {warning}" for warning in check.warnings]
        emit("\n".join(lines) + "\n", output)
    if not check.ready:
        sys.exit(1)


def _day_said(day: dt.date) -> str:
    return "today" if day == dt.date.today() else day.isoformat()


@main.command()
@click.option("--limit", type=click.IntRange(min=0), default=10, show_default=True)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--as-of", type=DATE, help="Suggest for this day (default: today).")
@click.option("--output", "-o", metavar="FILE", help="Write to FILE.")
@pass_state
def intros(state: State, limit: int, fmt: str, as_of, output) -> None:
    """Introductions worth making: people who share interests (or a city and a tag),
    not yet linked to each other, introduced or seen together on one dated line.

    \b
    Example:
      mdnet intros --limit 5
    """
    from .render import to_json
    from .reports.intros import intro_pairs

    day = as_of or dt.date.today()
    pairs = state.read(lambda idx: intro_pairs(idx.conn, day, limit))
    if fmt == "json":
        emit(to_json({"pairs": pairs}), output)
        return
    lines = [f"{p.a} ↔ {p.b}  ({p.score}): {'; '.join(p.shared)}" for p in pairs]
    if not lines and limit != 0:  # with --limit 0 none were looked for
        lines = ["No introductions to suggest yet."]
    emit("".join(line + "\n" for line in lines), output)


@main.command()
@click.argument("name", shell_complete=complete_contact, type=TEXT)
@click.option("--template", type=click.Path(dir_okay=False), help="A template file with {field}s.")
@click.option("--as-of", type=DATE, help="Draft for this day (default: today).")
@click.option("--output", "-o", metavar="FILE", help="Write to FILE.")
@pass_state
def draft(state: State, name: str, template, as_of, output) -> None:
    """Draft a reconnect message to NAME from a template.

    Placeholders: {name}, {first_name}, {last_text}, {last_date}, {bring_up}, {event},
    {city} and any front-matter key. A sentence with an empty field is left out.
    Without --template, news that is no cause to cheer (a death, a layoff, an
    illness) gets a gentler message than good news.

    \b
    Example:
      mdnet draft "Jib Okafor"
    """
    from .draft import MAX_TEMPLATE_CHARS, draft_message

    text = None
    if template:
        try:
            with open(template, encoding="utf-8") as handle:  # bounded, as /dev/zero is not
                text = handle.read(MAX_TEMPLATE_CHARS + 1)  # render() refuses the longer
        except (OSError, UnicodeDecodeError) as exc:
            raise click.BadParameter(
                f"cannot read {template}: {exc}", param_hint="--template"
            ) from None
    day = as_of or dt.date.today()
    message, unknown = state.read(
        lambda idx: draft_message(idx.conn, state.config, name, day, text)
    )
    for why in unknown:
        echo(f"mdnet: draft: {why}; its sentence was left out", err=True)
    emit(message, output)


@main.group("import", cls=SuggestingGroup)
def import_group() -> None:
    """Create contact notes from a phone, Google, iCloud or LinkedIn export.

    \b
    Example:
      mdnet import vcard contacts.vcf --dry-run
    """


def _import(
    state: State, kind: str, file: str, dry_run: bool, circle: str | None, cadence: str | None
) -> None:
    from .dates import parse_duration
    from .importers import decode_file, import_people, read_import_file, read_linkedin, read_vcards

    _check_circle(state, f"import {kind}", circle)
    if cadence is not None:
        try:
            parse_duration(cadence)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="'--cadence'") from None

    try:
        data = read_import_file(file, kind)  # bounded: `import vcard /dev/zero` never ended
    except OSError as exc:
        raise click.BadParameter(f"cannot read {file}: {exc.strerror}", param_hint="FILE") from None
    text = decode_file(data, file, kind)
    if kind == "vcard" and not re.search(r"(?im)^begin:vcard", text):
        hint = ""
        if re.match(r"\ufeff?\"?(?:Name|First Name)\"?,", text):  # Google's and Outlook's CSV
            hint = ": a CSV export? Export the contacts as vCard instead (Google: 'vCard')"
        raise UsageError(f"import vcard: {file}: no vCard in it (no BEGIN:VCARD line){hint}")
    people, invalid = read_vcards(text) if kind == "vcard" else read_linkedin(text)
    idx, _ = state.index()
    with idx:
        summary = import_people(
            idx.conn, state.config, people, invalid, dry_run, circle=circle, cadence=cadence
        )
    verb = "would create" if dry_run else "created"
    for path in summary.created:
        echo(f"{verb} {path}")
    for name, path in summary.existing:
        echo(f"skipped {name}: already {path}")
    for where, why in summary.invalid:
        echo(f"skipped {file} {where}: {why}")
    existing = {name for name, _ in summary.existing}
    for person in people:
        for what in person.left_out if person.name not in existing else ():
            echo(f"left out of {person.name} ({file} {person.source}): {what}")
    echo(
        f"{verb} {len(summary.created)}, skipped {len(summary.existing)} existing, "
        f"{len(summary.invalid)} invalid",
        err=True,
    )
    if summary.created and circle is None and cadence is None and state.config.default_cadence:
        # A phone's hundreds of cards all came to the top of the reconnect report, as
        # "never contacted" or overdue since LinkedIn's "Connected On" (found by an audit).
        echo(
            f"the new contacts remind you every {state.config.default_cadence}d (default_cadence): "
            "give them a circle or `cadence: none`, or import again with --circle or --cadence",
            err=True,
        )


def import_options(func):
    """The options both imports take."""
    func = click.option(
        "--cadence", metavar="D", help="The cadence of every contact made: 180d, none.", type=TEXT
    )(func)
    func = click.option(
        "--circle", help="The circle of every contact made (a circle of the config).", type=TEXT
    )(func)
    return click.option("--dry-run", is_flag=True, help="Say what would happen; write nothing.")(
        func
    )


@import_group.command("vcard")
@click.argument("file", type=click.Path(dir_okay=False))
@import_options
@pass_state
def import_vcard(state: State, file: str, dry_run: bool, circle, cadence) -> None:
    """Contacts from a vCard file (2.1, 3.0 or 4.0; phones, Google, iCloud).

    \b
    Example:
      mdnet import vcard contacts.vcf --dry-run
      mdnet import vcard contacts.vcf --cadence none
    """
    _import(state, "vcard", file, dry_run, circle, cadence)


@import_group.command("linkedin")
@click.argument("file", type=click.Path(dir_okay=False))
@import_options
@pass_state
def import_linkedin(state: State, file: str, dry_run: bool, circle, cadence) -> None:
    """Contacts from LinkedIn's Connections.csv (Connected On becomes `met`).

    \b
    Example:
      mdnet import linkedin Connections.csv --circle network
    """
    _import(state, "linkedin", file, dry_run, circle, cadence)


@main.group("export", cls=SuggestingGroup)
def export_group() -> None:
    """Contacts as vCard 4.0; birthdays and reconnect dates as an iCalendar feed.

    \b
    Example:
      mdnet export ics -o ~/Calendars/mdnet.ics
    """


@export_group.command("vcard")
@click.option("--output", "-o", metavar="FILE", help="Write to FILE (default: print).")
@pass_state
def export_vcard(state: State, output) -> None:
    """All contacts as vCard 4.0, with UIDs that stay the same across runs.

    \b
    Example:
      mdnet export vcard -o contacts.vcf
    """
    from .exporters import vcard_export

    idx, _ = state.index()
    with idx:
        emit(vcard_export(idx.conn, state.config.vault), output)


@export_group.command("ics")
@click.option("--as-of", type=DATE, help="Compute due dates for this day (default: today).")
@click.option("--output", "-o", metavar="FILE", help="Write to FILE (default: print).")
@pass_state
def export_ics(state: State, as_of, output) -> None:
    """Yearly birthdays and a reconnect reminder at each contact's due date.

    \b
    Example:
      mdnet export ics -o ~/Calendars/mdnet.ics
    """
    from .exporters import ics_export

    idx, _ = state.index()
    with idx:
        emit(ics_export(idx.conn, state.config, as_of or dt.date.today()), output)


def _jsonable_row(row: tuple) -> list:
    """Values JSON can hold: blobs as hex, and infinities (1e400) as null, as JSON has
    no number for them."""
    return [
        v.hex() if isinstance(v, bytes) else None if isinstance(v, float) and not isfinite(v) else v
        for v in row
    ]


def _unique(headers: list[str]) -> list[str]:
    """Column names as object keys: `SELECT 1 AS n, 2 AS n` keeps both, as n and n_2."""
    keys: list[str] = []
    for name in headers:
        key, n = name, 1
        while key in keys:
            n += 1
            key = f"{name}_{n}"
        keys.append(key)
    return keys


def run() -> None:
    """Entry point that hides tracebacks of bugs unless MDNET_DEBUG is set."""
    try:
        main(prog_name="mdnet")
    except Exception as exc:  # a bug, not a user mistake: still one line
        if os.environ.get("MDNET_DEBUG"):
            raise
        echo(f"mdnet: internal error: {type(exc).__name__}: {exc} "
                   "(set MDNET_DEBUG=1 to see the traceback)", err=True)  # fmt: skip
        sys.exit(70)
