"""Pure edits of a note's bytes: the line `mdnet log` adds, the note `mdnet add` creates.

Edits work on the decoded text with `surrogateescape`, so bytes that are not valid
UTF-8 come back unchanged; the byte-order mark, the line endings and a missing final
newline are kept as they were.
"""

from __future__ import annotations

import codecs
import datetime as dt
import json
import re
import unicodedata

from .config import HIDING  # zero-width joiners stay allowed: some scripts need them
from .errors import RefusedError, UsageError

# Headings as CommonMark reads them: up to three spaces before the `#`s.
LOG_HEADING = re.compile(r"^ {0,3}##[ \t]+log[ \t]*#*[ \t]*$", re.IGNORECASE)
# A Log heading of any level: one not of level two is refused, not added to.
ANY_LOG_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+log[ \t]*#*[ \t]*$", re.IGNORECASE)
SECTION_END = re.compile(r"^ {0,3}#{1,2}(?:[ \t]|$)")  # a heading of the same or a higher level
# A setext heading's underline (`Other` over `-----` or `=====`): one of level 1 or 2 too.
SETEXT_UNDERLINE = re.compile(r"^ {0,3}(?:=+|-+)[ \t]*$")
# Text that a setext underline makes a heading: not a list item (an empty one too), a
# quote, a heading, a table or a thematic break (*** or - - -).
PARAGRAPH_LINE = re.compile(
    r"^ {0,3}(?![-*+](?:[ \t]|$)|\d{1,9}[.)](?:[ \t]|$)|[>#|]|([-*_])(?:[ \t]*\1){2,}[ \t]*$)\S"
)
# Lines that start a block of their own below a paragraph: an ATX heading, a fence, a
# quote, a list item, a thematic break, a comment (HTML's, or Obsidian's %%).
INTERRUPTS_A_PARAGRAPH = re.compile(
    r"^ {0,3}(?:#{1,6}(?:[ \t]|$)|`{3}|~{3}|>|[-*+](?:[ \t]|$)|1[.)](?:[ \t]|$)|<!--|%%"
    r"|([-*_])(?:[ \t]*\1){2,}[ \t]*$)"
)
# The start of an HTML block that runs to a blank line: one of HTML's block tags (it may
# start below a paragraph), or any lone tag (only after a blank line).
HTML_BLOCK_TAG = re.compile(
    r"^ {0,3}</?(?:address|article|aside|base|basefont|blockquote|body|caption|center|col"
    r"|colgroup|dd|details|dialog|dir|div|dl|dt|fieldset|figcaption|figure|footer|form|frame"
    r"|frameset|h[1-6]|head|header|hr|html|iframe|legend|li|link|main|menu|menuitem|nav"
    r"|noframes|ol|optgroup|option|p|param|search|section|summary|table|tbody|td|tfoot|th"
    r"|thead|title|tr|track|ul)(?:[ \t/>]|$)",
    re.IGNORECASE,
)
HTML_TAG_LINE = re.compile(
    r"^ {0,3}(?:<(?!(?:script|pre|style|textarea)\b)[A-Za-z][A-Za-z0-9-]*"
    r"(?:\s+[A-Za-z_:][\w.:-]*(?:\s*=\s*(?:[^\s\"'=<>`]+|'[^']*'|\"[^\"]*\"))?)*\s*/?>"
    r"|</[A-Za-z][A-Za-z0-9-]*\s*>)[ \t]*$"
)
LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
# Characters a file name cannot hold here or on other systems, and those that break
# an Obsidian link: `# ^ [ ] |`.
FORBIDDEN_IN_NAME = set('/\\:*?"<>|#^[]')
MAX_NAME_BYTES = 200


