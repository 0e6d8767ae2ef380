"""Wearable file imports: the upload is streamed to disk, then a background job reads it in
chunks (each chunk one transaction, duplicates ignored, so a re-run is safe), reports
progress in bytes, and always ends as done or failed with a reason."""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from painpath import access
from painpath.audit import services as audit
from painpath.audit.models import Action
from painpath.core.context import Actor
from painpath.core.errors import FieldError, InvalidInput, PainpathError
from painpath.devices.models import ImportFormat, ImportJob, ImportStatus
from painpath.devices.services import enqueue_refresh, store_batch
from painpath.interop.wearables.errors import WearableFormatError
from painpath.interop.wearables.files import ReadProgress
from painpath.interop.wearables.schema import validate_samples

__all__ = ["IMPORT_CHUNK", "create_import", "import_dir", "list_imports", "run_import"]

logger = logging.getLogger(__name__)
IMPORT_CHUNK = 10_000
MAX_EXAMPLES = 20

Reader = Callable[..., Iterator[dict[str, Any]]]


def import_dir() -> Path:
    path = Path(settings.VAR_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def create_import(
    *, actor: Actor, patient_id: int, fmt: str, file_name: str, chunks: Iterable[bytes]
) -> ImportJob:
    """Save an uploaded file (streamed to disk, before any transaction so SQLite's write lock
    is not held while it is written), then record the job and queue it."""
    user = access.require_authenticated(actor.user)
    if fmt not in ImportFormat.values:
        raise InvalidInput(
            _("Unknown format."),
            fields=[FieldError("format", _("One of: %s.") % ", ".join(ImportFormat.values))],
        )
    access.get_patient_for_device_upload(user, patient_id)  # 404/403 before writing anything
    target = import_dir() / f"upload-{uuid.uuid4().hex}{Path(file_name).suffix[:10]}"
    size = 0
    try:
        with target.open("wb") as out:
            for chunk in chunks:
                out.write(chunk)
                size += len(chunk)
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


def _flush(job: ImportJob, actor: Actor, chunk: list[object], tally: _Tally, read: int) -> None:
    batch = validate_samples(chunk, now=timezone.now(), default_source=job.format)
    with transaction.atomic():
        if len(batch):
            added, days = store_batch(actor, job.patient, batch, None)
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
        tally.apply(job, read)
        job.save(
            update_fields=["processed", "new", "rejected", "duplicates", "bytes_read", "summary"]
        )


def _read(job: ImportJob, actor: Actor, tally: _Tally, progress: ReadProgress) -> None:
    if job.created_by is None:
        raise InvalidInput(_("The account that uploaded this file no longer exists."))
    user = access.require_authenticated(job.created_by)
    # The uploader must still be allowed to upload for this patient when the job runs.
    access.get_patient_for_device_upload(user, job.patient_id)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING)
    chunk: list[object] = []
    reader = _reader(job.format)
    for record in reader(Path(job.stored_path), skipped=tally.skipped, progress=progress):
        chunk.append(record)
        if len(chunk) >= IMPORT_CHUNK:
            _flush(job, actor, chunk, tally, progress.bytes_read)
            chunk.clear()
    if chunk:
        _flush(job, actor, chunk, tally, progress.bytes_read)


def run_import(*, job_id: int) -> ImportJob:
    """Run one import to the end. Any failure marks the job failed with a reason (the
    traceback goes to the log for unexpected ones), so the page polling it stops; the
    chunks stored before the failure stay, and a re-run stores only what is missing."""
    job = ImportJob.objects.select_related("patient__clinic", "created_by").get(pk=job_id)
    actor = Actor(user=job.created_by, label="import")
    tally = _Tally()
    progress = ReadProgress()
    error = ""
    try:
        _read(job, actor, tally, progress)
    except WearableFormatError as exc:
        error = str(exc)
    except PainpathError as exc:
        error = exc.message
    except Exception as exc:
        logger.exception("import job %s failed", job.pk)
        error = _("The import stopped on an unexpected error (%(kind)s: %(detail)s).") % {
            "kind": type(exc).__name__,
            "detail": str(exc)[:500],
        }
    tally.apply(job, progress.bytes_read if error else job.size_bytes)
    job.status = ImportStatus.FAILED if error else ImportStatus.DONE
    job.error = error[:2000]
    job.finished_at = timezone.now()
    try:
        job.save()
    except Exception:
        # The connection may be what failed: reconnect once so the job still ends.
        logger.exception("import job %s: saving the outcome failed; retrying", job.pk)
        close_old_connections()
        from django.db import connection  # noqa: PLC0415 - only on this rare path

        connection.close()
        job.save()
    # One refresh for the whole file, of the days it touched (chunks stored before a failure
    # count too).
    enqueue_refresh(job.patient_id, tally.days)
    return job
