"""The plain dataclasses that the parser, the index and the reports pass around."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

ERROR = "error"
WARNING = "warning"
# The property that marks mdnet's own report notes: never contacts, events or sources.
GENERATED_MARK = "generated_by: mdnet"


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong in a note, named by `path:line` (1-based; 1 for the whole file)."""

    path: str
    line: int
    level: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.level}: {self.message}"


class Link(NamedTuple):
    """A `[[target]]` link; `key` is the normalised target used to resolve it."""

    key: str
    line: int


# Named tuples, not dataclasses: a vault has hundreds of thousands of these, and tuples
# are several times cheaper to build and to send from a worker process.
class Interaction(NamedTuple):
    """A dated list item. `links` are the keys linked in its first line."""

    line: int
    date: str
    text: str
    kind: str
    answer: str | None
    tags: tuple[str, ...]
    links: tuple[str, ...]
    details: str = ""


class Task(NamedTuple):
    """A task list item; open ones are follow-ups."""

    line: int
    text: str
    done: bool
    due: str | None
    links: tuple[str, ...]


@dataclass(slots=True)
class ParsedNote:
    """Everything the index keeps of one note; built by `parse.parse_note` from its text alone."""

    path: str
    properties: dict[str, Any] = field(default_factory=dict)
    body_line: int = 1  # line number of the first body line
    is_contact: bool = False
    is_event: bool = False
    generated: bool = False
    date: str | None = None  # the date of a dated note
    interactions: list[Interaction] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # The lines of the dated properties a report may name as a source (`met: ...`).
    property_lines: dict[str, int] = field(default_factory=dict)
