"""API: device sample batches (JSON or NDJSON), daily rollups, imports, neuromodulation log."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

import orjson
from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.security import HttpBearer

from painpath.accounts.models import User
from painpath.accounts.tokens import authenticate_token
from painpath.core.api import SessionCookieAuth, actor_of
from painpath.core.errors import FieldError, InvalidInput, PayloadTooLarge
from painpath.devices import imports as import_services
from painpath.devices import neuro_reads as reads
from painpath.devices import neuromodulation as neuro
from painpath.devices import services
from painpath.devices.models import (
    DailySummary,
    ImportJob,
    ProgramChange,
    Sensation,
    StimDevice,
    StimProgram,
    StimUsage,
)
from painpath.interop.limits import LimitExceeded, check_json
from painpath.interop.wearables.sample_json import RecordColumns, read_batch

router = Router(tags=["devices"])

MAX_BODY_BYTES = settings.SAMPLES_MAX_BODY_BYTES
MAX_JSON_DEPTH = 64
NDJSON_TYPES = {"application/x-ndjson", "application/ndjson", "application/jsonl"}


class DeviceTokenAuth(HttpBearer):
    """API tokens, including tokens scoped to this one patient's samples."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        match = getattr(request, "resolver_match", None)
        scope = match.kwargs.get("patient_id") if match is not None else None
        try:
            scope_id = int(scope) if scope is not None else None
        except (TypeError, ValueError) as exc:
            raise InvalidInput(
                _("The patient id in the path is not a number."),
                fields=[FieldError("patient_id", _("Must be a whole number."))],
            ) from exc
        user = authenticate_token(token, scope_patient_id=scope_id)
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
    stim_hours: dict[str, float] = Field(description="Stimulator hours on, by program id")


class RangeParams(Schema):
    start: date | None = None
    end: date | None = None


class ImportOut(Schema):
    id: int
    format: str
    file_name: str
    status: str
    size_bytes: int
    bytes_read: int = Field(description="Progress: bytes of the file read so far")
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


class ProgramIn(Schema):
    name: str = Field(max_length=60)
    waveform: str = Field(description="tonic, burst, high_frequency or other")
    frequency_hz: float
    pulse_width_us: float
    amplitude_ma: float
    burst: dict[str, float] = Field(
        default_factory=dict, description="Burst parameters, e.g. pulses, intra_burst_hz"
    )
    contacts: str = Field("", max_length=200, description="Active contacts and polarity")
    cycling: str = Field("", max_length=100)
    closed_loop: bool = False
    amplitude_min_ma: float | None = None
    amplitude_max_ma: float | None = None


class ProgramOut(ProgramIn):
    id: int


class DeviceOut(DeviceIn):
    id: int
    synthetic: bool


class DeviceDetailOut(DeviceOut):
    programs: list[ProgramOut]

    @staticmethod
    def resolve_programs(obj: StimDevice) -> list[StimProgram]:
        return list(obj.programs.all())  # prefetched by the read service


class ChangeIn(Schema):
    program_id: int
    changed_at: datetime
    context: str = Field(description="clinician_visit, remote_session or patient")
    reason: str = Field("", max_length=300)


class ChangeOut(ChangeIn):
    id: int
    device_id: int
    changed_by_id: int | None = Field(description="Who made the change (None: not known)")
    entered_by_id: int | None = Field(description="Who recorded it here")


class ChangeEffectOut(Schema):
    change: ChangeOut
    day: date = Field(description="The change's local day in the patient's time zone")
    pain_before: float | None
    pain_after: float | None
    days_before: int
    days_after: int


class UsageIn(Schema):
    program_id: int
    day: date
    hours: float


class SensationIn(Schema):
    device_id: int
    day: date
    paresthesia_coverage: int | None = Field(None, description="Share of the painful area, 0-100 %")
    overstimulation: int | None = Field(None, description="0 (none) to 4")
    note: str = Field("", max_length=500)


class SensationOut(SensationIn):
    id: int
    reported_at: datetime


