"""Wearable file imports: the upload is streamed to disk, then a background job reads it in
chunks (each chunk one transaction, duplicates ignored, so a re-run is safe), reports
progress in bytes, and always ends as done or failed with a reason.

Every reader is bounded (``painpath.interop.limits``, values from settings): a file past a
bound stops its job with the reason, the chunks stored before stay. The job holds a lease
(``painpath.core.file_jobs``, which runs lab file imports too): if its worker dies,
``recover_imports`` queues it again and the new attempt resumes after the last chunk the dead
one committed (those records are read again but not stored again, only their days' rollups
are refreshed). The uploaded file is deleted when its job ends, done or failed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from painpath import access
from painpath.audit import services as audit
from painpath.audit.models import Action
from painpath.core import file_jobs, jobs
from painpath.core.context import Actor
from painpath.core.errors import FieldError, InvalidInput, PainpathError
from painpath.core.uploads import stage_upload
from painpath.devices.models import ImportFormat, ImportJob
from painpath.devices.services import enqueue_refresh, store_batch, touched_days
from painpath.interop.limits import FileLimits, LimitExceeded
from painpath.interop.wearables.errors import WearableFormatError
from painpath.interop.wearables.files import ReadProgress
from painpath.interop.wearables.schema import validate_samples

__all__ = [
    "IMPORT_CHUNK",
    "create_import",
    "file_limits",
    "import_dir",
    "list_imports",
    "recover_imports",
    "run_import",
]

IMPORT_CHUNK = 10_000
MAX_EXAMPLES = 20

Reader = Callable[..., Iterator[dict[str, Any]]]


def import_dir() -> Path:
    path = Path(settings.VAR_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def file_limits() -> FileLimits:
    """The readers' bounds, from settings (README "Limits")."""
    return FileLimits(
        max_expanded_bytes=settings.PAINPATH_IMPORT_MAX_EXPANDED_BYTES,
        max_ratio=settings.PAINPATH_IMPORT_MAX_RATIO,
        max_line_bytes=settings.PAINPATH_IMPORT_MAX_LINE_BYTES,
        max_xml_token_bytes=settings.PAINPATH_IMPORT_MAX_XML_TOKEN_BYTES,
        max_depth=settings.PAINPATH_IMPORT_MAX_DEPTH,
        max_json_token_bytes=settings.PAINPATH_IMPORT_MAX_JSON_TOKEN_BYTES,
        max_item_bytes=settings.PAINPATH_IMPORT_MAX_ITEM_BYTES,
    )


def create_import(
    *, actor: Actor, patient_id: int, fmt: str, file_name: str, chunks: Iterable[bytes]
) -> ImportJob:
    """Save an uploaded file (streamed to disk, before any transaction so SQLite's write lock
    is not held while it is written; at most ``PAINPATH_UPLOAD_MAX_BYTES``), then record the
    job and queue it."""
    user = access.require_authenticated(actor.user)
    if fmt not in ImportFormat.values:
        raise InvalidInput(
            _("Unknown format."),
            fields=[FieldError("format", _("One of: %s.") % ", ".join(ImportFormat.values))],
        )
    access.get_patient_for_device_upload(user, patient_id)  # 404/403 before writing anything
    target, size = stage_upload(
        chunks,
        directory=import_dir(),
        suffix=Path(file_name).suffix,
        max_bytes=settings.PAINPATH_UPLOAD_MAX_BYTES,
    )
    try:
        if size == 0:
            raise InvalidInput(
                _("The file is empty."), fields=[FieldError("file", _("Choose a non-empty file."))]
            )
        with transaction.atomic():
            patient = access.get_patient_for_device_upload(user, patient_id)
            job = ImportJob.objects.create(
                patient=patient,
                created_by=user,
                format=fmt,
                file_name=file_name[:255],
                stored_path=str(target),
                size_bytes=size,
                heartbeat_at=timezone.now(),  # queued at: a lost task is sent again
            )
            audit.record(
                actor,
                action=Action.CREATE,
                object_type="ImportJob",
                object_id=job.pk,
                patient_id=patient.pk,
                detail={"format": fmt, "bytes": size},
            )
            job_id = job.pk
            transaction.on_commit(lambda: _enqueue_import(job_id))
    except BaseException:
        target.unlink(missing_ok=True)  # no job row points at it
        raise
    return job


