"""Note text → properties, interactions, tasks, links and problems. Pure: no file access.

A line scanner rather than a full Markdown parse: it knows the few constructs that
matter (front matter, fences, HTML and Obsidian comments, list items, links, tags),
which is what keeps a cold index near the speed of reading the files.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from functools import lru_cache
from typing import Any
from urllib.parse import unquote

from .dates import DUE, birthday_mistake, is_valid_day, parse_birthday, parse_day, parse_duration
from .models import ERROR, GENERATED_MARK, WARNING, Interaction, Link, ParsedNote, Problem, Task

LINK = re.compile(r"\[\[([^\[\]\n]+?)\]\]")
# A Markdown link, as Obsidian writes links with its "Use [[Wikilinks]]" setting off:
# [Afi Doe](Afi%20Doe.md), [x](../people/Afi%20Doe.md), [x](<people/Afi Doe.md#Log> "t").
MD_LINK = re.compile(
    r"\[[^\[\]\n]*\]\((?:<([^<>\n]+)>|([^()\s<>]+))(?:[ \t]+(?:\"[^\"\n]*\"|'[^'\n]*'))?\)"
)
URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
# What a Markdown link names when it is no note: the files Obsidian embeds or opens.
ATTACHMENTS = frozenset((
    "png", "jpg", "jpeg", "gif", "webp", "svg", "bmp", "avif", "heic", "tif", "tiff", "ico",
    "pdf", "mp3", "wav", "m4a", "ogg", "flac", "webm", "mp4", "mov", "mkv", "avi", "zip",
    "gz", "txt", "csv", "tsv", "json", "xml", "html", "htm", "doc", "docx", "xls", "xlsx",
    "ppt", "pptx", "odt", "ods", "canvas", "excalidraw", "base", "epub",
))  # fmt: skip
LIST_ITEM = re.compile(r"^([ \t]*)(?:[-*+]|\d{1,9}[.)])[ \t]+(.*)$")
TASK_BOX = re.compile(r"^\[(.)\](?:[ \t]+|$)(.*)$")
ITEM_DATE = re.compile(r"^(?:\[\[(\d{4}-\d\d-\d\d)(?:\|[^\]]*)?\]\]|(\d{4}-\d\d-\d\d))(?![\w/-])")
SEPARATOR = re.compile(r"^[ \t]*(?:(?:-|—|–)[ \t]+|:[ \t]*)")
# A `#` not preceded by anything but white space, `(` or `[`. The `#` comes first (its
# look-behind after it) so that the search jumps from `#` to `#`: 6 times faster.
# A tag ends where Obsidian's does: at white space, ASCII punctuation but `_ - /`, and
# Unicode's general and supplemental punctuation (#gift/given—scarf is #gift/given).
TAG = re.compile(
    r"#(?<![^\s(\[]#)([^\s\u2000-\u206f\u2e00-\u2e7f'!\"#$%&()*+,.:;<=>?@^`{|}~\[\]\\]+)"
)
BACKTICKS = re.compile(r"`+")
# A backtick fence's info string holds no backtick (CommonMark): "```x``` is code" is an
# inline code span on a line of text, not a fence that runs to the end of the note.
FENCE = re.compile(r"^[ \t]*(`{3,}(?=[^`]*$)|~{3,})")
DATED_NAME = re.compile(r"^(\d{4}-\d\d-\d\d)(?!\d)")
UNQUOTED_LINK = re.compile(r"(?::|^\s*-)\s*\[\[")
# Plain values that YAML 1.1 tools read as something else than mdnet and Obsidian do.
YAML11_SURPRISE = re.compile(
    r"^\s*(?:-\s+|[^:#\s][^:#]*:\s+)(yes|no|on|off|y|n|\d+(?::[0-5]?\d)+|0\d+)\s*(?:#.*)?$",
    re.IGNORECASE,
)
CONFLICT = ("<<<<<<< ", "=======", ">>>>>>> ", "<<<<<<<\n", ">>>>>>>\n")

# Tag → (kind, how it counts). Checked in this order; the first tag that matches wins.
KIND_BY_TAG = (
    ("gift/given", "gift_given"),
    ("gift/received", "gift_received"),
    ("favor/given", "favor_given"),
    ("favor/received", "favor_received"),
    ("ask", "ask"),
    ("intro", "intro"),
    ("paid", "paid"),
    ("life", "life"),
)
DATE_PROPERTIES = ("met", "last_contact", "snooze", "date", "end")
SOURCE_PROPERTIES = ("met", "last_contact")  # a report names their line as a source
MAX_DETAILS = 2000


@lru_cache(maxsize=65536)
def link_key(target: str) -> str:
    """The resolvable part of a link target: no alias, heading or block, no `.md`, lower case."""
    target = target.split("|", 1)[0].split("#", 1)[0].split("^", 1)[0]
    target = target.replace("\\", "/").strip().strip("/").strip()
    if target.lower().endswith(".md"):
        target = target[:-3]
    return name_key(target)


@lru_cache(maxsize=65536)
def md_link_key(target: str) -> str:
    """The key of a Markdown link's target; "" for a web address, an anchor in the same
    note or a file that is not a note (an image, a PDF)."""
    if target.startswith("#") or URL_SCHEME.match(target):
        return ""
    path, _, heading = target.partition("#")
    path = unquote(path)
    last = path.rsplit("/", 1)[-1]
    if "." in last and last.rpartition(".")[2].lower() in ATTACHMENTS:
        return ""  # pic.png, a.pdf; not the dots of "J. R. Smith", "Dr. Who" or "John.Doe"
    return link_key(path)


def md_links_in(text: str) -> list[str]:
    if "](" not in text:
        return []
    return [key for key in (md_link_key(a or b) for a, b in MD_LINK.findall(text)) if key]


def name_key(name: str) -> str:
    """How names compare: lower case, and one Unicode form (macOS file systems store
    "ü" as u + ¨, while a link typed in Obsidian holds the single character)."""
    if not name.isascii():
        name = unicodedata.normalize("NFC", name)
    return name.lower()


def links_in(text: str) -> list[str]:
    """The link keys of a line: its [[wikilinks]], then its Markdown links to notes."""
    keys = [key for key in (link_key(m) for m in LINK.findall(text)) if key] if "[[" in text else []
    return keys + md_links_in(text) if "](" in text else keys


def tags_in(text: str) -> tuple[str, ...]:
    """Obsidian tags of a line, lower case, `favour` spelled `favor`; `#123` is no tag."""
    if "#" not in text:
        return ()
    found = TAG.findall(text)
    return _normal_tags(tuple(found)) if found else ()


@lru_cache(maxsize=4096)  # a vault uses the same few tags again and again
def _normal_tags(raw: tuple[str, ...]) -> tuple[str, ...]:
    found = []
    for tag in raw:
        tag = tag.lower().rstrip("/")
        if not tag or tag.replace("/", "").isdigit():
            continue
        if tag.startswith("favour"):
            tag = "favor" + tag[6:]
        found.append(tag)
    return tuple(dict.fromkeys(found))


@lru_cache(maxsize=4096)
def kind_of(tags: tuple[str, ...]) -> tuple[str, str | None]:
    """The interaction kind for a set of tags, and an ask's answer (`yes`, `no` or None)."""
    kind = "touchpoint"
    for tag, name in KIND_BY_TAG:
        # A nested tag is its parent's too, as in Obsidian: #gift/given/birthday.
        if tag in tags or any(t.startswith(tag + "/") for t in tags):
            kind = name
            break
    answer = None
    if kind == "ask":  # nested answers too: #no/politely
        if "yes" in tags or any(t.startswith("yes/") for t in tags):
            answer = "yes"
        elif "no" in tags or any(t.startswith("no/") for t in tags):
            answer = "no"
    return kind, answer


