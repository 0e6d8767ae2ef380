"""Background work: evaluate a patient's rules after their data changed; the daily sweep of
time-driven rules; escalate overdue alerts."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from painpath.alerts import evaluation, sweep
from painpath.alerts.models import PatientSafetyState
from painpath.patients.models import Patient


def note_change(patient_id: int, *, changed_at: datetime, kind: str) -> None:
    """Record a patient's latest data change (the triage list orders by it). Tasks may run
    out of order: an older change never overwrites a newer one."""
    PatientSafetyState.objects.get_or_create(patient_id=patient_id)
    PatientSafetyState.objects.filter(
        Q(last_change_at__isnull=True) | Q(last_change_at__lte=changed_at), patient_id=patient_id
    ).update(last_change_at=changed_at, last_change_kind=kind[:32])


@db_task()  # type: ignore[untyped-decorator]
def evaluate_patient_task(patient_id: int, *, changed_at: str | None = None, kind: str = "") -> int:
    """Note the data change that queued this (``changed_at``: ISO 8601, from the receiver),
    then run every rule for one patient and store the alerts; returns how many hold."""
    if not Patient.objects.filter(pk=patient_id).exists():
        return 0  # deleted in the meantime: nothing to evaluate
    if changed_at is not None:
        note_change(patient_id, changed_at=datetime.fromisoformat(changed_at), kind=kind)
    return len(evaluation.evaluate_patient(patient_id=patient_id).outcomes)


@db_periodic_task(crontab(minute="5"))  # type: ignore[untyped-decorator]
@lock_task("painpath-evaluate-due-patients")  # type: ignore[untyped-decorator]
def evaluate_due_patients() -> int:
    """Hourly at :05: every patient not yet evaluated on their local day (so each one once a
    day, shortly after their local midnight); returns how many were evaluated."""
    return len(sweep.evaluate_due().evaluated)


@db_periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]
def escalate_overdue_alerts() -> int:
    """Every minute: hand open alerts past their clinic's limit to the second clinician."""
    return evaluation.escalate_overdue()
