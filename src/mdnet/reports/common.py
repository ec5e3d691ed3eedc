"""What the reports share: the source of a fact, and how long a "no" stands."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

# "No" is a complete sentence: an ask answered no is not made again for this long (`ask`,
# and the gifts report's note of it).
DECLINED_DAYS = 180


@dataclass(frozen=True)
class Source:
    """Where a fact was written: `path:line`."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


def by_name(name: str) -> tuple[str, str]:
    """How names are ordered: as a reader alphabetises them, accents aside and case
    aside ("Émile" with the E's, where code points put it after "zed"), then as written."""
    lowered = name.casefold()
    if lowered.isascii():
        return lowered, lowered
    plain = "".join(
        c for c in unicodedata.normalize("NFKD", lowered) if not unicodedata.combining(c)
    )
    return plain, lowered
