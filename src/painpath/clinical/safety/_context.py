"""What the rules share for one evaluation: current prescriptions with catalogue info and MME."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from painpath.clinical.medications import (
    MedicationError,
    ResolvedPrescription,
    load_catalogue,
    resolve_prescription,
)
from painpath.clinical.mme import MmeError, MmeInputError, MmeResult, prescribed_mme, taken_mme
from painpath.clinical.safety._errors import SnapshotError
from painpath.clinical.safety._snapshot import PatientSnapshot

__all__ = ["RuleContext", "build_context"]


@dataclass(frozen=True, slots=True)
class RuleContext:
    """A snapshot, the evaluation date and what is derived from them once."""

    snapshot: PatientSnapshot
    on: date
    table: str
    current: tuple[ResolvedPrescription, ...]
    prescribed: MmeResult
    taken: MmeResult

    @property
    def opioids(self) -> tuple[ResolvedPrescription, ...]:
        """Active full-agonist opioid analgesic prescriptions."""
        return tuple(r for r in self.current if r.medication.is_opioid_analgesic)


def build_context(snapshot: PatientSnapshot, *, on: date, table: str) -> RuleContext:
    """Resolve the prescriptions active on ``on`` and compute prescribed and taken MME.

    For a pre-save check of a drafted prescription, evaluate on the draft's start date (or
    give the draft no start date) so that it counts together with what is active then.
    """
    catalogue = load_catalogue()
    kept: list[tuple[int, ResolvedPrescription]] = []
    for index, prescription in enumerate(snapshot.prescriptions):
        if not prescription.is_active(on):
            continue
        try:
            kept.append((index, resolve_prescription(prescription, catalogue=catalogue)))
        except MedicationError as exc:
            raise SnapshotError(f"field 'prescriptions', item {index}: {exc}") from None
    try:
        prescribed = prescribed_mme(
            [r.prescription for _, r in kept], table=table, catalogue=catalogue
        )
    except MmeInputError as exc:
        raise SnapshotError(
            f"field 'prescriptions', item {kept[exc.index][0]}: field {exc.field!r}: {exc.reason}"
        ) from None
    try:
        taken = taken_mme(snapshot.doses_taken, on=on, table=table, catalogue=catalogue)
    except MmeError as exc:
        raise SnapshotError(f"field 'doses_taken': {exc}") from None
    return RuleContext(
        snapshot=snapshot,
        on=on,
        table=table,
        current=tuple(r for _, r in kept),
        prescribed=prescribed,
        taken=taken,
    )