def decode(rel: str, data: bytes, problems: list[Problem]) -> str:
    """Bytes → text. UTF-8 (with or without BOM) or UTF-16 with BOM; anything else is
    reported and read with replacement characters, so the rest of the note still counts."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            problems.append(Problem(rel, 1, ERROR, "invalid UTF-16; read with replacements"))
            return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        bad = data[exc.start : exc.start + 1].hex()
        problems.append(
            Problem(rel, line, ERROR, f"invalid UTF-8 (byte 0x{bad}); read with replacements")
        )
        return data.decode("utf-8", errors="replace")


def split_lines(text: str) -> list[str]:
    return _unix_newlines(text).split("\n")


def _unix_newlines(text: str) -> str:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def split_front_matter(lines: list[str]) -> tuple[list[str] | None, int, bool]:
    """(YAML lines or None, index of the first body line, closed?) for a note's lines.

    Front matter is a first line `---` up to the next `---` or `...` line, as Obsidian
    reads it. An unclosed block is not front matter: the whole note is body."""
    if not lines or lines[0].rstrip() != "---":
        return None, 0, True
    for i in range(1, len(lines)):
        stripped = lines[i].rstrip()
        if stripped == "---" or stripped == "...":
            return lines[1:i], i + 1, True
    return None, 0, False


def parse_note(rel: str, data: bytes, people_dir: str = "people", events_dir: str = "events"):
    """Parse one note's bytes. Never raises for bad input: problems are values."""
    note = ParsedNote(path=rel)
    problems = note.problems
    text = decode(rel, data, problems)
    if not text or text.isspace():
        problems.append(Problem(rel, 1, WARNING, "empty note"))
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        problems.append(Problem(rel, line, ERROR, "contains a NUL byte (is this a binary file?)"))
        # Read as U+FFFD, as invalid UTF-8 is: a NUL cuts text short in terminals, and
        # in SQLite's JSON functions before 3.45 (the JSON report).
        text = text.replace("\x00", "\ufffd")
    text = _unix_newlines(text)
    lines = text.split("\n")
    if "<<<<<<<" in text or ">>>>>>>" in text:
        _find_conflict_markers(rel, lines, problems)
    yaml_lines, body_start, closed = split_front_matter(lines)
    if not closed:
        problems.append(
            Problem(rel, 1, ERROR, "front matter is not closed: add a `---` line after it")
        )
    marked = False  # mdnet's marker in front matter that does not read
    if yaml_lines is not None:
        props = _read_properties(rel, yaml_lines, problems)
        note.properties = props if props is not None else {}
        marked = props is None and has_generated_mark(yaml_lines)
        _front_matter_links(yaml_lines, note)
        note.property_lines = {
            key: key_line(yaml_lines, key) for key in SOURCE_PROPERTIES if key in note.properties
        }
    note.body_line = body_start + 1
    name_day = _name_day(rel)
    _classify(note, people_dir, events_dir, marked, name_day)
    if note.generated:  # mdnet's own report: never a source of interactions
        note.links.clear()
        return note
    _check_properties(note, yaml_lines or [])
    if name_day is not None and not is_valid_day(name_day):
        _unreal_name_day(note, name_day)
    if note.is_event and note.date is None:
        _undated_event(note, yaml_lines or [])
    # The body as one text: the note's own when it has no front matter (most daily notes).
    body = text if body_start == 0 else None
    _scan_body(note, lines, body_start, body=body)
    if not note.is_contact and PERSON_TAG.search(text, _offset_of_line(text, body_start)):
        _person_tag_in_text(note, lines, body_start)
    return note


# `#person` as the start of a tag, any case: where a note may be tagged as Obsidian
# counts tags, in its text too.
PERSON_TAG = re.compile(r"#[Pp][Ee][Rr][Ss][Oo][Nn]")


def _offset_of_line(text: str, index: int) -> int:
    """Where the line at `index` (0-based) starts in `text`."""
    offset = 0
    for _ in range(index):
        offset = text.index("\n", offset) + 1
    return offset


