"""What the reports share: the source of a fact, and how long a "no" stands."""

from __future__ import annotations

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
