"""One attempt at a background job that reads an uploaded file, from claim to its end.

The wearable imports (``painpath.devices.imports``) and the lab file imports
(``painpath.genomics.imports``) run the same way; only what they read and store differs:

- ``run_attempt`` claims the job under its lease (``painpath.core.jobs``) and runs the work. The
  work renews the lease as it goes and ends the job itself with :func:`end` (in the same
  transaction as its last rows, where that matters). Any exception ends the job failed with
  the import's reason for it; ``JobLost`` (a newer attempt has the job, or the sweep failed it)
  stops the attempt without writing. The staged upload is deleted once the job has ended.
- ``sweep`` (every minute in the worker) queues again, or fails after the last attempt, the
  jobs whose worker died, and removes staged uploads no live job points at.

A job model carries the lease fields (``LeasedJob``) and ``status``, ``error``, ``finished_at``
and ``stored_path`` (the staged upload, emptied when the job ends).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from django.db import close_old_connections, connection
from django.utils import timezone
from django.utils.translation import gettext as _

from painpath.core import jobs
from painpath.core.jobs import JobStatus, LeasedJob

__all__ = ["ORPHAN_AGE_SECONDS", "end", "remove_orphans", "run_attempt", "sweep", "unexpected"]

logger = logging.getLogger(__name__)
ORPHAN_AGE_SECONDS = 3600  # a staged upload no job points at (its patient deleted, a crash)
MAX_ERROR_CHARS = 2000


Job = TypeVar("Job", bound=LeasedJob)


def end(model: type[LeasedJob], pk: int, attempt: int, *, error: str, **fields: Any) -> None:
    """The job's outcome (done when ``error`` is empty, else failed with it) and ``fields``,
    written only while the job is still this attempt's (``JobLost`` otherwise).

    Outside a transaction a failed write is tried once more on a fresh connection: the
    connection may be what failed, and the job must still end.
    """
    outcome = {
        "status": JobStatus.FAILED if error else JobStatus.DONE,
        "error": error[:MAX_ERROR_CHARS],
        "finished_at": timezone.now(),
        "stored_path": "",
        **fields,
    }
    try:
        updated = jobs.fenced(model, pk, attempt).update(**outcome)
    except Exception:
        if connection.in_atomic_block:
            raise  # the caller's transaction rolls back and this attempt fails as a whole
        logger.exception("job %s: saving its outcome failed; retrying", pk)
        close_old_connections()
        connection.close()
        updated = jobs.fenced(model, pk, attempt).update(**outcome)
    if not updated:
        raise jobs.JobLost


def unexpected(exc: Exception, *, what: str, pk: int) -> str:
    """The reason shown for an error no reader anticipated; the traceback goes to the log."""
    logger.error("%s %s failed", what, pk, exc_info=exc)
    return _("The import stopped on an unexpected error (%(kind)s: %(detail)s).") % {
        "kind": type(exc).__name__,
        "detail": str(exc)[:500],
    }


def run_attempt(
    model: type[Job],
    job_id: int,
    *,
    load: Callable[[int], Job],
    work: Callable[[Job, int], None],
    reason: Callable[[Exception, Job], str],
    failed_fields: Callable[[], dict[str, Any]] = dict,
    what: str,
) -> tuple[Job, bool]:
    """Claim the job and run ``work(job, attempt)``, which ends it done; on an exception end it
    failed with ``reason(exc, job)`` and ``failed_fields()`` (e.g. progress so far).

    Returns the job as stored afterwards and whether this attempt ended it (False: another
    worker has it, it had ended, or it was taken over meanwhile).
    """
    number = jobs.claim(model, job_id)
    job = load(job_id)
    if number is None:
        return job, False
    staged = _staged(job)
    try:
        try:
            work(job, number)
        except jobs.JobLost:
            raise
        except Exception as exc:  # every failure ends the job with its reason
            end(model, job.pk, number, error=reason(exc, job), **failed_fields())
    except jobs.JobLost:
        logger.warning("%s %s: taken over by a later attempt; stopped", what, job_id)
        return load(job_id), False
    if staged is not None:
        staged.unlink(missing_ok=True)
    return load(job_id), True


def _staged(job: LeasedJob) -> Path | None:
    """The job's staged upload (every file job model has ``stored_path``; empty once ended)."""
    stored = getattr(job, "stored_path", "")
    return Path(stored) if stored else None


def _fail_lost(job: Job, reason: str, *, model: type[Job]) -> None:
    model._default_manager.filter(pk=job.pk).update(
        error=reason, finished_at=timezone.now(), stored_path=""
    )
    if (staged := _staged(job)) is not None:
        staged.unlink(missing_ok=True)


def remove_orphans(model: type[Job], directory: Path) -> int:
    """Staged uploads (``upload-*``) in ``directory`` that no queued or running job points at,
    older than ``ORPHAN_AGE_SECONDS``."""
    active = set(
        model._default_manager.filter(status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).values_list(
            "stored_path", flat=True
        )
    )
    cutoff = time.time() - ORPHAN_AGE_SECONDS
    removed = 0
    for path in directory.glob("upload-*"):
        if str(path) not in active and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def sweep(
    model: type[Job], *, directory: Path, enqueue: Callable[[int], None], what: str
) -> dict[str, int]:
    """``jobs.recover`` for file jobs (a failed one's staged upload is deleted), then the
    orphaned uploads: how many jobs were requeued, failed or resent, and files removed."""
    counts = jobs.recover(
        model, enqueue=enqueue, fail=lambda job, reason: _fail_lost(job, reason, model=model),
        what=what,
    )  # fmt: skip
    counts["files_removed"] = remove_orphans(model, directory)
    return counts
