"""`mdnet draft`: a reconnect message from a template, filled only through plain
`{field}` placeholders: no attribute, item or code can be reached."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from typing import Any

from .config import Config
from .dates import DUE
from .errors import UsageError
from .lookup import find_contact
from .reports.reconnect import contact_row

MAX_TEMPLATE_CHARS = 100_000
# A property's name as Obsidian users write them: `{favorite-food}`, `{Lieblingsessen}`,
# `{last met at}`; never `{0}`, `{a.b}`, `{a[0]}` or `{a!r}`.
PLACEHOLDER = re.compile(r"(?<!\{)\{([^\W\d](?:[\w-]| (?=[\w-]))*)\}(?!\})")
# A sentence ends at . ! ? … (with the spaces after it) or at the end of its line; a
# `{...}` is one piece, never split at a `!` or `.` inside it ({city!r}, {a.b}).
_PIECE = r"(?:\{[^{}\n]*\}|\{(?![^{}\n]*\})|[^.!?…{])"
SENTENCE = re.compile(rf"{_PIECE}*[.!?…]+\s*|{_PIECE}+$")
# In the spirit of "Hey Jib! I saw you got promoted… are you going to the meetup? We
# have to go back to Luigi's." A sentence whose field is empty is left out.
DEFAULT_TEMPLATE = (
    "Hey {first_name}! "
    "I saw the news: {bring_up}! "
    "Are you going to {event}? "
    "We have to go back to {restaurant}. "
    "Coffee in {city} soon?"
)

# For news that is no cause to cheer ("Her father died", "Laid off from Acme"): the
# cheerful default would say "I saw the news: Her father died!".
HARD_NEWS_TEMPLATE = (
    "Hey {first_name}. "
    "I was so sorry to hear the news: {bring_up}. "
    "I'm thinking of you. "
    "If it would help, I'd love to see you in {city} soon."
)
# For news that is neither known good nor known hard ("Her startup is pivoting"): no
# exclamation, as a list of words cannot know every way bad news is written.
NEWS_TEMPLATE = (
    "Hey {first_name}! "
    "I heard your news: {bring_up}. "
    "How are you doing? "
    "Are you going to {event}? "
    "We have to go back to {restaurant}. "
    "Coffee in {city} soon?"
)
_BODY = (
    r"(?:leg|legs|arm|arms|wrist|ankle|hip|collarbone|back|neck|foot|hand|finger|toe|ribs?"
    r"|nose|jaw|knee|shoulder|elbow|pelvis|skull|bones?)"
)
HARD_NEWS = re.compile(
    r"\b(?:died|dies|passed away|passed on|funeral|memorial service|bereave\w*|griev\w*"
    # "Her dad passed", but not "passed the bar" or "passed her driving test".
    r"|passed(?!\s+(?:the|her|his|their|my|our|a|an|all|with|through|by)\b)"
    r"|miscarri\w*|stillbirth|lost (?:his|her|their|my|our|a) (?:mother|father|mum|mom|dad"
    r"|husband|wife|partner|son|daughter|brother|sister|baby|job|home|house|dog|cat"
    r"|business|company|startup)"
    r"|laid off|layoffs?|(?:was|got|been) fired|let go|made redundant|redundancy|unemployed"
    r"|shut down|shutting down|closed down|went (?:under|bust|bankrupt)|bankrupt\w*"
    r"|divorc\w*|separated|split up|broke up|break-?up|sick|ill|unwell|illness"
    r"|in (?:the )?hospital|hospitali[sz]ed|surgery|cancer|chemo(?:therapy)?|diagnosed"
    r"|a stroke|heart attack|concussion|depress\w*|burn(?:ed|t)? out|burnout"
    rf"|broke (?:her|his|their|my|a|an|both) {_BODY}|broken {_BODY}|fractured"
    r"|injured|injury|accident|crashed|burgl\w*|robbed|evicted|house fire|flooded)\b",
    re.IGNORECASE,
)
# News that a friend is glad to hear: the cheerful default.
GOOD_NEWS = re.compile(
    r"\b(?:married|marries|wedding|engaged|engagement|promot\w*|new (?:job|role|position"
    r"|house|home|flat|apartment|baby|business|company)|started (?:at|a|an|the|her|his|their"
    r"|working|teaching)|joined|hired|baby|born|birth of|pregnan\w*|expecting|graduat\w*"
    r"|degree|phd|doctorate|bought (?:a|an|the|their|her|his)|moved (?:to|into|in)"
    r"|launch\w*|won|wins|award\w*|published|book deal|retir\w*|anniversary|got into"
    r"|accepted (?:to|into|at)|passed (?:the|her|his|their|my|a|an|all)|raised|funded"
    r"|opened|adopted|got a (?:dog|puppy|cat|kitten)|finished|completed|ran (?:a|the)"
    r"|climbed|qualified|certified|tenure)\b",
    re.IGNORECASE,
)


def template_for(news: str) -> str:
    """The built-in template that fits the news: gentle for hard news, cheerful for good
    news, plain for news it cannot place (the cheerful one said "I saw the news: Broke
    her leg skiing!": hard news first, so "lost her job after she was promoted" is hard)."""
    if HARD_NEWS.search(news):
        return HARD_NEWS_TEMPLATE
    if not news or GOOD_NEWS.search(news):
        return DEFAULT_TEMPLATE
    return NEWS_TEMPLATE


BUILT_IN = ("name", "first_name", "last_text", "last_date", "bring_up", "event", "city")


def draft_message(
    conn: sqlite3.Connection, config: Config, name: str, as_of: dt.date, template: str | None
) -> tuple[str, list[str]]:
    """The message, and the placeholders of a template of the user's that are no field
    of this contact (a typo like {frist_name} would drop its sentence without a word)."""
    contact = find_contact(conn, name)
    fields = draft_fields(conn, config, contact, as_of)
    unknown = [] if template is None else list(dict.fromkeys(
        field for field in PLACEHOLDER.findall(template) if field not in fields
    ))  # fmt: skip
    unknown = [_why_unfilled(field, contact) for field in unknown]
    if template is None:
        template = template_for(fields["bring_up"])
    return render(template, fields), unknown


def draft_fields(
    conn: sqlite3.Connection, config: Config, contact: sqlite3.Row, as_of: dt.date
) -> dict[str, str]:
    """Every front-matter key of the contact (text, numbers, true and false, lists of
    those), also in lower case as Obsidian compares property names, and the drafted ones."""
    import json

    fields: dict[str, str] = {}
    for key, value in json.loads(contact["properties"]).items():
        text = _as_text(value)
        if text is not None:
            fields[str(key)] = text
    for key in list(fields):
        fields.setdefault(key.lower(), fields[key])
    status = contact_row(conn, config, as_of, contact["note_id"])
    li = status.last_interaction
    logged = li is not None and li.kind not in ("met", "last_contact", "mention")
    life = [b for b in status.bring_up if b.type == "life"]
    fields.update(
        {
            "name": contact["name"],
            "first_name": contact["name"].split()[0] if contact["name"].split() else "",
            "last_text": clean(li.text) if li is not None and logged else "",
            "last_date": li.date if li else "",
            "bring_up": clean(life[0].text) if life else "",
            "event": status.events[0].title if status.events else "",
            "city": contact["city"] or "",
        }
    )
    return fields


def _as_text(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    if isinstance(value, list):
        return ", ".join(t for t in map(_as_text, value) if t is not None)
    return None  # a mapping: no text to put in a message


def _why_unfilled(field: str, contact: sqlite3.Row) -> str:
    """What to say of a placeholder of the user's template that was not filled."""
    import json

    if field.lower() in {str(key).lower() for key in json.loads(contact["properties"])}:
        return f"{{{field}}} is a property of this contact with no text to put in a message"
    return (
        f"{{{field}}} is no field of this contact (a typo? the fields: "
        f"{', '.join(BUILT_IN)} and its properties)"
    )


def clean(text: str) -> str:
    """Note text as it reads in a message: links as their text, no tags or due dates."""
    text = re.sub(r"\[\[([^\]|]+\|)?([^\]]+)\]\]", r"\2", text)
    text = re.sub(r"(?<!\S)#[^\s#]+", "", text)
    text = DUE.sub("", text)
    # A closing "!" too: the templates put their own ("engaged to Tom!!").
    return " ".join(text.split()).rstrip(" .,;:!")


def render(template: str, fields: dict[str, Any]) -> str:
    """Fill plain `{field}` placeholders; a sentence with a field that is empty or unknown
    is left out, so no message has a hole. `{{...}}`, `{0}`, `{a.b}`, `{a[0]}` stay as
    written, and a value is inserted as text, never read as a template."""
    if len(template) > MAX_TEMPLATE_CHARS:
        raise UsageError(f"draft: the template is longer than {MAX_TEMPLATE_CHARS:,} characters")

    def fill(sentence: str) -> str:
        return PLACEHOLDER.sub(lambda m: str(fields.get(m[1], "") or ""), sentence)

    def kept(sentence: str) -> bool:
        return all(fields.get(name) for name in PLACEHOLDER.findall(sentence))

    lines = template.splitlines()
    out: list[str] = []
    for index, line in enumerate(lines):
        text = "".join(fill(s) for s in SENTENCE.findall(line) if kept(s)).rstrip()
        if line.strip() and not text:  # the whole line left out: and the blank it leaves
            if out and not out[-1] and index + 1 < len(lines) and not lines[index + 1].strip():
                out.pop()
            continue
        out.append(text)
    return "\n".join(out).strip() + "\n"