# orjson reads a batch in half the time; on anything it rejects (NaN, BOM, UTF-16, lone
# surrogates, integers past 64 bits) the standard library reads the body as before, so the
# result and every error message are exactly the standard library's. A run of 19 or more
# digits goes to the standard library too, since orjson reads integers beyond 64 bits as
# floats (found by mapping every digit to "0", a fraction of a millisecond per megabyte).
_DIGITS_AS_ZERO = bytes(48 if 48 <= i <= 57 else 32 for i in range(256))
_LONG_NUMBER = b"0" * 19


def _loads(data: bytes) -> Any:
    if _LONG_NUMBER not in data.translate(_DIGITS_AS_ZERO):
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            pass
    # The standard library recurses per level (a body of 100,000 "[" would end in a
    # RecursionError): measure the nesting first.
    check_json(data, max_depth=MAX_JSON_DEPTH, max_token=MAX_BODY_BYTES)
    return json.loads(data)


def _json_lines(body: bytes) -> list[object]:
    lines = body.split(b"\n")
    if sum(1 for line in lines if line.strip()) > services.MAX_BATCH:
        raise PayloadTooLarge(
            _("At most %(max)d samples per batch; this one has more.") % {"max": services.MAX_BATCH}
        )
    records = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            records.append(_loads(line))
        except (json.JSONDecodeError, UnicodeDecodeError, LimitExceeded) as exc:
            raise InvalidInput(
                _("Line %(n)d of the NDJSON body is not valid JSON.") % {"n": number},
                fields=[FieldError(f"line {number}", str(exc))],
            ) from exc
    return records


def _source(source: object) -> services.SourceData | None:
    """The batch's ``source`` object: a key, and the device's description."""
    if source is None:
        return None
    if not isinstance(source, dict) or not isinstance(source.get("key"), str):
        raise InvalidInput(
            _("The source is invalid."), fields=[FieldError("source.key", _("Required."))]
        )
    allowed = {"key", "make", "model", "app", "firmware"}
    return services.SourceData(**{k: str(v) for k, v in source.items() if k in allowed})


def _parse(
    request: HttpRequest,
) -> tuple[list[object] | RecordColumns, services.SourceData | None]:
    length = int(request.headers.get("Content-Length") or 0)
    if length > MAX_BODY_BYTES:
        raise PayloadTooLarge(_("The body is larger than %d bytes.") % MAX_BODY_BYTES)
    body = request.read(MAX_BODY_BYTES + 1)
    if len(body) > MAX_BODY_BYTES:
        raise PayloadTooLarge(_("The body is larger than %d bytes.") % MAX_BODY_BYTES)
    if (request.content_type or "").lower() in NDJSON_TYPES:
        return _json_lines(body), None
    fast = read_batch(body)  # the usual device batch, straight into columns
    if fast is not None:
        return fast[0], _source(fast[1])
    try:
        data = _loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError, LimitExceeded) as exc:
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
    return data["samples"], _source(data.get("source"))


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


def _range(params: RangeParams, days: int = 90) -> tuple[date, date]:
    end = params.end or timezone.localdate()
    return params.start or end - timedelta(days=days), end


@router.get("/patients/{patient_id}/daily-summaries", response=list[DailySummaryOut])
def daily_summaries(
    request: HttpRequest, patient_id: int, params: Query[RangeParams]
) -> list[DailySummary]:
    start, end = _range(params)
    return services.list_daily_summaries(
        actor=actor_of(request), patient_id=patient_id, start=start, end=end
    )


@router.get("/patients/{patient_id}/imports", response=list[ImportOut])
def imports(request: HttpRequest, patient_id: int) -> list[ImportJob]:
    return import_services.list_imports(actor=actor_of(request), patient_id=patient_id)


# ---- neuromodulation ---------------------------------------------------------------------


@router.get("/patients/{patient_id}/stim-devices", response=list[DeviceDetailOut])
def list_devices(request: HttpRequest, patient_id: int) -> list[StimDevice]:
    return reads.list_devices(actor=actor_of(request), patient_id=patient_id)


@router.post("/patients/{patient_id}/stim-devices", response={201: DeviceOut})
def create_device(request: HttpRequest, patient_id: int, payload: DeviceIn) -> Status[Any]:
    device = neuro.create_device(
        actor=actor_of(request), patient_id=patient_id, **payload.model_dump()
    )
    return Status(201, device)