def split_encoding(data: bytes, for_writing: bool = True) -> tuple[bytes, str, str]:
    """(byte-order mark, codec, text) of a note; refused when the bytes are in an encoding
    mdnet would not write back as it found it (`for_writing`: reading only, NUL bytes
    are text)."""
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):  # before UTF-16's
        raise RefusedError("the note is UTF-32, which mdnet does not write; it was left as it was")
    if data.startswith(codecs.BOM_UTF8):
        bom, codec = codecs.BOM_UTF8, "utf-8"
    elif data.startswith(codecs.BOM_UTF16_LE):
        bom, codec = codecs.BOM_UTF16_LE, "utf-16-le"
    elif data.startswith(codecs.BOM_UTF16_BE):
        bom, codec = codecs.BOM_UTF16_BE, "utf-16-be"
    else:
        bom, codec = b"", "utf-8"
        if for_writing and b"\0" in data:  # UTF-16 without a byte-order mark, or not text
            raise RefusedError(
                "the note holds NUL bytes (UTF-16 without a byte-order mark?); "
                "it was left as it was"
            )
    try:
        return bom, codec, data[len(bom) :].decode(codec, "surrogateescape")
    except UnicodeDecodeError:  # only UTF-16 can fail: surrogateescape keeps any UTF-8
        raise RefusedError("the note is not valid UTF-16; it was left as it was") from None


def line_ending(text: str) -> str:
    match = re.search(r"\r\n|\r|\n", text)
    return match[0] if match else "\n"


def log_entry(day: dt.date, text: str, tags: tuple[str, ...] = ()) -> str:
    """`- D TEXT #T...`, refusing what would not stay one dated list item."""
    text = text.strip()
    if not text:
        raise UsageError("log: TEXT is empty")
    if any(c in text for c in "\r\n") or any(
        unicodedata.category(c) == "Cc" for c in text if c != "\t"
    ):
        raise UsageError("log: TEXT must be one line without control characters")
    cleaned = []
    for tag in tags:
        tag = tag.strip().lstrip("#")
        if not tag or any(c.isspace() for c in tag) or "#" in tag:
            raise UsageError(f"log: {tag!r} is not a tag (one word, e.g. call or gift/given)")
        cleaned.append("#" + tag)
    entry = " ".join([f"- {day.isoformat()}", text, *cleaned])
    from .parse import _strip_comments

    _, left_open = _strip_comments(entry)
    if left_open is not None:  # it would hide every line below it, in Obsidian and here
        opener = "<!--" if left_open == "-->" else "%%"
        raise UsageError(
            f"log: {opener} would open a comment that hides the rest of the note; "
            f"write it in backticks (`{opener}`) or close it ({left_open})"
        )
    return entry


def insert_log_line(data: bytes, entry: str) -> tuple[bytes, int]:
    """The note with `entry` as the last line of its `## Log` section (the section is
    added at the end when missing), and the entry's line number. Nothing else changes."""
    bom, codec, text = split_encoding(data)
    eol = line_ending(text)
    lines = LINE.findall(text)
    had_final_newline = not text or text.endswith(("\n", "\r"))
    _refuse_a_broken_note(lines)
    _refuse_an_ambiguous_log_section(lines)
    index = _after_log_section(lines)
    if index is None:
        added, index = _new_log_section(lines, entry, eol), len(lines)
    else:
        added = [entry + eol]
        if _in_an_html_block(lines, index):
            added.insert(0, eol)  # else the entry is raw HTML, no list item
        if index < len(lines) and _continues_a_list_item(lines[index]):
            added.append(eol)  # the line below stays the user's text, not the entry's
    if index > 0 and not lines[index - 1].endswith(("\n", "\r")):
        lines[index - 1] += eol  # the line before ours was the last, with no newline
    result = lines[:index] + added + lines[index:]
    if not had_final_newline and index == len(lines):
        result[-1] = result[-1][: -len(eol)]  # keep the note without a final newline
    entry_line = index + added.index(entry + eol) + 1
    return bom + "".join(result).encode(codec, "surrogateescape"), entry_line


def _new_log_section(lines: list[str], entry: str, eol: str) -> list[str]:
    """The lines of a Log section added at the end, apart from the text above: a heading
    right under a paragraph or an HTML block (`</details>`) would be read as part of it."""
    section = ["## Log" + eol, entry + eol]
    return section if not lines or not lines[-1].strip() else [eol, *section]


def _in_an_html_block(lines: list[str], index: int) -> bool:
    """Whether the line above `index` is inside an HTML block that runs to the next blank
    line (CommonMark 4.6, kinds 6 and 7: `<details>` ... `</details>`)."""
    run = index
    while run > 0 and lines[run - 1].strip():
        run -= 1
    block = [line.rstrip("\r\n") for line in lines[run:index]]
    return bool(block) and (
        bool(HTML_TAG_LINE.match(block[0]))
        or any(map(HTML_BLOCK_TAG.match, _outside_fences(block)))
    )


