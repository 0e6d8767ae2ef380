"""A patient's prescription history: lines linked by ``replaces``, each ended by its replacement.

A replaced line stays in force until its replacement starts: it stops being current on the
replacement's start day, and doses reported under it that day still count against it (the
same convention as ``Prescription.stopped_on``). A chain is a line with every line it replaced
and every line that replaced it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Sequence
from datetime import date

from painpath.clinical.medications._errors import PrescriptionError
from painpath.clinical.medications._prescription import Prescription

__all__ = ["HistoryError", "PrescriptionHistory"]


class HistoryError(PrescriptionError):
    """A line's ``id`` or ``replaces`` breaks a rule; ``index`` is its position in the list."""

    def __init__(self, index: int, field: str, reason: str) -> None:
        super().__init__(f"item {index}, field {field!r}: {reason}")
        self.index = index
        self.field = field
        self.reason = reason


def _stop(line: Prescription, day: date | None) -> Prescription:
    if day is None or (line.stopped_on is not None and line.stopped_on <= day):
        return line
    return dataclasses.replace(line, stopped_on=day)


class PrescriptionHistory(Sequence[Prescription]):
    """The lines in the caller's order, each replaced line stopped on its replacement's start."""

    def __init__(self, lines: Sequence[Prescription]) -> None:
        by_id: dict[str, int] = {}
        for index, line in enumerate(lines):
            if line.id and line.id in by_id:
                raise HistoryError(index, "id", f"{line.id!r} is used by item {by_id[line.id]} too")
            if line.id:
                by_id[line.id] = index
        replaced_by: dict[int, int] = {}
        for index, line in enumerate(lines):
            if not line.replaces:
                continue
            target = by_id.get(line.replaces)
            if target is None:
                raise HistoryError(index, "replaces", f"no prescription with id {line.replaces!r}")
            if target in replaced_by:
                raise HistoryError(
                    index,
                    "replaces",
                    f"{line.replaces!r} is already replaced by item {replaced_by[target]}",
                )
            replaced_by[target] = index
        for index in range(len(lines)):  # a chain of replacements must not loop
            seen, at = {index}, index
            while lines[at].replaces:
                at = by_id[lines[at].replaces]
                if at in seen:
                    raise HistoryError(index, "replaces", "replacements form a loop")
                seen.add(at)
        self._lines = tuple(
            _stop(line, lines[replaced_by[i]].start) if i in replaced_by else line
            for i, line in enumerate(lines)
        )
        self._by_id = by_id
        self._replaced_by = replaced_by

    def __getitem__(self, index: int) -> Prescription:  # type: ignore[override]
        return self._lines[index]

    def __len__(self) -> int:
        return len(self._lines)

    def __iter__(self) -> Iterator[Prescription]:
        return iter(self._lines)

    def by_id(self, line_id: str) -> Prescription | None:
        """The (stop-adjusted) line called ``line_id``."""
        index = self._by_id.get(line_id)
        return None if index is None else self._lines[index]

    def predecessor(self, line: Prescription) -> Prescription | None:
        """The line ``line`` replaced, if any."""
        return self.by_id(line.replaces) if line.replaces else None

    def chain_start(
        self, line: Prescription, *, while_: Callable[[Prescription], bool] | None = None
    ) -> Prescription:
        """The first line of ``line``'s chain, walking back through ``replaces`` while each
        earlier line satisfies ``while_`` (every earlier line if not given)."""
        start = line
        while (before := self.predecessor(start)) is not None and (
            while_ is None or while_(before)
        ):
            start = before
        return start

    def chain_key(self, line: Prescription) -> str:
        """One key for every line of a chain: the id of its first line."""
        return self.chain_start(line).id

    def current(self, day: date) -> tuple[Prescription, ...]:
        """The lines current on ``day``."""
        return tuple(line for line in self._lines if line.is_active(day))
