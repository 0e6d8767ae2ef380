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
from painpath.diary import selectors as diary
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
    "writable_devices",
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
    patient: Patient  # the one access check's result, for the page around the overview
    devices: list[StimDevice]
    changes: list[ChangeEffect]
    usage: dict[int, float]  # program id -> hours in the last 30 days
    sensations: list[Sensation]


@dataclass
class Timeline:
    days: list[date]
    series: dict[str, list[float | None]] = field(default_factory=dict)
    changes: list[dict[str, Any]] = field(default_factory=list)


def _read(actor: Actor, patient: Patient, object_type: str, **detail: Any) -> None:
    audit.record(
        actor,
        action=Action.READ,
        object_type=object_type,
        patient_id=patient.pk,
        detail=detail or None,
    )


def _changes(patient: Patient, device_id: int | None = None) -> list[ProgramChange]:
    rows = ProgramChange.objects.filter(device__patient=patient)
    if device_id is not None:
        rows = rows.filter(device_id=device_id)
    return list(
        rows.select_related("program", "device", "changed_by", "entered_by").order_by(
            "changed_at", "pk"
        )
    )


def _effects(patient: Patient, changes: list[ProgramChange]) -> list[ChangeEffect]:
    """Mean daily pain in the 14 local days before and after each change, each window cut at
    the neighbouring change (so one change's 'after' never includes the next one's)."""
    if not changes:
        return []
    days = [local_day(patient, c.changed_at) for c in changes]
    window = timedelta(days=EFFECT_WINDOW_DAYS)
    pain = diary.daily_pain(patient.pk, min(days) - window, max(days) + window)
    out = []
    for i, (c, day) in enumerate(zip(changes, days, strict=True)):
        lo = max(day - window, days[i - 1] + timedelta(days=1)) if i else day - window
        hi = (
            min(day + window, days[i + 1] - timedelta(days=1))
            if i + 1 < len(days)
            else day + window
        )
        before = [v for d, v in pain.items() if lo <= d < day]
        after = [v for d, v in pain.items() if day < d <= hi]
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
    return out


def neuromodulation_overview(*, actor: Actor, patient_id: int) -> NeuroOverview:
    user = access.require_authenticated(actor.user)
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
        effects = _effects(patient, changes)
        _read(actor, patient, "Neuromodulation")
    return NeuroOverview(
        patient=patient,
        devices=devices,
        changes=effects,
        usage=usage,
        sensations=sensations,
    )


def _devices(patient: Patient) -> list[StimDevice]:
    return list(patient.stim_devices.prefetch_related("programs"))


def list_devices(*, actor: Actor, patient_id: int) -> list[StimDevice]:
    user = access.require_authenticated(actor.user)
    with transaction.atomic():
        patient = access.get_readable_patient(user, patient_id)
        devices = _devices(patient)
        _read(actor, patient, "StimDevice", count=len(devices))
    return devices


def writable_devices(*, actor: Actor, patient_id: int) -> tuple[Patient, list[StimDevice]]:
    """The clinical-write check (403 before a form is read) and the patient's devices with
    their programs, as a form's choices. Not audited as a read: nothing of it is shown, and
    the write service that follows checks again and audits what it writes."""
    patient = access.get_patient_for_clinical_write(
        access.require_authenticated(actor.user), patient_id
    )
    return patient, _devices(patient)


def get_device(*, actor: Actor, patient_id: int, device_id: int) -> StimDevice:
    user = access.require_authenticated(actor.user)
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


def _require_device(patient: Patient, device_id: int) -> None:
    """The same 404 as ``get_device`` for a device that is not this patient's (another
    patient's device is not revealed by an empty list)."""
    if not StimDevice.objects.filter(pk=device_id, patient=patient).exists():
        raise NotFound(_("No such device."))


def list_changes(
    *, actor: Actor, patient_id: int, device_id: int | None = None
) -> list[ProgramChange]:
    user = access.require_authenticated(actor.user)
    with transaction.atomic():
        patient = access.get_readable_patient(user, patient_id)
        if device_id is not None:
            _require_device(patient, device_id)
        changes = _changes(patient, device_id)
        _read(actor, patient, "ProgramChange", device=device_id, count=len(changes))
    return changes


def list_usage(
    *, actor: Actor, patient_id: int, device_id: int, start: date, end: date
) -> list[StimUsage]:
    user = access.require_authenticated(actor.user)
    with transaction.atomic():
        patient = access.get_readable_patient(user, patient_id)
        _require_device(patient, device_id)
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
    user = access.require_authenticated(actor.user)
    with transaction.atomic():
        patient = access.get_readable_patient(user, patient_id)
        rows = list(Sensation.objects.filter(device__patient=patient, day__gte=start, day__lte=end))
        _read(actor, patient, "Sensation", start=str(start), end=str(end))
    return rows


def patient_timeline(*, actor: Actor, patient_id: int, start: date, end: date) -> Timeline:
    """Pain, steps, sleep, HRV and program changes per local day, from stored rollups only."""
    user = access.require_authenticated(actor.user)
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
    checkins = diary.daily_pain_and_function(patient.pk, start, end)  # one read for both
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    timeline = Timeline(days=days)
    timeline.series["pain"] = [checkins[d][0] if d in checkins else None for d in days]
    timeline.series["function"] = [checkins[d][1] if d in checkins else None for d in days]
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
