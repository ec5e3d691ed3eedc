#!/usr/bin/env python3
"""Generate a realistic, deterministic mdnet vault for benchmarks.

    python benchmarks/genvault.py OUT --files 40000 [--seed 1]

The same seed and file count always give a byte-identical vault: every random
choice comes from one ``random.Random(seed)`` stream, nothing depends on the
clock, the locale, the hash seed or the order of a directory listing.

Composition (N = --files, all counts are ``.md`` notes):

- 25 %   contacts under ``people/`` (some in ``people/work/``, ``people/family/``,
         ``people/college/``, ``people/work/clients/``): YAML front matter with 10-20
         properties, a paragraph and a ``## Log`` of 5-30 dated list items that
         link other contacts and carry the tags of SPEC section 3, sometimes an
         indented detail line or an open task with a 📅 due date;
- ~74 %  dated notes: daily notes ``Daily/YYYY-MM-DD.md`` for the last days up to
         20 years, the rest meeting/journal notes
         ``Journal/YYYY/YYYY-MM-DD Title K.md``; each mentions 0-5 contacts and
         some hold dated list items;
- 1 %    events in ``events/`` (``type: event``, ``date``, optional ``end`` and
         ``city``, ``attendees`` as quoted ``"[[links]]"``), some upcoming;
- 0.1 %  bad notes (at least one of each kind): broken YAML, git conflict markers,
         impossible date 2023-02-30, invalid UTF-8, an empty note.

Average note size is about 925 bytes, so 40,000 notes make about 37 MB.
Dates end on 2026-11-19; the benchmark reports ``--as-of 2026-11-20``.

Besides the notes the vault holds ``.mdnet.toml``, ``.obsidian/app.json``,
``.obsidian/daily-notes.json`` and ``.genvault.json`` (this generator's manifest:
parameters and counts, no timestamps; a dot file, so mdnet skips it).
Standard library only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import sys
import time
from pathlib import Path

# Bump when the output for a given (files, seed) changes, so caches are rebuilt.
GENERATOR_VERSION = 2
MANIFEST = ".genvault.json"
AS_OF = "2026-11-20"


def _words(text: str) -> list[str]:
    return text.split()


FIRST_NAMES = _words(
    "Anna Ben Carla David Elif Farid Grace Hiro Ines Jonas Kavya Liam Maya Noah Olga "
    "Pablo Quinn Rosa Sam Tariq Uma Victor Wen Ximena Yusuf Zoë José Søren Chloé Björn "
    "Amara Aiko Bruno Camille Dmitri Emma Felix Greta Hannah Ivan Julia Kenji Lena Marco "
    "Nadia Oscar Priya Rafael Sofia Tomás Ulla Valentina William Yara Zainab Alexander "
    "Beatriz Chen Daniela Emil Fatima Gabriel Helena Isaac Jana Karim Laura Mateo Nina "
    "Omar Paula Ravi Sara Theo Vera Wei Yuki Adriana Bashir Clara Diego Eva Frida Gustav "
    "Hana Ingrid Jakob Katarzyna Lucas Mina Nils Olivia Pedro Renata Stefan Tara Ugo "
    "Vivian Wanda Xavier Yasmin Zeynep Ahmed Bianca Cyrus Dana Erik Fiona Giulia Hugo "
    "Ida Javier Kira Leon Margarita Nora Orla Pierre Rhea Simon Talia Ulrich Vikram "
    "Wiebke Yosef Zara Łukasz Ángel Nikolai Malia Kwame Ayesha Thabo Leilani Mehmet "
    "Svetlana Benjamin Katherine Elizabeth Johannes Robert"
)

LAST_NAMES = _words(
    "Kowalski Ortiz Nguyen Müller Okafor Silva Tanaka Haddad Johansson Rossi Dubois "
    "Petrov Kim Garcia Schmidt Novak Andersen Costa Moreau Yilmaz Fischer Ivanova Park "
    "Santos Bauer Lindqvist Murphy Cohen Sato Romero Weber Horvat Jensen Almeida Laurent "
    "Demir Wagner Popescu Lee Fernández Becker Nowak Nielsen Pereira Lefebvre Kaya Hoffmann "
    "Kovač Hansen Rodrigues Girard Şahin Schulz Dvořák Berg Martins Fontaine Aydın Koch "
    "Zieliński Larsen Gomes Bonnet Öztürk Richter Horváth Eriksson Carvalho Mercier Çelik "
    "Klein Wójcik Olsen Ribeiro Chevalier Arslan Wolf Kozlov Pedersen Lopes Blanc Doğan "
    "Neumann Lewandowski Karlsson Teixeira Rousseau Kılıç Schwarz Morozov Christensen "
    "Barbosa Guerin Aksoy Zimmermann Kamiński Svensson Mendes Faure Yıldız Braun Volkov "
    "Mikkelsen Araújo Roux Özdemir Krüger Szymański Lund Cardoso Vincent Polat Hartmann "
    "Sokolov Sørensen Moreira Muller Bulut Lange Woźniak Holm Nunes Fournier Erdem Werner "
    "Lebedev Thomsen Correia Andre Ünal Krause Dąbrowski Dahl Soares Perrin Acar Meier "
    "O'Brien Mbeki Adeyemi Mensah Banerjee Iyer Chowdhury Reyes Morales Vargas Castillo "
    "Jiménez Hernández Takahashi Watanabe Yamamoto Nakamura Kobayashi Wang Zhang Liu Chen"
)

NICKNAMES = {
    "Alexander": "Alex",
    "Benjamin": "Ben",
    "Katherine": "Kate",
    "Elizabeth": "Liz",
    "Johannes": "Hannes",
    "Robert": "Bob",
    "William": "Will",
    "Margarita": "Rita",
    "Valentina": "Vale",
    "Gabriel": "Gabe",
    "Katarzyna": "Kasia",
    "Nikolai": "Kolya",
    "Daniela": "Dani",
    "Svetlana": "Sveta",
    "Beatriz": "Bea",
    "Olivia": "Liv",
    "Fatima": "Fati",
    "Isaac": "Ike",
}

CITIES = _words(
    "Berlin Lisbon London Paris Amsterdam Tokyo Toronto Austin Nairobi Seoul Madrid "
    "Copenhagen Vienna Prague Warsaw Istanbul Chicago Boston Oslo Zürich Melbourne "
    "Bangalore Lagos Montréal Kraków Porto Barcelona Munich Hamburg Stockholm"
)
CITIES += ["New York", "San Francisco", "Mexico City", "São Paulo", "Cape Town", "Tel Aviv"]

COMPANIES = [
    "Acme GmbH",
    "Globex",
    "Initech",
    "Umbrella Health",
    "Hooli",
    "Stark Industries",
    "Wayne Enterprises",
    "Vandelay Industries",
    "Soylent Foods",
    "Tyrell Corp",
    "Cyberdyne",
    "Aperture Labs",
    "Massive Dynamic",
    "Pied Piper",
    "Dunder Mifflin",
    "Oceanic Airlines",
    "Monarch Solutions",
    "Blue Sun",
    "Wonka Industries",
    "Gringotts",
    "freelance",
    "University of Lisbon",
    "Charité",
    "City Council",
    "Nordwind Studio",
    "Kettle & Co",
]

INTERESTS = _words(
    "climbing jazz sourdough running chess photography gardening sailing cycling "
    "board-games poetry ceramics birding yoga woodworking astronomy wine coffee tea "
    "knitting surfing skiing football basketball tennis podcasts sci-fi history "
    "cooking baking vinyl synths guitar piano opera theatre film anime travel hiking "
    "camping fishing diving languages startups investing crypto design typography "
    "urbanism architecture philosophy politics volunteering dogs cats horses"
)

PLACES = [
    "Café Einstein",
    "the Italian place",
    "Blue Bottle",
    "the market",
    "their office",
    "Markthalle Neun",
    "the climbing gym",
    "Pho 88",
    "the park",
    "Tim Hortons",
    "the airport lounge",
    "their new flat",
    "the pub on Elm Street",
    "Zoom",
    "the conference",
    "Sushi Ko",
    "the bakery",
    "the co-working space",
    "the farmers market",
    "the wine bar",
]
PLACE_LINKS = ["[[Café Einstein]]", "[[Blue Bottle]]", "[[Markthalle Neun]]", "[[Sushi Ko]]"]

TOPICS = [
    "the new job",
    "moving to a bigger flat",
    "the kids' school",
    "a side project",
    "the marathon training",
    "their startup's fundraising",
    "burnout and time off",
    "the book club pick",
    "visa paperwork",
    "the wedding plans",
    "a career change",
    "the renovation",
    "their research grant",
    "the trip to Japan",
    "hiring for the team",
    "the band's first gig",
    "a health scare",
    "learning Portuguese",
    "the election",
    "their podcast",
]
GIFTS = [
    "a bottle of wine",
    "a book on typography",
    "concert tickets",
    "homemade jam",
    "a plant",
    "a sourdough starter",
    "a scarf",
    "a board game",
    "flowers",
    "a print from the gallery",
    "coffee beans",
    "a cookbook",
]
FAVORS = [
    "the move",
    "proofreading the CV",
    "a reference letter",
    "airport pickup",
    "watching the cat",
    "the tax return",
    "fixing the bike",
    "a job referral",
    "the pitch deck",
    "a spare room for a week",
]
ASKS = [
    "an intro to someone at {company}",
    "feedback on the pitch deck",
    "a reference for the new role",
    "a quote for the article",
    "to speak at the meetup",
    "to review the grant proposal",
    "to borrow the camera",
    "a warm intro to their investor",
]
LIFE = [
    "Got married",
    "Promoted to {title}",
    "Moved to {city}",
    "Had a baby",
    "Started at {company}",
    "Ran a marathon",
    "Finished the PhD",
    "Lost their father",
    "Bought a house",
    "Got a dog",
    "Retired",
    "Graduated",
]
TITLES = ["team lead", "director", "staff engineer", "partner", "head of design", "professor"]
PLAIN = [
    "Ran into them at {place}",
    "Texted about {topic}",
    "Saw them at {place}",
    "Long message thread about {topic}",
    "Bumped into them on the train",
    "Met at {place}",
    "Sent a voice note about {topic}",
]
TASKS = [
    "Send {pron} the article on {interest}",
    "Ask about {topic}",
    "Return the book",
    "Invite to the barbecue",
    "Congratulate on {topic}",
    "Book dinner at {place}",
    "Follow up on {topic}",
]
DETAILS = [
    "they recommended a good dentist",
    "kids are 4 and 7 now",
    "allergic to peanuts",
    "wants to try bouldering",
    "starts the new job in spring",
    "owes me a recipe",
    "mentioned they might move abroad",
    "parents visiting in the summer",
    "reading Middlemarch",
    "training for a half marathon",
    "prefers phone calls to long messages",
    "partner works in {company}",
    "wants an intro to someone in {city}",
    "big fan of {interest}",
    "hates surprise parties",
    "always brings homemade cake",
    "going through a tough time at work, check in gently",
    "looking for a flat in {city}",
]
SENTENCES = [
    "Slept badly and started slow.",
    "Long day at work, mostly meetings.",
    "Finished the quarterly review.",
    "Rain all day, stayed in and read.",
    "Went for a run along the river before breakfast.",
    "The heating is broken again; called the landlord.",
    "Worked on the garden in the afternoon.",
    "Felt good about the progress on the side project.",
    "Spent the evening cooking a big pot of soup.",
    "Too much coffee, not enough water.",
    "Cleaned up the inbox, finally under a hundred.",
    "Planned the trip for next month.",
    "Need to call the bank about the card.",
    "Watched an old film and went to bed early.",
    "Wrote three pages of the essay.",
    "The team shipped the release; small party after.",
    "Paid the bills and sorted the receipts.",
    "Noticed the first snow on the hills.",
    "Spent two hours debugging a flaky test.",
    "Tried a new bakery on the corner.",
    "Read forty pages of the novel on the balcony; the ending is starting to make sense.",
    "Morning standup ran long because nobody could agree on the release date.",
    "Fixed the leaking tap myself after watching far too many videos about washers.",
    "Took the long way home through the old town and stopped for an ice cream.",
    "Spent the afternoon on the budget spreadsheet and found two subscriptions to cancel.",
    "Migraine in the evening, so no screens after eight.",
    "Sorted through the boxes in the basement and gave a bag of clothes away.",
    "Practised {interest} for an hour and felt rusty but happy.",
    "Thinking a lot about {topic} lately; need to write down what I actually want.",
    "The train was late again, so I finished the podcast episode about {topic}.",
    "Booked flights for the summer; cheaper than expected if we leave on a Tuesday.",
    "Quiet day. Cleaned the kitchen, did laundry, called home.",
    "Team lunch at {place}; the new intern has great stories.",
    "Started a list of gift ideas for the holidays so I stop panicking in December.",
    "Went to {place} to work for a change of scenery; got more done than at home.",
    "Weekly review: inbox zero, three open loops, one decision postponed again.",
]
WITH_SENTENCES = [
    "Had lunch with {a} and talked about {topic}.",
    "Called {a}; they are doing well.",
    "{a} sent a long message about {topic}.",
    "Coffee with {a} at {place}.",
    "Dinner at {place} with {a} and {b}.",
    "Saw {a} at the gym.",
    "{a} and {b} both asked about {topic}.",
    "Walked with {a} through the park.",
    "Quick call with {a} about {topic}.",
    "{a} recommended a book.",
]
ABOUT = [
    "Met through {via}. Very generous with time and always up for {interest}.",
    "Old friend from {via}. Lives in {city} now and works at {company}.",
    "Works at {company} in {city}. Introduced by a mutual friend.",
    "We met at {via}. Knows everyone in the {interest} scene.",
    "Neighbour for years before moving to {city}. Great cook.",
    "Former colleague from {company}. Sharp, direct, kind.",
]
VIAS = ["university", "the climbing gym", "a conference", "work", "a friend's wedding", "school"]
JOURNAL_TITLES = [
    "Standup",
    "1-1",
    "Team sync",
    "Dinner",
    "Reading notes",
    "Trip planning",
    "Retro",
    "Interview",
    "Workshop",
    "Call notes",
]
EVENT_TITLES = [
    "Conference",
    "Birthday party",
    "Wedding",
    "Meetup",
    "Hackathon",
    "Book launch",
    "Reunion",
    "Housewarming",
    "Dinner party",
    "Workshop",
]
CIRCLES = ["inner", "close", "friends", "network", "acquaintances", None]
CIRCLE_WEIGHTS = [3, 10, 25, 35, 20, 7]
PEOPLE_DIRS = ["people", "people/work", "people/family", "people/college", "people/work/clients"]
PEOPLE_DIR_WEIGHTS = [60, 20, 5, 10, 5]
MENTION_WEIGHTS = [30, 25, 20, 12, 8, 5]  # 0..5 contacts per dated note
BAD_KINDS = ["yaml", "conflict", "baddate", "utf8", "empty"]

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]

END = dt.date(2026, 11, 19)  # last past day; the benchmark reports as of 2026-11-20
SPAN_DAYS = 7305  # 20 years of dates
START = END - dt.timedelta(days=SPAN_DAYS - 1)
DAYS = [(START + dt.timedelta(days=i)).isoformat() for i in range(SPAN_DAYS)]
DAY_INDEX = {d: i for i, d in enumerate(DAYS)}
FUTURE = [(END + dt.timedelta(days=i)).isoformat() for i in range(1, 133)]  # to 2027-03-31


class _Fields(dict):
    """Template fields drawn on first use, so unused fields cost no random draws."""

    POOLS = {
        "topic": TOPICS,
        "place": PLACES,
        "company": COMPANIES,
        "city": CITIES,
        "title": TITLES,
        "interest": INTERESTS,
        "via": VIAS,
        "pron": ["them"],
    }

    def __init__(self, rng: random.Random) -> None:
        super().__init__()
        self.rng = rng

    def __missing__(self, key: str) -> str:
        value = self.rng.choice(self.POOLS[key])
        self[key] = value
        return value


class _Contact:
    __slots__ = ("name", "path", "first", "last", "circle", "aliases", "link_alias")

    def __init__(self, name: str, path: str, first: str, last: str) -> None:
        self.name = name
        self.path = path
        self.first = first
        self.last = last
        self.circle: str | None = None
        self.aliases: list[str] = []
        self.link_alias: str | None = None  # an alias that resolves to this contact only


class _Gen:
    def __init__(self, files: int, seed: int) -> None:
        if files < 50:
            raise ValueError("--files must be at least 50")
        self.rng = random.Random(seed)
        self.files = files
        self.seed = seed
        self.n_contacts = round(files * 0.25)
        self.n_events = max(1, round(files * 0.01))
        self.n_bad = max(len(BAD_KINDS), round(files / 1000))
        self.n_dated = files - self.n_contacts - self.n_events - self.n_bad
        self.out: dict[str, bytes] = {}
        self.bad_paths: dict[str, str] = {}

    # ---------------------------------------------------------------- helpers
    def link(self, c: _Contact) -> str:
        """A link to a contact in one of the forms Obsidian resolves."""
        r = self.rng.random()
        if r < 0.84:
            return f"[[{c.name}]]"
        if r < 0.90:
            return f"[[{c.name}|{c.first}]]"
        if r < 0.93 and c.link_alias:
            return f"[[{c.link_alias}]]"
        if r < 0.96:
            return f"[[{c.path[:-3]}]]"
        if r < 0.98:
            return f"[[{c.name}#Log]]"
        return f"[[{c.name.lower()}]]"

    def pick_contact(self) -> _Contact:
        rng = self.rng
        if self.hot and rng.random() < 0.35:
            return rng.choice(self.hot)
        return rng.choice(self.good)

    def pick_contacts(self, k: int) -> list[_Contact]:
        seen: dict[str, None] = {}
        res = []
        for _ in range(k * 2):
            if len(res) == k:
                break
            c = self.pick_contact()
            if c.name not in seen:
                seen[c.name] = None
                res.append(c)
        return res

    def fill(self, template: str) -> str:
        """Fill ``{topic}``, ``{place}``, ... drawing only the fields the template uses."""
        if "{" not in template:
            return template
        return template.format_map(_Fields(self.rng))

    def add(self, path: str, text: str, encoding: str = "utf-8") -> None:
        rng = self.rng
        r = rng.random()
        if r < 0.01:
            text = text.replace("\n", "\r\n")  # a note edited on Windows
        data = text.encode(encoding)
        if 0.01 <= r < 0.013:
            data = b"\xef\xbb\xbf" + data  # a byte-order mark
        self.out[path] = data

    # ---------------------------------------------------------------- names
    def make_names(self) -> None:
        rng = self.rng
        n = self.n_contacts + self.n_bad  # bad contacts need names too
        taken: dict[str, int] = {}
        self.contacts: list[_Contact] = []
        for _ in range(n):
            first = rng.choice(FIRST_NAMES)
            last = rng.choice(LAST_NAMES)
            base = f"{first} {last}"
            key = base.casefold()
            k = taken.get(key, 0) + 1
            taken[key] = k
            name = base if k == 1 else f"{base} {k}"
            folder = rng.choices(PEOPLE_DIRS, PEOPLE_DIR_WEIGHTS)[0]
            c = _Contact(name, f"{folder}/{name}.md", first, last)
            c.circle = rng.choices(CIRCLES, CIRCLE_WEIGHTS)[0]
            if rng.random() < 0.12:
                c.aliases.append(f"{first} {last[0]}.")
            if first in NICKNAMES and rng.random() < 0.7:
                c.aliases.append(f"{NICKNAMES[first]} {last}")
            if rng.random() < 0.08:
                c.aliases.append(f"{first} {rng.choice(LAST_NAMES)}")  # maiden name
            self.contacts.append(c)
        # An alias never shadows another contact's file name (that would make plain
        # links ambiguous); "First L." aliases may still be shared, as in real life.
        names = {c.name.casefold(): None for c in self.contacts}
        for c in self.contacts:
            c.aliases = [a for a in c.aliases if a.casefold() not in names]
        # An alias is safe to link with only when it names one contact and no file.
        count: dict[str, int] = {}
        for c in self.contacts:
            count[c.name.casefold()] = count.get(c.name.casefold(), 0) + 1
            for a in c.aliases:
                count[a.casefold()] = count.get(a.casefold(), 0) + 1
        for c in self.contacts:
            for a in c.aliases:
                if count[a.casefold()] == 1:
                    c.link_alias = a
                    break
        self.bad_contacts = self.contacts[self.n_contacts :]
        self.good = self.contacts[: self.n_contacts]
        self.hot = [c for c in self.good if c.circle in ("inner", "close")]

    # ---------------------------------------------------------------- contacts
    def front_matter(self, c: _Contact) -> tuple[str, str | None]:
        rng = self.rng
        lines = ["---"]
        keys = 0
        want = rng.randint(10, 20)
        met_i = rng.randrange(0, SPAN_DAYS - 400)
        met = DAYS[met_i]
        core = [
            "name",
            "aliases",
            "tags",
            "circle",
            "met",
            "birthday",
            "city",
            "company",
            "interests",
            "email",
            "phone",
        ]
        if not c.aliases:
            core.remove("aliases")
        if c.circle is None:
            core.remove("circle")
        while len(core) > want:
            core.pop(rng.randrange(1, len(core)))
        for key in core:
            if key == "name":
                lines.append(f"name: {c.name}")
            elif key == "aliases":
                if rng.random() < 0.5:
                    lines.append("aliases:")
                    lines.extend(f"  - {a}" for a in c.aliases)
                else:
                    lines.append("aliases: [" + ", ".join(f'"{a}"' for a in c.aliases) + "]")
            elif key == "tags":
                tags = ["person"] + rng.sample(["work", "family", "college", "neighbour"], 1)
                if rng.random() < 0.5:
                    lines.append("tags: [" + ", ".join(tags) + "]")
                else:
                    lines.append("tags:")
                    lines.extend(f"  - {t}" for t in tags)
            elif key == "circle":
                lines.append(f"circle: {c.circle}")
            elif key == "met":
                lines.append(f"met: {met}")
            elif key == "birthday":
                y, m, d = rng.randint(1950, 2004), rng.randint(1, 12), rng.randint(1, 28)
                if rng.random() < 0.02:
                    m, d = 2, 29
                    y = rng.choice([1972, 1984, 1996, 2000])
                form = rng.random()
                if form < 0.6:
                    lines.append(f"birthday: {y:04d}-{m:02d}-{d:02d}")
                elif form < 0.9:
                    lines.append(f'birthday: "{m:02d}-{d:02d}"')
                else:
                    lines.append(f"birthday: --{m:02d}-{d:02d}")
            elif key == "city":
                lines.append(f"city: {rng.choice(CITIES)}")
            elif key == "company":
                lines.append(f"company: {rng.choice(COMPANIES)}")
            elif key == "interests":
                ints = rng.sample(INTERESTS, rng.randint(1, 4))
                lines.append("interests: [" + ", ".join(ints) + "]")
            elif key == "email":
                user = f"{c.first}.{c.last}".lower().replace("'", "")
                lines.append(f"email: {user}@example.com")
            elif key == "phone":
                lines.append(
                    f'phone: "+{rng.randint(1, 99)} {rng.randint(100, 999)} '
                    f'{rng.randint(1000000, 9999999)}"'
                )
            keys += 1
        custom = list(CUSTOM_KEYS)
        while keys < want and custom:
            key, fn = custom.pop(rng.randrange(len(custom)))
            lines.append(f"{key}: {fn(self, c)}")
            keys += 1
        lines.append("---")
        return "\n".join(lines) + "\n", met

    def log_item(self, date: str, c: _Contact | None, link_p: float = 0.3) -> str:
        """One dated list item; ``c`` is the note's own contact (never linked to itself)."""
        rng = self.rng
        r = rng.random()
        other = self.pick_contact() if rng.random() < link_p else None
        if r < 0.20:
            tag, text = "#call", rng.choice(["Call about {topic}", "Phone catch-up on {topic}"])
        elif r < 0.38:
            tag, text = "#meal", rng.choice(["Lunch at {place}", "Dinner at {place}"])
        elif r < 0.52:
            tag, text = "#coffee", "Coffee at {place}"
        elif r < 0.57:
            tag, text = "#gift/given", "Gave them " + rng.choice(GIFTS)
        elif r < 0.61:
            tag, text = "#gift/received", "Got " + rng.choice(GIFTS) + " from them"
        elif r < 0.65:
            tag = rng.choice(["#favor/given", "#favour/given"])
            text = "Helped with " + rng.choice(FAVORS)
        elif r < 0.69:
            tag = rng.choice(["#favor/received", "#favour/received"])
            text = "They helped me with " + rng.choice(FAVORS)
        elif r < 0.74:
            tag = "#ask" + rng.choice(["", " #yes", " #yes", " #no"])
            text = "Asked for " + rng.choice(ASKS)
        elif r < 0.77:
            other = other or self.pick_contact()
            tag, text = "#intro", "Introduced to"
        elif r < 0.79:
            tag, text = "#paid", "Paid for " + rng.choice(["photos", "the logo", "a consult"])
        elif r < 0.84:
            tag, text = "#life", rng.choice(LIFE)
        else:
            tag, text = "", rng.choice(PLAIN)
        text = self.fill(text)
        if other is not None and other is not c:
            if tag == "#intro":
                text = f"{text} {self.link(other)}"
            else:
                text = f"{text} with {self.link(other)}"
        if rng.random() < 0.05 and "{" not in text:
            text = text.replace("at the", "at " + rng.choice(PLACE_LINKS) + " near the", 1)
        if tag and rng.random() < 0.05:
            tag = tag.title()
        marker = rng.choices(["-", "*", "+"], [85, 10, 5])[0]
        d = date if rng.random() < 0.85 else f"[[{date}]]"
        sep = rng.choices([" ", " - ", ": ", " — ", " – "], [50, 30, 12, 6, 2])[0]
        line = f"{marker} {d}{sep}{text}"
        if tag:
            line += " " + tag
        if rng.random() < 0.12:
            line += "\n    - " + self.fill(rng.choice(DETAILS))
        return line

    def contact_note(self, c: _Contact) -> str:
        rng = self.rng
        fm, met = self.front_matter(c)
        parts = [fm]
        if rng.random() < 0.5:
            parts.append(f"\n# {c.name}\n")
        parts.append("\n" + self.fill(rng.choice(ABOUT)))
        if rng.random() < 0.4:
            parts.append(" " + self.fill(rng.choice(ABOUT)))
        parts.append("\n")
        if rng.random() < 0.7:
            parts.append("\n## About\n\n")
            parts.extend(f"- {self.fill(d)}\n" for d in rng.sample(DETAILS, rng.randint(3, 6)))
        parts.append("\n## Log\n\n")
        n = rng.randint(5, 30)
        lo = DAY_INDEX[met] if rng.random() < 0.7 else 0
        idx = sorted(rng.randrange(lo, SPAN_DAYS) for _ in range(n))
        dates = [DAYS[i] for i in idx]
        if rng.random() < 0.03:
            dates.append(rng.choice(FUTURE[:40]))  # a planned date, after as of
        if rng.random() < 0.2:
            dates.reverse()  # newest first
        parts.append("\n".join(self.log_item(d, c) for d in dates))
        parts.append("\n")
        if rng.random() < 0.25:
            task = self.fill(rng.choice(TASKS))
            due = rng.choice(DAYS[-400:] + FUTURE[:60])
            parts.append(f"- [ ] {task} 📅 {due}\n")
        if rng.random() < 0.05:
            parts.append(f"- [x] {self.fill(rng.choice(TASKS))}\n")
        if rng.random() < 0.2:
            parts.append("\n## Notes\n\n" + self.fill(rng.choice(ABOUT)) + "\n")
        return "".join(parts)

    # ---------------------------------------------------------------- dated notes
    def dated_body(self, date: str) -> str:
        rng = self.rng
        k = rng.choices(range(6), MENTION_WEIGHTS)[0]
        people = self.pick_contacts(k)
        parts = []
        if rng.random() < 0.4:
            parts.append(f"---\ntags: [daily]\nmood: {rng.randint(1, 5)}\n---\n")
        if rng.random() < 0.5:
            d = dt.date.fromisoformat(date)
            parts.append(f"# {WEEKDAYS[d.weekday()]}, {d.day} {MONTHS[d.month - 1]} {d.year}\n\n")
        sent = [self.fill(s) for s in rng.sample(SENTENCES, rng.randint(4, 10))]
        # Each person is mentioned once in the running text.
        j = 0
        while j < len(people):
            tpl = rng.choice(WITH_SENTENCES)
            a = self.link(people[j])
            b = self.link(people[j + 1]) if j + 1 < len(people) else "a friend"
            line = self.fill(tpl.replace("{a}", a).replace("{b}", b))
            sent.insert(rng.randrange(len(sent) + 1), line)
            j += 2 if "{b}" in tpl else 1
        cut = rng.randint(1, len(sent) - 1)
        parts.append(" ".join(sent[:cut]) + "\n\n" + " ".join(sent[cut:]) + "\n\n")
        if rng.random() < 0.55:
            parts.append(rng.choice(["## Log\n\n", "## Notes\n\n", "### People\n\n"]))
            for _ in range(rng.randint(1, 4)):
                parts.append(self.log_item(date, None, link_p=0.8) + "\n")
            if rng.random() < 0.3:
                parts.append(
                    f"- Remember to ask {self.link(self.pick_contact())} about "
                    f"{rng.choice(TOPICS)}\n"
                )
            parts.append("\n")
        if rng.random() < 0.3:
            parts.append("## Tasks\n\n")
            for _ in range(rng.randint(1, 3)):
                task = self.fill(rng.choice(TASKS))
                if rng.random() < 0.5:
                    parts.append(f"- [x] {task}\n")
                elif rng.random() < 0.5:
                    due = rng.choice(DAYS[-200:] + FUTURE[:60])
                    parts.append(f"- [ ] {task} with {self.link(self.pick_contact())} 📅 {due}\n")
                else:
                    parts.append(f"- [ ] {task}\n")
            parts.append("\n")
        if rng.random() < 0.3:
            parts.append(rng.choice(["## Gratitude\n\n", "## Reading\n\n", "## Ideas\n\n"]))
            for d in rng.sample(DETAILS, rng.randint(2, 4)):
                parts.append(f"- {self.fill(d)}\n")
            parts.append("\n")
        if rng.random() < 0.02:  # not an interaction: inside a code block
            parts.append(
                f"```\n- {date} example item [[{self.pick_contact().name}]] #call\n```\n\n"
            )
        if rng.random() < 0.02:  # not an interaction: inside an HTML comment
            parts.append(f"<!-- - {date} draft with [[{self.pick_contact().name}]] -->\n\n")
        return "".join(parts).rstrip("\n") + "\n"

    # ---------------------------------------------------------------- events
    def event_note(self, date: str, title: str, city: str) -> str:
        rng = self.rng
        lines = ["---", "type: event", f"date: {date}"]
        if rng.random() < 0.3:
            end = dt.date.fromisoformat(date) + dt.timedelta(days=rng.randint(1, 3))
            lines.append(f"end: {end.isoformat()}")
        if rng.random() < 0.7:
            lines.append(f"city: {city}")
        lines.append("attendees:")
        for c in self.pick_contacts(rng.randint(1, 8)):
            lines.append(f'  - "[[{c.name}]]"')
        lines.append("tags: [event]")
        lines.append("---")
        body = [
            "\n".join(lines),
            f"\n# {title}\n",
            " ".join(self.fill(s) for s in rng.sample(SENTENCES, 2)),
            "",
            "## Agenda",
            "",
            "- Arrive and check in",
            f"- Talk about {rng.choice(TOPICS)}",
            "- Drinks after",
            "",
        ]
        return "\n".join(body)

    # ---------------------------------------------------------------- bad notes
    def bad_note(self, kind: str, i: int) -> tuple[str, bytes]:
        rng = self.rng
        c = self.bad_contacts[i] if i < len(self.bad_contacts) else self.good[i]
        day = DAYS[rng.randrange(SPAN_DAYS - 365, SPAN_DAYS)]
        if kind == "yaml":
            text = (
                f"---\nname: {c.name}\naliases: [{c.first}, \ncircle: friends\n"
                f"  city: {rng.choice(CITIES)}\ntags: [person\n\tmet: 2019-01-01\n---\n\n"
                f"## Log\n\n- {day} Coffee at {rng.choice(PLACES)} #coffee\n"
            )
            return c.path, text.encode()
        if kind == "conflict":
            other = self.pick_contact()
            text = (
                f"---\nname: {c.name}\ncircle: network\n---\n\n## Log\n\n"
                f"- {DAYS[-900]} Lunch at {rng.choice(PLACES)} #meal\n"
                f"<<<<<<< HEAD\n- {day} Coffee with [[{other.name}]] #coffee\n=======\n"
                f"- {day} Call about {rng.choice(TOPICS)} #call\n>>>>>>> origin/main\n"
            )
            return c.path, text.encode()
        if kind == "baddate":
            if i % 2 == 0:
                text = (
                    f"---\nname: {c.name}\nmet: 2023-02-30\nbirthday: 02-30\n---\n\n"
                    f"## Log\n\n- 2023-02-30 Dinner at {rng.choice(PLACES)} #meal\n"
                    f"- {day} Call about {rng.choice(TOPICS)} #call\n"
                )
                return c.path, text.encode()
            other = self.pick_contact()
            text = f"Planning day.\n\n- 2023-02-30 Coffee with [[{other.name}]] #coffee\n"
            return f"Journal/2023/2023-02-30 Planning {i}.md", text.encode()
        if kind == "utf8":
            # A note saved by an old editor in Latin-1: é, ü and ß are single bytes.
            text = (
                f"---\nname: {c.name}\ncity: Zürich\n---\n\nMet at the café in Zürich, "
                f"große Freude.\n\n## Log\n\n- {day} Café with [[{self.pick_contact().name}]] "
                f"#coffee\n"
            )
            return c.path, text.encode("latin-1", errors="replace") + b"\xff\xfe\n"
        # "empty": a note with no text at all
        return f"Inbox/Untitled {i}.md", b""

    # ---------------------------------------------------------------- all
    def generate(self) -> dict:
        rng = self.rng
        self.make_names()
        for c in self.good:
            self.add(c.path, self.contact_note(c))

        n_daily = min(self.n_dated, SPAN_DAYS)
        for date in DAYS[SPAN_DAYS - n_daily :]:
            self.add(f"Daily/{date}.md", self.dated_body(date))
        for k in range(1, self.n_dated - n_daily + 1):
            date = DAYS[rng.randrange(SPAN_DAYS)]
            title = rng.choice(JOURNAL_TITLES)
            self.add(f"Journal/{date[:4]}/{date} {title} {k}.md", self.dated_body(date))

        event_names: dict[str, int] = {}
        upcoming = max(1, self.n_events // 8)
        for k in range(self.n_events):
            if k < upcoming:
                date = FUTURE[rng.randrange(0, 55)]  # within the 60 days after as of
            else:
                date = DAYS[rng.randrange(SPAN_DAYS - 3650, SPAN_DAYS)]
            city = rng.choice(CITIES)
            title = f"{rng.choice(EVENT_TITLES)} {city}"
            base = f"{date} {title}"
            seen = event_names.get(base, 0) + 1
            event_names[base] = seen
            name = base if seen == 1 else f"{base} {seen}"
            self.add(f"events/{name}.md", self.event_note(date, title, city))

        for i in range(self.n_bad):
            kind = BAD_KINDS[i % len(BAD_KINDS)]
            path, data = self.bad_note(kind, i)
            self.out[path] = data
            self.bad_paths[path] = kind

        assert len(self.out) == self.files, (len(self.out), self.files)
        return {
            "generator": "mdnet-genvault",
            "version": GENERATOR_VERSION,
            "files": self.files,
            "seed": self.seed,
            "as_of": AS_OF,
            "bytes": sum(len(v) for v in self.out.values()),
            "contacts": self.n_contacts,
            "dated": self.n_dated,
            "events": self.n_events,
            "bad": dict(sorted(self.bad_paths.items())),
        }


def _custom_partner(g: _Gen, c: _Contact) -> str:
    return f'"[[{g.pick_contact().name}]]"'


def _custom_address(g: _Gen, c: _Contact) -> str:
    street = g.rng.choice(["Elm", "Oak", "Main"])
    return f'"{g.rng.randint(1, 200)} {street} Street, {g.rng.choice(CITIES)}"'


CUSTOM_KEYS = [
    ("job_title", lambda g, c: g.rng.choice(TITLES + ["engineer", "designer", "nurse", "chef"])),
    (
        "linkedin",
        lambda g, c: f"https://www.linkedin.com/in/{c.first.lower()}-{g.rng.randint(1, 999)}",
    ),
    ("twitter", lambda g, c: f'"@{c.first.lower()}{g.rng.randint(1, 99)}"'),
    ("partner", _custom_partner),
    ("kids", lambda g, c: str(g.rng.randint(0, 4))),
    ("how_we_met", lambda g, c: g.rng.choice(VIAS)),
    ("pronouns", lambda g, c: g.rng.choice(["she/her", "he/him", "they/them"])),
    ("timezone", lambda g, c: g.rng.choice(["Europe/Berlin", "America/New_York", "Asia/Tokyo"])),
    ("favorite_food", lambda g, c: g.rng.choice(["ramen", "pizza", "tacos", "dumplings", "curry"])),
    ("rating", lambda g, c: str(g.rng.randint(1, 5))),
    ("last_contact", lambda g, c: DAYS[g.rng.randrange(SPAN_DAYS)]),
    ("cadence", lambda g, c: g.rng.choice(["30d", "6w", "quarterly", "monthly", "1y", "none"])),
    ("snooze", lambda g, c: g.rng.choice(DAYS[-60:] + FUTURE[:60])),
    ("website", lambda g, c: f"https://{c.last.lower().replace(' ', '')}.example.org"),
    ("github", lambda g, c: f"{c.first.lower()}{c.last[:3].lower()}"),
    (
        "languages",
        lambda g, c: (
            "[" + ", ".join(g.rng.sample(["en", "de", "pt", "es", "fr", "ja", "tr"], 2)) + "]"
        ),
    ),
    (
        "dietary",
        lambda g, c: g.rng.choice(["vegetarian", "vegan", "none", "no pork", "gluten-free"]),
    ),
    ("school", lambda g, c: g.rng.choice(["TU Berlin", "MIT", "Sciences Po", "Keio", "UCL"])),
    ("address", _custom_address),
    (
        "relationship",
        lambda g, c: g.rng.choice(["friend", "colleague", "cousin", "mentor", "client"]),
    ),
]


def generate(out: str | os.PathLike, files: int, seed: int = 1) -> dict:
    """Write a vault of ``files`` notes to ``out`` (which must not hold other files).

    Returns the manifest (also written to ``out/.genvault.json``): counts, total
    note bytes and ``bad``, a mapping of bad-note path to its kind.
    """
    out = Path(out)
    gen = _Gen(files, seed)
    manifest = gen.generate()
    out.mkdir(parents=True, exist_ok=True)
    made: dict[str, None] = {}
    for rel, data in gen.out.items():
        parent = os.path.dirname(rel)
        if parent not in made:
            (out / parent).mkdir(parents=True, exist_ok=True)
            made[parent] = None
        fd = os.open(out / rel, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
    (out / ".obsidian").mkdir(exist_ok=True)
    (out / ".obsidian" / "app.json").write_bytes(
        b'{\n  "alwaysUpdateLinks": true,\n  "newFileLocation": "folder",\n'
        b'  "newFileFolderPath": "Inbox",\n  "useMarkdownLinks": false\n}\n'
    )
    (out / ".obsidian" / "daily-notes.json").write_bytes(
        b'{\n  "folder": "Daily",\n  "format": "YYYY-MM-DD"\n}\n'
    )
    (out / ".mdnet.toml").write_bytes(b'people_dir = "people"\nevents_dir = "events"\n')
    # The manifest goes last: its presence marks a complete vault.
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")
    return manifest


def read_manifest(out: str | os.PathLike) -> dict | None:
    try:
        return json.loads((Path(out) / MANIFEST).read_text())
    except (OSError, ValueError):
        return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", help="folder to create the vault in (must be empty or absent)")
    ap.add_argument("--files", type=int, default=4000, help="number of notes (default 4000)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument(
        "--force",
        action="store_true",
        help="replace OUT if it is a vault made by this generator",
    )
    args = ap.parse_args(argv)
    out = Path(args.out)
    if out.exists() and any(out.iterdir()):
        if args.force and read_manifest(out) is not None:
            shutil.rmtree(out)
        else:
            print(
                f"genvault: {out} is not empty (--force replaces a generated vault)",
                file=sys.stderr,
            )
            return 2
    if args.files < 50:
        print("genvault: --files must be at least 50", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    m = generate(out, args.files, args.seed)
    secs = time.perf_counter() - t0
    print(
        f"genvault: {m['files']} files, {m['bytes']:,} bytes ({m['bytes'] / 1e6:.1f} MB, "
        f"{m['bytes'] / m['files']:.0f} B/file) in {secs:.2f} s -> {out} "
        f"[contacts {m['contacts']}, dated {m['dated']}, events {m['events']}, "
        f"bad {len(m['bad'])}; seed {m['seed']}]"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