def _outside_fences(block: list[str]) -> list[str]:
    """The lines of a block that are no code: a `<div>` in a fenced example in an item's
    details starts no HTML block (found by a review: the blank line it added before the
    entry made the whole Log a loose list)."""
    from .parse import FENCE

    kept, fence = [], None
    for line in block:
        if fence is not None:
            stripped = line.strip()
            if stripped.startswith(fence) and not stripped.strip(fence[0]):
                fence = None
            continue
        match = FENCE.match(line)
        if match:
            fence = match[1]
            continue
        kept.append(line)
    return kept


def _continues_a_list_item(line: str) -> bool:
    """Whether a line right below a list item would be read as more of its text (a lazy
    continuation line, CommonMark 5.1): the entry would swallow a paragraph or a setext
    heading's text below it, and that heading would be lost."""
    return bool(line.strip()) and not INTERRUPTS_A_PARAGRAPH.match(line)


def _refuse_a_broken_note(lines: list[str]) -> None:
    """A note that `check` calls broken is not guessed at: in a merge conflict the entry
    would land on one side of it (and be lost with the side the user drops), and in
    front matter left open the Log section mdnet finds is not the one the user meant."""
    from .models import Problem
    from .parse import _find_conflict_markers, split_front_matter

    plain = [line.rstrip("\r\n") for line in lines]
    markers: list[Problem] = []
    _find_conflict_markers("", plain, markers)  # as check finds them: one definition
    if markers:
        raise RefusedError(
            f"{markers[0].line}: a git conflict marker: resolve the merge conflict first; "
            "nothing was written"
        )
    if not split_front_matter(plain)[2]:
        raise RefusedError(
            "1: the front matter is not closed: add a `---` line after it first; "
            "nothing was written"
        )


def _refuse_an_ambiguous_log_section(lines: list[str]) -> None:
    """Two `## Log` sections, or a Log heading of another level and none of level two:
    where the entry belongs would be a guess (the first of two, or a second section
    added at the end while the user's own log is elsewhere)."""
    found = []  # (line number, heading) of the Log headings Markdown sees
    seen = _AsParsed()
    for index in range(_body_start(lines), len(lines)):
        read = seen.read(index, lines[index].rstrip("\r\n"))
        if read is not None and read[1] and ANY_LOG_HEADING.match(read[0]):
            found.append((index + 1, read[0].strip()))
    level_two = [number for number, heading in found if LOG_HEADING.match(heading)]
    if len(level_two) > 1:
        raise RefusedError(
            f'{level_two[1]}: a second "## Log" section (the first is at line {level_two[0]}): '
            "merge them first; nothing was written"
        )
    if found and not level_two:
        number, heading = found[0]
        raise RefusedError(
            f'{number}: the Log heading is "{heading}", not "## Log": make it "## Log" '
            "(where mdnet logs), then log again; nothing was written"
        )


class _AsParsed:
    """Follows code fences and comments line by line in the order the parser follows
    them (parse._scan_body_by_line): a heading inside them is no heading, and a line
    inside them is no place the parser reads an interaction."""

    def __init__(self) -> None:
        self.fence: str | None = None
        self.comment_end: str | None = None
        self.fence_start = self.comment_start = 0  # where the open one was opened

    def read(self, index: int, line: str) -> tuple[str, bool] | None:
        """The line with its comments blanked out, and whether it can be a heading;
        None for a line inside a fence or a comment."""
        from .parse import FENCE, QUOTE_LINE, _strip_comments

        if self.fence is not None:  # closed as the parser closes it: fence characters only
            stripped = line.strip()
            if stripped.startswith(self.fence) and not stripped.strip(self.fence[0]):
                self.fence = None
            return None
        hidden_start = False  # starts inside or with a comment: no fence or heading there
        if self.comment_end is not None:
            close = line.find(self.comment_end)
            if close < 0:
                return None
            end = close + len(self.comment_end)
            line, self.comment_end, hidden_start = " " * end + line[end:], None, True
        if not QUOTE_LINE.match(line):  # a quote's comments and fences are its own
            hidden_start = hidden_start or line.lstrip().startswith(("<!--", "%%"))
            match = None if hidden_start else FENCE.match(line)  # before comments, as parsed
            if match:
                self.fence, self.fence_start = match[1], index
            elif "<!--" in line or "%%" in line:
                line, self.comment_end = _strip_comments(line)
                self.comment_start = index
        return line, self.fence is None and not hidden_start


