"""Builds the safety rules' PatientSnapshot from stored records and the other capabilities' data.

Reads medications (prescriptions, doses, monitoring events, clinic settings) and patients
(age, coded conditions) directly, and the diary and assessments through ``inputs``. Inputs
whose source is unavailable are listed in ``not_evaluated`` with the rules they feed, and
those rules' results are dropped (never treated as "no data, so fine").
"""

from __future__ import annotations

import tomllib
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from importlib import resources
from typing import Any

from django.utils import timezone

from painpath.alerts import inputs
from painpath.clinical.conditions import get_condition
from painpath.clinical.medications import Prescription as CorePrescription
from painpath.clinical.medications import load_catalogue
from painpath.clinical.mme import TakenDose
from painpath.clinical.safety import PainScore, PatientSnapshot, ScheduledDose, rule_spec
from painpath.medications.models import (
    LIVE_STATUSES,
    ClinicMedicationSettings,
    DoseReport,
    EventKind,
    MonitoringEvent,
    Prescription,
    as_core,
)
from painpath.patients.models import ConditionStatus, Patient

__all__ = ["BuiltSnapshot", "build_snapshot", "local_today", "snapshot_config"]

# Which rules read which outside input (code wiring, not clinical fact).
INPUT_RULES: dict[str, tuple[str, ...]] = {
    "daily_pain": ("pain-worsening",),
    "last_checkin": ("no-checkin",),
    "phq9_item9": ("phq9-item9-positive",),
}


@dataclass(frozen=True)
class BuiltSnapshot:
    snapshot: PatientSnapshot
    on: date
    not_evaluated: dict[str, str] = field(default_factory=dict)


@cache
def snapshot_config() -> dict[str, Any]:
    text = resources.files("painpath.alerts").joinpath("data/snapshot.toml").read_text("utf-8")
    return tomllib.loads(text)


def local_today(patient: Patient) -> date:
    return timezone.now().astimezone(zoneinfo.ZoneInfo(patient.timezone_name)).date()


def _condition_matchers() -> list[tuple[str, set[str], set[str], list[tuple[str, str]]]]:
    matchers = []
    for name, row in snapshot_config()["conditions"].items():
        entry = get_condition(row["catalogue_id"])
        icd = {entry.icd10cm_code, *row.get("icd10cm_codes", [])}
        snomed = {entry.snomed_id} if entry.snomed_id else set()
        ranges = [(lo, hi) for lo, hi in row.get("icd10cm_ranges", [])]
        matchers.append((name, icd, snomed, ranges))
    return matchers


def conditions_of(codes: Iterable[tuple[str, str]]) -> frozenset[Any]:
    """Safety-rule conditions from (icd10, snomed) code pairs of active diagnoses."""
    found: set[str] = set()
    for icd, snomed in codes:
        for name, icd_codes, snomed_codes, ranges in _condition_matchers():
            category = icd[:3]
            if (
                (icd and icd in icd_codes)
                or (snomed and snomed in snomed_codes)
                or (icd and any(lo <= category <= hi for lo, hi in ranges))
            ):
                found.add(name)
    return frozenset(found)


def _is_long_term(rx: CorePrescription) -> bool:
    minimum = int(snapshot_config()["long_term_opioid_therapy"]["min_days"])
    days = rx.duration_days()
    return rx.indication == "chronic" or days is None or days >= minimum


def _local(moment: datetime, tz: zoneinfo.ZoneInfo) -> datetime:
    return moment.astimezone(tz)


