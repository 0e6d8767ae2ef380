"""Neuromodulation reads: devices with programs, program history with pain before and after,
usage, sensations, and the clinician timeline. Each read is checked and audited."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from statistics import mean
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils.translation import gettext as _

from painpath import access
from painpath.accounts.models import User
from painpath.audit import services as audit
from painpath.audit.models import Action
from painpath.core.context import Actor
from painpath.core.errors import NotFound
from painpath.devices.models import (
    ChangeContext,
    DailySummary,
    ProgramChange,
    Sensation,
    StimDevice,
    StimUsage,
)
from painpath.devices.neuromodulation import local_day, local_today
from painpath.patients.models import Patient

__all__ = [
    "EFFECT_WINDOW_DAYS",
    "ChangeEffect",
    "NeuroOverview",
    "Timeline",
    "get_device",
    "list_changes",
    "list_devices",
    "list_sensations",
    "list_usage",
    "neuromodulation_overview",
    "patient_timeline",
]

EFFECT_WINDOW_DAYS = 14  # display window for the plain before/after summary
USAGE_DAYS = 30
SENSATION_DAYS = 90


@dataclass(frozen=True)
class ChangeEffect:
    change: ProgramChange
    day: date  # the change's local day in the patient's zone
    pain_before: float | None
    pain_after: float | None
    days_before: int
    days_after: int


@dataclass
class NeuroOverview:
    devices: list[StimDevice]
    changes: list[ChangeEffect]
    usage: dict[int, float]  # program id -> hours in the last 30 days
    sensations: list[Sensation]
    pain_source: bool


@dataclass
class Timeline:
    days: list[date]
    series: dict[str, list[float | None]] = field(default_factory=dict)
    changes: list[dict[str, Any]] = field(default_factory=list)
    pain_source: bool = False
    function_source: bool = False


def _user(actor: Actor) -> User:
    return access.require_authenticated(actor.user)


def _pain(patient_id: int, start: date, end: date) -> dict[date, float] | None:
    """Daily pain from the diary capability, or None if it is not installed yet."""
    try:
        from painpath.diary.selectors import daily_pain  # noqa: PLC0415 - optional capability
    except ImportError:
        return None
    return daily_pain(patient_id, start, end)


def _function(patient_id: int, start: date, end: date) -> dict[date, float] | None:
    """Daily self-rated function (check-in activity level 0-10), or None without a diary."""
    try:
        from painpath.diary.selectors import daily_function  # noqa: PLC0415 - optional
    except ImportError:
        return None
    return daily_function(patient_id, start, end)


def _read(actor: Actor, patient: Patient, object_type: str, **detail: Any) -> None:
    audit.record(
        actor,
        action=Action.READ,
        object_type=object_type,
        patient_id=patient.pk,
        detail=detail or None,
    )


def _changes(patient: Patient) -> list[ProgramChange]:
    return list(
        ProgramChange.objects.filter(device__patient=patient)
        .select_related("program", "device", "changed_by", "entered_by")
        .order_by("changed_at", "pk")
    )


def _effects(patient: Patient, changes: list[ProgramChange]) -> tuple[list[ChangeEffect], bool]:
    """Mean daily pain in the 14 local days before and after each change, each window cut at
    the neighbouring change (so one change's 'after' never includes the next one's)."""
    if not changes:
        today = local_today(patient)
        return [], _pain(patient.pk, today, today) is not None
    days = [local_day(patient, c.changed_at) for c in changes]
    window = timedelta(days=EFFECT_WINDOW_DAYS)
    pain = _pain(patient.pk, min(days) - window, max(days) + window)
    out = []
    for i, (c, day) in enumerate(zip(changes, days, strict=True)):
        lo = max(day - window, days[i - 1] + timedelta(days=1)) if i else day - window
        hi = (
            min(day + window, days[i + 1] - timedelta(days=1))
            if i + 1 < len(days)
            else day + window
        )
        before = [v for d, v in (pain or {}).items() if lo <= d < day]
        after = [v for d, v in (pain or {}).items() if day < d <= hi]
        out.append(
            ChangeEffect(
                c,
                day,
                mean(before) if before else None,
                mean(after) if after else None,
                len(before),
                len(after),
            )
        )
    return out, pain is not None


def neuromodulation_overview(*, actor: Actor, patient_id: int) -> NeuroOverview:
    user = _user(actor)
    with transaction.atomic():
        patient = access.get_readable_patient(user, patient_id)
        devices = list(patient.stim_devices.prefetch_related("programs"))
        changes = _changes(patient)
        since = local_today(patient) - timedelta(days=USAGE_DAYS)
        usage: dict[int, float] = {}
        for program_id, hours in StimUsage.objects.filter(
            program__device__patient=patient, day__gte=since
        ).values_list("program_id", "hours"):
            usage[program_id] = usage.get(program_id, 0.0) + hours
        sensations = list(
            Sensation.objects.filter(
                device__patient=patient,
                day__gte=local_today(patient) - timedelta(days=SENSATION_DAYS),
            )
            .select_related("device")
            .order_by("-day")
        )
        effects, has_pain = _effects(patient, changes)
        _read(actor, patient, "Neuromodulation")
    return NeuroOverview(
        devices=devices,
        changes=effects,
        usage=usage,
        sensations=sensations,
        pain_source=has_pain,
    )


def list_devices(*, actor: Actor, patient_id: int) -> list[StimDevice]:
    user = _user(actor)
    with transaction.atomic():
        patient = access.get_readable_patient(user, patient_id)
        devices = list(patient.stim_devices.prefetch_related("programs"))
        _read(actor, patient, "StimDevice", count=len(devices))
    return devices


def get_device(*, actor: Actor, patient_id: int, device_id: int) -> StimDevice:
    user = _user(actor)
    with transaction.atomic():
        patient = access.get_readable_patient(user, patient_id)
        device = (
            StimDevice.objects.filter(pk=device_id, patient=patient)
            .prefetch_related("programs")
            .first()
        )
        if device is None:
            raise NotFound(_("No such device."))
        _read(actor, patient, "StimDevice", device=device.pk)
    return device


def list_changes(
    *, actor: Actor, patient_id: int, device_id: int | None = None
) -> list[ProgramChange]:
    user = _user(actor)
    with transaction.atomic():
        patient = access.get_readable_patient(user, patient_id)
        changes = [c for c in _changes(patient) if device_id is None or c.device_id == device_id]
        _read(actor, patient, "ProgramChange", device=device_id, count=len(changes))
    return changes


def list_usage(
    *, actor: Actor, patient_id: int, device_id: int, start: date, end: date
) -> list[StimUsage]:
    user = _user(actor)
    with transaction.atomic():
        patient = access.get_readable_patient(user, patient_id)
        rows = list(
            StimUsage.objects.filter(
                program__device__patient=patient,
                program__device_id=device_id,
                day__gte=start,
                day__lte=end,
            ).select_related("program")
        )
        _read(actor, patient, "StimUsage", device=device_id, start=str(start), end=str(end))
    return rows


def list_sensations(*, actor: Actor, patient_id: int, start: date, end: date) -> list[Sensation]:
    user = _user(actor)
    with transaction.atomic():
        patient = access.get_readable_patient(user, patient_id)
        rows = list(Sensation.objects.filter(device__patient=patient, day__gte=start, day__lte=end))
        _read(actor, patient, "Sensation", start=str(start), end=str(end))
    return rows


def patient_timeline(*, actor: Actor, patient_id: int, start: date, end: date) -> Timeline:
    """Pain, steps, sleep, HRV and program changes per local day, from stored rollups only."""
    user = _user(actor)
    with transaction.atomic():
        patient = access.get_readable_patient(user, patient_id)
        zone = ZoneInfo(patient.timezone_name)
        rollups = {
            s.day: s
            for s in DailySummary.objects.filter(patient=patient, day__gte=start, day__lte=end)
        }
        changes = list(
            ProgramChange.objects.filter(
                device__patient=patient,
                changed_at__gte=datetime.combine(start, time.min, zone),
                changed_at__lt=datetime.combine(end + timedelta(days=1), time.min, zone),
            ).select_related("program")
        )
        audit.record(
            actor,
            action=Action.READ,
            object_type="Timeline",
            patient_id=patient.pk,
            detail={"start": start.isoformat(), "end": end.isoformat()},
        )
    pain = _pain(patient.pk, start, end)
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    timeline = Timeline(days=days, pain_source=pain is not None)
    timeline.series["pain"] = [(pain or {}).get(d) for d in days]
    function = _function(patient.pk, start, end) or {}
    timeline.series["function"] = [function.get(d) for d in days]
    for name in ("steps", "sleep_minutes", "rmssd", "resting_hr", "sedentary_share"):
        timeline.series[name] = [getattr(rollups[d], name) if d in rollups else None for d in days]
    timeline.changes = [
        {
            "day": local_day(patient, c.changed_at).isoformat(),
            "program": c.program.name,
            "context": c.context,
            "context_label": str(ChangeContext(c.context).label),
        }
        for c in changes
    ]
    return timeline