def _after_log_section(lines: list[str]) -> int | None:
    """Where the entry goes: after the last non-blank line of the `## Log` section.
    Fences, comments and quotes are followed as the parser follows them (_AsParsed),
    and the entry never lands where the parser would not read it as an interaction."""
    seen = _AsParsed()
    heading = last = before_paragraph = None
    for index in range(_body_start(lines), len(lines)):
        read = seen.read(index, lines[index].rstrip("\r\n"))
        if read is None:  # inside a fence or a comment: part of the section it is in
            last = index if heading is not None else last
            continue
        line, structure = read
        if heading is None:
            if structure and LOG_HEADING.match(line):
                heading = last = index
            continue
        if structure and SECTION_END.match(line):
            break
        if structure and _setext_heading(lines, index, heading):
            last = before_paragraph  # the heading's own text line is not the section's
            break
        if lines[index].strip():  # a line that only closes a comment is not blank
            if index - 1 == heading or not lines[index - 1].strip():
                before_paragraph = last  # where the section ends if this line is a heading
            last = index
    # A comment or a code fence left open to the end of the note: the entry goes before
    # it when it opens inside the section, where it counts; else nowhere would count.
    for what, still_open, opened in (
        ("a comment", seen.comment_end is not None, seen.comment_start),
        ("a code fence", seen.fence is not None, seen.fence_start),
    ):
        if not still_open:
            continue
        if heading is not None and opened > heading:
            return opened
        raise RefusedError(
            f"{opened + 1}: {what} opened there runs to the end of the note, "
            "so the entry would not count; close it, then log again"
        )
    return None if last is None else last + 1


def _setext_heading(lines: list[str], index: int, heading: int) -> bool:
    """Whether lines[index] underlines a paragraph line that starts after a blank line
    (or right after the Log heading): a setext heading, which ends the section."""
    if index - 1 <= heading or not SETEXT_UNDERLINE.match(lines[index].rstrip("\r\n")):
        return False
    text, above = lines[index - 1].rstrip("\r\n"), lines[index - 2]
    return bool(PARAGRAPH_LINE.match(text)) and (index - 2 == heading or not above.strip())


def _body_start(lines: list[str]) -> int:
    """The first body line of lines that may keep their line endings (0: no front matter)."""
    from .parse import split_front_matter

    return split_front_matter([line.rstrip("\r\n") for line in lines])[1]


