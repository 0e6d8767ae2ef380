"""Reads one patient's stored records into the safety rules' PatientState document.

Reads medications (prescriptions, doses, monitoring events, clinic settings) and patients
(age, coded conditions) directly, and the diary, assessments and genomics through ``inputs``.
An input whose source is unavailable is given as ``None``: the core reports the rules that
read it "not evaluated" (never treated as "no data, so fine"). Every clinical decision is the
core's (``painpath.clinical.safety``); nothing here judges.
"""

from __future__ import annotations

import tomllib
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from importlib import resources
from typing import Any

from django.utils import timezone

from painpath.alerts import inputs
from painpath.alerts.condition_codes import conditions_of
from painpath.clinical.medications import PrescriptionHistory
from painpath.clinical.safety import (
    PatientState,
    StatePrescription,
    max_lookback_days,
    rule_spec,
    to_prescription,
)
from painpath.medications.models import (
    ClinicMedicationSettings,
    DoseReport,
    MonitoringEvent,
    Prescription,
    RxStatus,
)
from painpath.patients.models import ConditionStatus, Patient

__all__ = [
    "BuiltState",
    "build_state",
    "conditions_of",
    "core_history",
    "local_today",
    "prescription_rows",
    "snapshot_config",
]


@dataclass(frozen=True)
class BuiltState:
    state: PatientState
    on: date
    unavailable: dict[str, str]  # input -> the missing source, for the log and the page


@cache
def snapshot_config() -> dict[str, Any]:
    text = resources.files("painpath.alerts").joinpath("data/snapshot.toml").read_text("utf-8")
    return tomllib.loads(text)


def local_today(patient: Patient) -> date:
    return timezone.now().astimezone(zoneinfo.ZoneInfo(patient.timezone_name)).date()


def _number(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def prescription_row(rx: Prescription, *, replaced: bool) -> dict[str, Any]:
    """A stored line as the document's prescription. A replaced line ends where its
    replacement starts (the core links them); a stopped line on the day it was stopped; a
    line marked stopped or replaced without that day was never in force as far as is known."""
    stopped_on = None
    if rx.status == RxStatus.STOPPED or (rx.status == RxStatus.REPLACED and not replaced):
        stopped_on = rx.stopped_on or rx.start
    return {
        "id": str(rx.pk),
        "drug": rx.drug,
        "dose": float(rx.dose),
        "unit": rx.unit,
        "times_per_day": _number(rx.times_per_day),
        "every_hours": _number(rx.every_hours),
        "as_needed": rx.as_needed,
        "max_doses_per_day": _number(rx.max_doses_per_day),
        "release": rx.release,
        "route": rx.route,
        "start": rx.start,
        "end": rx.end,
        "days_supply": rx.days_supply,
        "indication": rx.indication,
        "replaces": None if rx.replaces_id is None else str(rx.replaces_id),
        "stopped_on": stopped_on,
    }


def prescription_rows(history: list[Prescription]) -> list[dict[str, Any]]:
    replaced = {rx.replaces_id for rx in history if rx.replaces_id is not None}
    return [prescription_row(rx, replaced=rx.pk in replaced) for rx in history]


def core_history(history: list[Prescription]) -> PrescriptionHistory:
    """The stored lines as the core's linked history (the same mapping as the document's)."""
    return PrescriptionHistory(
        [
            to_prescription(StatePrescription.model_validate(row))
            for row in prescription_rows(history)
        ]
    )


def _checkins(
    patient: Patient, on: date, unavailable: dict[str, str]
) -> list[dict[str, Any]] | None:
    """Daily pain over the pain-worsening window, and the last check-in (maybe older)."""
    worsening = rule_spec("pain-worsening")
    span = worsening.int_param("recent_days") + worsening.int_param("baseline_days")
    pain = inputs.daily_pain(patient.pk, on - timedelta(days=span - 1), on)
    last = inputs.last_checkin_date(patient.pk)
    for value in (pain, last):
        if isinstance(value, inputs.Unavailable):
            unavailable["checkins"] = value.source
            return None
    by_day = pain if isinstance(pain, dict) else {}
    rows: list[dict[str, Any]] = [
        {"day": day, "pain": float(score)} for day, score in sorted(by_day.items())
    ]
    if isinstance(last, date) and last not in by_day:
        rows.append({"day": last, "pain": None})
    return rows


def _questionnaires(patient: Patient, unavailable: dict[str, str]) -> list[dict[str, Any]] | None:
    latest = inputs.latest_phq9_item9(patient.pk)
    if isinstance(latest, inputs.Unavailable):
        unavailable["questionnaires"] = latest.source
        return None
    if latest is None:
        return []
    day, score = latest
    return [{"instrument": "phq9", "on": day, "items": {"phq9_9": score}}]


def _genotypes(patient: Patient, unavailable: dict[str, str]) -> list[dict[str, Any]] | None:
    rows = inputs.pgx_results(patient.pk)
    if isinstance(rows, inputs.Unavailable):
        unavailable["genotypes"] = rows.source
        return None
    return rows


def build_state(patient: Patient, *, on: date | None = None) -> BuiltState:
    """The state of ``patient`` now, or as of their local day ``on`` (noon there)."""
    zone = zoneinfo.ZoneInfo(patient.timezone_name)
    today = local_today(patient)
    on = on or today
    as_of = timezone.now() if on == today else datetime.combine(on, time(12), tzinfo=zone)
    history = list(Prescription.objects.filter(patient=patient).order_by("start", "id"))
    window = max(rule_spec("adherence-low").int_param("window_days"), max_lookback_days())
    reports = DoseReport.objects.filter(
        patient=patient, day__range=(on - timedelta(days=window - 1), on)
    ).values_list("prescription_id", "day", "slot", "taken", "taken_at")
    doses = [
        {
            "prescription": str(rx_id),
            "day": day,
            "slot": slot,
            "taken": taken,
            "taken_at": taken_at.astimezone(zone) if taken_at is not None else None,
        }
        for rx_id, day, slot, taken, taken_at in reports
        if taken or slot
    ]
    last_events: dict[str, date] = {}
    for kind, day in MonitoringEvent.objects.filter(patient=patient, on__lte=on).values_list(
        "kind", "on"
    ):
        last_events[kind] = max(day, last_events.get(kind, day))
    clinic_settings = ClinicMedicationSettings.objects.filter(clinic_id=patient.clinic_id).first()
    codes = patient.conditions.filter(status=ConditionStatus.ACTIVE).values_list(
        "icd10_code", "snomed_code"
    )
    unavailable: dict[str, str] = {}
    state = PatientState.model_validate(
        {
            "as_of": as_of,
            "timezone": patient.timezone_name,
            "age_years": patient.age_on(on),
            "conditions": sorted(conditions_of(codes)),
            "prescriptions": prescription_rows(history),
            "doses": doses,
            "monitoring_events": [{"kind": k, "on": d} for k, d in sorted(last_events.items())],
            "pdmp_interval_days": clinic_settings.pdmp_interval_days if clinic_settings else None,
            "checkins": _checkins(patient, on, unavailable),
            "questionnaires": _questionnaires(patient, unavailable),
            "genotypes": _genotypes(patient, unavailable),
        }
    )
    return BuiltState(state=state, on=on, unavailable=unavailable)
