"""API: device sample batches (JSON or NDJSON), daily rollups, imports, neuromodulation log."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.security import HttpBearer

from painpath.accounts.models import User
from painpath.accounts.tokens import authenticate_token
from painpath.core.api import SessionCookieAuth, actor_of
from painpath.core.errors import FieldError, InvalidInput, PayloadTooLarge
from painpath.devices import neuromodulation as neuro
from painpath.devices import services
from painpath.devices.models import DailySummary, ImportJob

router = Router(tags=["devices"])

MAX_BODY_BYTES = 64 * 1024 * 1024
NDJSON_TYPES = {"application/x-ndjson", "application/ndjson", "application/jsonl"}


class DeviceTokenAuth(HttpBearer):
    """API tokens, including tokens scoped to this one patient's samples."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        match = getattr(request, "resolver_match", None)
        scope = match.kwargs.get("patient_id") if match is not None else None
        user = authenticate_token(token, scope_patient_id=int(scope) if scope else None)
        if user is not None:
            request.user = user
        return user


class IngestOut(Schema):
    received: int
    new: int = Field(description="Samples stored by this request")
    duplicates: int = Field(description="Samples already stored (same source, type, start, end)")
    by_type: dict[str, int]


class DailySummaryOut(Schema):
    day: date
    steps: int | None
    active_minutes: int | None
    sedentary_share: float | None
    sleep_minutes: float | None
    sleep_efficiency: float | None
    resting_hr: float | None
    rmssd: float | None
    sdnn: float | None
    pnn50: float | None
    rr_beats: int | None
    rr_removed_share: float | None = Field(description="Share of RR intervals filtered out")
    stim_hours: dict[str, float]


class RangeParams(Schema):
    start: date | None = None
    end: date | None = None


class ImportOut(Schema):
    id: int
    format: str
    file_name: str
    status: str
    processed: int
    new: int
    duplicates: int
    rejected: int
    summary: dict[str, Any]
    error: str
    created_at: datetime


class DeviceIn(Schema):
    type: str = Field(description="SCS, DRG, PNS or TENS")
    make: str = Field(max_length=100)
    model: str = Field(max_length=100)
    implant_date: date | None = None
    leads: str = Field("", max_length=200)


class DeviceOut(DeviceIn):
    id: int
    synthetic: bool


class ProgramIn(Schema):
    name: str = Field(max_length=60)
    waveform: str = Field(description="tonic, burst, high_frequency or other")
    frequency_hz: float
    pulse_width_us: float
    amplitude_ma: float
    burst: dict[str, float] = {}
    contacts: str = Field("", max_length=200, description="Active contacts and polarity")
    cycling: str = Field("", max_length=100)
    closed_loop: bool = False
    amplitude_min_ma: float | None = None
    amplitude_max_ma: float | None = None


class ProgramOut(ProgramIn):
    id: int


class ChangeIn(Schema):
    program_id: int
    changed_at: datetime
    context: str = Field(description="clinician_visit, remote_session or patient")
    reason: str = Field("", max_length=300)


class ChangeOut(ChangeIn):
    id: int


class UsageIn(Schema):
    program_id: int
    day: date
    hours: float


