"""Builds the safety rules' PatientSnapshot from stored records and the other capabilities' data.

Reads medications (prescriptions, doses, monitoring events, clinic settings) and patients
(age, coded conditions) directly, and the diary and assessments through ``inputs``. Inputs
whose source is unavailable are listed in ``not_evaluated`` with the rules they feed, and
those rules' results are dropped (never treated as "no data, so fine").
"""

from __future__ import annotations

import tomllib
import zoneinfo
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from importlib import resources
from typing import Any

from django.utils import timezone

from painpath.alerts import inputs
from painpath.alerts.condition_codes import conditions_of
from painpath.clinical.medications import Prescription as CorePrescription
from painpath.clinical.medications import load_catalogue
from painpath.clinical.mme import TakenDose, ToleranceResult, opioid_tolerance
from painpath.clinical.safety import (
    PainScore,
    PatientSnapshot,
    ScheduledDose,
    max_lookback_days,
    rule_spec,
)
from painpath.medications.models import (
    LIVE_STATUSES,
    ClinicMedicationSettings,
    DoseReport,
    EventKind,
    Indication,
    MonitoringEvent,
    Prescription,
    as_core,
    in_force,
    scheduled_slots,
)
from painpath.patients.models import ConditionStatus, Patient

__all__ = ["BuiltSnapshot", "build_snapshot", "conditions_of", "local_today", "snapshot_config"]

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
    tolerance: ToleranceResult | None = None


@cache
def snapshot_config() -> dict[str, Any]:
    text = resources.files("painpath.alerts").joinpath("data/snapshot.toml").read_text("utf-8")
    return tomllib.loads(text)


def local_today(patient: Patient) -> date:
    return timezone.now().astimezone(zoneinfo.ZoneInfo(patient.timezone_name)).date()


def _is_long_term(rx: CorePrescription) -> bool:
    minimum = int(snapshot_config()["long_term_opioid_therapy"]["min_days"])
    days = rx.duration_days()
    return rx.indication == "chronic" or days is None or days >= minimum


def _scheduled_doses(
    lines: list[tuple[Prescription, CorePrescription | None]],
    reports: list[DoseReport],
    *,
    first_day: date,
    on: date,
) -> tuple[ScheduledDose, ...]:
    """Every slot of every scheduled line in force (``lines``: each stored row with its
    ``in_force`` line) on each day of the window. A slot with no report is missed, except
    today's, which the patient may still report."""
    reported = {(r.prescription_id, r.day, r.slot): r.taken for r in reports if r.slot > 0}
    doses: list[ScheduledDose] = []
    for rx, line in lines:
        if line is None or rx.as_needed:
            continue
        slots = scheduled_slots(rx, line=line)
        day = first_day
        while day <= on:
            if line.is_active(day):
                for slot in range(1, slots + 1):
                    taken = reported.get((rx.pk, day, slot))
                    if taken is None and day == on:
                        continue
                    doses.append(ScheduledDose(day=day, drug=rx.drug, taken=bool(taken)))
            day += timedelta(days=1)
    return tuple(doses)


def _tolerance(
    lines: list[CorePrescription], pain_opioids: list[CorePrescription], on: date
) -> ToleranceResult:
    """FDA opioid tolerance during the 7 days before the first current ER/LA pain line began
    (or before ``on`` if there is none), from every stored line as it was in force."""
    er_la_starts = [rx.start or on for rx in pain_opioids if rx.release == "er_la"]
    reference_day = min([*er_la_starts, on])
    return opioid_tolerance(lines, before=reference_day, catalogue=load_catalogue())


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
    history = list(Prescription.objects.filter(patient=patient).order_by("start", "id"))
    # each stored row is converted once: the live ones as they stand, and every row as it
    # was in force (the tolerance window and the adherence schedule look back)
    live = {rx.pk: as_core(rx) for rx in history if rx.status in LIVE_STATUSES}
    lines = [(rx, in_force(rx, core=live.get(rx.pk))) for rx in history]
    core_rx = [core for pk, core in live.items() if pk != without_prescription_id]
    if draft is not None:
        core_rx.append(draft)

    pain_opioids = [
        rx
        for rx in core_rx
        if catalogue.find(rx.drug).is_opioid_analgesic and not rx.for_oud and rx.is_active(on)
    ]
    long_term = any(_is_long_term(rx) for rx in pain_opioids)
    tolerance = _tolerance([line for _, line in lines if line is not None], pain_opioids, on)

    window = max(rule_spec("adherence-low").int_param("window_days"), max_lookback_days())
    first_day = on - timedelta(days=window - 1)
    reports = list(
        DoseReport.objects.filter(patient=patient, day__range=(first_day, on)).select_related(
            "prescription"
        )
    )
    doses_taken = tuple(
        TakenDose(
            drug=r.prescription.drug,
            dose=float(r.prescription.dose),
            taken_at=r.taken_at.astimezone(tz),
            unit=r.prescription.unit,
            for_oud=r.prescription.indication == Indication.OUD,
        )
        for r in reports
        if r.taken and r.taken_at is not None
    )
    adherence_first = on - timedelta(days=rule_spec("adherence-low").int_param("window_days") - 1)
    scheduled = _scheduled_doses(lines, reports, first_day=adherence_first, on=on)

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
        opioid_naive=not tolerance.tolerant,
        long_term_opioid_therapy=long_term,
        last_urine_drug_test=last_events.get(EventKind.URINE_DRUG_TEST),
        last_pdmp_review=last_events.get(EventKind.PDMP_REVIEW),
        pdmp_interval_days=clinic_settings.pdmp_interval_days if clinic_settings else None,
        phq9_item9=phq9_score,
        phq9_item9_on=phq9_on,
        pain_scores=pain_scores,
        last_checkin=last_checkin if isinstance(last_checkin, date) else None,
    )
    return BuiltSnapshot(snapshot=snapshot, on=on, not_evaluated=not_evaluated, tolerance=tolerance)
