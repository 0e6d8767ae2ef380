"""Background work: evaluate a patient's rules after their data changed; the daily sweep of
time-driven rules; escalate overdue alerts."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from painpath.alerts import evaluation, sweep
from painpath.patients.models import Patient


@db_task()  # type: ignore[untyped-decorator]
def evaluate_patient_task(patient_id: int) -> int:
    """Run every rule for one patient and store the alerts; returns how many hold."""
    if not Patient.objects.filter(pk=patient_id).exists():
        return 0
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