def _enqueue_import(job_id: int) -> None:
    from painpath.devices.tasks import run_import_task  # noqa: PLC0415 - huey at runtime

    run_import_task(job_id)


def list_imports(*, actor: Actor, patient_id: int) -> list[ImportJob]:
    user = access.require_authenticated(actor.user)
    with transaction.atomic():
        patient = access.get_readable_patient(user, patient_id)
        jobs = list(ImportJob.objects.filter(patient=patient)[:20])
        audit.record(actor, action=Action.LIST, object_type="ImportJob", patient_id=patient.pk)
    return jobs


def _reader(fmt: str) -> Reader:
    from painpath.interop.wearables.apple_health import read_apple_health  # noqa: PLC0415
    from painpath.interop.wearables.csv_samples import read_csv_samples  # noqa: PLC0415
    from painpath.interop.wearables.openmhealth import read_openmhealth  # noqa: PLC0415

    readers: dict[str, Reader] = {
        ImportFormat.APPLE_HEALTH: read_apple_health,
        ImportFormat.OPEN_MHEALTH: read_openmhealth,
        ImportFormat.CSV: read_csv_samples,
    }
    return readers[fmt]


@dataclass
class _Tally:
    processed: int = 0
    new: int = 0
    rejected: int = 0
    by_type: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)
    days: set[date] = field(default_factory=set)

    @classmethod
    def resumed(cls, job: ImportJob) -> _Tally:
        """The counts a dead attempt committed with its last chunk (its reader's skipped
        counts are not kept: the new attempt reads the file again from the start)."""
        summary = job.summary or {}
        return cls(
            processed=job.processed,
            new=job.new,
            rejected=job.rejected,
            by_type=Counter(summary.get("by_type", {})),
            reasons=Counter(summary.get("rejected_reasons", {})),
            examples=list(summary.get("rejected_examples", [])),
        )

    def apply(self, job: ImportJob, bytes_read: int) -> None:
        job.processed, job.new, job.rejected = self.processed, self.new, self.rejected
        job.duplicates = self.processed - self.new - self.rejected
        job.bytes_read = bytes_read
        job.summary = {
            "by_type": dict(self.by_type),
            "skipped_types": dict(self.skipped.most_common(20)),
            "rejected_reasons": dict(self.reasons.most_common(20)),
            "rejected_examples": self.examples,
        }

    def fields(self, job: ImportJob) -> dict[str, Any]:
        return {
            "processed": job.processed,
            "new": job.new,
            "rejected": job.rejected,
            "duplicates": job.duplicates,
            "bytes_read": job.bytes_read,
            "summary": job.summary,
        }


@dataclass
class _Run:
    """One attempt at a job: what it needs to read, store and stay fenced."""

    job: ImportJob
    actor: Actor
    attempt: int
    tally: _Tally
    progress: ReadProgress
    resume_from: int  # records the dead attempts committed (read again, not stored again)

    @classmethod
    def start(cls, job: ImportJob, attempt: int) -> _Run:
        """This attempt's run, resuming after what dead attempts committed."""
        tally = _Tally.resumed(job) if job.processed else _Tally()
        progress = ReadProgress()
        progress.heartbeat = jobs.Heartbeat(
            ImportJob, job.pk, attempt, fields=lambda: {"bytes_read": progress.bytes_read}
        )
        actor = Actor(user=job.created_by, label="import")
        return cls(job, actor, attempt, tally, progress, resume_from=job.processed)