def _person_tag_in_text(note: ParsedNote, lines: list[str], start: int) -> None:
    """A note tagged #person in its text is a person's in Obsidian, but mdnet reads
    contacts from the front matter only (SPEC): said, so that its items are not lost
    unsaid. Looked for in the text as shown, without its code and comments."""
    shown: list[tuple[int, str]] = []
    _scan_body_by_line(ParsedNote(note.path), lines, start, text=shown)
    for number, line in sorted(shown):
        if "#" in line and "person" in tags_in(LINK.sub(" ", line)):
            message = (
                "tagged #person in the text: mdnet reads contacts from the front matter, "
                "add `tags: [person]`"
            )
            note.problems.append(Problem(note.path, number, WARNING, message))
            return


def unreadable_note(rel: str, why: str) -> ParsedNote:
    """A note that is there but cannot be read: only its problem, so that `check` names it
    (it is not a contact or an event until it can be read)."""
    note = ParsedNote(path=rel)
    note.problems.append(Problem(rel, 1, ERROR, f"cannot read: {why}"))
    return note


def _find_conflict_markers(rel: str, lines: list[str], problems: list[Problem]) -> None:
    for number, line in enumerate(lines, 1):
        if line.startswith(("<<<<<<<", ">>>>>>>")) or line.rstrip() == "=======":
            if line.startswith("<<<<<<<"):
                problems.append(
                    Problem(rel, number, ERROR, "git conflict marker: resolve the merge conflict")
                )
            elif line.startswith(">>>>>>>"):
                problems.append(Problem(rel, number, ERROR, "git conflict marker (end)"))


def has_generated_mark(yaml_lines: list[str]) -> bool:
    """mdnet's marker as a line of its own at the left margin: how its report note is
    still known when its front matter does not read (two machines' reports merged with
    a conflict on their as_of line)."""
    return any(line.rstrip() == GENERATED_MARK for line in yaml_lines)


def _read_properties(
    rel: str, yaml_lines: list[str], problems: list[Problem]
) -> dict[str, Any] | None:
    """The front matter's properties; None when it does not read (a problem says why)."""
    source = "\n".join(yaml_lines)
    if not source.strip():
        return {}
    from .yamlsafe import FrontMatterError, load_front_matter  # YAML costs 25 ms to import

    try:
        value, duplicates = load_front_matter(source)
    except FrontMatterError as exc:
        problems.append(Problem(rel, exc.line + 2, ERROR, f"front matter: {exc}"))
        return None
    for key, row in duplicates:
        problems.append(
            Problem(rel, row + 2, WARNING, f"property {key!r} appears twice; the last one counts")
        )
    for offset, line in enumerate(yaml_lines):
        match = YAML11_SURPRISE.match(line)
        if match:
            message = (
                f"{match[1]!r} is read as text, as Obsidian does, but YAML 1.1 tools "
                "read it as a boolean or a number: quote it"
            )
            problems.append(Problem(rel, offset + 2, WARNING, message))
    if value is None:
        return {}
    if not isinstance(value, dict):
        problems.append(Problem(rel, 2, ERROR, "front matter is not a set of `key: value` lines"))
        return {}
    return value


def _front_matter_links(yaml_lines: list[str], note: ParsedNote) -> None:
    for offset, line in enumerate(yaml_lines):
        if "[[" not in line:
            continue
        number = offset + 2
        for key in links_in(line):
            note.links.append(Link(key, number))
        if UNQUOTED_LINK.search(line.split("#", 1)[0] if " #" in line else line):
            note.problems.append(
                Problem(
                    note.path,
                    number,
                    WARNING,
                    'unquoted [[link]] in a property: YAML reads it as a list; write "[[...]]"',
                )
            )


# How a list property written as text splits, as Obsidian split its legacy forms
# (`tags: person, climber`, `aliases: Jib, Jibola`): on commas, and tags on white space
# too, since a tag holds none; a name or an interest keeps its spaces ("Ana Díaz").
LIST_SEPARATORS = {
    "tags": re.compile(r"[,\s]+"),
    "aliases": re.compile(r","),
    "interests": re.compile(r","),
}


def list_property(props: dict[str, Any], key: str) -> list[str]:
    """A list property (`tags`, `aliases`, `interests`) as its items, read one way
    wherever mdnet uses it: a list's text and numbers, or text split into items."""
    value = props.get(key)
    if isinstance(value, str):
        items = LIST_SEPARATORS[key].split(value)
    elif isinstance(value, list):
        items = [str(v) for v in value if isinstance(v, str | int | float)]
    elif isinstance(value, int | float):
        items = [str(value)]
    else:
        return []
    return [item.strip() for item in items if item.strip()]


def note_tags(props: dict[str, Any]) -> list[str]:
    """The front matter's tags, lower case, without a leading `#`."""
    tags = (tag.lstrip("#").lower() for tag in list_property(props, "tags"))
    return list(dict.fromkeys(tag for tag in tags if tag))


def _classify(
    note: ParsedNote, people_dir: str, events_dir: str, marked: bool, name_day: str | None
) -> None:
    props = note.properties
    rel = note.path
    tags = note_tags(props) if "tags" in props else ()
    # mdnet's own report note is neither, wherever it is written (people/Reconnect.md),
    # also when a merge conflict keeps its front matter from reading (`marked`).
    note.generated = marked or props.get("generated_by") == "mdnet"
    note.is_contact = not note.generated and (_under(rel, people_dir) or "person" in tags)
    note.is_event = not note.generated and (
        _under(rel, events_dir) or str(props.get("type", "")).lower() == "event"
    )
    named = name_day if name_day is not None and is_valid_day(name_day) else None
    written = parse_day(props["date"]) if "date" in props else None
    # An event is on its `date` (SPEC names it for events): its note may be named for
    # the day it was made, or the event moved after it was named. Any other note keeps
    # the day its name gives, as Obsidian's daily notes are named.
    if written is not None and (note.is_event or named is None):
        note.date = written.isoformat()
    else:
        note.date = named


