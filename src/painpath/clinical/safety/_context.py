"""What the rules share for one evaluation: the prescription history, what is current, MME.

Lines prescribed for opioid use disorder (indication "oud") are kept out of the pain MME and
the pain-prescribing rules: the CDC 2022 guideline is about pain and its MME table is not to
be used for OUD dosing. They stay visible to the combination rules and the naloxone rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from painpath.clinical.medications import (
    Catalogue,
    HistoryError,
    MedicationError,
    Prescription,
    PrescriptionHistory,
    ResolvedPrescription,
    UnknownMedicationError,
    load_catalogue,
    resolve_prescription,
)
from painpath.clinical.mme import (
    LineUse,
    MmeError,
    MmeInputError,
    MmeResult,
    TakenDose,
    prescribed_mme,
    taken_against_prescribed,
    taken_mme,
)
from painpath.clinical.safety._config import long_term_definition, max_lookback_days
from painpath.clinical.safety._errors import SnapshotError
from painpath.clinical.safety._snapshot import PatientSnapshot

__all__ = ["RuleContext", "TakenDay", "build_context"]

_FIELD = re.compile(r"^field '([a-z_]+)': ")


@dataclass(frozen=True, slots=True)
class TakenDay:
    """One day of the look-back window: pain MME taken, and per prescription chain what was
    taken under it against what it allowed that day."""

    day: date
    taken: MmeResult
    uses: tuple[LineUse, ...]


@dataclass(frozen=True, slots=True)
class RuleContext:
    """A snapshot, the evaluation day and what is derived from them once.

    ``history`` holds every line (replaced lines stopped on their replacement's start);
    ``current`` the lines current on ``on``. ``taken_days`` holds day ``on`` first, then each
    earlier day of the longest look-back window on which a pain dose was reported, newest
    first (a day with nothing taken can set off no taken-dose rule, so it is not computed).
    """

    snapshot: PatientSnapshot
    on: date
    table: str
    catalogue: Catalogue
    history: PrescriptionHistory
    resolved: tuple[ResolvedPrescription, ...]
    current: tuple[ResolvedPrescription, ...]
    prescribed: MmeResult
    taken_days: tuple[TakenDay, ...]
    long_term_opioid_therapy: bool

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

    def resolved_line(self, line: Prescription) -> ResolvedPrescription:
        """The catalogue entry of a history line."""
        return ResolvedPrescription(prescription=line, medication=self.catalogue.find(line.drug))


def _line_error(index: int, exc: Exception) -> SnapshotError:
    """'field 'prescriptions[i].x': reason' from a core error about one line."""
    if isinstance(exc, HistoryError | MmeInputError):
        return SnapshotError(f"field 'prescriptions[{index}].{exc.field}': {exc.reason}")
    text = str(exc)
    match = _FIELD.match(text)
    if match:
        return SnapshotError(f"field 'prescriptions[{index}].{match[1]}': {text[match.end() :]}")
    field = "drug" if isinstance(exc, UnknownMedicationError) else "prescriptions"
    return SnapshotError(f"field 'prescriptions[{index}].{field}': {text}")


def _history(snapshot: PatientSnapshot, catalogue: Catalogue) -> PrescriptionHistory:
    try:
        history = PrescriptionHistory(snapshot.prescriptions)
    except HistoryError as exc:
        raise _line_error(exc.index, exc) from None
    for index, line in enumerate(history):
        try:
            resolve_prescription(line, catalogue=catalogue)
            prescribed_mme([line], catalogue=catalogue)  # unit and dose fit the drug
        except MmeInputError as exc:
            raise _line_error(index, MmeInputError(index, exc.field, exc.reason)) from None
        except MedicationError as exc:
            raise _line_error(index, exc) from None
    return history


def _pain_doses(snapshot: PatientSnapshot, history: PrescriptionHistory) -> tuple[TakenDose, ...]:
    doses = []
    for index, dose in enumerate(snapshot.doses):
        line = history.by_id(dose.prescription)
        if line is None:
            raise SnapshotError(
                f"field 'doses[{index}].prescription': no prescription with id "
                f"{dose.prescription!r}"
            )
        if dose.taken and not line.for_oud:
            doses.append(
                TakenDose(
                    drug=line.drug,
                    dose=line.dose,
                    taken_at=dose.taken_at,
                    unit=line.unit,
                    day=dose.day,
                    prescription=line.id,
                )
            )
    return tuple(doses)


def _long_term(opioid_lines: list[Prescription], on: date) -> bool:
    """Long-term opioid therapy as data/rules.toml defines it."""
    definition = long_term_definition()
    current = [line for line in opioid_lines if line.is_active(on)]
    if not current:
        return False
    for line in current:
        days = line.duration_days()
        if line.indication == "chronic" or days is None or days >= definition.min_supply_days:
            return True
    covered = sum(
        any(line.is_active(on - timedelta(days=back)) for line in opioid_lines)
        for back in range(definition.window_days)
    )
    return covered >= definition.min_days_in_window


def build_context(snapshot: PatientSnapshot, *, on: date, table: str) -> RuleContext:
    """Resolve the history, compute pain MME prescribed on ``on`` and taken on the days of
    the taken-dose rules' look-back window that have a pain dose.

    For a pre-save check of a drafted prescription, evaluate on the draft's start date so that
    it counts together with what is current then.
    """
    catalogue = load_catalogue()
    history = _history(snapshot, catalogue)
    resolved = tuple(resolve_prescription(line, catalogue=catalogue) for line in history)
    pain_opioids = [
        r.prescription
        for r in resolved
        if not r.prescription.for_oud and r.medication.is_opioid_analgesic
    ]
    doses = _pain_doses(snapshot, history)
    first = on - timedelta(days=max_lookback_days() - 1)
    dosed = {d.local_day for d in doses}
    days = sorted({on} | {day for day in dosed if first <= day < on}, reverse=True)
    try:
        taken_days = tuple(
            TakenDay(
                day=day,
                taken=taken_mme(doses, on=day, table=table, catalogue=catalogue),
                uses=taken_against_prescribed(
                    history, doses, day=day, table=table, catalogue=catalogue
                ),
            )
            for day in days
        )
    except MmeError as exc:
        raise SnapshotError(f"field 'doses': {exc}") from None
    current = tuple(r for r in resolved if r.prescription.is_active(on))
    return RuleContext(
        snapshot=snapshot,
        on=on,
        table=table,
        catalogue=catalogue,
        history=history,
        resolved=resolved,
        current=current,
        prescribed=prescribed_mme(
            [r.prescription for r in current if not r.prescription.for_oud],
            table=table,
            catalogue=catalogue,
        ),
        taken_days=taken_days,
        long_term_opioid_therapy=_long_term(pain_opioids, on),
    )
