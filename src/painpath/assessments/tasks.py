"""Background work: questionnaire reminders (thin wrapper over the schedules service)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from painpath.assessments.schedules import run_reminders


@db_periodic_task(crontab(minute="15"))  # type: ignore[untyped-decorator]
def send_questionnaire_reminders() -> dict[str, int]:
    """Hourly: schedule and send reminders for due questionnaires; expire stale ones."""
    return run_reminders()
