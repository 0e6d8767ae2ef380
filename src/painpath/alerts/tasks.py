"""Background work: evaluate a patient's rules after their data changed; escalate overdue alerts."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from painpath.alerts import evaluation
from painpath.patients.models import Patient


@db_task()  # type: ignore[untyped-decorator]
def evaluate_patient_task(patient_id: int) -> int:
    """Run every rule for one patient and store the alerts; returns how many hold."""
    if not Patient.objects.filter(pk=patient_id).exists():
        return 0
    return len(evaluation.evaluate_patient(patient_id=patient_id).outcomes)


@db_periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]
def escalate_overdue_alerts() -> int:
    """Every minute: hand open alerts past their clinic's limit to the second clinician."""
    return evaluation.escalate_overdue()
