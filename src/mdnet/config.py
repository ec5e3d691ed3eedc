"""`.mdnet.toml` and the environment, turned into one frozen Config."""

from __future__ import annotations

import json
import os
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .dates import parse_duration
from .errors import ConfigError, UsageError
from .hashing import sha1

# Format characters that make a name show as something else (bidi overrides, BOM).
HIDING = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff")

CONFIG_NAME = ".mdnet.toml"
_HERE = Path(__file__).parent
# The code whose output the index stores: a change to any of them means a rebuild.
_INDEX_CODE = [
    _HERE / name
    for name in (
        "parse.py",
        "yamlsafe.py",
        "rows.py",
        "dates.py",
        "models.py",
        "db.py",
        "sync.py",
        "vault.py",
    )
]
DEFAULT_CIRCLES: dict[str, int | None] = {
    "inner": 14,
    "close": 30,
    "friends": 90,
    "network": 180,
    "acquaintances": 365,
}


@dataclass(frozen=True)
class Config:
    vault: Path
    people_dir: str = "people"
    events_dir: str = "events"
    ignore: tuple[str, ...] = ()
    default_cadence: int | None = 90
    birthday_horizon: int = 14
    mentions: bool = True
    circles: dict[str, int | None] = field(default_factory=lambda: dict(DEFAULT_CIRCLES))
    watch_reports: dict[str, str] = field(default_factory=dict)
    person_template: str | None = None
    # (line, message) of keys the config has but mdnet does not know: `check` says them
    unknown_keys: tuple[tuple[int, str], ...] = ()

    def parse_fingerprint(self) -> str:
        """What the index depends on: the config's paths and the code that fills it.
        A change means a rebuild (the code part also catches an upgrade of mdnet)."""
        code = [(p.name, st.st_size, st.st_mtime_ns) for p in _INDEX_CODE for st in [p.stat()]]
        keys = [self.people_dir, self.events_dir, list(self.ignore), code]
        return sha1(json.dumps(keys).encode()).hexdigest()[:16]

    def cadence_for_circle(self, circle: str | None) -> int | None:
        if circle is not None and circle.lower() in self.circles:
            return self.circles[circle.lower()]
        return self.default_cadence


