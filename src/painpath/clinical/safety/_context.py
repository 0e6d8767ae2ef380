"""What the rules share for one evaluation: current prescriptions with catalogue info and MME.

Lines prescribed for opioid use disorder (indication "oud") are kept out of the pain MME and
the pain-prescribing rules: the CDC 2022 guideline is about pain and its MME table is not to
be used for OUD dosing. They stay visible to the combination rules and the naloxone rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from painpath.clinical.medications import (
    MedicationError,
    ResolvedPrescription,
    load_catalogue,
    resolve_prescription,
)
from painpath.clinical.mme import (
    MmeError,
    MmeInputError,
    MmeResult,
    TakenDose,
    prescribed_mme,
    taken_mme,
)
from painpath.clinical.safety._config import max_lookback_days
from painpath.clinical.safety._errors import SnapshotError
from painpath.clinical.safety._snapshot import PatientSnapshot

__all__ = ["RuleContext", "TakenDay", "build_context"]


@dataclass(frozen=True, slots=True)
class TakenDay:
    """One day of the look-back window: MME taken and MME prescribed for that day."""

    day: date
    taken: MmeResult
    prescribed: MmeResult


@dataclass(frozen=True, slots=True)
class RuleContext:
    """A snapshot, the evaluation date and what is derived from them once.

    ``taken_days`` holds day ``on`` first, then each earlier day of the longest look-back
    window on which a pain dose was taken, newest first. A day with nothing taken can set off
    no taken-dose rule (it is neither at a threshold nor above what was prescribed), so it is
    not computed.
    """

    snapshot: PatientSnapshot
    on: date
    table: str
    current: tuple[ResolvedPrescription, ...]
    taken_days: tuple[TakenDay, ...]

    @property
    def prescribed(self) -> MmeResult:
        """Pain MME prescribed on day ``on``."""
        return self.taken_days[0].prescribed

    @property
    def taken(self) -> MmeResult:
        """Pain MME taken on day ``on``."""
        return self.taken_days[0].taken

    def taken_window(self, days: int) -> tuple[TakenDay, ...]:
        """The computed days among the last ``days`` days (``on`` included), newest first."""
        first = self.on - timedelta(days=days - 1)
        return tuple(d for d in self.taken_days if d.day >= first)

    @property
    def pain_lines(self) -> tuple[ResolvedPrescription, ...]:
        """Current lines not prescribed for opioid use disorder."""
        return tuple(r for r in self.current if not r.prescription.for_oud)

    @property
    def opioids(self) -> tuple[ResolvedPrescription, ...]:
        """Current full-agonist opioid analgesics prescribed for pain (the MME rules' lines)."""
        return tuple(r for r in self.pain_lines if r.medication.is_opioid_analgesic)

    @property
    def any_opioids(self) -> tuple[ResolvedPrescription, ...]:
        """Every current opioid agonist line, buprenorphine and OUD lines included."""
        return tuple(r for r in self.current if r.medication.is_opioid)

    @property
    def oud_opioids(self) -> tuple[ResolvedPrescription, ...]:
        """Current opioid agonist lines prescribed for opioid use disorder."""
        return tuple(r for r in self.any_opioids if r.prescription.for_oud)


def _resolve_all(snapshot: PatientSnapshot) -> list[tuple[int, ResolvedPrescription]]:
    catalogue = load_catalogue()
    resolved = []
    for index, prescription in enumerate(snapshot.prescriptions):
        try:
            resolved.append((index, resolve_prescription(prescription, catalogue=catalogue)))
        except MedicationError as exc:
            raise SnapshotError(f"field 'prescriptions', item {index}: {exc}") from None
    return resolved


def _prescribed(
    lines: list[tuple[int, ResolvedPrescription]], *, day: date, table: str
) -> MmeResult:
    kept = [(i, r) for i, r in lines if r.prescription.is_active(day)]
    try:
        return prescribed_mme([r.prescription for _, r in kept], table=table)
    except MmeInputError as exc:
        raise SnapshotError(
            f"field 'prescriptions', item {kept[exc.index][0]}: field {exc.field!r}: {exc.reason}"
        ) from None


def _taken(doses: tuple[TakenDose, ...], *, day: date, table: str) -> MmeResult:
    try:
        return taken_mme(doses, on=day, table=table)
    except MmeError as exc:
        raise SnapshotError(f"field 'doses_taken': {exc}") from None


def build_context(snapshot: PatientSnapshot, *, on: date, table: str) -> RuleContext:
    """Resolve the prescriptions, compute pain MME prescribed and taken on ``on`` and on the
    days of the taken-dose rules' look-back window that have a pain dose.

    For a pre-save check of a drafted prescription, evaluate on the draft's start date (or
    give the draft no start date) so that it counts together with what is active then.
    """
    resolved = _resolve_all(snapshot)
    pain = [(i, r) for i, r in resolved if not r.prescription.for_oud]
    pain_doses = tuple(d for d in snapshot.doses_taken if not d.for_oud)
    first = on - timedelta(days=max_lookback_days() - 1)
    dosed = {d.taken_at.date() for d in pain_doses}
    days = sorted({on} | {day for day in dosed if first <= day < on}, reverse=True)
    return RuleContext(
        snapshot=snapshot,
        on=on,
        table=table,
        current=tuple(r for _, r in resolved if r.prescription.is_active(on)),
        taken_days=tuple(
            TakenDay(
                day=day,
                taken=_taken(pain_doses, day=day, table=table),
                prescribed=_prescribed(pain, day=day, table=table),
            )
            for day in days
        ),
    )
