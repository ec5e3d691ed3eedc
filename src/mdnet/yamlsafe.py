"""Safe YAML for front matter: libyaml's C loader when present, values kept as written.

Dates stay strings (so `2024-02-30` is a value, not a crash), keys stay the text the
user typed (`no:` is the key "no", `2024:` is "2024"), and duplicate keys are noted.
"""

from __future__ import annotations

import math
import re
from typing import Any

import yaml

try:  # libyaml is about 7x faster than the pure-Python scanner
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

MAX_NODES = 50_000  # a front matter with more values is an alias bomb, not a contact


class FrontMatterLoader(_BaseLoader):
    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicate_keys: list[tuple[str, int]] = []

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        if not isinstance(node, yaml.MappingNode):
            raise yaml.constructor.ConstructorError(
                None, None, f"expected a mapping, found {node.id}", node.start_mark
            )
        self.flatten_mapping(node)
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                key = key_node.value
            else:
                key = str(self.construct_object(key_node, deep=True))
            if key in mapping:
                self.duplicate_keys.append((key, key_node.start_mark.line))
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping


def _timestamp_as_text(loader: FrontMatterLoader, node: yaml.ScalarNode) -> str:
    return loader.construct_scalar(node)


FrontMatterLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)

# Python refuses to turn an integer of more than 4,300 digits into text or back (one
# such value stopped every command of the vault): a number that long is kept as written.
MAX_INT_CHARS = 1000


def _int_or_text(loader: FrontMatterLoader, node: yaml.ScalarNode) -> int | str:
    if len(node.value) > MAX_INT_CHARS:
        return loader.construct_scalar(node)
    return loader.construct_yaml_int(node)


FrontMatterLoader.add_constructor("tag:yaml.org,2002:int", _int_or_text)


def _core_schema_resolvers() -> dict:
    """YAML 1.2's core schema, as Obsidian reads properties: `no`, `on`, `y` stay text,
    `10:00` is not 600 and `01234` is not 668 (a leading zero keeps the text as written)."""
    replaced = {
        "tag:yaml.org,2002:bool",
        "tag:yaml.org,2002:int",
        "tag:yaml.org,2002:float",
    }
    table: dict = {}
    for first, entries in yaml.resolver.Resolver.yaml_implicit_resolvers.items():
        kept = [(tag, rx) for tag, rx in entries if tag not in replaced]
        if kept:
            table[first] = kept
    rules = [
        ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
        (
            "tag:yaml.org,2002:int",
            r"^(?:[-+]?(?:0|[1-9][0-9]*)|0o[0-7]+|0x[0-9a-fA-F]+)$",
            "-+0123456789",
        ),
        (
            "tag:yaml.org,2002:float",
            r"^(?:[-+]?(?:\.[0-9]+|(?:0|[1-9][0-9]*)(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
            r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
            "-+.0123456789",
        ),
    ]
    for tag, pattern, firsts in rules:
        regex = re.compile(pattern)
        for first in firsts:
            table.setdefault(first, []).append((tag, regex))
    return table


FrontMatterLoader.yaml_implicit_resolvers = _core_schema_resolvers()


class FrontMatterError(ValueError):
    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line  # 0-based within the YAML text


def load_front_matter(text: str) -> tuple[Any, list[tuple[str, int]]]:
    """The YAML value of `text` and its duplicate keys (name, 0-based line).

    Raises FrontMatterError with the 0-based line of the problem."""
    simple = load_simple(text)
    if simple is not None:
        return simple, []
    return load_with_yaml(text)


def load_with_yaml(text: str) -> tuple[Any, list[tuple[str, int]]]:
    """The real loader: libyaml's parser with our safe constructor."""
    loader = FrontMatterLoader(text)
    try:
        value = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        reason = exc.problem or "invalid YAML"
        opened = exc.context and exc.context.startswith(("while scanning", "while parsing a flow"))
        if exc.context_mark and ("end of stream" in reason or opened):
            # an unclosed quote or bracket is found lines later: where it opened helps more
            mark = exc.context_mark
            reason = f"{exc.context}: {reason}"
        raise FrontMatterError(reason, mark.line if mark else 0) from None
    except yaml.YAMLError as exc:
        raise FrontMatterError(str(exc).splitlines()[0], 0) from None
    except RecursionError:
        raise FrontMatterError("front matter nests too deeply", 0) from None
    finally:
        loader.dispose()
    # Anchors can make a value share or contain itself; tags, `.inf`, `.nan` and numbers
    # too large for a float (`1e999`) make values JSON cannot hold. This is the slow path
    # already (most front matter goes through load_simple), so every value is checked.
    try:
        plain = to_plain(value, limit="&" in text)
    except RecursionError:
        raise FrontMatterError("front matter nests too deeply", 0) from None
    return plain, loader.duplicate_keys