def build_snapshot(
    patient: Patient,
    *,
    on: date | None = None,
    draft: CorePrescription | None = None,
    without_prescription_id: int | None = None,
) -> BuiltSnapshot:
    """The snapshot of ``patient`` as of their local day ``on`` (default: today there).

    ``draft`` adds an unsaved prescription (the pre-save check); ``without_prescription_id``
    leaves out the line a taper step would replace.
    """
    on = on or local_today(patient)
    tz = zoneinfo.ZoneInfo(patient.timezone_name)
    catalogue = load_catalogue()
    stored = [
        rx
        for rx in Prescription.objects.filter(patient=patient, status__in=LIVE_STATUSES)
        if rx.pk != without_prescription_id
    ]
    core_rx = [as_core(rx) for rx in stored]
    if draft is not None:
        core_rx.append(draft)

    def opioid(rx: CorePrescription) -> bool:
        return catalogue.find(rx.drug).is_opioid_analgesic

    current_opioids = [rx for rx in core_rx if opioid(rx) and rx.is_active(on)]
    long_term = any(_is_long_term(rx) for rx in current_opioids)
    # Opioid-naive: no opioid prescription before the first current ER/LA line began.
    er_la_starts = [rx.start or on for rx in current_opioids if rx.release == "er_la"]
    reference_day = min([*er_la_starts, on])
    earlier_opioid = Prescription.objects.filter(
        patient=patient, start__lt=reference_day, drug__in=_opioid_drug_ids()
    ).exists()

    adherence_window = rule_spec("adherence-low").int_param("window_days")
    first_day = on - timedelta(days=adherence_window - 1)
    reports = list(
        DoseReport.objects.filter(patient=patient, day__range=(first_day, on)).select_related(
            "prescription"
        )
    )
    doses_taken = tuple(
        TakenDose(
            drug=r.prescription.drug,
            dose=float(r.prescription.dose),
            taken_at=_local(r.taken_at, tz),
            unit=r.prescription.unit,
        )
        for r in reports
        if r.taken and r.taken_at is not None
    )
    scheduled = tuple(
        ScheduledDose(day=r.day, drug=r.prescription.drug, taken=r.taken)
        for r in reports
        if r.slot > 0
    )

    last_events: dict[str, date] = {}
    for event in MonitoringEvent.objects.filter(patient=patient, on__lte=on).order_by("on"):
        last_events[event.kind] = event.on
    clinic_settings = ClinicMedicationSettings.objects.filter(clinic_id=patient.clinic_id).first()

    codes = patient.conditions.filter(status=ConditionStatus.ACTIVE).values_list(
        "icd10_code", "snomed_code"
    )
    not_evaluated: dict[str, str] = {}

    def unavailable(key: str, value: object) -> bool:
        if isinstance(value, inputs.Unavailable):
            for rule_id in INPUT_RULES[key]:
                not_evaluated[rule_id] = f"not evaluated: no data source ({value.source})"
            return True
        return False

    worsening = rule_spec("pain-worsening")
    span = worsening.int_param("recent_days") + worsening.int_param("baseline_days")
    pain = inputs.daily_pain(patient.pk, on - timedelta(days=span - 1), on)
    pain_scores: tuple[PainScore, ...] = ()
    if not unavailable("daily_pain", pain) and isinstance(pain, dict):
        pain_scores = tuple(PainScore(day=d, score=float(s)) for d, s in sorted(pain.items()))
    checkin = inputs.last_checkin_date(patient.pk)
    last_checkin = None if unavailable("last_checkin", checkin) else checkin
    phq9 = inputs.latest_phq9_item9(patient.pk)
    phq9_on, phq9_score = (None, None)
    if not unavailable("phq9_item9", phq9) and isinstance(phq9, tuple):
        phq9_on, phq9_score = phq9

    snapshot = PatientSnapshot(
        age_years=patient.age_on(on),
        conditions=conditions_of(codes),
        prescriptions=tuple(core_rx),
        doses_taken=doses_taken,
        scheduled_doses=scheduled,
        opioid_naive=not earlier_opioid,
        long_term_opioid_therapy=long_term,
        last_urine_drug_test=last_events.get(EventKind.URINE_DRUG_TEST),
        last_pdmp_review=last_events.get(EventKind.PDMP_REVIEW),
        pdmp_interval_days=clinic_settings.pdmp_interval_days if clinic_settings else None,
        phq9_item9=phq9_score,
        phq9_item9_on=phq9_on,
        pain_scores=pain_scores,
        last_checkin=last_checkin if isinstance(last_checkin, date) else None,
    )
    return BuiltSnapshot(snapshot=snapshot, on=on, not_evaluated=not_evaluated)


@cache
def _opioid_drug_ids() -> tuple[str, ...]:
    return tuple(m.id for m in load_catalogue().values() if m.is_opioid_analgesic)
