"""Background file jobs held by a lease, so a job whose worker died does not run forever.

A worker ``claim``s a queued job (status running, ``attempts`` + 1, ``heartbeat_at`` now) and
renews the lease while it works (``Heartbeat``: on every chunk it stores and on file reads,
at most every ``lease / 4``). Every write the worker makes to its job is fenced by the attempt
number it claimed: if the job was handed to another attempt meanwhile, ``JobLost`` stops the
old one and its transaction rolls back. ``recover`` (run every minute by the worker) finds
running jobs whose lease ran out: each is queued again (the imports are idempotent) unless it
already had ``max_attempts``, then it fails with the reason (a file that kills its worker,
for example by running it out of memory, is not retried forever). Queued jobs whose task was
lost (a worker killed between taking the task and claiming the job) are queued again too.

Times come from ``django.utils.timezone.now`` (so tests can move the clock).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = [
    "Heartbeat",
    "JobLost",
    "JobStatus",
    "LeasedJob",
    "claim",
    "fenced",
    "lease",
    "recover",
]

logger = logging.getLogger(__name__)


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class LeasedJob(models.Model):
    """The lease fields a background job row carries (its status field is its own)."""

    heartbeat_at = models.DateTimeField(null=True, blank=True)  # lease renewed (or queued) at
    attempts = models.PositiveSmallIntegerField(default=0)  # claims so far; the fencing token

    class Meta:
        abstract = True


Job = TypeVar("Job", bound=LeasedJob)


class JobLost(Exception):
    """The job is no longer this attempt's (taken over by a newer one, or failed by
    ``recover``): stop without writing to it."""


def lease() -> timedelta:
    return timedelta(seconds=settings.PAINPATH_IMPORT_LEASE_SECONDS)


def claim(model: type[Job], pk: int) -> int | None:
    """Take a queued job (or a running one whose lease ran out): the attempt number, or None
    when another worker has it or it has ended."""
    now = timezone.now()
    claimable = Q(status=JobStatus.QUEUED) | Q(
        status=JobStatus.RUNNING, heartbeat_at__lt=now - lease()
    )
    taken = model._default_manager.filter(claimable, pk=pk).update(
        status=JobStatus.RUNNING, heartbeat_at=now, attempts=F("attempts") + 1
    )
    if not taken:
        return None
    return int(model._default_manager.filter(pk=pk).values_list("attempts", flat=True).get())


def fenced(model: type[Job], pk: int, attempt: int) -> models.QuerySet[Job]:
    """The job row, only while it is still this attempt's and running."""
    return model._default_manager.filter(pk=pk, attempts=attempt, status=JobStatus.RUNNING)


class Heartbeat:
    """Renews the lease (and stores ``fields()``, e.g. progress) at most every ``lease / 4``
    seconds; ``JobLost`` if the job is no longer this attempt's."""

    def __init__(
        self,
        model: type[LeasedJob],
        pk: int,
        attempt: int,
        fields: Callable[[], dict[str, Any]] | None = None,
    ) -> None:
        self.model, self.pk, self.attempt = model, pk, attempt
        self.every = lease().total_seconds() / 4
        self.fields = fields
        self.last = time.monotonic()

    def __call__(self) -> None:
        if time.monotonic() - self.last < self.every:
            return
        self.beat()

    def beat(self) -> None:
        extra = self.fields() if self.fields is not None else {}
        if not fenced(self.model, self.pk, self.attempt).update(
            heartbeat_at=timezone.now(), **extra
        ):
            raise JobLost
        self.last = time.monotonic()


def recover(
    model: type[Job],
    *,
    enqueue: Callable[[int], None],
    fail: Callable[[Job, str], None],
    what: str,
) -> dict[str, int]:
    """Queue again, or fail, the jobs whose lease ran out; queue again the queued jobs no
    worker took within a lease. Returns how many of each."""
    now = timezone.now()
    cutoff = now - lease()
    manager = model._default_manager
    counts = {"requeued": 0, "failed": 0, "resent": 0}
    for job in manager.filter(status=JobStatus.RUNNING, heartbeat_at__lt=cutoff):
        stale = manager.filter(pk=job.pk, status=JobStatus.RUNNING, heartbeat_at__lt=cutoff)
        if job.attempts >= settings.PAINPATH_IMPORT_MAX_ATTEMPTS:
            reason = str(
                _(
                    "The %(what)s stopped %(n)d times without finishing (its worker was "
                    "stopped, for example after running out of memory); it was not tried "
                    "again."
                )
                % {"what": what, "n": job.attempts}
            )
            if stale.update(status=JobStatus.FAILED, heartbeat_at=now):
                fail(job, reason)
                counts["failed"] += 1
        elif stale.update(status=JobStatus.QUEUED, heartbeat_at=now):
            logger.warning("%s %s: its worker stopped; queued again", what, job.pk)
            enqueue(job.pk)
            counts["requeued"] += 1
    for pk in manager.filter(status=JobStatus.QUEUED, heartbeat_at__lt=cutoff).values_list(
        "pk", flat=True
    ):
        if manager.filter(pk=pk, status=JobStatus.QUEUED, heartbeat_at__lt=cutoff).update(
            heartbeat_at=now
        ):
            enqueue(pk)
            counts["resent"] += 1
    return counts
