"""Device data: sample batches in (validated, idempotent, one transaction), file imports,
daily rollups; every read and write checked by the access policy and audited."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from painpath import access
from painpath.analytics.daily_summaries import SampleColumns, local_days, summarise_days
from painpath.audit import services as audit
from painpath.audit.models import Action
from painpath.core.context import Actor
from painpath.core.errors import FieldError, Forbidden, InvalidInput, PayloadTooLarge
from painpath.core.signals import announce_patient_data_changed
from painpath.devices.bulk import insert_samples
from painpath.devices.models import (
    DailySummary,
    DeviceSource,
    ImportFormat,
    ImportJob,
    ImportStatus,
    Sample,
    StimUsage,
)
from painpath.interop.wearables.schema import SampleBatch, validate_samples
from painpath.patients.models import Patient

__all__ = [
    "MAX_BATCH",
    "IngestResult",
    "SourceData",
    "create_import",
    "ingest_samples",
    "list_daily_summaries",
    "list_imports",
    "refresh_daily_summaries",
    "run_import",
]

logger = logging.getLogger(__name__)
MAX_BATCH = 100_000
MAX_LISTED_ISSUES = 200
IMPORT_CHUNK = 10_000


@dataclass(frozen=True)
class SourceData:
    key: str
    make: str = ""
    model: str = ""
    app: str = ""
    firmware: str = ""


@dataclass(frozen=True)
class IngestResult:
    received: int
    new: int
    duplicates: int
    by_type: dict[str, int] = field(default_factory=dict)


def _sources(patient: Patient, keys: set[str], described: SourceData | None) -> dict[str, int]:
    found = {s.key: s.pk for s in DeviceSource.objects.filter(patient=patient, key__in=keys)}
    missing = [DeviceSource(patient=patient, key=k) for k in sorted(keys - set(found))]
    if missing:
        DeviceSource.objects.bulk_create(missing, ignore_conflicts=True)
        found = {s.key: s.pk for s in DeviceSource.objects.filter(patient=patient, key__in=keys)}
    if described is not None:
        DeviceSource.objects.filter(patient=patient, key=described.key).update(
            make=described.make[:100],
            model=described.model[:100],
            app=described.app[:100],
            firmware=described.firmware[:50],
        )
    return found


def _touched_days(patient: Patient, batch: SampleBatch) -> list[date]:
    starts = np.asarray(batch.start_ms, dtype=np.int64)
    ends = starts + np.asarray(batch.duration_ms, dtype=np.int64)
    both = np.concatenate([starts, ends, ends + 43_200_000])  # + noon-to-noon nights
    pid = np.full(both.size, patient.pk, dtype=np.int64)
    days = np.unique(local_days(pid, both, {patient.pk: patient.timezone_name}))
    return [date(1970, 1, 1) + timedelta(days=int(d)) for d in days]


def _store(actor: Actor, patient: Patient, batch: SampleBatch, source: SourceData | None) -> int:
    """Insert a valid batch in the caller's transaction, audit it, schedule the rollups."""
    ids = _sources(patient, set(batch.sources), source)
    rows = [
        (patient.pk, t, s, d, ids[k], v)
        for k, t, s, d, v in zip(
            batch.sources,
            batch.types,
            batch.start_ms,
            batch.duration_ms,
            batch.values,
            strict=True,
        )
    ]
    new = insert_samples(rows)
    audit.record(
        actor,
        action=Action.CREATE,
        object_type="SampleBatch",
        patient_id=patient.pk,
        detail={"received": len(rows), "new": new, "by_type": batch.counts_by_type()},
    )
    if new:
        announce_patient_data_changed(patient_id=patient.pk, kind="samples")
        days = [d.isoformat() for d in _touched_days(patient, batch)]
        transaction.on_commit(lambda: _enqueue_refresh(patient.pk, days))
    return new


