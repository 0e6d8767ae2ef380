"""A page of results with the total, shared by HTML lists and the API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

MAX_LIMIT = 200
MAX_OFFSET = 10**9  # far past any real list; keeps OFFSET inside a 64-bit database integer


def parse_offset(text: str | None) -> int:
    """An offset from a query string: bad or absurd values mean the first page / the cap."""
    try:
        return min(MAX_OFFSET, max(0, int(text or "0")))
    except ValueError:
        return 0


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    count: int
    limit: int
    offset: int

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.items) < self.count

    @property
    def has_previous(self) -> bool:
        return self.offset > 0

    @property
    def next_offset(self) -> int:
        return self.offset + self.limit

    @property
    def previous_offset(self) -> int:
        return max(0, self.offset - self.limit)