def _name_day(rel: str) -> str | None:
    """The YYYY-MM-DD a note's file name starts with (`2026-01-15 standup.md`), a real
    day or not."""
    match = DATED_NAME.match(rel.rsplit("/", 1)[-1])
    return match[1] if match else None


def _unreal_name_day(note: ParsedNote, day: str) -> None:
    """A file name that starts like a daily note's on a day that does not exist
    (`2026-13-01.md`): the note would be undated by it, unsaid."""
    message = f"the file name starts with {day}, which is not a real date: it dates nothing"
    note.problems.append(Problem(note.path, 1, WARNING, message))


def _under(rel: str, folder: str) -> bool:
    """Whether a note lies in the folder, however its name's letters are composed: macOS
    stores "ö" as o + ¨, while the config holds it as typed (one character)."""
    if rel.startswith(folder + "/"):
        return True
    if rel.isascii() and folder.isascii():
        return False
    return unicodedata.normalize("NFC", rel).startswith(unicodedata.normalize("NFC", folder) + "/")


def key_line(yaml_lines: list[str], key: str) -> int:
    """The file line of a top-level property, for messages (1 when it cannot be found)."""
    pattern = re.compile(r"^['\"]?" + re.escape(key) + r"['\"]?\s*:")
    for offset, line in enumerate(yaml_lines):
        if pattern.match(line):
            return offset + 2
    return 1


def _check_properties(note: ParsedNote, yaml_lines: list[str]) -> None:
    props = note.properties
    if not props:
        return

    def problem(key: str, message: str, level: str = ERROR) -> None:
        note.problems.append(Problem(note.path, key_line(yaml_lines, key), level, message))

    for key in DATE_PROPERTIES:
        value = props.get(key)
        if value not in (None, "") and parse_day(value) is None:
            problem(key, f"{key}: {value!r} is not a date (YYYY-MM-DD)")
    written = parse_day(props.get("date"))
    if written is not None and not note.is_event and note.date != written.isoformat():
        message = (
            f"date: {written.isoformat()} is not the day the file name gives "
            f"({note.date}); the file name's day counts"
        )
        problem("date", message, WARNING)
    birthday = props.get("birthday")
    if birthday not in (None, "") and parse_birthday(birthday) is None:
        problem("birthday", f"birthday: {birthday!r} {birthday_mistake(birthday)}")
    if props.get("cadence") not in (None, ""):
        try:
            parse_duration(props["cadence"])
        except ValueError as exc:
            problem("cadence", f"cadence: {exc}")
    for key in ("aliases", "tags", "interests"):
        value = props.get(key)
        if value is not None and not isinstance(value, list | str):
            problem(key, f"{key} should be a list", WARNING)


def _undated_event(note: ParsedNote, yaml_lines: list[str]) -> None:
    """An event with no day (an unreadable `date:` is said already): it would be shown
    nowhere and give its attendees nothing, without a word."""
    if note.properties.get("date") not in (None, ""):
        return
    message = "an event without a date is shown nowhere: add `date: YYYY-MM-DD`"
    note.problems.append(Problem(note.path, key_line(yaml_lines, "date"), WARNING, message))


def _strip_code_spans(line: str) -> str:
    if "`" not in line:
        return line
    pieces, pos = [], 0
    for start, end in code_spans(line):
        pieces += [line[pos:start], " "]
        pos = end
    return "".join(pieces) + line[pos:] if pieces else line


def code_spans(line: str) -> list[tuple[int, int]]:
    """(start, end) of each code span of a line, as CommonMark reads them: a run of
    backticks up to the next run of the same length (``a `b` c`` holds single ones); a
    run with no such closer is text. A backslash escapes an opener's first backtick, but
    inside a span it is text: `C:\\tmp\\` closes where it seems to."""
    runs, following = _backtick_runs(line)
    spans, index = [], 0
    while index < len(runs):
        closer = following[index]
        if closer is None:
            index += 1
            continue
        spans.append((runs[index][0], runs[closer][1]))
        index = closer + 1
    return spans


def _backtick_runs(line: str) -> tuple[list[tuple[int, int]], list[int | None]]:
    """The runs of backticks of a line, each as it would open a span (an escaped first
    backtick left out), and for each the index of the next run that closes it: the next
    whole run of the same length. One pass: a regular expression that looks ahead for
    each closer costs the line's length for every run, seconds on a long line."""
    whole = [match.span() for match in BACKTICKS.finditer(line)]
    runs = []
    for start, end in whole:
        if start > 0 and line[start - 1] == "\\":  # as an opener, the first is escaped
            start += 1
        runs.append((start, end))
    following: list[int | None] = [None] * len(runs)
    last_of_length: dict[int, int] = {}  # a closer's length is its whole run's
    for index in range(len(runs) - 1, -1, -1):
        start, end = runs[index]
        following[index] = last_of_length.get(end - start) if start < end else None
        last_of_length[whole[index][1] - whole[index][0]] = index
    return [(start, end) if start < end else (end, end) for start, end in runs], following


class _OpenItem:
    """A dated item still collecting its indented detail lines."""

    __slots__ = ("indent", "index", "details")

    def __init__(self, indent: int, index: int) -> None:
        self.indent = indent
        self.index = index
        self.details: list[str] = []


HARD_CONSTRUCTS = ("`", "~~~", "<!--", "%%")
# Blockquotes and Obsidian callouts (`> [!note]`): their list items are items too.
QUOTE_LINE = re.compile(r"^[ \t]{0,3}>", re.MULTILINE)
QUOTE_MARK = re.compile(r"^[ \t]{0,3}>[ \t]?")
MAX_QUOTE_DEPTH = 8


