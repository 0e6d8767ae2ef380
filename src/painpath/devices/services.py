"""Device data: sample batches in (validated, idempotent, one transaction), daily rollups,
device tokens; every read and write checked by the access policy and audited. File imports
are in ``painpath.devices.imports``."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import repeat
from typing import cast

import numpy as np
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from painpath import access
from painpath.accounts.models import ApiToken, User
from painpath.accounts.tokens import IssuedToken, issue_token, revoke_token
from painpath.analytics.daily_summaries import (
    DAY_MS,
    EPOCH_DAY,
    HOUR,
    DaySummary,
    SampleColumns,
    local_ms,
    summarise_days,
)
from painpath.audit import services as audit
from painpath.audit.models import Action
from painpath.core.context import Actor
from painpath.core.errors import FieldError, InvalidInput, NotFound, PayloadTooLarge
from painpath.core.signals import announce_patient_data_changed
from painpath.devices.bulk import (
    SampleRows,
    StoredAlready,
    can_stream,
    insert_columns,
    stream_samples,
)
from painpath.devices.models import DailySummary, DeviceSource, Sample, StimUsage
from painpath.interop.wearables.sample_json import RecordColumns
from painpath.interop.wearables.schema import (
    SampleBatch,
    sample_types,
    source_issues,
    validate_samples,
)
from painpath.patients.models import Patient

__all__ = [
    "MAX_BATCH",
    "IngestResult",
    "SourceData",
    "create_device_token",
    "enqueue_refresh",
    "ingest_samples",
    "list_daily_summaries",
    "list_device_tokens",
    "refresh_daily_summaries",
    "revoke_device_token",
    "store_batch",
]

logger = logging.getLogger(__name__)
MAX_BATCH = 100_000
MAX_LISTED_ISSUES = 200
STREAM_CHUNK = 2_500  # records validated while the database inserts the previous ones
REFRESH_WINDOW_DAYS = 31  # one transaction per window keeps SQLite's write lock short


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
    def load() -> dict[str, tuple[int, tuple[str, ...]]]:
        rows = DeviceSource.objects.filter(patient=patient, key__in=keys).values_list(
            "key", "pk", "make", "model", "app", "firmware"
        )
        return {key: (pk, tuple(meta)) for key, pk, *meta in rows}

    found = load()
    missing = [DeviceSource(patient=patient, key=k) for k in sorted(keys - set(found))]
    if missing:
        DeviceSource.objects.bulk_create(missing, ignore_conflicts=True)
        found = load()
    if described is not None:
        meta = (
            described.make[:100],
            described.model[:100],
            described.app[:100],
            described.firmware[:50],
        )
        stored = found.get(described.key)
        if stored is None or stored[1] != meta:  # a device re-sends the same description
            make, model, app, firmware = meta
            DeviceSource.objects.filter(patient=patient, key=described.key).update(
                make=make, model=model, app=app, firmware=firmware
            )
    return {key: pk for key, (pk, _meta) in found.items()}


def _distinct(values: np.ndarray) -> np.ndarray:
    """The sorted distinct values: a count per value when they lie close together (a
    device's batch spans hours, not years), else a sort."""
    lo, hi = int(values.min()), int(values.max())
    if hi - lo < 4 * values.size + 1024:
        return np.flatnonzero(np.bincount(values - lo)) + lo
    return np.unique(values)


def touched_days(patient: Patient, batch: SampleBatch) -> set[date]:
    """Local days whose rollups a batch can change (a sleep stage counts to the next noon)."""
    if not len(batch):
        return set()
    starts = np.asarray(batch.start_ms, dtype=np.int64)
    ends = starts + np.asarray(batch.duration_ms, dtype=np.int64)
    # ``local_days`` takes one UTC offset per UTC hour. With a whole-hour offset a UTC hour is
    # within one local day, so the distinct hours of the moments give every day they give.
    hours = _distinct(np.concatenate([starts, ends, ends + DAY_MS // 2]) // HOUR)
    pid = np.full(hours.size, patient.pk, dtype=np.int64)
    zone = {patient.pk: patient.timezone_name}
    local = local_ms(pid, hours * HOUR, zone)
    if ((local - hours * HOUR) % HOUR).any():
        # A half-hour zone: an hour can span two local days, so each hour's first and last
        # moment decide (within an hour the local day only grows with time).
        moments = np.concatenate([starts, ends, ends + DAY_MS // 2])
        moments.sort()
        edge = np.flatnonzero(moments[1:] // HOUR != moments[:-1] // HOUR)
        moments = moments[np.unique(np.concatenate([[0], edge, edge + 1, [moments.size - 1]]))]
        local = local_ms(np.full(moments.size, patient.pk, dtype=np.int64), moments, zone)
    days = np.unique(local // DAY_MS)
    return {EPOCH_DAY + timedelta(days=int(d)) for d in days.tolist()}


def _rows(patient: Patient, batch: SampleBatch, ids: dict[str, int]) -> SampleRows:
    source_id: int | list[int]
    if len(ids) == 1:  # the usual batch: one device, one id for every row
        source_id = next(iter(ids.values()))
    else:
        source_id = list(map(ids.__getitem__, batch.sources))
    return SampleRows(
        patient_id=patient.pk,
        source_id=source_id,
        types=batch.types,
        start_ms=batch.start_ms,
        duration_ms=batch.duration_ms,
        values=batch.values,
    )


def _audit_batch(
    actor: Actor, patient: Patient, batch: SampleBatch, new: int, days: set[date] | None = None
) -> set[date]:
    """The audit row and the change signal of a stored batch; the local days it touched
    (none when nothing was new)."""
    audit.record(
        actor,
        action=Action.CREATE,
        object_type="SampleBatch",
        patient_id=patient.pk,
        detail={"received": len(batch), "new": new, "by_type": batch.counts_by_type()},
    )
    if not new:
        return set()
    announce_patient_data_changed(patient_id=patient.pk, kind="samples")
    return touched_days(patient, batch) if days is None else days


def store_batch(
    actor: Actor, patient: Patient, batch: SampleBatch, source: SourceData | None
) -> tuple[int, set[date]]:
    """Insert a valid batch in the caller's transaction and audit it. Returns the new count
    and the local days it touched (empty when nothing was new); the caller queues their
    refresh (once per request, or once per file import)."""
    ids = _sources(patient, set(batch.sources), source)
    new = insert_columns(_rows(patient, batch, ids))
    return new, _audit_batch(actor, patient, batch, new)


def _stream_batch(
    patient: Patient,
    records: list[dict[str, object]] | RecordColumns,
    *,
    now: datetime,
    source: SourceData | None,
) -> tuple[SampleBatch, int, set[date]]:
    """Validate a large batch chunk by chunk, each valid chunk's rows going to the database
    while the next is validated (PostgreSQL inserts in its own process meanwhile). The first
    invalid record stops the sending; validation goes on to list every issue, and the rows
    sent are then not stored. Returns the batch, the new count and the touched days; raises
    ``StoredAlready`` (the transaction to be rolled back) if a sample was stored already."""
    default = source.key if source else None
    # The source of every record that could be valid: exactly the sources of a valid batch
    # (an invalid one rolls back, sources made for it included).
    given = (
        records.field("source", default)
        if isinstance(records, RecordColumns)
        else map(dict.get, records, repeat("source"), repeat(default))
    )
    keys = {key for key in given if type(key) is str and 0 < len(key) <= 64}
    ids = _sources(patient, keys, source)
    batch = SampleBatch()
    days: set[date] = set()
    with stream_samples(savepoint=False) as stream:  # a conflict: the caller starts again
        for lo in range(0, len(records), STREAM_CHUNK):
            part = validate_samples(
                records[lo : lo + STREAM_CHUNK], now=now, default_source=default, first_index=lo
            )
            batch.extend(part)
            if not batch.issues:
                stream.write(_rows(patient, part, {k: ids[k] for k in set(part.sources)}))
        if batch.issues:
            stream.cancel()
        else:
            days = touched_days(patient, batch)  # while the server finishes the COPY
    return batch, stream.new, days


def enqueue_refresh(patient_id: int, days: Iterable[date]) -> None:
    """Queue the rollup refresh of ``days`` after the current transaction commits."""
    names = sorted(d.isoformat() for d in set(days))
    if not names:
        return

    def send() -> None:
        from painpath.devices.tasks import refresh_summaries_task  # noqa: PLC0415 - huey

        refresh_summaries_task(patient_id, names)

    transaction.on_commit(send)


def ingest_samples(
    *,
    actor: Actor,
    patient_id: int,
    records: list[object] | RecordColumns,
    source: SourceData | None = None,
) -> IngestResult:
    """Validate every record, then store the whole batch in one transaction or nothing."""
    user = access.require_authenticated(actor.user)
    if source is not None and (problems := source_issues(source.__dict__)):
        raise InvalidInput(
            _("The source is invalid; nothing was stored."),
            fields=[FieldError(f"source.{name}", rule) for name, rule in problems],
        )
    if len(records) > MAX_BATCH:
        raise PayloadTooLarge(
            _("At most %(max)d samples per batch; this one has %(n)d.")
            % {"max": MAX_BATCH, "n": len(records)}
        )
    now = timezone.now()
    # PostgreSQL takes a large batch of plain records while it is being validated; otherwise
    # (and on SQLite, whose write lock should not wait for validation) validate first.
    if (
        len(records) > STREAM_CHUNK
        and can_stream()
        and (isinstance(records, RecordColumns) or set(map(type, records)) == {dict})
    ):
        try:
            return _ingest(actor, user, patient_id, records, source, now=now, streamed=True)
        except StoredAlready:
            pass  # samples stored already (a retry, or sent at once): the conflict-safe path
    return _ingest(actor, user, patient_id, records, source, now=now, streamed=False)


def _ingest(
    actor: Actor,
    user: User,
    patient_id: int,
    records: list[object] | RecordColumns,
    source: SourceData | None,
    *,
    now: datetime,
    streamed: bool,
) -> IngestResult:
    batch = SampleBatch()
    if not streamed:
        batch = validate_samples(records, now=now, default_source=source.key if source else None)
    with transaction.atomic():
        patient = access.get_patient_for_self_report(user, patient_id)
        if streamed:
            # the caller checked: columns, or all dicts
            plain = cast("list[dict[str, object]] | RecordColumns", records)
            batch, new, days = _stream_batch(patient, plain, now=now, source=source)
        if batch.issues:
            raise InvalidInput(
                _("%(n)d of %(total)d samples are invalid; nothing was stored.")
                % {"n": len({i.index for i in batch.issues}), "total": batch.received},
                fields=[
                    FieldError(f"samples[{i.index}].{i.field}", i.rule)
                    for i in batch.issues[:MAX_LISTED_ISSUES]
                ],
            )
        if streamed:
            days = _audit_batch(actor, patient, batch, new, days)
        else:
            new, days = store_batch(actor, patient, batch, source)
        enqueue_refresh(patient.pk, days)
    return IngestResult(
        received=batch.received,
        new=new,
        duplicates=batch.received - new,
        by_type=batch.counts_by_type(),
    )


def _windows(days: list[date]) -> list[list[date]]:
    """Sorted days in runs no wider than REFRESH_WINDOW_DAYS."""
    out: list[list[date]] = []
    for day in days:
        if out and (day - out[-1][0]).days < REFRESH_WINDOW_DAYS:
            out[-1].append(day)
        else:
            out.append([day])
    return out


def refresh_daily_summaries(*, patient_ids: Iterable[int], days: Iterable[date]) -> int:
    """Recompute the stored rollups of the given patients' days (system work, no actor).

    Safe to run concurrently for overlapping days: each window locks the patients' rows
    first (SELECT ... FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE transactions take the
    write lock up front), then reads, deletes and inserts, so refreshes of one patient run
    one after the other and the last one sees every committed sample."""
    ids = sorted(set(patient_ids))
    total = 0
    for window in _windows(sorted(set(days))):
        total += _refresh_window(ids, set(window))
    return total


def _refresh_window(ids: list[int], day_set: set[date]) -> int:
    lo = (min(day_set) - EPOCH_DAY).days - 2
    hi = (max(day_set) - EPOCH_DAY).days + 2
    with transaction.atomic():
        patients = {
            p.pk: p
            for p in Patient.objects.select_for_update(of=("self",))
            .select_related("clinic")
            .filter(pk__in=ids)
            .order_by("pk")
        }
        rows = list(
            # type IN (...) lets each (patient, type) be one range scan of the primary key.
            Sample.objects.filter(
                patient_id__in=list(patients),
                type__in=sorted(t.code for t in sample_types().values()),
                start_ms__gte=lo * DAY_MS,
                start_ms__lt=hi * DAY_MS,
            ).values_list("patient_id", "type", "start_ms", "duration_ms", "value", "source_id")
        )
        tz = {pid: p.timezone_name for pid, p in patients.items()}
        summaries = {
            (s.patient_id, s.day): s
            for s in summarise_days(SampleColumns.from_rows(rows), tz)
            if s.day in day_set
        }
        # Stimulator hours per program id (names repeat across devices).
        usage: dict[tuple[int, date], dict[str, float]] = {}
        for pid, day, program_id, hours in StimUsage.objects.filter(
            program__device__patient_id__in=list(patients), day__in=day_set
        ).values_list("program__device__patient_id", "day", "program_id", "hours"):
            usage.setdefault((pid, day), {})[str(program_id)] = hours
        for key in usage.keys() - summaries.keys():  # usage but no samples: still a day
            summaries[key] = DaySummary(patient_id=key[0], day=key[1])
        DailySummary.objects.filter(patient_id__in=list(patients), day__in=day_set).delete()
        DailySummary.objects.bulk_create(
            [
                DailySummary(**s.__dict__, stim_hours=usage.get(key, {}))
                for key, s in sorted(summaries.items())
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


# ---- device tokens (a patient's own, scoped to posting their samples) ---------------------


def create_device_token(*, actor: Actor, patient_id: int, name: str) -> IssuedToken:
    """A token that may only post this patient's samples; its secret is returned once."""
    user = access.require_authenticated(actor.user)
    with transaction.atomic():
        patient = access.get_patient_for_self_report(user, patient_id)
        issued = issue_token(user=user, name=name, patient_id=patient.pk)
        audit.record(
            actor,
            action=Action.CREATE,
            object_type="ApiToken",
            object_id=issued.token.pk,
            patient_id=patient.pk,
            detail={"scope": "device-samples"},
        )
    return issued


def list_device_tokens(*, actor: Actor, patient_id: int) -> list[ApiToken]:
    user = access.require_authenticated(actor.user)
    with transaction.atomic():
        patient = access.get_patient_for_self_report(user, patient_id)
        tokens = list(ApiToken.objects.filter(user=user, patient=patient))
        audit.record(actor, action=Action.LIST, object_type="ApiToken", patient_id=patient.pk)
    return tokens


def revoke_device_token(*, actor: Actor, patient_id: int, token_id: int) -> ApiToken:
    user = access.require_authenticated(actor.user)
    with transaction.atomic():
        patient = access.get_patient_for_self_report(user, patient_id)
        if not ApiToken.objects.filter(pk=token_id, user=user, patient=patient).exists():
            raise NotFound(_("No such device token."))
        token = revoke_token(user=user, token_id=token_id)
        audit.record(
            actor,
            action=Action.UPDATE,
            object_type="ApiToken",
            object_id=token.pk,
            patient_id=patient.pk,
            detail={"revoked": True},
        )
    return token
