"""Lab file uploads (VCF, CSV, JSON) read in the worker, not in the web request.

The upload is streamed to disk (at most ``PAINPATH_PGX_UPLOAD_MAX_BYTES``), its metadata and
kind checked at once (422), then a job reads it under a lease (``painpath.core.file_jobs``,
which runs wearable imports too) with progress (bytes and records read) and ends done, with
its results, or failed, with the reason. Reading is bounded (VCF:
``PAINPATH_PGX_MAX_EXPANDED_BYTES``, ``PAINPATH_PGX_MAX_RECORDS``,
``PAINPATH_IMPORT_MAX_LINE_BYTES``). All of a file's results are stored in one transaction,
with the file kept as received (``PgxUpload``, their source document), or nothing is: a file
with any bad row stores nothing, and a job whose worker died stored nothing and simply runs
again. The staged upload is deleted when its job ends.
"""

from __future__ import annotations

from collections.abc import Iterable
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
from painpath.clinical import pgx
from painpath.core import file_jobs, jobs
from painpath.core.context import Actor
from painpath.core.errors import InvalidInput, NotFound, PainpathError
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

HEAD_BYTES = 16
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
        # Done with the results, only while the job is still this attempt's: otherwise
        # JobLost rolls the results back (another attempt has it).
        file_jobs.end(
            PgxImportJob,
            job.pk,
            attempt,
            error="",
            upload=upload,
            notes=notes,
            bytes_read=job.size_bytes,
            records=max(progress.records, len(results)),
        )


def _reason(exc: Exception, job: PgxImportJob) -> str:
    if isinstance(exc, PainpathError):
        details = "; ".join(f"{f.field}: {f.message}" for f in exc.fields)
        # The readers name the staged copy; the clinician knows the file by its own name.
        staged = Path(job.stored_path).name
        return f"{exc.message} {details}".strip().replace(staged, job.filename)
    return file_jobs.unexpected(exc, what="lab file import", pk=job.pk)


def _load(job_id: int) -> PgxImportJob:
    return PgxImportJob.objects.select_related("patient", "created_by").get(pk=job_id)


def run_import(*, job_id: int) -> PgxImportJob:
    """Read one lab file and store its results (what the worker runs). Every failure ends the
    job failed with the reason and nothing stored."""
    progress = _Progress()

    def read_so_far() -> dict[str, Any]:
        return {"bytes_read": progress.bytes_read, "records": progress.records}

    def work(job: PgxImportJob, attempt: int) -> None:
        progress.heartbeat = jobs.Heartbeat(PgxImportJob, job.pk, attempt, fields=read_so_far)
        _store(job, attempt, progress)

    job, _ended = file_jobs.run_attempt(
        PgxImportJob,
        job_id,
        load=_load,
        work=work,
        reason=_reason,
        failed_fields=read_so_far,
        what="lab file import",
    )
    return job


def recover_imports() -> dict[str, int]:
    """Lab file jobs whose worker died: run again (they stored nothing), or failed after the
    last attempt; and staged files left behind. Run every minute by the worker."""
    return file_jobs.sweep(
        PgxImportJob, directory=import_dir(), enqueue=_enqueue, what=_("lab file import")
    )
