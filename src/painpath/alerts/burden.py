"""Alert burden of the stored alerts (``painpath alerts burden``): reads, audits, measures.

The figures and their definitions are ``painpath.analytics.alert_burden``'s. This module finds
each patient's observation start: the patient record's creation or the first local day with
reported data (check-in, questionnaire, dose report, wearable day), whichever is earlier.
Data sources whose app is not installed are skipped and named in ``missing_sources``.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.apps import apps
from django.db import transaction
from django.db.models import Min, Q
from django.utils import timezone

from painpath.accounts.models import Clinic
from painpath.alerts.models import Alert
from painpath.analytics.alert_burden import (
    AlertEpisode,
    BurdenReport,
    ObservedPatient,
    measure_burden,
)
from painpath.audit import services as audit
from painpath.audit.models import Action
from painpath.core.context import Actor
from painpath.patients.models import Patient

__all__ = ["DATA_SOURCES", "BurdenResult", "UnknownClinic", "measure"]

# (app label, model, local-day field): reported data that shows a patient is being followed.
DATA_SOURCES: tuple[tuple[str, str, str], ...] = (
    ("diary", "CheckIn", "day"),
    ("assessments", "QuestionnaireResponse", "day"),
    ("medications", "DoseReport", "day"),
    ("devices", "DailySummary", "day"),
)
ACTOR = Actor.system("alert-burden")


class UnknownClinic(LookupError):
    pass


@dataclass(frozen=True)
class BurdenResult:
    report: BurdenReport
    clinic: str  # slug, or "" for the whole database
    missing_sources: tuple[str, ...]


def _first_days(patient_ids: list[int]) -> tuple[dict[int, date], list[str]]:
    first: dict[int, date] = {}
    missing: list[str] = []
    for app_label, model_name, field in DATA_SOURCES:
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            missing.append(f"{app_label}.{model_name}")
            continue
        rows = (
            model.objects.filter(patient_id__in=patient_ids)
            .values("patient_id")
            .annotate(first=Min(field))
        )
        for row in rows:
            pid, day = row["patient_id"], row["first"]
            if day is not None and (pid not in first or day < first[pid]):
                first[pid] = day
    return first, missing


def _since(patient: Patient, first_day: date | None) -> datetime:
    if first_day is None:
        return patient.created_at
    tz = zoneinfo.ZoneInfo(patient.timezone_name)
    return min(patient.created_at, datetime.combine(first_day, time(0), tzinfo=tz))


def measure(*, days: int = 28, clinic_slug: str = "", now: datetime | None = None) -> BurdenResult:
    """The burden over the ``days`` before ``now`` for one clinic or the whole database; one
    audit row records that the figures were produced (they name no patient)."""
    if days < 1:
        raise ValueError("days must be 1 or more")
    end = now or timezone.now()
    start = end - timedelta(days=days)
    patients_q = Patient.objects.select_related("clinic").filter(created_at__lt=end)
    clinic_filter = Q()
    if clinic_slug:
        clinic = Clinic.objects.filter(slug=clinic_slug).first()
        if clinic is None:
            raise UnknownClinic(clinic_slug)
        patients_q = patients_q.filter(clinic=clinic)
        clinic_filter = Q(patient__clinic=clinic)
    with transaction.atomic():
        patients = list(patients_q)
        first, missing = _first_days([p.pk for p in patients])
        observed = [
            ObservedPatient(p.pk, _since(p, first.get(p.pk)), p.synthetic) for p in patients
        ]
        rows = (
            Alert.objects.filter(clinic_filter)
            .filter(Q(created_at__gte=start, created_at__lt=end) | Q(status="open"))
            .values_list(
                "patient_id",
                "rule_id",
                "title",
                "severity",
                "status",
                "created_at",
                "acknowledged_at",
                "cleared_at",
            )
        )
        episodes = [AlertEpisode(*row) for row in rows]
        report = measure_burden(episodes, observed, start=start, end=end)
        audit.record(
            ACTOR,
            action=Action.EXPORT,
            object_type="AlertBurden",
            detail={"days": days, "clinic": clinic_slug, "patients": report.patients},
        )
    return BurdenResult(report=report, clinic=clinic_slug, missing_sources=tuple(missing))