def _flush(run: _Run, chunk: list[object]) -> None:
    job, tally = run.job, run.tally
    batch = validate_samples(chunk, now=timezone.now(), default_source=job.format)
    with transaction.atomic():
        if len(batch):
            added, days = store_batch(run.actor, job.patient, batch, None)
            tally.new += added
            tally.days |= days
        first = tally.processed
        tally.processed += batch.received
        tally.rejected += len({i.index for i in batch.issues})
        tally.by_type.update(batch.counts_by_type())
        for issue in batch.issues:
            tally.reasons[f"{issue.field}: {issue.rule}"] += 1
            if len(tally.examples) < MAX_EXAMPLES:
                tally.examples.append(f"#{first + issue.index + 1} {issue.field}: {issue.rule}")
        tally.apply(job, run.progress.bytes_read)
        # The counts commit with the rows (a later attempt resumes from them), and only while
        # the job is still this attempt's: otherwise the rows roll back too.
        fenced = jobs.fenced(ImportJob, job.pk, run.attempt)
        if not fenced.update(heartbeat_at=timezone.now(), **tally.fields(job)):
            raise jobs.JobLost


def _replay(run: _Run, chunk: list[object]) -> None:
    """Records a dead attempt already stored: only the days their rollups cover."""
    batch = validate_samples(chunk, now=timezone.now(), default_source=run.job.format)
    if len(batch):
        run.tally.days |= touched_days(run.job.patient, batch)


def _read(run: _Run) -> None:
    job = run.job
    if job.created_by is None:
        raise InvalidInput(_("The account that uploaded this file no longer exists."))
    user = access.require_authenticated(job.created_by)
    # The uploader must still be allowed to upload for this patient when the job runs.
    access.get_patient_for_device_upload(user, job.patient_id)
    chunk: list[object] = []
    seen = 0
    records = _reader(job.format)(
        Path(job.stored_path),
        skipped=run.tally.skipped,
        progress=run.progress,
        limits=file_limits(),
    )
    for record in records:
        chunk.append(record)
        seen += 1
        if seen <= run.resume_from:
            if len(chunk) >= IMPORT_CHUNK or seen == run.resume_from:
                _replay(run, chunk)
                chunk.clear()
        elif len(chunk) >= IMPORT_CHUNK:
            _flush(run, chunk)
            chunk.clear()
    if chunk and seen > run.resume_from:
        _flush(run, chunk)


def _failure(exc: Exception, job: ImportJob) -> str:
    if isinstance(exc, LimitExceeded):
        return _(
            "Stopped: %(reason)s. The limit keeps imports safe for the server; samples stored "
            "before this point stay."
        ) % {"reason": str(exc)}
    if isinstance(exc, WearableFormatError):
        return str(exc)
    if isinstance(exc, PainpathError):
        return exc.message
    return file_jobs.unexpected(exc, what="import job", pk=job.pk)


def _counts(run: _Run, bytes_read: int) -> dict[str, Any]:
    """The counts and progress the job ends with (chunks stored before a failure count)."""
    run.tally.apply(run.job, bytes_read)
    return run.tally.fields(run.job)


def _load(job_id: int) -> ImportJob:
    return ImportJob.objects.select_related("patient__clinic", "created_by").get(pk=job_id)


def run_import(*, job_id: int) -> ImportJob:
    """Run one import to the end (or resume one whose worker died). Any failure marks the
    job failed with a reason (the traceback goes to the log for unexpected ones), so the page
    polling it stops; the chunks stored before the failure stay."""
    started: list[_Run] = []  # the attempt's run, once the job is claimed

    def work(job: ImportJob, attempt: int) -> None:
        run = _Run.start(job, attempt)
        started.append(run)
        _read(run)
        file_jobs.end(ImportJob, job.pk, attempt, error="", **_counts(run, job.size_bytes))

    def failed_fields() -> dict[str, Any]:
        if not started:
            return {}
        run = started[0]
        return _counts(run, run.progress.bytes_read)

    job, ended = file_jobs.run_attempt(
        ImportJob,
        job_id,
        load=_load,
        work=work,
        reason=_failure,
        failed_fields=failed_fields,
        what="import job",
    )
    if ended and started:
        # One refresh for the whole file, of the days it touched (chunks stored before a
        # failure, and by a dead attempt, count too).
        enqueue_refresh(job.patient_id, started[0].tally.days)
    return job


def recover_imports() -> dict[str, int]:
    """Jobs whose worker died: queued again (resumed), or failed after the last attempt;
    and uploads left behind. Run every minute by the worker."""
    return file_jobs.sweep(
        ImportJob, directory=import_dir(), enqueue=_enqueue_import, what=_("import")
    )
