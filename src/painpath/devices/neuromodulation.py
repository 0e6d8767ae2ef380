"""Neuromodulation log services (vendor-neutral) and the clinician timeline read.

Devices, programs and program changes are clinical writes (the patient's clinicians);
a patient may log their own program change (context "patient") and their sensations.
Every read and write is checked by ``painpath.access`` and audited in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import mean
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from painpath import access
from painpath.audit import services as audit
from painpath.audit.models import Action
from painpath.core.context import Actor
from painpath.core.errors import FieldError, InvalidInput, NotFound
from painpath.devices.models import (
    ChangeContext,
    DailySummary,
    ProgramChange,
    StimDevice,
    StimProgram,
    StimType,
    StimUsage,
    Waveform,
)
from painpath.patients.models import Patient

__all__ = [
    "ChangeEffect",
    "NeuroOverview",
    "Timeline",
    "add_program",
    "create_device",
    "neuromodulation_overview",
    "patient_timeline",
    "record_program_change",
    "record_usage",
]

EFFECT_WINDOW_DAYS = 14  # display window for the plain before/after summary


@dataclass(frozen=True)
class ChangeEffect:
    change: ProgramChange
    pain_before: float | None
    pain_after: float | None
    days_before: int
    days_after: int


@dataclass
class NeuroOverview:
    devices: list[StimDevice]
    changes: list[ChangeEffect]
    usage: dict[str, float]  # program name -> hours in the last 30 days
    pain_source: bool


@dataclass
class Timeline:
    days: list[date]
    series: dict[str, list[float | None]] = field(default_factory=dict)
    changes: list[dict[str, Any]] = field(default_factory=list)
    pain_source: bool = False
    function_source: bool = False


def _user(actor: Actor) -> Any:
    return access.require_authenticated(actor.user)


def _pain(patient_id: int, start: date, end: date) -> dict[date, float] | None:
    """Daily pain from the diary capability, or None if it is not installed yet."""
    try:
        from painpath.diary.selectors import daily_pain  # noqa: PLC0415 - optional capability
    except ImportError:
        return None
    return daily_pain(patient_id, start, end)


def _choice(value: str, choices: list[str], name: str) -> list[FieldError]:
    if value in choices:
        return []
    return [FieldError(name, _("One of: %s.") % ", ".join(choices))]


def create_device(
    *,
    actor: Actor,
    patient_id: int,
    type: str,
    make: str,
    model: str,
    implant_date: date | None = None,
    leads: str = "",
) -> StimDevice:
    user = _user(actor)
    errors = _choice(type, StimType.values, "type")
    errors += [
        FieldError(n, _("Required.")) for n, v in (("make", make), ("model", model)) if not v
    ]
    with transaction.atomic():
        patient = access.get_patient_for_clinical_write(user, patient_id)
        if errors:
            raise InvalidInput(_("The device has invalid fields."), fields=errors)
        device = StimDevice.objects.create(
            patient=patient,
            type=type,
            make=make,
            model=model,
            implant_date=implant_date,
            leads=leads,
            synthetic=patient.synthetic,
        )
        audit.record(
            actor,
            action=Action.CREATE,
            object_type="StimDevice",
            object_id=device.pk,
            patient_id=patient.pk,
        )
    return device


def _device(user: Any, patient_id: int, device_id: int, *, clinical: bool) -> StimDevice:
    if clinical:
        patient = access.get_patient_for_clinical_write(user, patient_id)
    else:
        patient = access.get_readable_patient(user, patient_id)
    device = StimDevice.objects.filter(pk=device_id, patient=patient).first()
    if device is None:
        raise NotFound(_("No such device."))
    return device


def add_program(
    *, actor: Actor, patient_id: int, device_id: int, values: dict[str, Any]
) -> StimProgram:
    user = _user(actor)
    errors = _choice(values.get("waveform", ""), Waveform.values, "waveform")
    for name in ("frequency_hz", "pulse_width_us", "amplitude_ma"):
        if not isinstance(values.get(name), int | float) or values[name] < 0:
            errors.append(FieldError(name, _("A number of at least 0.")))
    lo, hi = values.get("amplitude_min_ma"), values.get("amplitude_max_ma")
    if lo is not None and hi is not None and lo > hi:
        errors.append(FieldError("amplitude_max_ma", _("Must not be below the minimum.")))
    with transaction.atomic():
        device = _device(user, patient_id, device_id, clinical=True)
        if errors:
            raise InvalidInput(_("The program has invalid fields."), fields=errors)
        program = StimProgram.objects.create(device=device, **values)
        audit.record(
            actor,
            action=Action.CREATE,
            object_type="StimProgram",
            object_id=program.pk,
            patient_id=patient_id,
        )
    return program


def record_program_change(
    *,
    actor: Actor,
    patient_id: int,
    device_id: int,
    program_id: int,
    changed_at: datetime,
    context: str,
    reason: str = "",
) -> ProgramChange:
    user = _user(actor)
    errors = _choice(context, ChangeContext.values, "context")
    if changed_at.tzinfo is None:
        errors.append(FieldError("changed_at", _("Must include a time zone.")))
    with transaction.atomic():
        patient_self = context == ChangeContext.PATIENT
        if patient_self:
            access.get_patient_for_self_report(user, patient_id)
        device = _device(user, patient_id, device_id, clinical=not patient_self)
        program = device.programs.filter(pk=program_id).first()
        if program is None:
            errors.append(FieldError("program_id", _("No such program on this device.")))
        if errors or program is None:
            raise InvalidInput(_("The program change has invalid fields."), fields=errors)
        change = ProgramChange.objects.create(
            device=device,
            program=program,
            changed_at=changed_at,
            changed_by=user,
            context=context,
            reason=reason[:300],
        )
        audit.record(
            actor,
            action=Action.CREATE,
            object_type="ProgramChange",
            object_id=change.pk,
            patient_id=patient_id,
            detail={"program": program_id, "context": context},
        )
    return change


def record_usage(
    *, actor: Actor, patient_id: int, device_id: int, program_id: int, day: date, hours: float
) -> StimUsage:
    user = _user(actor)
    with transaction.atomic():
        device = _device(user, patient_id, device_id, clinical=True)
        program = device.programs.filter(pk=program_id).first()
        if program is None or not 0 <= hours <= 24:
            raise InvalidInput(
                _("The usage has invalid fields."),
                fields=[FieldError("program_id", _("No such program."))]
                if program is None
                else [FieldError("hours", _("Between 0 and 24."))],
            )
        usage, _created = StimUsage.objects.update_or_create(
            program=program, day=day, defaults={"hours": hours}
        )
        audit.record(
            actor,
            action=Action.UPDATE,
            object_type="StimUsage",
            object_id=usage.pk,
            patient_id=patient_id,
        )
    return usage


def _effects(patient: Patient, changes: list[ProgramChange]) -> tuple[list[ChangeEffect], bool]:
    if not changes:
        today = timezone.localdate()
        return [], _pain(patient.pk, today, today) is not None
    first = min(c.changed_at for c in changes).date() - timedelta(days=EFFECT_WINDOW_DAYS)
    last = max(c.changed_at for c in changes).date() + timedelta(days=EFFECT_WINDOW_DAYS)
    pain = _pain(patient.pk, first, last)
    out = []
    for c in changes:
        day = c.changed_at.date()
        before = [v for d, v in (pain or {}).items() if 0 < (day - d).days <= EFFECT_WINDOW_DAYS]
        after = [v for d, v in (pain or {}).items() if 0 < (d - day).days <= EFFECT_WINDOW_DAYS]
        out.append(
            ChangeEffect(
                c,
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
        changes = list(
            ProgramChange.objects.filter(device__patient=patient)
            .select_related("program", "changed_by")
            .order_by("changed_at")
        )
        since = timezone.localdate() - timedelta(days=30)
        usage: dict[str, float] = {}
        for name, hours in StimUsage.objects.filter(
            program__device__patient=patient, day__gte=since
        ).values_list("program__name", "hours"):
            usage[name] = usage.get(name, 0.0) + hours
        effects, has_pain = _effects(patient, changes)
        audit.record(
            actor, action=Action.READ, object_type="Neuromodulation", patient_id=patient.pk
        )
    return NeuroOverview(devices=devices, changes=effects, usage=usage, pain_source=has_pain)


def patient_timeline(*, actor: Actor, patient_id: int, start: date, end: date) -> Timeline:
    """Pain, steps, sleep, HRV and program changes per day, from the stored rollups only."""
    user = _user(actor)
    with transaction.atomic():
        patient = access.get_readable_patient(user, patient_id)
        rollups = {
            s.day: s
            for s in DailySummary.objects.filter(patient=patient, day__gte=start, day__lte=end)
        }
        changes = list(
            ProgramChange.objects.filter(
                device__patient=patient, changed_at__date__gte=start, changed_at__date__lte=end
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
    for name in ("steps", "sleep_minutes", "rmssd", "resting_hr", "sedentary_share"):
        timeline.series[name] = [getattr(rollups[d], name) if d in rollups else None for d in days]
    timeline.changes = [
        {"day": c.changed_at.date().isoformat(), "program": c.program.name, "context": c.context}
        for c in changes
    ]
    return timeline