def _scan_body(
    note: ParsedNote,
    lines: list[str],
    start: int,
    fast: bool | None = None,
    body: str | None = None,
) -> None:
    """Find links, dated items and tasks in the body (`body`: its lines joined, if at hand).
    Most notes have no code and no comments: for them a whole-text regex pass finds the
    few lines that matter, which is several times faster than looking at every line (the
    results are the same). `fast=False` is the line scan that follows everything."""
    if body is None:
        body = "\n".join(lines[start:])
    look_for_code = True
    if fast is None:
        look_for_code = _may_hold_indented_code(body)
        fast = (
            not look_for_code
            and not any(mark in body for mark in HARD_CONSTRUCTS)
            and not (">" in body and QUOTE_LINE.search(body))
        )
    if fast:
        _scan_plain_body(note, lines, start, body)
        if "#" in body:
            _undated_kinds_in_plain_body(note, body, start + 1)
            _mixed_kinds(note)
            note.problems.sort(key=lambda problem: problem.line)  # as the line scan has them
    else:
        _scan_body_by_line(note, lines, start, look_for_code=look_for_code)
        _mixed_kinds(note)
        note.problems.sort(key=lambda problem: problem.line)


# Where an indented code block may start (CommonMark): a line indented 4 columns or
# more (a tab is 4) that is the body's first, or follows a blank line or a heading.
INDENTED_FIRST = re.compile(
    r"(?:[ \t]*\n| {0,3}#{1,6}(?:[ \t][^\n]*)?\n)?(?: {4}| {0,3}\t)[ \t]*[^ \t\n]"
)
INDENTED_AFTER_BREAK = re.compile(
    r"\n(?:[ \t]*| {0,3}#{1,6}(?:[ \t][^\n]*)?)\n(?: {4}| {0,3}\t)[ \t]*[^ \t\n]"
)
ATX_HEADING = re.compile(r" {0,3}#{1,6}(?:[ \t]|$)")


def _may_hold_indented_code(body: str) -> bool:
    """Whether a body may hold an indented code block, which only the line scan tells
    apart from an item nested in a list (`- x\n\n    - 2026-01-03 ...`). Cheap: most
    notes have no line indented by 4 spaces or a tab at all, and the rest rarely have
    one after a blank line."""
    if "\n    " not in body and "\t" not in body and not body.startswith("    "):
        return False
    return bool(INDENTED_FIRST.match(body) or INDENTED_AFTER_BREAK.search(body))


def _scan_plain_body(note: ParsedNote, lines: list[str], start: int, body: str) -> None:
    """The fast path: no fences, comments or code spans anywhere in the body. It runs for
    every item of a large vault, so it reads each match's groups at once and leaves out
    what cannot apply (code spans, and details unless the next line is indented)."""
    if "[[" in body:
        append_link = note.links.append
        number, pos = start + 1, 0
        for match in LINK.finditer(body):
            at = match.start()
            number += body.count("\n", pos, at)
            pos = at
            key = link_key(match[1])
            if key:
                append_link(Link(key, number))
    if "](" in body:
        _add_markdown_links(note, body, start + 1)
    # Each item is found by the line break before it (hence one in front of the first
    # line): a search that jumps from break to break is 2x faster than trying `^` at
    # every character.
    lined = "\n" + body
    number, pos = start, 0
    total = len(lines)
    interactions = note.interactions
    for match in ITEM_LINES.finditer(lined):
        at = match.start() + 1
        number += lined.count("\n", pos, at)
        pos = at
        indent, box, task, wday, day, text, near = match.groups()
        if box is not None:
            _add_task(note, box, task.strip(), number)
            continue
        if near is not None:
            _near_date(note, near, number)
            continue
        day = day or wday
        if not is_valid_day(day):
            _bad_day(note, day, number)
            continue
        interactions.append(_interaction(number, day, text.strip()))
        # Details: only when the next line is blank or indented deeper. A next line that
        # starts with anything but white space is neither (most items are followed by one).
        after = lined[match.end() + 1 : match.end() + 2]
        if number < total and (not after or after.isspace()):
            line = lines[number]
            if not line.strip() or _indent(line) > len(indent):
                _collect_details(note, _OpenItem(len(indent), len(interactions) - 1), lines, number)


def _add_markdown_links(note: ParsedNote, body: str, first_line: int) -> None:
    """The fast path's Markdown links, put in line order among the wikilinks (the first
    line of each key must come first)."""
    number, pos, found = first_line, 0, False
    for match in MD_LINK.finditer(body):
        at = match.start()
        number += body.count("\n", pos, at)
        pos = at
        key = md_link_key(match[1] or match[2])
        if key:
            note.links.append(Link(key, number))
            found = True
    if found:
        note.links.sort(key=lambda link: link.line)


# A task, or a dated item split into date and text, in one pass over the whole body.
ITEM_LINES = re.compile(
    r"\n([ \t]*)(?:[-*+]|\d{1,9}[.)])[ \t]+"
    r"(?:\[(?P<box>.)\](?:[ \t]+|$)(?P<task>.*)"
    r"|(?:\[\[(?P<wday>\d{4}-\d\d-\d\d)(?:\|[^\]\n]*)?\]\]|(?P<day>\d{4}-\d\d-\d\d))(?![\w/-])"
    r"(?:[ \t]*(?:[-—–][ \t]+|:[ \t]*))?(?P<text>.*)"
    r"|(?P<near>(?:\*{1,2}|_{1,2})\d{4}-\d\d-\d\d|\[\[[^\]\n|]*/\d{4}-\d\d-\d\d(?:\|[^\]\n]*)?\]\]"
    r"|\d{4}-\d\d-\d\d[Tt]\d|\d{4}-(?:\d-\d\d?|\d\d-\d)(?!\d)).*)$",
    re.MULTILINE,
)
# The same near forms at the start of an item's text, for the line-by-line path.
NEAR_DATE = re.compile(
    r"(?:\*{1,2}|_{1,2})\d{4}-\d\d-\d\d|\[\[[^\]\n|]*/\d{4}-\d\d-\d\d(?:\|[^\]\n]*)?\]\]"
    r"|\d{4}-\d\d-\d\d[Tt]\d|\d{4}-(?:\d-\d\d?|\d\d-\d)(?!\d)"
)


