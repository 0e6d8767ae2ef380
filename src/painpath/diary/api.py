"""API: a patient's daily check-in (save today's; read a range)."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import StrictInt

from painpath.accounts.models import User
from painpath.core.api import actor_of
from painpath.core.errors import FieldError, InvalidInput
from painpath.diary import services
from painpath.diary.models import CheckIn

router = Router(tags=["check-ins"])


# Strict integers: "5" and true are refused, not coerced.
class CheckInIn(Schema):
    patient_id: StrictInt | None = Field(
        None, description="Default: the signed-in patient's record"
    )
    day: date | None = Field(None, description="Must be the patient's local today if given")
    pain_now: StrictInt = Field(ge=0, le=10, description="Pain right now, 0-10")
    pain_average: StrictInt = Field(ge=0, le=10, description="Average pain today, 0-10")
    regions: list[str] = Field([], max_length=64, description="Body-map region ids")
    qualities: list[str] = Field([], max_length=32, description="Pain quality ids")
    sleep_quality: StrictInt | None = Field(None, ge=0, le=10)
    mood: StrictInt | None = Field(None, ge=0, le=10)
    activity: StrictInt | None = Field(None, ge=0, le=10)
    helped: str = Field("", max_length=500)
    worsened: str = Field("", max_length=500)
    note: str = Field("", max_length=2000)


class CheckInOut(Schema):
    id: int
    patient_id: int
    day: date
    pain_now: int
    pain_average: int
    regions: list[str]
    qualities: list[str]
    sleep_quality: int | None
    mood: int | None
    activity: int | None
    helped: str
    worsened: str
    note: str
    synthetic: bool


class RangeParams(Schema):
    patient_id: int
    start: date
    end: date


def checkin_out(checkin: CheckIn) -> CheckInOut:
    return CheckInOut.model_validate(checkin, from_attributes=True)


def _own_patient_id(request: HttpRequest, patient_id: int | None) -> int:
    if patient_id is not None:
        return patient_id
    user = request.auth  # type: ignore[attr-defined]
    record = getattr(user, "patient_record", None) if isinstance(user, User) else None
    if record is None:
        raise InvalidInput(
            _("Say whose check-in this is."),
            fields=[FieldError("patient_id", _("Required unless you are a patient."))],
        )
    return int(record.pk)


@router.post(
    "",
    response={200: CheckInOut, 201: CheckInOut},
    summary="Save today's check-in (created 201, changed 200)",
)
def save_checkin(request: HttpRequest, payload: CheckInIn) -> Status[CheckInOut]:
    data = services.CheckInData(**payload.model_dump(exclude={"patient_id"}))
    checkin, created = services.save_checkin(
        actor=actor_of(request),
        patient_id=_own_patient_id(request, payload.patient_id),
        data=data,
    )
    return Status(201 if created else 200, checkin_out(checkin))


@router.get("", response=list[CheckInOut], summary="A patient's check-ins in a date range")
def list_checkins(request: HttpRequest, params: Query[RangeParams]) -> list[CheckInOut]:
    rows = services.list_checkins(
        actor=actor_of(request), patient_id=params.patient_id, start=params.start, end=params.end
    )
    return [checkin_out(c) for c in rows]
