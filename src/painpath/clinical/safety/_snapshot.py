"""The typed patient snapshot every safety rule reads (built from a PatientState document)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from painpath.clinical.medications import Prescription
from painpath.clinical.safety._errors import SnapshotError

__all__ = [
    "CONDITION_LABELS",
    "Condition",
    "Genotype",
    "Input",
    "PainScore",
    "PatientSnapshot",
    "ReportedDose",
]

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
# Words for each condition, for text a clinician reads.
CONDITION_LABELS: dict[str, str] = {
    "sickle_cell_disease": "sickle cell disease",
    "active_cancer_treatment": "active cancer treatment",
    "palliative_care": "palliative care",
    "end_of_life_care": "end-of-life care",
    "opioid_use_disorder": "opioid use disorder",
    "substance_use_disorder_history": "history of substance use disorder",
    "overdose_history": "history of overdose",
    "sleep_disordered_breathing": "sleep-disordered breathing",
}

# The inputs a rule may need; one missing (no data source) means the rule is not evaluated.
Input = Literal["doses", "monitoring", "checkins", "questionnaires", "genotypes"]
INPUTS: tuple[str, ...] = Input.__args__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class PainScore:
    """One daily pain rating, 0-10."""

    day: date
    score: float


@dataclass(frozen=True, slots=True)
class ReportedDose:
    """One dose report, under the prescription (id) it was reported for.

    A scheduled dose has ``slot`` 1..n and is taken or skipped; an as-needed dose has slot 0.
    ``day`` is the patient's local day the dose counts for.
    """

    prescription: str
    day: date
    taken: bool = True
    slot: int = 0
    taken_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Genotype:
    """One gene's result as the lab or painpath's caller reported it."""

    gene: str
    diplotype: str
    phenotype: str
    activity_score: float | str | None = None
    uncertain: bool = False
    alternatives: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PatientSnapshot:
    """What the rules know about one patient.

    ``prescriptions`` is the patient's history (current, ended, stopped and replaced lines,
    linked by ``id``/``replaces``): the rules read what is current on the evaluation day and
    look back where their source does. ``doses`` are dose reports under those lines.
    ``pdmp_interval_days`` is the clinic's PDMP review interval (``None``: the default in
    data/rules.toml). ``missing`` names the inputs whose data source is not available: the
    rules that read them are reported "not evaluated", never passed.
    """

    age_years: int
    conditions: frozenset[Condition] = frozenset()
    prescriptions: tuple[Prescription, ...] = ()
    doses: tuple[ReportedDose, ...] = ()
    last_urine_drug_test: date | None = None
    last_pdmp_review: date | None = None
    pdmp_interval_days: int | None = None
    phq9_item9: int | None = None
    phq9_item9_on: date | None = None
    pain_scores: tuple[PainScore, ...] = ()
    last_checkin: date | None = None
    genotypes: tuple[Genotype, ...] = ()
    missing: frozenset[Input] = frozenset()

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
        unknown_inputs = sorted(set(self.missing) - set(INPUTS))
        if unknown_inputs:
            raise SnapshotError(f"field 'missing': unknown input(s) {unknown_inputs}")