def check_name(name: str) -> str:
    """A contact name that stays inside the people folder and that Obsidian can link;
    refused with the reason otherwise."""
    if not name or not name.strip():
        raise RefusedError("add: the name is empty")
    if name != name.strip():
        raise RefusedError(f"add: {name!r} starts or ends with a space")
    bad = sorted({c for c in name if c in FORBIDDEN_IN_NAME})
    if bad:
        shown = " ".join(bad)
        raise RefusedError(f"add: {name!r} contains {shown}: not allowed in a file name or a link")
    if name.startswith("."):
        raise RefusedError(f"add: {name!r} starts with a dot (a hidden file)")
    if ".." in name:
        raise RefusedError(f"add: {name!r} contains '..'")
    if any(
        unicodedata.category(c) in ("Cc", "Cs", "Co", "Cn", "Zl", "Zp") or c in HIDING for c in name
    ):
        raise RefusedError(f"add: {name!r} contains a control or invisible character")
    if len(name.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
        raise RefusedError(f"add: the name is longer than {MAX_NAME_BYTES} bytes")
    if name.lower().endswith(".md"):
        raise RefusedError(f"add: give the name without .md: {name[:-3]!r}")
    return name


def yaml_scalar(value: str) -> str:
    """A text value as YAML reads it back: plain when that is unambiguous, else quoted."""
    from .parse import YAML11_SURPRISE
    from .yamlsafe import FrontMatterError, load_front_matter

    try:
        loaded, _ = load_front_matter(f"k: {value}")
        plain = isinstance(loaded, dict) and loaded.get("k") == value and "#" not in value
        # Quoted too: what YAML 1.1 tools read as a boolean or number (yes, 0301234567),
        # which check would warn of in the note just written.
        if plain and not YAML11_SURPRISE.match(f"k: {value}"):
            return value
    except FrontMatterError:
        pass

    return json.dumps(value, ensure_ascii=False)


def new_contact_note(
    name: str,
    template: str | None,
    circle: str | None,
    cadence: str | None,
    met: dt.date | None,
    tags: tuple[str, ...],
    today: dt.date,
    now: dt.datetime | None = None,
) -> str:
    """The text of a new contact note: the vault's template (with `{{title}}`, `{{date}}`
    and `{{time}}` filled as Obsidian fills them) or the built-in one, with the given
    properties set. `now`: the time of day (local) for `{{time}}`, on `today`."""
    from .dates import parse_duration

    if cadence is not None:
        try:
            parse_duration(cadence)
        except ValueError as exc:
            raise UsageError(f"add: --cadence: {exc}") from None
    tags = tuple(t.strip().lstrip("#") for t in tags if t.strip().lstrip("#"))
    for tag in tags:
        if any(c.isspace() for c in tag) or "#" in tag:
            raise UsageError(f"add: {tag!r} is not a tag (one word, e.g. friend or work/acme)")
    if circle is not None and (
        not circle.strip() or any(unicodedata.category(c).startswith("C") for c in circle)
    ):
        raise UsageError(f"add: {circle!r} is not a circle name (one line of text)")
    values = {"name": name, "circle": circle, "cadence": cadence}
    values["met"] = met.isoformat() if met else None
    if template is None:
        return _builtin_note(values, tags)
    when = dt.datetime.combine(today, (now or dt.datetime.now()).time())
    stamps = _obsidian_stamps(template, when)
    lines = template.split("\n")
    end = _body_start(lines) - 1  # index of the closing `---`
    if end < 0:
        if lines[0].rstrip() == "---":
            raise RefusedError("add: the template's front matter is not closed: add a `---` line")
        lines, end = ["---", "---", *lines], 1
    title_keys = {_top_level_key(line) for line in lines[1:end] if WHOLE_TITLE.match(line)}
    values_of = {**stamps, "{{title}}": name}
    _refuse_unfilled_placeholders(lines[1:end], values_of)
    front = [_fill_front_matter(line, values_of) for line in lines[1:end]]
    body = [_fill_raw(line, values_of) for line in lines[end:]]
    has_name = any(_top_level_key(line) == "name" for line in front)
    for key, value in values.items():
        if value is not None and not (key == "name" and has_name):
            front = _set_property(front, key, yaml_scalar(value))
            title_keys.discard(key)  # the option's value replaced the template's
    if tags:
        front = _add_tags(front, tags)
        title_keys.discard("tags")
    _check_template_yaml(front, name, {key for key in title_keys if key})
    return "\n".join(["---", *front, *body])


def _fill_front_matter(line: str, values: dict[str, str]) -> str:
    for placeholder, value in values.items():
        if placeholder in line:
            line = _fill_value(line, placeholder, value)
    return line


def _fill_raw(line: str, values: dict[str, str]) -> str:
    for placeholder, value in values.items():
        line = line.replace(placeholder, value)
    return line


def _fill_value(line: str, placeholder: str, value: str) -> str:
    """A placeholder in a front-matter line, written so that YAML reads back the value:
    inside quotes escaped for them, as a whole value quoted when it needs to be."""
    line = line.replace(f"'{placeholder}'", "'" + value.replace("'", "''") + "'")
    line = line.replace(f'"{placeholder}"', json.dumps(value, ensure_ascii=False))
    whole = _whole_value(placeholder).match(line)
    if whole:  # a comment after it is kept: yaml_scalar writes no plain value with a #
        return whole[1] + yaml_scalar(value) + (whole[2] or "")
    quoted = json.dumps(value, ensure_ascii=False)  # a bare flow item: a comma would split it
    flow_item = rf"([\[,][ \t]*){re.escape(placeholder)}(?=[ \t]*[,\]])"
    line = re.sub(flow_item, lambda m: m[1] + quoted, line)
    return line.replace(placeholder, value)


def _whole_value(placeholder: str) -> re.Pattern[str]:
    """The placeholder as a property's or an item's whole value, perhaps before a comment."""
    return re.compile(rf"^(\s*(?:-\s+|[^:#]+:\s+)){re.escape(placeholder)}(\s+#.*)?\s*$")


WHOLE_TITLE = _whole_value("{{title}}")

# Obsidian's core Templates plugin: {{date}} and {{time}} in its default formats, or in
# the moment.js format after a colon ({{date:YYYY-MM-DD}}); any case, as it reads them.
OBSIDIAN_STAMP = re.compile(r"\{\{(date|time)(?::(.*?))?\}\}", re.IGNORECASE)
DEFAULT_FORMATS = {"date": "YYYY-MM-DD", "time": "HH:mm"}  # the plugin's own defaults
# moment.js's format tokens, longest first as moment reads them (its formattingTokens and
# localFormattingTokens): `[text]` and a token after a backslash are text, and so is any
# other character.
MOMENT_TOKEN = re.compile(
    r"\[[^\[]*\]|\\?(?:LTS|LT|LL?L?L?|l{1,4}|[Hh]mm(?:ss)?|Mo|MM?M?M?|Do|DDDo|DD?D?D?|ddd?d?"
    r"|do?|w[ow]?|W[oW]?|Qo?|N{1,5}|Y{4,6}|YY|y{2,4}|yo?|gg(?:ggg?)?|GG(?:GGG?)?|hh?|HH?|kk?"
    r"|mm?|ss?|S{1,9}|zz?|ZZ?|[eEaAxXYgG]|.)",
    re.DOTALL,
)
MOMENT_LETTERS = set("MDdwWQNYyghHkmsSzZeEaAxXLl")  # a letter that is a token on its own
MONTHS = "January February March April May June July August September October November December"
WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday"  # moment's "en" names


def _obsidian_stamps(template: str, when: dt.datetime) -> dict[str, str]:
    """Each date and time placeholder in the template with its text at `when`; refused
    when a format uses a token mdnet does not write (better than a wrong date)."""
    stamps = {}
    for match in OBSIDIAN_STAMP.finditer(template):
        kind, form = match[1].lower(), match[2]
        try:
            stamps[match[0]] = moment_format(when, form or DEFAULT_FORMATS[kind])
        except ValueError as exc:
            raise RefusedError(
                f"add: the template's {match[0]}: {exc}; write the format with YYYY, MM, DD, "
                "HH, mm, ss (or fill it in by hand); nothing was written"
            ) from None
    return stamps


def moment_format(when: dt.datetime, form: str) -> str:
    """`when` written in a moment.js format, as Obsidian writes it in English; ValueError
    names a token this does not know (weeks, quarters, time zones, locale formats)."""
    pieces, values = [], _moment_values(when)
    for token in MOMENT_TOKEN.findall(form):
        if token.startswith("[") and token.endswith("]"):
            pieces.append(token[1:-1])
        elif token.startswith("\\"):
            pieces.append(token[1:])  # escaped: the whole token is text, as in moment
        elif token in values:
            pieces.append(values[token])
        elif len(token) == 1 and token not in MOMENT_LETTERS:
            pieces.append(token)  # moment writes it as it is: `-`, `T`, a space
        else:
            raise ValueError(f"the moment.js token {token!r} is not one mdnet can write")
    return "".join(pieces)


def _moment_values(when: dt.datetime) -> dict[str, str]:
    hour12 = when.hour % 12 or 12
    day, month = when.day, MONTHS.split()[when.month - 1]
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return {
        "YYYY": f"{when.year:04d}",
        "YY": f"{when.year % 100:02d}",
        "MMMM": month,
        "MMM": month[:3],
        "MM": f"{when.month:02d}",
        "M": str(when.month),
        "DD": f"{day:02d}",
        "D": str(day),
        "Do": f"{day}{suffix}",
        "dddd": WEEKDAYS.split()[when.weekday()],
        "ddd": WEEKDAYS.split()[when.weekday()][:3],
        "HH": f"{when.hour:02d}",
        "H": str(when.hour),
        "hh": f"{hour12:02d}",
        "h": str(hour12),
        "Hmm": f"{when.hour}{when.minute:02d}",
        "hmm": f"{hour12}{when.minute:02d}",
        "Hmmss": f"{when.hour}{when.minute:02d}{when.second:02d}",
        "hmmss": f"{hour12}{when.minute:02d}{when.second:02d}",
        "mm": f"{when.minute:02d}",
        "m": str(when.minute),
        "ss": f"{when.second:02d}",
        "s": str(when.second),
        "A": "AM" if when.hour < 12 else "PM",
        "a": "am" if when.hour < 12 else "pm",
    }


def _refuse_unfilled_placeholders(front: list[str], filled: dict[str, str]) -> None:
    """A `{{...}}` left in front matter is a YAML mapping, not text: Obsidian shows the
    property as invalid, so the note is not written with it."""
    for line in front:
        left = next((m for m in re.finditer(r"\{\{[^{}]*\}\}", line) if m[0] not in filled), None)
        if left:
            raise RefusedError(
                f"add: the template's front matter holds {left[0]}, which mdnet does not fill "
                "(it fills {{title}}, {{date}} and {{time}}); nothing was written"
            )


def _check_template_yaml(front: list[str], name: str, title_keys: set[str]) -> None:
    """A template whose front matter this name breaks is refused, not written; so is one
    where a property that is `{{title}}` would read back as anything but the name."""
    from .yamlsafe import FrontMatterError, load_front_matter

    try:
        loaded, _ = load_front_matter("\n".join(front))
    except FrontMatterError as exc:
        raise RefusedError(
            f"add: the template's front matter does not read as YAML with the name {name!r} "
            f"filled in ({exc}); nothing was written"
        ) from None
    for key in sorted(title_keys):
        if not isinstance(loaded, dict) or loaded.get(key) != name:
            raise RefusedError(
                f"add: the template's {key!r} would not read back as the name {name!r}; "
                "nothing was written"
            )


def _builtin_note(values: dict[str, str | None], tags: tuple[str, ...]) -> str:
    def field(key: str) -> str:
        value = values.get(key)
        return f"{key}: {yaml_scalar(value)}" if value else f"{key}:"

    tag_lines = [f"  - {yaml_scalar(t)}" for t in dict.fromkeys(("person", *tags))]
    return "\n".join(
        [
            "---",
            field("name"),
            "aliases: []",
            "tags:",
            *tag_lines,
            field("circle"),
            field("cadence"),
            field("met"),
            "birthday:",
            "city:",
            "company:",
            "interests: []",
            "---",
            "",
            "## Log",
            "",
        ]
    )


def _top_level_key(line: str) -> str | None:
    match = re.match(r"^([A-Za-z0-9_][^:#]*?)\s*:(\s|$)", line)
    return match[1] if match else None


def _block_end(front: list[str], index: int) -> int:
    """The index after a key's block: its indented or `- ` lines below it."""
    end = index + 1
    while end < len(front) and (front[end].startswith((" ", "\t", "- ")) or not front[end].strip()):
        end += 1
    return end


def _set_property(front: list[str], key: str, value: str) -> list[str]:
    for index, line in enumerate(front):
        if _top_level_key(line) == key:
            return front[:index] + [f"{key}: {value}"] + front[_block_end(front, index) :]
    return [*front, f"{key}: {value}"]


def _add_tags(front: list[str], tags: tuple[str, ...]) -> list[str]:
    from .yamlsafe import FrontMatterError, load_front_matter

    for index, line in enumerate(front):
        if _top_level_key(line) == "tags":
            end = _block_end(front, index)
            try:
                loaded, _ = load_front_matter("\n".join(front[index:end]))
                existing = loaded.get("tags") if isinstance(loaded, dict) else None
            except FrontMatterError as exc:  # merging would drop the tags it cannot read
                raise RefusedError(
                    f"add: the template's tags cannot be read ({exc}); fix them or leave out --tag"
                ) from None
            if isinstance(existing, str):
                existing = [existing]
            if not isinstance(existing, list):
                existing = []
            merged = dict.fromkeys([*map(str, existing), *tags])
            block = ["tags:", *(f"  - {yaml_scalar(t)}" for t in merged)]
            return front[:index] + block + front[end:]
    return [*front, "tags:", *(f"  - {yaml_scalar(t)}" for t in tags)]
