"""Background work after ingest: recompute touched days' rollups; run file imports, and
every minute find the imports whose worker died (queued again or failed with the reason)."""

from __future__ import annotations

from datetime import date

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from painpath.devices import imports, services


@db_task()  # type: ignore[untyped-decorator]
def refresh_summaries_task(patient_id: int, days: list[str]) -> int:
    return services.refresh_daily_summaries(
        patient_ids=[patient_id], days=[date.fromisoformat(d) for d in days]
    )


@db_task()  # type: ignore[untyped-decorator]
def run_import_task(job_id: int) -> str:
    return str(imports.run_import(job_id=job_id).status)


@db_periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]
def recover_imports_task() -> dict[str, int]:
    return imports.recover_imports()
