"""Lab file uploads (VCF, CSV, JSON) read in the worker, not in the web request.

The upload is streamed to disk (at most ``PAINPATH_PGX_UPLOAD_MAX_BYTES``), its metadata and
kind checked at once (422), then a job reads it under a lease (``painpath.core.jobs``) with
progress (bytes and records read) and ends done, with its results, or failed, with the reason.
Reading is bounded (VCF: ``PAINPATH_PGX_MAX_EXPANDED_BYTES``, ``PAINPATH_PGX_MAX_RECORDS``,
``PAINPATH_IMPORT_MAX_LINE_BYTES``). All of a file's results are stored in one transaction,
with the file kept as received (``PgxUpload``, their source document), or nothing is: a file
with any bad row stores nothing, and a job whose worker died stored nothing and simply runs
again. The staged upload is deleted when its job ends.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from painpath import access
from painpath.audit import services as audit
from painpath.audit.models import Action
from painpath.clinical import pgx
from painpath.core import jobs
from painpath.core.context import Actor
from painpath.core.errors import InvalidInput, NotFound, PainpathError
from painpath.core.jobs import JobStatus
from painpath.core.uploads import stage_upload
from painpath.genomics import parsing, services
from painpath.genomics.models import PgxImportJob, PgxResult, SourceKind

__all__ = [
    "create_import",
    "get_import",
    "import_dir",
    "list_imports",
    "recover_imports",
    "results_of",
    "run_import",
    "vcf_limits",
]

logger = logging.getLogger(__name__)
HEAD_BYTES = 16
ORPHAN_AGE_SECONDS = 3600
LISTED = 20


def import_dir() -> Path:
    path = Path(settings.VAR_DIR) / "pgx-imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def vcf_limits() -> pgx.VcfLimits:
    return pgx.VcfLimits(
        max_expanded_bytes=settings.PAINPATH_PGX_MAX_EXPANDED_BYTES,
        max_line_bytes=settings.PAINPATH_IMPORT_MAX_LINE_BYTES,
        max_records=settings.PAINPATH_PGX_MAX_RECORDS,
    )


def create_import(
    *,
    actor: Actor,
    patient_id: int,
    filename: str,
    chunks: Iterable[bytes],
    lab_name: str = "",
    report_date: date | None = None,
    sample: str = "",
) -> PgxImportJob:
    """Stage the file (outside any transaction), check what can be checked at once (the
    caller's right to store results, the lab name and date, the kind of file), record the
    job and queue it."""
    user = access.require_authenticated(actor.user)
    access.get_patient_for_clinical_write(user, patient_id)  # 404/403 before writing
    errors = services.check_meta(lab_name, report_date)
    if errors:
        raise InvalidInput(_("The upload has invalid fields."), fields=errors)
    target, size = stage_upload(
        chunks,
        directory=import_dir(),
        suffix="".join(Path(filename).suffixes)[-10:],
        max_bytes=settings.PAINPATH_PGX_UPLOAD_MAX_BYTES,
    )
    try:
        with target.open("rb") as head:
            kind = parsing.detect_kind(filename, head.read(HEAD_BYTES))
        with transaction.atomic():
            patient = access.get_patient_for_clinical_write(user, patient_id)
            job = PgxImportJob.objects.create(
                patient=patient,
                created_by=user,
                filename=filename[:255],
                kind=kind,
                stored_path=str(target),
                size_bytes=size,
                lab_name=lab_name.strip(),
                report_date=report_date,
                sample=sample,
                heartbeat_at=timezone.now(),  # queued at: a lost task is sent again
            )
            audit.record(
                actor,
                action=Action.CREATE,
                object_type="PgxImportJob",
                object_id=job.pk,
                patient_id=patient.pk,
                detail={"kind": kind, "bytes": size},
            )
            job_id = job.pk
            transaction.on_commit(lambda: _enqueue(job_id))
    except BaseException:
        target.unlink(missing_ok=True)  # no job row points at it
        raise
    return job


def _enqueue(job_id: int) -> None:
    from painpath.genomics.tasks import run_import_task  # noqa: PLC0415 - huey at runtime

    run_import_task(job_id)


def list_imports(*, actor: Actor, patient_id: int) -> list[PgxImportJob]:
    user = access.require_authenticated(actor.user)
    with transaction.atomic():
        patient = access.get_readable_patient(user, patient_id)
        rows = list(PgxImportJob.objects.filter(patient=patient)[:LISTED])
        audit.record(actor, action=Action.LIST, object_type="PgxImportJob", patient_id=patient.pk)
    return rows


def get_import(*, actor: Actor, patient_id: int, job_id: int) -> PgxImportJob:
    user = access.require_authenticated(actor.user)
    with transaction.atomic():
        patient = access.get_readable_patient(user, patient_id)
        job = PgxImportJob.objects.filter(pk=job_id, patient=patient).first()
        if job is None:
            raise NotFound(_("No such lab file import."))
        audit.record(
            actor,
            action=Action.READ,
            object_type="PgxImportJob",
            object_id=job.pk,
            patient_id=patient.pk,
        )
    return job


def results_of(job: PgxImportJob) -> list[PgxResult]:
    """The results a finished job stored (none until it is done)."""
    if job.upload_id is None:
        return []
    return list(PgxResult.objects.filter(upload_id=job.upload_id).select_related("entered_by"))


class _Progress:
    """Bytes and records read, renewed into the job row with the lease."""

    def __init__(self) -> None:
        self.bytes_read = 0
        self.records = 0
        self.heartbeat: jobs.Heartbeat | None = None

    def __call__(self, bytes_read: int, records: int) -> None:
        self.bytes_read, self.records = bytes_read, records
        if self.heartbeat is not None:
            self.heartbeat()


def _parse(
    job: PgxImportJob, path: Path, progress: _Progress
) -> tuple[list[parsing.GeneResult], list[str]]:
    if job.kind == SourceKind.VCF:
        sample, results, not_called = parsing.parse_vcf(
            path, sample=job.sample or None, limits=vcf_limits(), progress=progress
        )
        return results, services.vcf_notes(sample, results, not_called)
    content = path.read_bytes()  # at most PAINPATH_PGX_UPLOAD_MAX_BYTES
    progress(len(content), 0)
    return parsing.parse_lab_file(job.filename, content), []


def _store(job: PgxImportJob, attempt: int, progress: _Progress) -> None:
    """Read the file and store every result with it, in one transaction, or nothing."""
    if job.created_by is None:
        raise InvalidInput(_("The account that uploaded this file no longer exists."))
    user = access.require_authenticated(job.created_by)
    access.get_patient_for_clinical_write(user, job.patient_id)  # still allowed?
    path = Path(job.stored_path)
    results, notes = _parse(job, path, progress)
    actor = Actor(user=user, label="import")
    with transaction.atomic():
        patient = access.get_patient_for_clinical_write(user, job.patient_id)
        upload, _rows = services.store_file_results(
            actor=actor,
            patient=patient,
            results=results,
            kind=job.kind,
            filename=job.filename,
            content=path.read_bytes(),
            lab_name=job.lab_name,
            report_date=job.report_date,
        )
        if not jobs.fenced(PgxImportJob, job.pk, attempt).update(
            status=JobStatus.DONE,
            upload=upload,
            notes=notes,
            bytes_read=job.size_bytes,
            records=max(progress.records, len(results)),
            finished_at=timezone.now(),
            stored_path="",
        ):
            raise jobs.JobLost  # another attempt has it: store nothing


def _reason(exc: Exception, job: PgxImportJob) -> str:
    if isinstance(exc, PainpathError):
        details = "; ".join(f"{f.field}: {f.message}" for f in exc.fields)
        # The readers name the staged copy; the clinician knows the file by its own name.
        staged = Path(job.stored_path).name
        return f"{exc.message} {details}".strip().replace(staged, job.filename)
    logger.error("lab file import %s failed", job.pk, exc_info=exc)
    return _("The import stopped on an unexpected error (%(kind)s: %(detail)s).") % {
        "kind": type(exc).__name__,
        "detail": str(exc)[:500],
    }


def run_import(*, job_id: int) -> PgxImportJob:
    """Read one lab file and store its results (what the worker runs). Every failure ends the
    job failed with the reason and nothing stored."""
    attempt = jobs.claim(PgxImportJob, job_id)
    job = PgxImportJob.objects.select_related("patient", "created_by").get(pk=job_id)
    if attempt is None:
        return job  # another worker has it, or it has ended
    staged = Path(job.stored_path)
    progress = _Progress()
    progress.heartbeat = jobs.Heartbeat(
        PgxImportJob,
        job.pk,
        attempt,
        fields=lambda: {"bytes_read": progress.bytes_read, "records": progress.records},
    )
    try:
        _store(job, attempt, progress)
    except jobs.JobLost:
        logger.warning("lab file import %s: taken over by a later attempt; stopped", job.pk)
    except Exception as exc:  # every failure ends the job with its reason
        jobs.fenced(PgxImportJob, job.pk, attempt).update(
            status=JobStatus.FAILED,
            error=_reason(exc, job)[:2000],
            bytes_read=progress.bytes_read,
            records=progress.records,
            finished_at=timezone.now(),
            stored_path="",
        )
    job.refresh_from_db()
    if job.status in {JobStatus.DONE, JobStatus.FAILED}:
        staged.unlink(missing_ok=True)
    return job


def _fail_lost(job: PgxImportJob, reason: str) -> None:
    PgxImportJob.objects.filter(pk=job.pk).update(
        error=reason, finished_at=timezone.now(), stored_path=""
    )
    if job.stored_path:
        Path(job.stored_path).unlink(missing_ok=True)


def _remove_orphans() -> int:
    active = set(
        PgxImportJob.objects.filter(status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).values_list(
            "stored_path", flat=True
        )
    )
    cutoff = time.time() - ORPHAN_AGE_SECONDS
    removed = 0
    for path in import_dir().glob("upload-*"):
        if str(path) not in active and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def recover_imports() -> dict[str, int]:
    """Lab file jobs whose worker died: run again (they stored nothing), or failed after the
    last attempt; and staged files left behind. Run every minute by the worker."""
    counts = jobs.recover(
        PgxImportJob, enqueue=_enqueue, fail=_fail_lost, what=_("lab file import")
    )
    counts["files_removed"] = _remove_orphans()
    return counts