def find_vault(explicit: str | None, cwd: Path | None = None) -> Path:
    """`--vault`, else `$MDNET_VAULT`, else the nearest folder up with `.mdnet.toml` or
    `.obsidian/`, else the working directory."""
    chosen = explicit or os.environ.get("MDNET_VAULT")
    if chosen:
        path = Path(chosen).expanduser()
        if not path.is_dir():
            raise UsageError(f"vault not found: {chosen} is not a folder")
        return path.resolve()
    start = (cwd or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if marks_a_vault(folder):
            return folder
    return start


def marks_a_vault(folder: Path) -> bool:
    return (folder / CONFIG_NAME).is_file() or (folder / ".obsidian").is_dir()


def load_config(vault: Path) -> Config:
    path = vault / CONFIG_NAME
    if not path.is_file():
        return Config(vault=vault)
    try:
        data = path.read_bytes()
        source = data.decode("utf-8-sig")
        raw = tomllib.loads(source)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ConfigError(f"{CONFIG_NAME}:{line}: not UTF-8 text; save it as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{CONFIG_NAME}: {exc}") from None
    except RecursionError:  # tomllib reads a nested array or table by recursion
        raise ConfigError(f"{CONFIG_NAME}: arrays or tables nested too deeply to read") from None
    except OSError as exc:
        raise ConfigError(f"{CONFIG_NAME}: cannot read: {exc.strerror}") from None
    return _config_from_toml(vault, raw, source)


KNOWN_KEYS = {
    "": ("people_dir", "events_dir", "ignore", "default_cadence", "birthday_horizon",
         "mentions", "circles", "watch", "person_template"),
    "watch": ("reports",),
}  # fmt: skip


def key_line(source: str, key: str, table: str = "") -> int:
    """The line of `key` in `[table]` (top level: before any table) of the config's text;
    0 when it cannot be found (then the message names the file alone)."""
    current = ""
    for number, line in enumerate(source.splitlines(), 1):
        stripped = line.strip()
        header = _table_header(stripped)
        if header is not None:
            current = header.replace(" ", "").replace('"', "")
            if current == f"{table}.{key}".strip(".") or (not table and current == key):
                return number  # the key is a table of its own: [circles]
            continue
        if current == table and re.match(rf"[\"']?{re.escape(key)}[\"']?\s*=", stripped):
            return number
    return 0


def _table_header(line: str) -> str | None:
    """The name in a `[table]  # comment` line (stripped), None for any other line.
    String methods, not a regex: a lazy one tried every split of a run of spaces, and a
    multi-line string holding `[` and 3,000 spaces made every command take 20 s."""
    inner, close, rest = line[1:].partition("]") if line.startswith("[") else ("", "", "")
    rest = rest.lstrip()
    if not close or not inner or "[" in inner or (rest and not rest.startswith("#")):
        return None  # `[[array]]` is no table header either
    return inner.strip() or inner[-1]


def _unknown_keys(raw: dict, source: str) -> tuple[tuple[int, str], ...]:
    found = []
    for table, known in KNOWN_KEYS.items():
        values = raw if not table else raw.get(table, {})
        for key in values if isinstance(values, dict) else ():
            if key not in known:
                import difflib  # here: every command loads the config, few have a typo

                near = difflib.get_close_matches(key, known, n=1)
                hint = f"; did you mean {near[0]!r}?" if near else f" (known: {', '.join(known)})"
                where = f"[{table}] " if table else ""
                found.append((key_line(source, key, table), f"unknown key {where}{key!r}{hint}"))
    return tuple(found)


def _config_from_toml(vault: Path, raw: dict, source: str = "") -> Config:
    def error(key: str, message: str, table: str = "") -> ConfigError:
        line = key_line(source, key, table)
        return ConfigError(f"{CONFIG_NAME}{f':{line}' if line else ''}: {message}")

    def text(key: str, default: str) -> str:
        value = raw.get(key, default)
        if not isinstance(value, str) or not value.strip():
            raise error(key, f"{key} must be a non-empty string")
        return inside(key, value, "a folder")

    def inside(key: str, value: str, what: str, table: str = "") -> str:
        value = value.strip()
        parts = [p for p in value.replace("\\", "/").split("/") if p not in ("", ".")]
        absolute = value.startswith(("/", "\\", "~")) or re.match(r"[A-Za-z]:", value)
        if absolute or not parts or any(p.startswith(".") for p in parts):
            # .. leaves the vault; a dot folder is never indexed
            raise error(key.split()[-1], f"{key} must be {what} inside the vault", table)
        # A NUL, a line break (U+2028 too) or a bidi override; a joiner or an NBSP is fine.
        if any(unicodedata.category(c) in ("Cc", "Zl", "Zp") or c in HIDING for c in value):
            raise error(key.split()[-1], f"{key}: {value!r} holds a control character", table)
        return "/".join(parts)

    def duration(key: str, value: object, table: str = "") -> int | None:
        try:
            return parse_duration(value)
        except ValueError as exc:
            raise error(key.split(".")[-1], f"{key}: {exc}", table) from None

    def table(key: str) -> dict:
        value = raw.get(key, {})
        if not isinstance(value, dict):
            raise error(key, f"{key} must be a table ([{key}] and its keys)")
        return value

    ignore = raw.get("ignore", [])
    if isinstance(ignore, str):
        ignore = [ignore]
    if not isinstance(ignore, list) or not all(isinstance(g, str) for g in ignore):
        raise error("ignore", "ignore must be a list of glob strings")
    ignore = [g.strip().removeprefix("./") for g in ignore]  # ./Archive/** is Archive/**
    circles: dict[str, int | None] = dict(DEFAULT_CIRCLES)
    for name, value in table("circles").items():
        circles[str(name).lower()] = duration(f"circles.{name}", value, "circles")
    horizon = duration("birthday_horizon", raw.get("birthday_horizon", "14d"))
    reports = table("watch").get("reports", {})
    if not isinstance(reports, dict) or not all(isinstance(v, str) for v in reports.values()):
        raise error("reports", "[watch.reports] maps a report name to a note path", "watch")
    taken: dict[str, str] = {}  # note, as the file system may fold it -> its report
    for name, rel in reports.items():  # written by the watcher: never outside the vault
        reports[name] = inside(f"[watch.reports] {name}", rel, "a note", "watch.reports")
        # Two reports in one note: the watcher wrote it twice a save and the last won.
        folded = unicodedata.normalize("NFC", reports[name]).casefold()
        if folded in taken:
            message = f"[watch.reports] {name}: {rel!r} is already the note of {taken[folded]}"
            raise error(name, f"{message}; give each report a note of its own", "watch.reports")
        taken[folded] = name
    mentions = raw.get("mentions", True)
    if not isinstance(mentions, bool):  # "false" in quotes would have been true
        raise error("mentions", "mentions must be true or false (no quotes)")
    template = raw.get("person_template")
    if template is not None and not isinstance(template, str):
        raise error("person_template", "person_template must be a note path in quotes")
    return Config(
        vault=vault,
        people_dir=text("people_dir", "people"),
        events_dir=text("events_dir", "events"),
        ignore=tuple(ignore),
        default_cadence=duration("default_cadence", raw.get("default_cadence", "90d")),
        birthday_horizon=horizon if horizon is not None else 0,
        mentions=mentions,
        circles=circles,
        watch_reports=dict(reports),
        person_template=template,
        unknown_keys=_unknown_keys(raw, source),
    )