def _near_date(note: ParsedNote, written: str, number: int) -> None:
    """An item that starts with a date in a form that is not read (**2025-06-30**, a
    daily note's link with its folder [[Journal/2025-06-28]], 2025-06-29T19:00, a month
    or day of one digit 2025-6-30): it would count for nothing, unsaid. (A link to a
    titled note, [[2025-06-01 Standup]], is no date: a list of those is common.)"""
    day = re.search(r"(\d{4})-(\d\d?)-(\d\d?)", written)
    shown = f"{day[1]}-{int(day[2]):02d}-{int(day[3]):02d}" if day else "YYYY-MM-DD"
    message = f"this item's date is not read as written: start it with {shown} or [[{shown}]]"
    note.problems.append(Problem(note.path, number, WARNING, message))


def _collect_details(note: ParsedNote, item: _OpenItem, lines: list[str], number: int) -> None:
    """The indented lines under a dated item (the line after it is at `number`, 0-based)."""
    for index in range(number, len(lines)):
        line = lines[index]
        if line.strip():
            if _indent(line) <= item.indent:
                break
            item.details.append(line)
        else:
            item.details.append("")
    _close_item(note, item)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _scan_body_by_line(
    note: ParsedNote,
    lines: list[str],
    start: int,
    depth: int = 0,
    text: list[tuple[int, str]] | None = None,
    look_for_code: bool | None = None,
) -> None:
    """The general path: tracks fences, indented code and comments line by line. A
    quoted line ends the items above it, as in Markdown; each run of quoted lines is
    read on its own, inside the quote, for the items, tasks and links it holds. `text`,
    when given, gets each line's text as Obsidian shows it: no code and no comments.
    Indented code is looked for when `look_for_code`, or (None) when the lines may hold
    it: following lists costs a fifth of the scan, and most notes have none."""
    fence: str | None = None
    comment_end: str | None = None
    if look_for_code is None:
        look_for_code = _may_hold_indented_code("\n".join(lines[start:]))
    code = _IndentedCode(start) if look_for_code else None
    open_items: list[_OpenItem] = []
    quoted: list[int] = []
    for index in range(start, len(lines)):
        raw = lines[index]
        number = index + 1
        if fence is not None:
            stripped = raw.strip()
            if stripped.startswith(fence) and not stripped.strip(fence[0]):
                fence = None
            continue
        line = raw
        # A line that starts inside or with a comment holds no list item and opens no
        # fence: what follows the comment on it is text (CommonMark's HTML block, and
        # Obsidian's %% comment, read it so).
        hidden_start = commented = False
        if comment_end is not None:
            end = line.find(comment_end)
            if end < 0:
                continue
            line = " " * (end + len(comment_end)) + line[end + len(comment_end) :]
            comment_end = None
            hidden_start = commented = True
        elif code is not None and code.holds(lines, index):
            while open_items:  # no list holds the code: the items above it have ended
                _close_item(note, open_items.pop())
            continue
        # A quoted line is read inside its quote (_scan_quotes): a fence, a comment or a
        # link there belongs to the quote. Here it only ends the items above it.
        in_quote = depth < MAX_QUOTE_DEPTH and QUOTE_LINE.match(line) is not None
        if in_quote:
            quoted.append(index)
        else:
            hidden_start = hidden_start or line.lstrip().startswith(("<!--", "%%"))
            # A fence first: its info string is text (```html <!-- opens no comment).
            fence_match = None if hidden_start else FENCE.match(line)
            if fence_match:
                fence = fence_match[1]
                continue
            if "<!--" in line or "%%" in line:
                line, comment_end = _strip_comments(line)
                commented = True
        if open_items and line.strip():
            indent = _indent(line)
            while open_items and indent <= open_items[-1].indent:
                _close_item(note, open_items.pop())
            for item in open_items:
                item.details.append(line)
        elif open_items:
            for item in open_items:
                item.details.append("")
        if in_quote:
            continue
        if text is not None:
            text.append((number, _strip_code_spans(line)))
        if "[[" in line or "](" in line:
            for key in links_in(_strip_code_spans(line)):
                note.links.append(Link(key, number))
        match = None if hidden_start else LIST_ITEM.match(line)
        if match:
            if code is not None:
                code.open_list(line, match)
            opened = _list_item(note, match, number)
            if opened is not None:
                open_items.append(opened)
            if commented:  # a comment blanked out mid-text: its run of spaces is one
                _close_up(note, number)
    while open_items:  # an unclosed fence simply runs to the end, as in Obsidian
        _close_item(note, open_items.pop())
    if quoted:
        _scan_quotes(note, lines, quoted, depth, text, look_for_code or None)
        note.interactions.sort(key=lambda item: item.line)
        note.tasks.sort(key=lambda task: task.line)
        note.links.sort(key=lambda link: link.line)  # the first line of each key comes first


