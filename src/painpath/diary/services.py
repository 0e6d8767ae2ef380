"""Check-ins: the one place they are saved and read, checked by painpath.access and audited."""

from __future__ import annotations

import zoneinfo
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from painpath import access
from painpath.audit import services as audit
from painpath.audit.models import Action
from painpath.core.context import Actor
from painpath.core.errors import Conflict, FieldError, InvalidInput
from painpath.core.signals import announce_patient_data_changed
from painpath.diary.bodymap import body_map
from painpath.diary.models import CheckIn
from painpath.patients.models import Patient

__all__ = [
    "CheckInData",
    "body_map_counts",
    "get_checkin",
    "list_checkins",
    "local_today",
    "save_checkin",
]

OBJECT_TYPE = "CheckIn"
MAX_RANGE_DAYS = 366 * 2


@dataclass(frozen=True)
class CheckInData:
    pain_now: int
    pain_average: int
    regions: list[str] = field(default_factory=list)
    qualities: list[str] = field(default_factory=list)
    sleep_quality: int | None = None
    mood: int | None = None
    activity: int | None = None
    helped: str = ""
    worsened: str = ""
    note: str = ""
    day: date | None = None  # must be the patient's local today when given


def local_today(patient: Patient, *, now: datetime | None = None) -> date:
    """The patient's local calendar day (their time zone, else their clinic's)."""
    moment = now or timezone.now()
    return moment.astimezone(zoneinfo.ZoneInfo(patient.timezone_name)).date()


def _check(data: CheckInData, *, today: date) -> list[FieldError]:
    errors: list[FieldError] = []
    for name in ("pain_now", "pain_average", "sleep_quality", "mood", "activity"):
        value = getattr(data, name)
        required = name in {"pain_now", "pain_average"}
        if value is None:
            if required:
                errors.append(FieldError(name, _("Required: a whole number from 0 to 10.")))
        elif isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
            errors.append(FieldError(name, _("Must be a whole number from 0 to 10.")))
    bm = body_map()
    for i, region in enumerate(data.regions):
        if region not in bm.region_ids:
            errors.append(FieldError(f"regions[{i}]", _("Unknown body-map region %r.") % region))
    for i, quality in enumerate(data.qualities):
        if quality not in bm.quality_ids:
            errors.append(FieldError(f"qualities[{i}]", _("Unknown pain quality %r.") % quality))
    for name, limit in (("helped", 500), ("worsened", 500), ("note", 2000)):
        if len(getattr(data, name)) > limit:
            errors.append(FieldError(name, _("At most %d characters.") % limit))
    if data.day is not None and data.day != today:
        errors.append(
            FieldError(
                "day",
                _("A check-in is made or changed only on its own local day (today is %s).")
                % today.isoformat(),
            )
        )
    return errors


def save_checkin(
    *, actor: Actor, patient_id: int, data: CheckInData, now: datetime | None = None
) -> tuple[CheckIn, bool]:
    """Create or change the patient's check-in for their local today; (check-in, created)."""
    user = access.require_authenticated(actor.user)
    patient = access.get_patient_for_self_report(user, patient_id)
    today = local_today(patient, now=now)
    errors = _check(data, today=today)
    if errors:
        raise InvalidInput(_("The check-in has invalid fields."), fields=errors)
    values = {
        "pain_now": data.pain_now,
        "pain_average": data.pain_average,
        "regions": sorted(set(data.regions)),
        "qualities": sorted(set(data.qualities)),
        "sleep_quality": data.sleep_quality,
        "mood": data.mood,
        "activity": data.activity,
        "helped": data.helped.strip(),
        "worsened": data.worsened.strip(),
        "note": data.note.strip(),
        "updated_at": timezone.now(),
        "synthetic": patient.synthetic,
    }
    try:
        with transaction.atomic():
            checkin, created = CheckIn.objects.update_or_create(
                patient=patient, day=today, defaults=values
            )
            audit.record(
                actor,
                action=Action.CREATE if created else Action.UPDATE,
                object_type=OBJECT_TYPE,
                object_id=checkin.pk,
                patient_id=patient.pk,
                detail={"day": today.isoformat()},
            )
            announce_patient_data_changed(patient_id=patient.pk, kind="checkin")
    except IntegrityError as exc:  # a concurrent first save of the same day
        raise Conflict(_("Today's check-in was saved at the same moment; reload it.")) from exc
    return checkin, created


def get_checkin(*, actor: Actor, patient_id: int, day: date) -> CheckIn | None:
    user = access.require_authenticated(actor.user)
    with transaction.atomic():
        patient = access.get_readable_patient(user, patient_id)
        checkin = CheckIn.objects.filter(patient=patient, day=day).first()
        if checkin is not None:
            audit.record(
                actor,
                action=Action.READ,
                object_type=OBJECT_TYPE,
                object_id=checkin.pk,
                patient_id=patient.pk,
            )
    return checkin


def _check_range(start: date, end: date) -> None:
    if end < start:
        raise InvalidInput(
            _("Bad range."), fields=[FieldError("end", _("Must not be before start."))]
        )
    if (end - start).days > MAX_RANGE_DAYS:
        raise InvalidInput(
            _("Bad range."),
            fields=[FieldError("start", _("At most %d days at once.") % MAX_RANGE_DAYS)],
        )


def list_checkins(*, actor: Actor, patient_id: int, start: date, end: date) -> list[CheckIn]:
    """The patient's check-ins from start to end (local days, inclusive), oldest first."""
    user = access.require_authenticated(actor.user)
    _check_range(start, end)
    with transaction.atomic():
        patient = access.get_readable_patient(user, patient_id)
        rows = list(
            CheckIn.objects.filter(patient=patient, day__gte=start, day__lte=end).order_by("day")
        )
        audit.record(
            actor,
            action=Action.LIST,
            object_type=OBJECT_TYPE,
            patient_id=patient.pk,
            detail={"start": start.isoformat(), "end": end.isoformat(), "count": len(rows)},
        )
    return rows


def body_map_counts(checkins: list[CheckIn]) -> tuple[dict[str, int], int]:
    """How many of these check-ins marked each region, and how many check-ins there were."""
    counts: Counter[str] = Counter()
    for checkin in checkins:
        counts.update(checkin.regions)
    return dict(counts), len(checkins)


def default_range(patient: Patient, days: int) -> tuple[date, date]:
    end = local_today(patient)
    return end - timedelta(days=days - 1), end
