"""`.mdnet.toml` and the environment, turned into one frozen Config."""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .dates import parse_duration
from .errors import ConfigError, UsageError
from .hashing import sha1

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
        if (folder / CONFIG_NAME).is_file() or (folder / ".obsidian").is_dir():
            return folder
    return start


def load_config(vault: Path) -> Config:
    path = vault / CONFIG_NAME
    if not path.is_file():
        return Config(vault=vault)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{CONFIG_NAME}: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{CONFIG_NAME}: cannot read: {exc.strerror}") from None
    return _config_from_toml(vault, raw)


def _config_from_toml(vault: Path, raw: dict) -> Config:
    def text(key: str, default: str) -> str:
        value = raw.get(key, default)
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{CONFIG_NAME}: {key} must be a non-empty string")
        return inside(key, value, "a folder")

    def inside(key: str, value: str, what: str) -> str:
        value = value.strip()
        parts = [p for p in value.replace("\\", "/").split("/") if p not in ("", ".")]
        if value.startswith("~") or not parts or any(p.startswith(".") for p in parts):
            # .. leaves the vault; a dot folder is never indexed
            raise ConfigError(f"{CONFIG_NAME}: {key} must be {what} inside the vault")
        return "/".join(parts)

    def duration(key: str, value: object) -> int | None:
        try:
            return parse_duration(value)
        except ValueError as exc:
            raise ConfigError(f"{CONFIG_NAME}: {key}: {exc}") from None

    def table(key: str) -> dict:
        value = raw.get(key, {})
        if not isinstance(value, dict):
            raise ConfigError(f"{CONFIG_NAME}: {key} must be a table ([{key}] and its keys)")
        return value

    ignore = raw.get("ignore", [])
    if isinstance(ignore, str):
        ignore = [ignore]
    if not isinstance(ignore, list) or not all(isinstance(g, str) for g in ignore):
        raise ConfigError(f"{CONFIG_NAME}: ignore must be a list of glob strings")
    circles: dict[str, int | None] = dict(DEFAULT_CIRCLES)
    for name, value in table("circles").items():
        circles[str(name).lower()] = duration(f"circles.{name}", value)
    horizon = duration("birthday_horizon", raw.get("birthday_horizon", "14d"))
    reports = table("watch").get("reports", {})
    if not isinstance(reports, dict) or not all(isinstance(v, str) for v in reports.values()):
        raise ConfigError(f"{CONFIG_NAME}: [watch.reports] maps a report name to a note path")
    for name, rel in reports.items():  # written by the watcher: never outside the vault
        reports[name] = inside(f"[watch.reports] {name}", rel, "a note")
    mentions = raw.get("mentions", True)
    if not isinstance(mentions, bool):  # "false" in quotes would have been true
        raise ConfigError(f"{CONFIG_NAME}: mentions must be true or false (no quotes)")
    template = raw.get("person_template")
    if template is not None and not isinstance(template, str):
        raise ConfigError(f"{CONFIG_NAME}: person_template must be a note path in quotes")
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
    )
