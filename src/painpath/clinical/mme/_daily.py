"""Daily MME as prescribed (from prescriptions) and as actually taken (from a dose log)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from painpath.clinical.medications import (
    Catalogue,
    MedicationError,
    Prescription,
    load_catalogue,
)
from painpath.clinical.mme._calculate import DoseItem, MmeResult, compute_mme
from painpath.clinical.mme._data import load_table
from painpath.clinical.mme._errors import MmeInputError

__all__ = ["TakenDose", "prescribed_mme", "taken_mme"]


@dataclass(frozen=True, slots=True)
class TakenDose:
    """One dose the patient reported taking (a patch: one entry per patch worn that day).

    ``for_oud`` marks a dose of a line prescribed for opioid use disorder: the safety rules
    leave it out of the pain MME (CDC 2022 is a guideline for pain; its MME table is not
    for OUD dosing) and keep it for the combination rules. ``day`` is the patient's local
    day the dose was reported for (default: the date of ``taken_at`` as given);
    ``prescription`` the id of the line it was reported under.
    """

    drug: str
    dose: float
    taken_at: datetime | None = None
    unit: str = "mg"
    for_oud: bool = False
    day: date | None = None
    prescription: str = ""

    def __post_init__(self) -> None:
        if self.taken_at is None and self.day is None:
            raise MmeInputError(0, "taken_at", "a dose needs its time or its day")

    @property
    def local_day(self) -> date:
        """The day the dose counts for."""
        if self.day is not None:
            return self.day
        if self.taken_at is None:  # unreachable: __post_init__ requires one of the two
            raise MmeInputError(0, "taken_at", "a dose needs its time or its day")
        return self.taken_at.date()


def _converted(drug: str, table: str, catalogue: Catalogue, index: int) -> bool:
    """Whether the drug belongs in an MME calculation (opioid analgesic or excluded)."""
    try:
        medication = catalogue.find(drug)
    except MedicationError as exc:
        raise MmeInputError(index, "drug", str(exc)) from None
    return medication.is_opioid_analgesic or medication.id in load_table(table).excluded


def prescribed_mme(
    prescriptions: Sequence[Prescription],
    *,
    on: date | None = None,
    table: str = "cdc2022",
    catalogue: Catalogue | None = None,
) -> MmeResult:
    """MME/day as prescribed: dose x doses per day x factor; a patch: mcg/h x factor.

    As-needed lines count at their daily maximum. Non-opioid prescriptions are skipped;
    with ``on`` given, only prescriptions active that day count. Error messages name the
    index in ``prescriptions``.
    """
    catalogue = catalogue or load_catalogue()
    kept: list[tuple[int, DoseItem]] = []
    for index, rx in enumerate(prescriptions):
        if on is not None and not rx.is_active(on):
            continue
        if not _converted(rx.drug, table, catalogue, index):
            continue
        item = DoseItem(
            drug=rx.drug, dose=rx.dose, unit=rx.unit, doses_per_day=rx.administrations_per_day()
        )
        kept.append((index, item))
    return _compute_reindexed(kept, table, catalogue)


def taken_mme(
    doses: Sequence[TakenDose],
    *,
    on: date,
    table: str = "cdc2022",
    catalogue: Catalogue | None = None,
) -> MmeResult:
    """MME actually taken on day ``on``: the sum over that day's doses (dose x factor).

    Doses of non-opioids and doses on other days are ignored. Error messages name the
    index in ``doses``.
    """
    catalogue = catalogue or load_catalogue()
    kept: list[tuple[int, DoseItem]] = []
    for index, dose in enumerate(doses):
        if dose.local_day != on:
            continue
        if not _converted(dose.drug, table, catalogue, index):
            continue
        per_day = None if dose.unit == "mcg/h" else 1
        kept.append(
            (index, DoseItem(drug=dose.drug, dose=dose.dose, unit=dose.unit, doses_per_day=per_day))
        )
    return _compute_reindexed(kept, table, catalogue)


def _compute_reindexed(
    kept: list[tuple[int, DoseItem]], table: str, catalogue: Catalogue
) -> MmeResult:
    """Run :func:`compute_mme`, reporting errors with the caller's original indices."""
    try:
        return compute_mme([item for _, item in kept], table=table, catalogue=catalogue)
    except MmeInputError as exc:
        raise MmeInputError(kept[exc.index][0], exc.field, exc.reason) from None