class _IndentedCode:
    """Tells the lines of indented code blocks apart, as CommonMark and Obsidian do: a
    line indented 4 columns or more, first in the body or after a blank line or a
    heading, that no list item holds, and the lines indented as much after it. Lists
    are followed only as far as that needs: the column each open item's text starts
    at, which a line must reach to stay in the item after a blank line."""

    __slots__ = ("start", "lists", "inside")

    def __init__(self, start: int) -> None:
        self.start = start
        self.lists: list[int] = []  # the text columns of the open list items, innermost last
        self.inside = False

    def holds(self, lines: list[str], index: int) -> bool:
        """Whether lines[index], a line outside fences and comments, is code."""
        line = lines[index]
        first = line[:1]
        if first and first not in " \t":  # most lines: the short way, to the same end
            self.inside = False
            if self.lists and (self._after_blank(lines, index) or _ends_lists(line, first)):
                self.lists.clear()
            return False
        text = line.lstrip(" \t")
        if not text:
            return False  # a blank line neither starts nor ends a code block
        indent = _columns(line[: len(line) - len(text)])
        if self.inside and indent >= 4:
            return True
        self.inside = False
        after_blank = self._after_blank(lines, index)
        # Text right after an item's line is its lazy continuation; anything after a
        # blank line, or a heading, quote or fence, ends the items it is not indented for.
        if after_blank or _ends_lists(line, text[0]):
            while self.lists and indent < self.lists[-1]:
                self.lists.pop()
        if indent < 4 or self.lists:
            return False
        if not (after_blank or ATX_HEADING.match(lines[index - 1])):
            return False
        self.inside = True
        return True

    def _after_blank(self, lines: list[str], index: int) -> bool:
        return index == self.start or not lines[index - 1].strip(" \t")

    def open_list(self, line: str, item: re.Match[str]) -> None:
        """A list item at this line: it ends the deeper ones above it, and holds what is
        indented to its text (`- x`: 2, `10.  x`: 5; at most 4 past the marker)."""
        head = line[: item.start(2)]
        if "\t" in head:
            marker, column, own = _columns(head.rstrip(" \t")), _columns(head), _columns(item[1])
        else:
            marker, column, own = len(head.rstrip(" ")), len(head), len(item[1])
        if not item[2] or column - marker > 4:
            column = marker + 1
        while self.lists and self.lists[-1] > own:
            self.lists.pop()
        self.lists.append(column)


def _ends_lists(line: str, first: str) -> bool:
    """A heading, quote or fence (`first`: the line's first character but white space):
    a block that is no lazy continuation of an item's text."""
    return first in "#>`~" and bool(
        ATX_HEADING.match(line) or QUOTE_LINE.match(line) or FENCE.match(line)
    )


def _columns(text: str) -> int:
    """The width of leading white space, a tab reaching the next multiple of 4."""
    return len(text.expandtabs(4)) if "\t" in text else len(text)


def _close_up(note: ParsedNote, number: int) -> None:
    """The item or task at line `number` with each run of white space made one space."""
    if note.interactions and note.interactions[-1].line == number:
        item = note.interactions[-1]
        note.interactions[-1] = item._replace(text=" ".join(item.text.split()))
    elif note.tasks and note.tasks[-1].line == number:
        task = note.tasks[-1]
        note.tasks[-1] = task._replace(text=" ".join(task.text.split()))


def _scan_quotes(
    note: ParsedNote,
    lines: list[str],
    quoted: list[int],
    depth: int,
    text: list[tuple[int, str]] | None = None,
    look_for_code: bool | None = None,
) -> None:
    """Each run of quoted lines read as the text inside the quote (one `>` taken off):
    a fence or comment opened there ends with the quote, and an item's details stay in
    it. (Whether the quote may hold indented code is its own text's question: `>     x`
    is indented inside it.)"""
    runs: list[list[int]] = []
    for index in quoted:
        if runs and runs[-1][-1] == index - 1:
            runs[-1].append(index)
        else:
            runs.append([index])
    for run in runs:
        inner = ParsedNote(note.path)
        inner_text: list[tuple[int, str]] | None = [] if text is not None else None
        quote = [QUOTE_MARK.sub("", lines[i], count=1) for i in run]
        _scan_body_by_line(inner, quote, 0, depth + 1, inner_text, look_for_code)
        offset = run[0]
        if text is not None and inner_text:
            text += [(number + offset, shown) for number, shown in inner_text]
        note.interactions += [item._replace(line=item.line + offset) for item in inner.interactions]
        note.tasks += [task._replace(line=task.line + offset) for task in inner.tasks]
        note.links += [link._replace(line=link.line + offset) for link in inner.links]
        note.problems += [
            Problem(p.path, p.line + offset, p.level, p.message) for p in inner.problems
        ]


def _strip_comments(line: str) -> tuple[str, str | None]:
    """Blank out `<!-- -->` and `%% %%` comments; say which one stays open past the line.
    A code span that starts first wins, as in CommonMark and Obsidian: a `<!--` or `%%`
    written inside backticks is text. One pass from left to right: a line of many
    comments costs its length, not its length times its comments."""
    pieces: list[str] = []
    pos = 0
    # The next `<!--` and `%%` at or after pos (-1 once there is none), and the next run
    # of backticks that may open a code span (one inside a blanked comment opens none;
    # between a span's opener and its closer everything is code, comments included).
    html, obsidian = line.find("<!--"), line.find("%%")
    runs, following = _backtick_runs(line) if "`" in line else ([], [])
    run = 0
    while html >= 0 or obsidian >= 0:
        first = min(x for x in (html, obsidian) if x >= 0)
        while run < len(runs) and (runs[run][0] < pos or following[run] is None):
            run += 1  # blanked already, or a run with no closer: text
        if run < len(runs) and runs[run][0] < first:
            closer = following[run]
            assert closer is not None
            skip_to = runs[closer][1]
            run = closer + 1
        else:
            if obsidian < 0 or 0 <= html < obsidian:
                start, opened, end = html, 4, "-->"
            else:
                start, opened, end = obsidian, 2, "%%"
            pieces.append(line[pos:start])
            close = line.find(end, start + opened)
            if close < 0:
                return "".join(pieces), end
            pos = skip_to = close + len(end)
            pieces.append(" " * (pos - start))
        if 0 <= html < skip_to:
            html = line.find("<!--", skip_to)
        if 0 <= obsidian < skip_to:
            obsidian = line.find("%%", skip_to)
    pieces.append(line[pos:])
    return "".join(pieces), None


