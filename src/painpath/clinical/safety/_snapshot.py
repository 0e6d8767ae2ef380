"""The typed patient snapshot every safety rule reads."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Literal

from painpath.clinical.medications import Prescription
from painpath.clinical.mme import TakenDose
from painpath.clinical.safety._errors import SnapshotError

__all__ = ["Condition", "PainScore", "PatientSnapshot", "ScheduledDose"]

Condition = Literal[
    # CDC 2022 exclusions
    "sickle_cell_disease",
    "active_cancer_treatment",
    "palliative_care",
    "end_of_life_care",
    # risk factors read by the rules
    "opioid_use_disorder",
    "substance_use_disorder_history",
    "overdose_history",
    "sleep_disordered_breathing",
]
CONDITIONS: tuple[str, ...] = Condition.__args__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class PainScore:
    """One daily pain rating, 0-10."""

    day: date
    score: float


@dataclass(frozen=True, slots=True)
class ScheduledDose:
    """One scheduled dose from the check-in: taken or skipped."""

    day: date
    drug: str
    taken: bool


@dataclass(frozen=True, slots=True)
class PatientSnapshot:
    """What the rules know about one patient.

    ``prescriptions`` are the patient's prescriptions (rules keep those active on the
    evaluation date); ``doses_taken`` the opioid and other doses reported taken;
    ``pdmp_interval_days`` the clinic's PDMP review interval (``None``: the default in
    data/rules.toml). ``long_term_opioid_therapy`` is decided by the shell.
    """

    age_years: int
    conditions: frozenset[Condition] = frozenset()
    prescriptions: tuple[Prescription, ...] = ()
    doses_taken: tuple[TakenDose, ...] = ()
    scheduled_doses: tuple[ScheduledDose, ...] = ()
    opioid_naive: bool = False
    long_term_opioid_therapy: bool = False
    last_urine_drug_test: date | None = None
    last_pdmp_review: date | None = None
    pdmp_interval_days: int | None = None
    phq9_item9: int | None = None
    phq9_item9_on: date | None = None
    pain_scores: tuple[PainScore, ...] = ()
    last_checkin: date | None = None

    def __post_init__(self) -> None:
        if isinstance(self.age_years, bool) or not isinstance(self.age_years, int):
            raise SnapshotError(
                f"field 'age_years': must be a whole number, got {self.age_years!r}"
            )
        if not 0 <= self.age_years <= 130:
            raise SnapshotError(f"field 'age_years': must be 0-130, got {self.age_years}")
        unknown = sorted(set(self.conditions) - set(CONDITIONS))
        if unknown:
            raise SnapshotError(f"field 'conditions': unknown condition(s) {unknown}")
        if self.pdmp_interval_days is not None and (
            isinstance(self.pdmp_interval_days, bool) or self.pdmp_interval_days <= 0
        ):
            raise SnapshotError(
                f"field 'pdmp_interval_days': must be > 0, got {self.pdmp_interval_days!r}"
            )
        if self.phq9_item9 is not None:
            if isinstance(self.phq9_item9, bool) or self.phq9_item9 not in (0, 1, 2, 3):
                raise SnapshotError(f"field 'phq9_item9': must be 0-3, got {self.phq9_item9!r}")
            if self.phq9_item9_on is None:
                raise SnapshotError("field 'phq9_item9_on': required when phq9_item9 is given")
        for index, pain in enumerate(self.pain_scores):
            if not math.isfinite(pain.score) or not 0 <= pain.score <= 10:
                raise SnapshotError(
                    f"field 'pain_scores', item {index}: score must be 0-10, got {pain.score!r}"
                )