def _enqueue_refresh(patient_id: int, days: list[str]) -> None:
    from painpath.devices.tasks import refresh_summaries_task  # noqa: PLC0415 - huey at runtime

    refresh_summaries_task(patient_id, days)


def ingest_samples(
    *,
    actor: Actor,
    patient_id: int,
    records: list[object],
    source: SourceData | None = None,
) -> IngestResult:
    """Validate every record, then store the whole batch in one transaction or nothing."""
    user = access.require_authenticated(actor.user)
    if len(records) > MAX_BATCH:
        raise PayloadTooLarge(
            _("At most %(max)d samples per batch; this one has %(n)d.")
            % {"max": MAX_BATCH, "n": len(records)}
        )
    batch = validate_samples(
        records, now=timezone.now(), default_source=source.key if source else None
    )
    with transaction.atomic():
        patient = access.get_patient_for_self_report(user, patient_id)
        if batch.issues:
            raise InvalidInput(
                _("%(n)d of %(total)d samples are invalid; nothing was stored.")
                % {"n": len({i.index for i in batch.issues}), "total": batch.received},
                fields=[
                    FieldError(f"samples[{i.index}].{i.field}", i.rule)
                    for i in batch.issues[:MAX_LISTED_ISSUES]
                ],
            )
        new = _store(actor, patient, batch, source)
    return IngestResult(
        received=batch.received,
        new=new,
        duplicates=batch.received - new,
        by_type=batch.counts_by_type(),
    )


def refresh_daily_summaries(*, patient_ids: Iterable[int], days: Iterable[date]) -> int:
    """Recompute the stored rollups of the given patients' days (system work, no actor)."""
    day_set = set(days)
    if not day_set:
        return 0
    patients = {
        p.pk: p for p in Patient.objects.select_related("clinic").filter(pk__in=patient_ids)
    }
    lo = min(day_set) - timedelta(days=2)
    hi = max(day_set) + timedelta(days=2)
    lo_ms = (lo - date(1970, 1, 1)).days * 86_400_000
    hi_ms = (hi - date(1970, 1, 1)).days * 86_400_000
    rows = list(
        Sample.objects.filter(
            patient_id__in=list(patients), start_ms__gte=lo_ms, start_ms__lt=hi_ms
        ).values_list("patient_id", "type", "start_ms", "duration_ms", "value")
    )
    cols = SampleColumns.from_rows(rows)
    tz = {pid: p.timezone_name for pid, p in patients.items()}
    summaries = [s for s in summarise_days(cols, tz) if s.day in day_set]
    usage: dict[tuple[int, date], dict[str, float]] = {}
    for pid, day, name, hours in StimUsage.objects.filter(
        program__device__patient_id__in=list(patients), day__in=day_set
    ).values_list("program__device__patient_id", "day", "program__name", "hours"):
        usage.setdefault((pid, day), {})[name] = hours
    with transaction.atomic():
        DailySummary.objects.filter(patient_id__in=list(patients), day__in=day_set).delete()
        DailySummary.objects.bulk_create(
            [
                DailySummary(**s.__dict__, stim_hours=usage.get((s.patient_id, s.day), {}))
                for s in summaries
            ],
            batch_size=2000,
        )
    return len(summaries)


def list_daily_summaries(
    *, actor: Actor, patient_id: int, start: date, end: date
) -> list[DailySummary]:
    user = access.require_authenticated(actor.user)
    with transaction.atomic():
        patient = access.get_readable_patient(user, patient_id)
        items = list(DailySummary.objects.filter(patient=patient, day__gte=start, day__lte=end))
        audit.record(
            actor,
            action=Action.READ,
            object_type="DailySummary",
            patient_id=patient.pk,
            detail={"start": start.isoformat(), "end": end.isoformat(), "days": len(items)},
        )
    return items


