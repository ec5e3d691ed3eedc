"""`mdnet import`: contact notes from a vCard file or a LinkedIn `Connections.csv`.

vobject parses vCard 2.1, 3.0 and 4.0 (folding, quoted-printable, several cards);
every note is created through the atomic write routine and never over an existing
one. Existing contacts are matched by file name, `name`, alias or email."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import logging
import os
import quopri
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .config import Config
from .edits import check_name, yaml_scalar
from .errors import RefusedError, UsageError
from .parse import name_key


@dataclass
class Person:
    """One contact as read from a file, before it becomes a note."""

    name: str
    aliases: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    birthday: str | None = None
    company: str | None = None
    title: str | None = None
    city: str | None = None
    urls: list[str] = field(default_factory=list)
    met: str | None = None
    note: str = ""
    source: str = ""  # where in the file: "card 3", "line 7"
    left_out: list[str] = field(default_factory=list)  # what could not be kept, and why


@dataclass
class ImportSummary:
    created: list[str] = field(default_factory=list)
    existing: list[tuple[str, str]] = field(default_factory=list)  # (name, matched note)
    invalid: list[tuple[str, str]] = field(default_factory=list)  # (where, why)
    dry_run: bool = False


# --- reading ---------------------------------------------------------------------------

# No phone, Google, iCloud or LinkedIn export comes near this: a bigger file is the wrong
# one, and /dev/zero or a FIFO that never ends would be read until memory ran out.
MAX_IMPORT_BYTES = 256 * 2**20


def read_import_file(file: str, kind: str) -> bytes:
    """The bytes of an import file: at most MAX_IMPORT_BYTES, else a one-line refusal.
    Read in pieces, so a small file never costs the limit's worth of memory. An OSError
    is left to the caller, which names the file as an argument error."""
    chunks, size = [], 0
    with open(file, "rb") as handle:
        while chunk := handle.read(min(2**20, MAX_IMPORT_BYTES + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
    if size > MAX_IMPORT_BYTES:
        raise UsageError(
            f"import {kind}: {file}: larger than {MAX_IMPORT_BYTES // 2**20} MB, more than "
            "any contacts export; is it the right file?"
        )
    return b"".join(chunks)


VCARD_CHARSET = re.compile(rb"CHARSET=([A-Za-z0-9_.-]+)", re.IGNORECASE)


def decode_file(data: bytes, shown: str, kind: str) -> str:
    """The text of an import file. UTF-8 (with or without a byte-order mark) or UTF-16
    (Outlook's export); a vCard's lines that are not UTF-8 in the charset its cards
    declare (`CHARSET=ISO-8859-1`, vCard 2.1). Anything else is refused, naming the
    line, rather than imported with its letters replaced."""
    import codecs

    utf16 = _utf16(data)
    if utf16 is not None:
        if len(data) % 2:
            data = data[:-1]  # a stray last byte (a newline added by a script)
        try:
            return data.decode(utf16)
        except UnicodeError:
            raise UsageError(
                f"import {kind}: {shown}: neither UTF-8 nor UTF-16 text; save the file as "
                "UTF-8 and import it again"
            ) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        error = exc
    declared = {m.decode("ascii").lower() for m in VCARD_CHARSET.findall(data)}
    charsets = declared - {"utf-8", "utf8"}
    if kind == "vcard" and len(charsets) == 1:
        charset = charsets.pop()
        with contextlib.suppress(LookupError, UnicodeError):
            codecs.lookup(charset)
            # line by line: the cards that are UTF-8 stay UTF-8
            return "\n".join(_line_text(line, charset) for line in data.split(b"\n"))
    line = data.count(b"\n", 0, error.start) + 1
    raise UsageError(
        f"import {kind}: {shown}:{line}: not UTF-8 text; save the file as UTF-8 "
        "(or UTF-16) and import it again"
    )


def _utf16(data: bytes) -> str | None:
    """ "utf-16" when the file starts with its byte-order mark, "utf-16-le"/"-be" when
    every other byte of its start is NUL (text in Latin letters without a mark)."""
    import codecs

    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    head = data[:400]
    if len(head) >= 8 and head.count(0) * 3 > len(head):
        if head[1::2].count(0) > len(head) // 3:
            return "utf-16-le"
        if head[0::2].count(0) > len(head) // 3:
            return "utf-16-be"
    return None


def _line_text(line: bytes, charset: str) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return line.decode(charset)


class _SkippedLines(logging.Handler):
    """vobject's "Skipped line" errors, collected instead of printed. Its line numbers
    are not the file's, so each line is found in the file by its text."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.lines = text.splitlines()
        self.skipped: list[tuple[str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        match = re.search(r"Failed to parse line: (.*)$", record.getMessage())
        content = match[1] if match else ""
        number = next((i for i, line in enumerate(self.lines, 1) if line == content), None)
        where = f"line {number}" if number else "a line"
        self.skipped.append((where, f"not a vCard property, skipped: {content!r}"))


def read_vcards(text: str) -> tuple[list[Person], list[tuple[str, str]]]:
    import vobject

    people, invalid = [], []
    log = logging.getLogger("vobject.base")
    skipped = _SkippedLines(text)
    handlers, propagate = log.handlers, log.propagate
    log.handlers, log.propagate = [skipped], False
    cards: list[Any] = []
    try:
        for card in vobject.readComponents(_prepare(text), ignoreUnreadable=True):
            cards.append(card)
    except Exception as exc:  # vobject raises its own ParseError and plain ValueErrors
        # The cards before it are kept; vobject's line numbers are not the file's.
        reason = re.sub(r"^At line \d+: ", "", str(exc))
        line = _begin_line(text, len(cards))
        if line is None:
            raise UsageError(f"import vcard: cannot read the file: {reason}") from None
        invalid.append((f"line {line}", f"cannot read this card or any after it: {reason}"))
    finally:
        log.handlers, log.propagate = handlers, propagate
    invalid += skipped.skipped
    for number, card in enumerate(cards, 1):
        where = f"card {number}"
        if getattr(card, "name", "").upper() != "VCARD":
            invalid.append((where, f"not a vCard ({card.name})"))
            continue
        kind = _text(
            next(iter(_values(card, "kind") + _values(card, "x-addressbookserver-kind")), "")
        )
        if kind.lower() in ("group", "org", "location"):
            name = _text(next(iter(_values(card, "fn")), "")) or "a card"
            invalid.append((where, f"{name}: a {kind.lower()} card (KIND:{kind}), not a person"))
            continue
        person = _person_from_card(card, where)
        if person is None:
            invalid.append((where, "no name (FN or N)"))
        else:
            people.append(person)
    return people, invalid


MEDIA = re.compile(r"^(?:[\w-]+\.)?(?:PHOTO|LOGO|SOUND|KEY)[;:]", re.IGNORECASE)
LIST_MARK = "\x1f"  # where a NICKNAME list is split (see _commas_kept)
# An escape, a comma, or a backslash that ends the value (which vobject reads as `\eof`)
ESCAPE_OR_COMMA = re.compile(r"\\(.)|,|\\\Z", re.DOTALL)


def _prepare(text: str) -> str:
    """What vobject reads as we need: each property on one line, no photo, and every
    comma of a value kept (_commas_kept)."""
    return "\n".join(_commas_kept(line) for line in _logical_lines(text) if not MEDIA.match(line))


def _logical_lines(text: str) -> Iterator[str]:
    """The file's properties, each on one line: vCard 2.1 quoted-printable values continued
    after a `=` at the end of a line, and lines folded onto lines that start with a blank,
    are joined. Unfolded here, not by vobject, so _commas_kept sees a whole value. A photo
    is never imported, and a broken one stopped vobject for every card after it: its
    folded lines go with it."""
    lines = text.replace("\r\n", "\n").split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if "QUOTED-PRINTABLE" in line.upper():
            while line.endswith("=") and i + 1 < len(lines):
                i += 1
                line = line[:-1] + lines[i]
        parts = [line]
        while i + 1 < len(lines) and lines[i + 1][:1] in (" ", "\t"):
            i += 1
            parts.append(lines[i][1:])  # as vobject unfolds: the one blank goes
        yield "".join(parts)
        i += 1


def _commas_kept(line: str) -> str:
    """A property line whose value vobject reads whole. vobject cuts a text value (FN,
    NOTE, TITLE, URL, a component of ORG, N or ADR) at a comma not escaped and keeps
    the first piece; vCard 2.1 never escapes commas, and many 3.0 writers do not. So
    such a comma is escaped here; in NICKNAME, a list, it marks where to split instead.
    Google's and Apple's `\\:` (no vCard escape) becomes a colon. A quoted-printable
    value is changed in its decoded bytes and encoded again: vobject decodes it, in
    the card's charset, after this."""
    from vobject.base import line_re  # the line as vobject splits it

    match = line_re.match(line)
    if match is None:
        return line  # not a property: vobject skips it, and says so
    comma = LIST_MARK if match["name"].upper() == "NICKNAME" else "\\,"
    value = match["value"]
    params = ENCODING.sub(_encoding_as_vobject_reads_it, match["params"])
    if _quoted_printable(params):
        data = quopri.decodestring(value.encode("utf-8")).decode("latin-1")  # as vobject
        value = _as_quoted_printable(_escaped_for_vobject(data, comma).encode("latin-1"))
    else:
        value = _escaped_for_vobject(value, comma)
    return f"{line[: match.start('params')]}{params}:{value}"


# vobject decodes a text value with any ENCODING but QUOTED-PRINTABLE, in capitals, as
# base64: `encoding=quoted-printable` (Android) or `ENCODING=8BIT` (as written, vCard
# 2.1) gave garbage or "cannot read this card or any after it".
ENCODING = re.compile(r";(ENCODING=)?(QUOTED-PRINTABLE|[78]BIT)(?=[;:,]|$)", re.IGNORECASE)


def _encoding_as_vobject_reads_it(match: re.Match[str]) -> str:
    if match[2].upper() == "QUOTED-PRINTABLE":
        return f";{match[1].upper() if match[1] else ''}QUOTED-PRINTABLE"
    return ""  # 7BIT and 8BIT: the value as written


def _escaped_for_vobject(value: str, comma: str) -> str:
    def kept(match: re.Match[str]) -> str:
        if match[0] == "\\":
            return "\\\\"
        if match[1] is None:
            return comma
        return ":" if match[1] == ":" else match[0]  # other escapes are vobject's

    return ESCAPE_OR_COMMA.sub(kept, value)


def _quoted_printable(params: str) -> bool:
    """Whether vobject decodes the value as quoted-printable: ENCODING's value, or a
    parameter on its own."""
    from vobject.base import parseParams

    return any(
        param == ["QUOTED-PRINTABLE"]
        or (param[0].upper() == "ENCODING" and "QUOTED-PRINTABLE" in param[1:])
        for param in parseParams(params)
    )


def _as_quoted_printable(data: bytes) -> str:
    """`data` quoted-printable on one line: every byte but printable ASCII as `=XX`."""
    return "".join(chr(b) if 33 <= b <= 126 and b != ord("=") else f"={b:02X}" for b in data)


def _values(card: Any, key: str) -> list[Any]:
    return [line.value for line in card.contents.get(key, [])]


def _text(value: Any) -> str:
    if isinstance(value, list):
        value = ", ".join(_text(v) for v in value if v)
    if isinstance(value, bytes):  # a base64 text value (ENCODING=b): vobject gives bytes
        value = value.decode("utf-8", errors="replace")
    return " ".join(str(value).split()) if value else ""


def _begin_line(text: str, index: int) -> int | None:
    """The line where what vobject could not read starts: the BEGIN of top-level
    component number `index` (from 0, cards or not), or a stray END before it."""
    depth = started = 0
    for number, line in enumerate(text.splitlines(), 1):
        if line[:1] in (" ", "\t"):
            continue  # the rest of a folded line
        word = line.strip().upper()
        if word.startswith("BEGIN:"):
            if depth == 0:
                if started == index:
                    return number
                started += 1
            depth += 1
        elif word.startswith("END:"):
            if depth == 0 and started == index:
                return number  # an END with no BEGIN
            depth = max(depth - 1, 0)
    return None


def _person_from_card(card: Any, where: str) -> Person | None:
    name = _text(next(iter(_values(card, "fn")), ""))
    if not name:
        n = next(iter(_values(card, "n")), None)
        name = " ".join(x for x in (getattr(n, "given", ""), getattr(n, "family", "")) if x)
        name = _text(name)
    if not name:
        return None
    aliases = []
    for nick in _values(card, "nickname"):
        # Split where _prepare marked the list: an escaped comma (J\, the Great) stays.
        aliases += [a.strip() for a in str(nick).split(LIST_MARK) if a.strip()]
    org = next(iter(_values(card, "org")), None)
    adr = next(iter(_values(card, "adr")), None)
    bday = next(iter(_values(card, "bday")), None)
    birthday = _birthday(bday)
    left_out = [f"birthday {_text(bday)!r}: not a date"] if bday and not birthday else []
    return Person(
        name=name,
        aliases=list(dict.fromkeys(a for a in aliases if a != name)),
        # An address holds no comma: two on one line (a@x.org,b@y.org) are two.
        emails=[
            a.strip() for e in _values(card, "email") for a in _text(e).split(",") if a.strip()
        ],
        phones=[_text(t).removeprefix("tel:") for t in _values(card, "tel") if _text(t)],
        birthday=birthday,
        company=_text(org) or None,
        title=_text(next(iter(_values(card, "title")), "")) or None,
        city=_text(getattr(adr, "city", "")) or None,
        urls=[_text(u) for u in _values(card, "url") if _text(u)],
        note="\n".join(str(v).replace("\r\n", "\n").strip() for v in _values(card, "note")).strip(),
        source=where,
        left_out=left_out,
    )


def _birthday(value: Any) -> str | None:
    """vCard birthdays → `YYYY-MM-DD` or `--MM-DD` (no year, or Apple's year 1604)."""
    text = _text(value).replace("-", "")
    match = re.fullmatch(r"(\d{4})?(\d{2})(\d{2})(?:T.*)?", text)
    if not match:
        return None
    year, month, day = match.groups()
    try:
        dt.date(int(year or 2000), int(month), int(day))
    except ValueError:
        return None
    if year and year != "1604":
        return f"{year}-{month}-{day}"
    return f"--{month}-{day}"


def read_linkedin(text: str) -> tuple[list[Person], list[tuple[str, str]]]:
    """LinkedIn's Connections.csv: notes before the header, empty emails, `14 Jun 2023`."""
    lines = text.lstrip("\ufeff").splitlines()
    start = next(  # quoted by some spreadsheet tools: "First Name","Last Name",...
        (i for i, line in enumerate(lines) if line.replace('"', "").startswith("First Name,")),
        None,
    )
    if start is None:
        raise UsageError("import linkedin: no 'First Name,Last Name,...' header in the file")
    people, invalid = [], []
    body = lines[start:]
    csv.field_size_limit(CSV_FIELD_LIMIT)
    reader = csv.DictReader(io.StringIO("\n".join(body)))
    try:
        read = reader.line_num if reader.fieldnames is not None else 0  # the header's lines
    except csv.Error as exc:
        raise UsageError(
            f"import linkedin: line {start + 1}: cannot read the header ({exc})"
        ) from None
    width = len(reader.fieldnames or ())
    unread: list[str] = []
    for row in _csv_rows(reader, unread):
        if _swallowed(row, width):
            # A quote never closed: the rows after it became one value of this row.
            # Not one contact made of them: they are said, from this line on.
            unread.append("a quote opened in this row is never closed")
            break
        read = _past_empty_lines(lines, start, read)
        where = f"line {start + read + 1}"  # a quoted value may span several lines
        read = reader.line_num
        written = _text(f"{row.get('First Name') or ''} {row.get('Last Name') or ''}")
        name, left_out = _linkedin_name(written)
        if not name:
            invalid.append((where, "no name"))
            continue
        met = None
        connected = (row.get("Connected On") or "").strip()
        if connected:
            try:
                met = dt.datetime.strptime(connected, "%d %b %Y").date().isoformat()
            except ValueError:
                left_out.append(f"'Connected On' {connected!r}: not a date (14 Jun 2023)")
        email = (row.get("Email Address") or "").strip()
        people.append(
            Person(
                name=name,
                emails=[email] if email else [],
                company=(row.get("Company") or "").strip() or None,
                title=(row.get("Position") or "").strip() or None,
                urls=[u for u in [(row.get("URL") or "").strip()] if u],
                met=met,
                source=where,
                left_out=left_out,
            )
        )
    if unread:  # no row after it: csv would go on from inside the value it stopped in
        line = start + _past_empty_lines(lines, start, read) + 1
        invalid.append((f"line {line}", f"{unread[0]}: it and the rest of the file were not read"))
    return people, invalid


# What LinkedIn members add to their names, which would become the note's file name,
# the name every [[link]] must then spell: "Meyer (she/her)", "Kim, PhD", "García 🚀".
PRONOUNS = re.compile(
    r"\s*[(\[](?:she|he|they|her|him|them|hers|his|theirs|ze|xe|any)"
    r"(?:\s*/\s*(?:she|he|they|her|him|them|hers|his|theirs|ze|zir|xe|xem|any))+[)\]]",
    re.IGNORECASE,
)
CREDENTIALS = re.compile(
    r",\s*(?:(?:Ph\.?D|MBA|M\.?D|CPA|CFA|PMP|MSc|M\.?Sc|BSc|MA|MS|BA|LLM|JD|PE|RN|Esq)\.?"
    r"(?:\s*,\s*|\s+|$))+$",
    re.IGNORECASE,
)
SYMBOLS = re.compile(r"[\u2600-\u27bf\U0001f000-\U0001faff\ufe0f\u200d]")


def _linkedin_name(written: str) -> tuple[str, list[str]]:
    """The name as a note's file name should hold it, and what was taken out of it (said
    on import; the note's text keeps nothing of it, as its links would not)."""
    name = PRONOUNS.sub("", written)
    name = CREDENTIALS.sub("", name)
    name = " ".join(SYMBOLS.sub("", name).split())
    left_out = [f"pronouns, credentials or emoji of the name as written, {written!r}"]
    return name, left_out if name != written and name else []


# A LinkedIn value is a name or a company: csv's 128 KB limit stopped an import with an
# internal error; longer than this, the row is said and the import stops there.
CSV_FIELD_LIMIT = 16 * 2**20


def _csv_rows(reader: csv.DictReader, unread: list[str]) -> Iterator[dict]:
    """The rows of `reader`; at one csv cannot read, why goes into `unread` and they end."""
    try:
        yield from reader
    except csv.Error as exc:
        unread.append(f"cannot read this row ({exc})")


def _past_empty_lines(lines: list[str], start: int, read: int) -> int:
    """`read` past the empty lines csv skips, and counts."""
    while start + read < len(lines) and not lines[start + read]:
        read += 1
    return read


def _swallowed(row: dict, width: int) -> bool:
    """Whether a value of this CSV row holds what were other rows: a line break followed
    by a line with as many commas as a row has, or, in a row short of columns, as many
    commas as half a row (the file ended inside the quote)."""
    values = [value for value in row.values() if isinstance(value, str)]
    for value in values:
        if any(line.count(",") >= width - 1 for line in value.split("\n")[1:]):
            return True
    short = None in row.values() or None in row
    return short and any(value.count(",") >= max(width // 2, 2) for value in values)


# --- writing ---------------------------------------------------------------------------


def import_people(
    conn: sqlite3.Connection,
    config: Config,
    people: list[Person],
    invalid: list[tuple[str, str]],
    dry_run: bool = False,
    circle: str | None = None,
    cadence: str | None = None,
) -> ImportSummary:
    """Create a note for each person no contact already answers to (`circle` and
    `cadence`, when given, go into every note made)."""
    from .writer import atomic_write

    summary = ImportSummary(invalid=list(invalid), dry_run=dry_run)
    known = _known_identities(conn)
    for person in people:
        match = _match(known, person)
        if match:
            summary.existing.append((person.name, match))
            continue
        file_name = _file_name(person.name)
        try:
            check_name(file_name)
        except RefusedError as exc:
            summary.invalid.append((person.source, str(exc).removeprefix("add: ")))
            continue
        rel = f"{config.people_dir}/{file_name}.md"
        if os.path.lexists(config.vault / rel):  # a note no name matched, or a link
            summary.existing.append((person.name, rel))
            continue
        if not dry_run:
            (config.vault / config.people_dir).mkdir(parents=True, exist_ok=True)
            try:
                atomic_write(
                    config.vault / rel,
                    note_text(person, circle, cadence).encode(),
                    create=True,
                    vault=config.vault,
                )
            except RefusedError as exc:
                summary.invalid.append((person.source, str(exc)))
                continue
        summary.created.append(rel)
        for key in _keys(person) | {name_key(file_name)}:
            known[key] = rel  # a second card for the same person in this file is a duplicate
    return summary


def _file_name(name: str) -> str:
    """A name made safe as a file name: characters a link cannot hold become a space."""
    cleaned = re.sub(r'[/\\:*?"<>|#^\[\]]', " ", name)
    # Leading dots and the spaces they leave go (`../Ana` → `Ana`): a hidden file else.
    return " ".join(cleaned.split()).lstrip(". ")


def _keys(person: Person) -> set[str]:
    """Names as the index compares them (name_key: lower case, one Unicode form)."""
    return {
        name_key(person.name),
        *(name_key(a) for a in person.aliases),
        *(e.lower() for e in person.emails),
    }


def _known_identities(conn: sqlite3.Connection) -> dict[str, str]:
    known: dict[str, str] = {}
    for key, path in conn.execute(
        "SELECT k.key, n.path FROM names k JOIN notes n ON n.id = k.note_id"
    ):
        known[key] = path
    # json_type, not the text's first character: json_extract gives an array as its JSON
    # text but a string as itself, and `email: "[work] a@b.c"` starts with `[` too.
    for name, path, kind, emails in conn.execute(
        "SELECT c.name, n.path, json_type(n.properties, '$.email'), "
        "json_extract(n.properties, '$.email') "
        "FROM contacts c JOIN notes n ON n.id = c.note_id"
    ):
        known[name_key(name)] = path
        values = json.loads(emails) if kind == "array" else [emails]
        for email in values:
            if isinstance(email, str) and email.strip():
                known[email.strip().lower()] = path
    return known


def _match(known: dict[str, str], person: Person) -> str | None:
    """The note this person already has: by name, file name or email. A nickname is
    not an identity (two people are called Mike): one another note already has is left
    out of the new note, since it would make [[Mike]] name two contacts."""
    keys = [name_key(_file_name(person.name)), name_key(person.name)]
    for key in keys + sorted(e.lower() for e in person.emails):
        if key in known:
            return known[key]
    kept = []
    for alias in person.aliases:
        other = known.get(name_key(alias))
        if other is None:
            kept.append(alias)
        else:
            person.left_out.append(f"nickname {alias!r}: already a name of {other}")
    person.aliases = kept
    return None


# A line's start that Markdown would read as structure: a list item or task, a heading,
# a quote, a fence, a rule or a setext underline. A backslash makes it text (CommonMark).
STRUCTURE = re.compile(r"^([ \t]*)(?:([-*+>#=_~`<\\])|(\d{1,9})([.)]))")


def inert(text: str) -> str:
    """A card's free text as plain text in the note: no line of it starts an item, a
    task, a heading or a fence, and no comment opens (which would hide the Log below,
    or turn a pasted `- 2019-05-01 met` into an interaction). restored() undoes
    it."""
    lines = []
    for line in text.split("\n"):
        line = re.sub(r"%(?=%)", r"%\\", line.replace("<!--", "<\\!--"))  # %%% too
        lines.append(STRUCTURE.sub(_escaped, line, count=1))
    return "\n".join(lines)


def restored(text: str) -> str:
    """A card's free text as it was before inert() made it inert (for export)."""
    lines = []
    for line in text.split("\n"):
        line = re.sub(r"^([ \t]*)\\([-*+>#=_~`<\\])", r"\1\2", line, count=1)
        line = re.sub(r"^([ \t]*)(\d{1,9})\\([.)])", r"\1\2\3", line, count=1)
        lines.append(re.sub(r"%\\(?=%)", "%", line.replace("<\\!--", "<!--")))
    return "\n".join(lines)


def _escaped(match: re.Match[str]) -> str:
    indent, mark, number, dot = match.groups()
    return f"{indent}\\{mark}" if mark else f"{indent}{number}\\{dot}"  # 1\. is text


def note_text(person: Person, circle: str | None = None, cadence: str | None = None) -> str:
    """A contact note in Obsidian's property formats."""
    lines = ["---", f"name: {yaml_scalar(person.name)}"]

    def add_list(key: str, values: list[str]) -> None:
        if values:
            lines.append(f"{key}:")
            lines.extend(f"  - {yaml_scalar(v)}" for v in values)

    add_list("aliases", person.aliases)
    lines += ["tags:", "  - person"]
    for key, value in (
        ("circle", circle),
        ("cadence", cadence),
        ("met", person.met),
        ("birthday", person.birthday),
        ("company", person.company),
        ("title", person.title),
        ("city", person.city),
    ):
        if value:
            lines.append(f"{key}: {yaml_scalar(value)}")
    if len(person.emails) == 1:
        lines.append(f"email: {yaml_scalar(person.emails[0])}")
    else:
        add_list("email", person.emails)
    if len(person.phones) == 1:
        lines.append(f"phone: {yaml_scalar(person.phones[0])}")
    else:
        add_list("phone", person.phones)
    add_list("urls", person.urls)
    lines += ["---", ""]
    if person.note:
        lines += [inert(person.note), ""]
    lines += ["## Log", ""]
    return "\n".join(lines)