def _parse(request: HttpRequest) -> tuple[list[object], services.SourceData | None]:
    length = int(request.headers.get("Content-Length") or 0)
    if length > MAX_BODY_BYTES:
        raise PayloadTooLarge(_("The body is larger than %d bytes.") % MAX_BODY_BYTES)
    body = request.read(MAX_BODY_BYTES + 1)
    if len(body) > MAX_BODY_BYTES:
        raise PayloadTooLarge(_("The body is larger than %d bytes.") % MAX_BODY_BYTES)
    content_type = (request.content_type or "").lower()
    try:
        if content_type in NDJSON_TYPES:
            lines = [line for line in body.splitlines() if line.strip()]
            if len(lines) > services.MAX_BATCH:
                raise PayloadTooLarge(
                    _("At most %(max)d samples per batch; this one has %(n)d.")
                    % {"max": services.MAX_BATCH, "n": len(lines)}
                )
            return [json.loads(line) for line in lines], None
        data = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInput(
            _("The body is not valid JSON/NDJSON."), fields=[FieldError("body", str(exc))]
        ) from exc
    if isinstance(data, list):
        return data, None
    if not isinstance(data, dict) or not isinstance(data.get("samples"), list):
        raise InvalidInput(
            _('Send a list of samples or {"source": {...}, "samples": [...]}.'),
            fields=[FieldError("samples", _("Required: a list."))],
        )
    source = data.get("source")
    if source is None:
        return data["samples"], None
    if not isinstance(source, dict) or not isinstance(source.get("key"), str):
        raise InvalidInput(
            _("The source is invalid."), fields=[FieldError("source.key", _("Required."))]
        )
    allowed = {"key", "make", "model", "app", "firmware"}
    return data["samples"], services.SourceData(
        **{k: str(v) for k, v in source.items() if k in allowed}
    )


@router.post(
    "/patients/{patient_id}/samples",
    response=IngestOut,
    auth=[DeviceTokenAuth(), SessionCookieAuth()],
    summary="Post a batch of device samples (JSON or NDJSON, at most 100,000)",
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {"schema": {"type": "object"}},
                "application/x-ndjson": {"schema": {"type": "string"}},
            }
        }
    },
)
def post_samples(request: HttpRequest, patient_id: int) -> IngestOut:
    """Each sample: ``{"type", "unit", "value", "start", "end"?, "source"?}`` with ISO 8601
    times carrying an offset. The batch is stored whole or not at all; re-sending stored
    samples is safe (they count as duplicates). Answers after the commit."""
    records, source = _parse(request)
    result = services.ingest_samples(
        actor=actor_of(request), patient_id=patient_id, records=records, source=source
    )
    return IngestOut(**result.__dict__)


@router.get("/patients/{patient_id}/daily-summaries", response=list[DailySummaryOut])
def daily_summaries(
    request: HttpRequest, patient_id: int, params: Query[RangeParams]
) -> list[DailySummary]:
    end = params.end or timezone.localdate()
    start = params.start or end - timedelta(days=90)
    return services.list_daily_summaries(
        actor=actor_of(request), patient_id=patient_id, start=start, end=end
    )


@router.get("/patients/{patient_id}/imports", response=list[ImportOut])
def imports(request: HttpRequest, patient_id: int) -> list[ImportJob]:
    return services.list_imports(actor=actor_of(request), patient_id=patient_id)


@router.post("/patients/{patient_id}/stim-devices", response={201: DeviceOut})
def create_device(request: HttpRequest, patient_id: int, payload: DeviceIn) -> Status[Any]:
    device = neuro.create_device(
        actor=actor_of(request), patient_id=patient_id, **payload.model_dump()
    )
    return Status(201, device)


@router.post("/patients/{patient_id}/stim-devices/{device_id}/programs", response={201: ProgramOut})
def add_program(
    request: HttpRequest, patient_id: int, device_id: int, payload: ProgramIn
) -> Status[Any]:
    program = neuro.add_program(
        actor=actor_of(request),
        patient_id=patient_id,
        device_id=device_id,
        values=payload.model_dump(),
    )
    return Status(201, program)


@router.post("/patients/{patient_id}/stim-devices/{device_id}/changes", response={201: ChangeOut})
def program_change(
    request: HttpRequest, patient_id: int, device_id: int, payload: ChangeIn
) -> Status[Any]:
    change = neuro.record_program_change(
        actor=actor_of(request), patient_id=patient_id, device_id=device_id, **payload.model_dump()
    )
    return Status(201, change)


@router.put("/patients/{patient_id}/stim-devices/{device_id}/usage", response=UsageIn)
def usage(request: HttpRequest, patient_id: int, device_id: int, payload: UsageIn) -> UsageIn:
    neuro.record_usage(
        actor=actor_of(request), patient_id=patient_id, device_id=device_id, **payload.model_dump()
    )
    return payload
