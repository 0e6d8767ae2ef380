"""Background work: read uploaded lab files; every minute, find the ones whose worker died."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from painpath.genomics import imports


@db_task()  # type: ignore[untyped-decorator]
def run_import_task(job_id: int) -> str:
    return str(imports.run_import(job_id=job_id).status)


@db_periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]
def recover_imports_task() -> dict[str, int]:
    return imports.recover_imports()