def to_plain(value: Any, limit: bool = True) -> Any:
    """JSON-safe copy of a YAML value; refuses alias bombs (with `limit`: only anchors
    make one) and self-referencing values."""
    budget = [MAX_NODES if limit else math.inf]

    def walk(item: Any, path: frozenset[int]) -> Any:
        budget[0] -= 1
        if budget[0] < 0:
            raise FrontMatterError("front matter is too large (alias bomb?)", 0)
        if isinstance(item, int) and item.bit_length() > 14_000:  # ~4,300 digits: see above
            return hex(item)
        if item is None or isinstance(item, bool | int | str):
            return item
        if isinstance(item, float):
            return item if math.isfinite(item) else str(item)
        if isinstance(item, bytes):
            return f"<{len(item)} bytes of binary data>"
        if isinstance(item, dict | list | set | tuple):
            if id(item) in path:
                raise FrontMatterError("front matter refers to itself", 0)
            inner = path | {id(item)}
            if isinstance(item, dict):
                return {str(k): walk(v, inner) for k, v in item.items()}
            return [walk(v, inner) for v in item]
        return str(item)

    return walk(value, frozenset())


# --- the common case without a YAML parser ---------------------------------------------
#
# Most front matter is `key: value` lines and block lists of plain words. Reading those
# by hand is several times faster than libyaml plus PyYAML's Python constructor; any
# line outside that shape (quotes with escapes, nesting, anchors, tags, comments,
# duplicates, tabs...) sends the whole text to the real loader. A property test keeps
# the two readings equal.

_KEY_LINE = re.compile(r"^([A-Za-z_][A-Za-z0-9_ -]*?):(?: (.*))?$")
_ITEM_LINE = re.compile(r"^( {0,4})- (.*)$")
_UNSAFE_START = set("[]{}&*!|>'\"%@`#,?:-~")
# What libyaml refuses anywhere in a document: control characters and the like. (U+2028
# and U+2029 pass: libyaml reads them as line breaks, but Obsidian as text, and so does
# this reader; text pasted from elsewhere brings them.)
_NOT_YAML = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def load_simple(text: str) -> dict[str, Any] | None:
    """The mapping of a simple front matter, or None when it needs the real loader."""
    if any(mark in text for mark in ("\t", "#", "\\", "\x85")) or _NOT_YAML.search(text):
        return None
    result: dict[str, Any] = {}
    current: str | None = None  # the key whose block list is open
    indent: str | None = None
    for line in text.split("\n"):
        item = _ITEM_LINE.match(line)
        if item:
            value = _scalar(item[2])
            if current is None or value is _FALLBACK or indent not in (None, item[1]):
                return None
            indent = item[1]
            if result[current] is None:
                result[current] = []
            result[current].append(value)
            continue
        match = _KEY_LINE.match(line)
        if not match or match[1] in result or match[1] != match[1].rstrip():
            return None  # blank lines, nesting, comments, duplicates: the real loader
        key, raw = match[1], match[2]
        current, indent = (key, None) if not raw else (None, None)
        if not raw:
            result[key] = None
            continue
        value = _flow_list(raw) if raw.startswith("[") else _scalar(raw)
        if value is _FALLBACK:
            return None
        result[key] = value
    return result


_FALLBACK = object()


def _flow_list(raw: str) -> Any:
    # Items may be quoted ("Adriana Doğan"); a quote that holds a comma splits into
    # parts that _scalar refuses.
    if not raw.endswith("]") or any(c in raw[1:-1] for c in "[]{}"):
        return _FALLBACK
    inner = raw[1:-1].strip(" ")  # YAML's white space, not Unicode's (U+00A0 is text)
    if not inner:
        return []
    values = []
    for part in inner.split(","):
        part = part.strip(" ")
        if not part:
            return _FALLBACK
        value = _scalar(part)
        if value is _FALLBACK:
            return _FALLBACK
        values.append(value)
    return values


def _scalar(raw: str) -> Any:
    """A plain or simply quoted scalar, resolved as the real loader would."""
    if raw != raw.strip() or not raw:
        return _FALLBACK
    if raw[0] == '"':
        body = raw[1:-1]
        ok = len(raw) >= 2 and raw[-1] == '"' and '"' not in body
        return body if ok else _FALLBACK
    if raw[0] == "'":
        body = raw[1:-1]
        ok = len(raw) >= 2 and raw[-1] == "'" and "'" not in body
        return body if ok else _FALLBACK
    if raw[0] in _UNSAFE_START and not _plain_dash(raw) or ": " in raw or raw.endswith(":"):
        return _FALLBACK
    tag = _resolve(raw)
    if tag is None:
        return raw
    if tag.endswith(":null"):
        return None
    if tag.endswith(":bool"):
        return raw.lower() == "true"
    if tag.endswith(":int"):
        if len(raw) > MAX_INT_CHARS:
            return raw
        return int(raw, 0) if raw[:2] in ("0o", "0x") else int(raw)
    if tag.endswith(":float"):
        return _FALLBACK  # .inf, exponents, 1. and friends: leave them to the loader
    if tag.endswith(":timestamp"):
        return raw
    return _FALLBACK


def _plain_dash(raw: str) -> bool:
    """`--05-16` (a birthday without a year) or `-3`: a `-` that starts a plain scalar,
    not a list item (`- x`)."""
    return raw[0] == "-" and len(raw) > 1 and raw[1] != " "


def _resolve(raw: str) -> str | None:
    for tag, regex in FrontMatterLoader.yaml_implicit_resolvers.get(raw[0], []):
        if regex.match(raw):
            return tag
    return None
