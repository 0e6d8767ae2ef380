"""MME taken against what was prescribed, per prescription chain and day.

A dose counts against the prescription it was reported under; a prescription counts on every
day it was in force, including the day it was stopped or replaced (part of that day it was);
and a taper or dose change (a chain of lines linked by ``replaces``) allows on a changeover day
the most that any of its lines in force that day allows: three 10 mg doses taken in the
morning under the old line and none under the new 7.5 mg line are within the old line, while
three of each on the same day are more than either allows. A dose reported under a replaced
line after the changeover counts against the taper (the step then in force).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from painpath.clinical.medications import Catalogue, PrescriptionHistory, load_catalogue
from painpath.clinical.mme._calculate import DoseItem, compute_mme
from painpath.clinical.mme._daily import TakenDose, prescribed_mme
from painpath.clinical.mme._errors import MmeInputError

__all__ = ["LineUse", "taken_against_prescribed"]


@dataclass(frozen=True, slots=True)
class LineUse:
    """One chain on one day: MME taken under it and the most its lines in force allowed."""

    chain: str
    drug: str
    day: date
    taken_mme: Decimal
    allowed_mme_per_day: Decimal
    doses: int
    lines_in_force: tuple[str, ...]

    @property
    def over(self) -> bool:
        """More taken than prescribed."""
        return self.taken_mme > self.allowed_mme_per_day


def taken_against_prescribed(
    history: PrescriptionHistory,
    doses: Sequence[TakenDose],
    *,
    day: date,
    table: str = "cdc2022",
    catalogue: Catalogue | None = None,
) -> tuple[LineUse, ...]:
    """Each chain that had an opioid dose reported under it on ``day``, with what it allowed.

    Every dose must name its line (``prescription``, an id in ``history``); errors name the
    index in ``doses``. Doses of non-opioids are ignored.
    """
    catalogue = catalogue or load_catalogue()
    grouped: dict[str, list[tuple[int, TakenDose]]] = {}
    for index, dose in enumerate(doses):
        if dose.local_day != day:
            continue
        line = history.by_id(dose.prescription) if dose.prescription else None
        if line is None:
            raise MmeInputError(
                index, "prescription", f"no prescription with id {dose.prescription!r}"
            )
        if not catalogue.find(line.drug).is_opioid_analgesic:
            continue
        grouped.setdefault(history.chain_key(line), []).append((index, dose))
    uses = []
    for chain, entries in grouped.items():
        members = [
            line
            for line in history
            if line.id and history.chain_key(line) == chain and line.counts_doses_on(day)
        ]
        allowed = max(
            (
                prescribed_mme([m], table=table, catalogue=catalogue).total_mme_per_day
                for m in members
            ),
            default=Decimal(0),
        )
        items = [
            DoseItem(
                drug=d.drug,
                dose=d.dose,
                unit=d.unit,
                doses_per_day=None if d.unit == "mcg/h" else 1,
            )
            for _, d in entries
        ]
        try:
            taken = compute_mme(items, table=table, catalogue=catalogue).total_mme_per_day
        except MmeInputError as exc:
            raise MmeInputError(entries[exc.index][0], exc.field, exc.reason) from None
        uses.append(
            LineUse(
                chain=chain,
                drug=catalogue.find(entries[0][1].drug).id,
                day=day,
                taken_mme=taken,
                allowed_mme_per_day=allowed,
                doses=len(entries),
                lines_in_force=tuple(m.id for m in members),
            )
        )
    return tuple(sorted(uses, key=lambda u: (-(u.taken_mme - u.allowed_mme_per_day), u.chain)))