@router.get("/patients/{patient_id}/stim-devices/{device_id}", response=DeviceDetailOut)
def get_device(request: HttpRequest, patient_id: int, device_id: int) -> StimDevice:
    return reads.get_device(actor=actor_of(request), patient_id=patient_id, device_id=device_id)


@router.put("/patients/{patient_id}/stim-devices/{device_id}", response=DeviceOut)
def update_device(
    request: HttpRequest, patient_id: int, device_id: int, payload: DeviceIn
) -> StimDevice:
    return neuro.update_device(
        actor=actor_of(request), patient_id=patient_id, device_id=device_id, **payload.model_dump()
    )


@router.get("/patients/{patient_id}/stim-devices/{device_id}/programs", response=list[ProgramOut])
def list_programs(request: HttpRequest, patient_id: int, device_id: int) -> list[StimProgram]:
    device = reads.get_device(actor=actor_of(request), patient_id=patient_id, device_id=device_id)
    return list(device.programs.all())


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


@router.put(
    "/patients/{patient_id}/stim-devices/{device_id}/programs/{program_id}", response=ProgramOut
)
def update_program(
    request: HttpRequest, patient_id: int, device_id: int, program_id: int, payload: ProgramIn
) -> StimProgram:
    return neuro.update_program(
        actor=actor_of(request),
        patient_id=patient_id,
        device_id=device_id,
        program_id=program_id,
        values=payload.model_dump(),
    )


@router.get("/patients/{patient_id}/stim-devices/{device_id}/changes", response=list[ChangeOut])
def list_device_changes(
    request: HttpRequest, patient_id: int, device_id: int
) -> list[ProgramChange]:
    return reads.list_changes(actor=actor_of(request), patient_id=patient_id, device_id=device_id)


@router.post("/patients/{patient_id}/stim-devices/{device_id}/changes", response={201: ChangeOut})
def program_change(
    request: HttpRequest, patient_id: int, device_id: int, payload: ChangeIn
) -> Status[Any]:
    change = neuro.record_program_change(
        actor=actor_of(request), patient_id=patient_id, device_id=device_id, **payload.model_dump()
    )
    return Status(201, change)


@router.get("/patients/{patient_id}/stim-devices/{device_id}/usage", response=list[UsageIn])
def list_usage(
    request: HttpRequest, patient_id: int, device_id: int, params: Query[RangeParams]
) -> list[StimUsage]:
    start, end = _range(params, days=30)
    return reads.list_usage(
        actor=actor_of(request), patient_id=patient_id, device_id=device_id, start=start, end=end
    )


@router.put("/patients/{patient_id}/stim-devices/{device_id}/usage", response=UsageIn)
def usage(request: HttpRequest, patient_id: int, device_id: int, payload: UsageIn) -> UsageIn:
    neuro.record_usage(
        actor=actor_of(request), patient_id=patient_id, device_id=device_id, **payload.model_dump()
    )
    return payload


@router.get("/patients/{patient_id}/neuromodulation/changes", response=list[ChangeEffectOut])
def change_effects(request: HttpRequest, patient_id: int) -> list[Any]:
    """Every program change with the mean daily pain in the 14 local days before and after
    (each window cut at the neighbouring change): a plain description, not a test."""
    overview = reads.neuromodulation_overview(actor=actor_of(request), patient_id=patient_id)
    return list(overview.changes)


@router.post(
    "/patients/{patient_id}/neuromodulation/sensations",
    response={201: SensationOut},
    summary="The patient reports how stimulation feels (coverage 0-100 %, overstimulation 0-4)",
)
def report_sensation(request: HttpRequest, patient_id: int, payload: SensationIn) -> Status[Any]:
    sensation = neuro.record_sensation(
        actor=actor_of(request), patient_id=patient_id, **payload.model_dump()
    )
    return Status(201, sensation)


@router.get("/patients/{patient_id}/neuromodulation/sensations", response=list[SensationOut])
def sensations(
    request: HttpRequest, patient_id: int, params: Query[RangeParams]
) -> list[Sensation]:
    start, end = _range(params)
    return reads.list_sensations(
        actor=actor_of(request), patient_id=patient_id, start=start, end=end
    )