def import_dir() -> Path:
    path = Path(settings.VAR_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def create_import(
    *, actor: Actor, patient_id: int, fmt: str, file_name: str, chunks: Iterable[bytes]
) -> ImportJob:
    """Save an uploaded file (streamed to disk) and queue its import."""
    user = access.require_authenticated(actor.user)
    if fmt not in ImportFormat.values:
        raise InvalidInput(
            _("Unknown format."),
            fields=[FieldError("format", _("One of: %s.") % ", ".join(ImportFormat.values))],
        )
    with transaction.atomic():
        patient = access.get_readable_patient(user, patient_id)
        if patient.user_id != user.pk and not access.can_edit_patients(user):
            raise Forbidden(_("Only the patient or their clinicians may upload device files."))
        job = ImportJob.objects.create(
            patient=patient, created_by=user, format=fmt, file_name=file_name[:255]
        )
        target = import_dir() / f"job-{job.pk}{Path(file_name).suffix[:10]}"
        size = 0
        with target.open("wb") as out:
            for chunk in chunks:
                out.write(chunk)
                size += len(chunk)
        job.stored_path, job.size_bytes = str(target), size
        job.save(update_fields=["stored_path", "size_bytes"])
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


def _records(job: ImportJob, skipped: Counter[str]) -> Iterable[dict[str, object]]:
    from painpath.interop.wearables.apple_health import read_apple_health  # noqa: PLC0415
    from painpath.interop.wearables.csv_samples import read_csv_samples  # noqa: PLC0415
    from painpath.interop.wearables.openmhealth import read_openmhealth  # noqa: PLC0415

    reader = {
        ImportFormat.APPLE_HEALTH: read_apple_health,
        ImportFormat.OPEN_MHEALTH: read_openmhealth,
        ImportFormat.CSV: read_csv_samples,
    }[ImportFormat(job.format)]
    return reader(Path(job.stored_path), skipped=skipped)


def run_import(*, job_id: int) -> ImportJob:
    """Stream the file in chunks: each chunk's valid rows are stored in one transaction
    (duplicates ignored, so a re-run after a crash is safe); invalid rows are listed."""
    from painpath.interop.wearables.errors import WearableFormatError  # noqa: PLC0415

    job = ImportJob.objects.select_related("patient__clinic", "created_by").get(pk=job_id)
    actor = Actor(user=job.created_by, label="import")
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING)
    skipped: Counter[str] = Counter()
    by_type: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    examples: list[str] = []
    chunk: list[object] = []
    processed = new = rejected = 0

    def flush() -> None:
        nonlocal processed, new, rejected
        batch = validate_samples(chunk, now=timezone.now(), default_source=job.format)
        with transaction.atomic():
            added = _store(actor, job.patient, batch, None) if len(batch) else 0
            processed += batch.received
            new += added
            rejected += len({i.index for i in batch.issues})
            by_type.update(batch.counts_by_type())
            for issue in batch.issues:
                reasons[f"{issue.field}: {issue.rule}"] += 1
                if len(examples) < 20:
                    examples.append(
                        f"#{processed - batch.received + issue.index + 1} "
                        f"{issue.field}: {issue.rule}"
                    )
            ImportJob.objects.filter(pk=job.pk).update(
                processed=processed,
                new=new,
                rejected=rejected,
                duplicates=processed - new - rejected,
            )
        chunk.clear()

    try:
        for record in _records(job, skipped):
            chunk.append(record)
            if len(chunk) >= IMPORT_CHUNK:
                flush()
        if chunk:
            flush()
    except (WearableFormatError, OSError) as exc:
        job.status, job.error = ImportStatus.FAILED, str(exc)[:2000]
    else:
        job.status = ImportStatus.DONE
    job.processed, job.new, job.rejected = processed, new, rejected
    job.duplicates = processed - new - rejected
    job.summary = {
        "by_type": dict(by_type),
        "skipped_types": dict(skipped.most_common(20)),
        "rejected_reasons": dict(reasons.most_common(20)),
        "rejected_examples": examples,
    }
    job.finished_at = timezone.now()
    job.save()
    return job