def _list_item(note: ParsedNote, match: re.Match[str], number: int) -> _OpenItem | None:
    rest = match[2]
    first = rest[:1]
    if first == "[":
        box = TASK_BOX.match(rest)
        if box:
            _add_task(note, box[1], box[2].strip(), number)
            return None
    elif not first.isdigit() and first not in "*_":
        if "#" in rest:
            _undated_kind(note, rest, number)
        return None
    date_match = ITEM_DATE.match(rest)
    if not date_match:
        near = NEAR_DATE.match(rest) if first in "*_[" or first.isdigit() else None
        if near is not None:
            _near_date(note, near[0], number)
        if "#" in rest:
            _undated_kind(note, rest, number)
        return None
    day = date_match[1] or date_match[2]
    if not is_valid_day(day):
        _bad_day(note, day, number)
        return None
    text = rest[date_match.end() :]
    separator = SEPARATOR.match(text)
    _add_interaction(note, number, day, (text[separator.end() :] if separator else text).strip())
    return _OpenItem(len(match[1]), len(note.interactions) - 1)


def _undated_kind(note: ParsedNote, rest: str, number: int) -> None:
    """A list item without a date whose tag gives a kind (`- Ada gave me a book
    #gift/received`): it counts for nothing, so the gifts report would miss it without
    a word. Said as a warning at its line."""
    tags = tags_in(_strip_code_spans(LINK.sub(" ", rest)))
    kind, _ = kind_of(tags) if tags else ("touchpoint", None)
    if kind in ("touchpoint", "life"):
        return
    tag = next(  # the tag that gave the kind, as kind_of finds it
        t for prefix, name in KIND_BY_TAG if name == kind for t in tags
        if t == prefix or t.startswith(prefix + "/")
    )  # fmt: skip
    message = (
        f"#{tag} on an item without a date counts for nothing: start the item with its "
        "day (- YYYY-MM-DD ...)"
    )
    note.problems.append(Problem(note.path, number, WARNING, message))


# A kind's tag, as the fast path looks for the lines that may hold an undated item with one.
KIND_TAG = re.compile(r"#(?:gift|favou?r|ask|intro|paid)", re.IGNORECASE)


def _undated_kinds_in_plain_body(note: ParsedNote, body: str, first_line: int) -> None:
    """The fast path's _undated_kind: it jumps from one kind's tag to the next and looks
    only at lines that are not a dated item or a task already (most tags are in those),
    sorting the rest as _list_item does."""
    known = {item.line for item in note.interactions} | {task.line for task in note.tasks}
    number, pos, seen = first_line, 0, -1
    for match in KIND_TAG.finditer(body):
        at = match.start()
        number += body.count("\n", pos, at)
        pos = at
        if number == seen or number in known:
            continue
        seen = number
        start = body.rfind("\n", 0, at) + 1
        end = body.find("\n", at)
        item = LIST_ITEM.match(body[start : end if end >= 0 else len(body)])
        if item is None:
            continue
        rest = item[2]
        if rest[:1] == "[" and TASK_BOX.match(rest):
            continue
        if (rest[:1].isdigit() or rest[:1] == "[") and ITEM_DATE.match(rest):
            continue  # dated: an interaction, or an impossible day said already
        _undated_kind(note, rest, number)


def _mixed_kinds(note: ParsedNote) -> None:
    """An item with the tags of two kinds (`#life #gift/given`, `#paid #favor/received`)
    counts as the first of them only: the life event, or the payment, is lost unsaid.
    So does an ask answered both ways: as kind_of reads it, a yes."""
    for item in note.interactions:
        if len(item.tags) > 1:
            if item.answer == "yes" and any(t == "no" or t.startswith("no/") for t in item.tags):
                message = "an ask answered both #yes and #no: it counts as yes; keep one"
                note.problems.append(Problem(note.path, item.line, WARNING, message))
            tags = _kind_tags(item.tags)
            if len(tags) > 1:
                shown = " and ".join(f"#{tag}" for tag in tags)
                counted = item.kind.replace("_", " ").replace("favor", "favour")
                message = (
                    f"this item has the tags of {len(tags)} kinds ({shown}): it counts as "
                    f"{counted} only; give each its own item"
                )
                note.problems.append(Problem(note.path, item.line, WARNING, message))


@lru_cache(maxsize=1024)
def _kind_tags(tags: tuple[str, ...]) -> tuple[str, ...]:
    """The tags of an item that each give a kind, one per kind, in kind_of's order."""
    found = []
    for prefix, _ in KIND_BY_TAG:
        tag = next((t for t in tags if t == prefix or t.startswith(prefix + "/")), None)
        if tag is not None:
            found.append(tag)
    return tuple(found)


def _bad_day(note: ParsedNote, day: str, number: int) -> None:
    message = f"{day} is not a real date; the item is ignored"
    note.problems.append(Problem(note.path, number, ERROR, message))


def _add_interaction(note: ParsedNote, number: int, day: str, text: str) -> None:
    note.interactions.append(_interaction(number, day, _strip_code_spans(text), text))


def _interaction(number: int, day: str, clean: str, text: str | None = None) -> Interaction:
    """The dated item at line `number`; `clean` is its text without code spans."""
    if "[[" in clean or "](" in clean:
        tags = tags_in(LINK.sub(" ", clean))
        links = tuple(dict.fromkeys(links_in(clean)))
    else:
        tags, links = tags_in(clean), ()
    kind, answer = kind_of(tags) if tags else ("touchpoint", None)
    return Interaction(number, day, clean if text is None else text, kind, answer, tags, links)


def _close_item(note: ParsedNote, item: _OpenItem) -> None:
    lines = item.details
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        return
    margin = min(len(x) - len(x.lstrip()) for x in lines if x.strip())
    details = "\n".join(x[margin:] for x in lines)[:MAX_DETAILS]
    note.interactions[item.index] = note.interactions[item.index]._replace(details=details)


def _add_task(note: ParsedNote, status: str, text: str, number: int) -> None:
    due_match = DUE.search(text) if "📅" in text else None
    due = due_match[1] if due_match and is_valid_day(due_match[1]) else None
    if due_match and due is None:
        message = f"due date {due_match[1]} is not real"
        note.problems.append(Problem(note.path, number, WARNING, message))
    links = tuple(dict.fromkeys(links_in(_strip_code_spans(text))))
    note.tasks.append(Task(number, text, status not in (" ", "/"), due, links))
