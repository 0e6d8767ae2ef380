"""The periodic sweep: every patient is re-evaluated once per local day.

Time-driven rules change without any data change: a silent patient crosses the no-check-in
limit, a urine drug test or PDMP review becomes overdue, a prescription ends. All of them
are day-granular, so one evaluation per patient per local day is enough; the sweep skips
patients already evaluated on their current local day (by a data change or an earlier
sweep), which makes it safe to run every hour.
"""

from __future__ import annotations

import logging
import zoneinfo
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from painpath.alerts.evaluation import evaluate_patient
from painpath.patients.models import Patient

logger = logging.getLogger(__name__)

__all__ = ["BATCH_SIZE", "SweepResult", "evaluate_due", "patients_due"]

BATCH_SIZE = 200


@dataclass
class SweepResult:
    evaluated: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


def patients_due(*, now: datetime, batch_size: int = BATCH_SIZE) -> list[int]:
    """Patients not yet evaluated on their current local day (never evaluated included);
    the patient rows are read ``batch_size`` at a time."""
    rows = (
        Patient.objects.order_by("pk")
        .values_list("pk", "timezone", "clinic__timezone", "safety_state__evaluated_at")
        .iterator(chunk_size=batch_size)
    )
    due = []
    for pk, own_zone, clinic_zone, evaluated_at in rows:
        zone = zoneinfo.ZoneInfo(own_zone or clinic_zone)
        if (
            evaluated_at is None
            or evaluated_at.astimezone(zone).date() < now.astimezone(zone).date()
        ):
            due.append(pk)
    return due


def evaluate_due(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> SweepResult:
    """Evaluate every due patient, each in its own transaction; one patient's bad data is
    logged and does not stop the others."""
    result = SweepResult()
    for patient_id in patients_due(now=now or timezone.now(), batch_size=batch_size):
        try:
            evaluate_patient(patient_id=patient_id)
        except ValueError:  # the clinical core's input errors (SafetyError, MmeError, ...)
            logger.exception("sweep: patient %s could not be evaluated", patient_id)
            result.failed.append(patient_id)
        else:
            result.evaluated.append(patient_id)
    if result.failed:
        logger.error("sweep: %d patient(s) NOT evaluated: %s", len(result.failed), result.failed)
    return result
