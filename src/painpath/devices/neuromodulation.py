"""Neuromodulation log writes (vendor-neutral): devices, programs, program changes, daily
usage, and the patient's reported sensations. Reads are in ``neuro_reads``.

Program parameters must lie in their device kind's accepted ranges (``stim_ranges``: a data
file naming each range's source). Devices, programs and usage are clinical writes (the
patient's clinicians). A program change is recorded by a clinician (any context, including
a change the patient reports having made: context "patient", changed by the patient, entered
by the clinician) or by the patient themself (context "patient"). Sensations are the
patient's own report. Every write is checked by ``painpath.access`` and audited in one
transaction; program changes and usage queue the daily-summary refresh of the days they touch.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from typing import Any, TypeGuard
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from painpath import access
from painpath.accounts.models import Role, User
from painpath.audit import services as audit
from painpath.audit.models import Action
from painpath.core.context import Actor
from painpath.core.errors import Conflict, FieldError, InvalidInput, NotFound
from painpath.core.plausible import reported_day_errors
from painpath.devices.models import (
    ChangeContext,
    ProgramChange,
    Sensation,
    StimDevice,
    StimProgram,
    StimType,
    StimUsage,
    Waveform,
)
from painpath.devices.services import enqueue_refresh
from painpath.devices.stim_ranges import out_of_range
from painpath.patients.models import Patient

__all__ = [
    "PROGRAM_FIELDS",
    "add_program",
    "create_device",
    "local_day",
    "local_today",
    "record_program_change",
    "record_sensation",
    "record_usage",
    "update_device",
    "update_program",
]

FUTURE_SKEW = timedelta(minutes=5)
PROGRAM_FIELDS = (
    "name",
    "waveform",
    "frequency_hz",
    "pulse_width_us",
    "amplitude_ma",
    "burst",
    "contacts",
    "cycling",
    "closed_loop",
    "amplitude_min_ma",
    "amplitude_max_ma",
)
TEXT_LIMITS = {"name": 60, "contacts": 200, "cycling": 100}


def local_today(patient: Patient) -> date:
    return timezone.now().astimezone(ZoneInfo(patient.timezone_name)).date()


def local_day(patient: Patient, moment: datetime) -> date:
    return moment.astimezone(ZoneInfo(patient.timezone_name)).date()


def _user(actor: Actor) -> User:
    return access.require_authenticated(actor.user)


def _choice(value: str, choices: list[str], name: str) -> list[FieldError]:
    if value in choices:
        return []
    return [FieldError(name, _("One of: %s.") % ", ".join(choices))]


def _number(value: object) -> TypeGuard[float]:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value >= 0
    )


def _device_errors(type: str, make: str, model: str, leads: str) -> list[FieldError]:
    errors = _choice(type, StimType.values, "type")
    errors += [
        FieldError(n, _("Required.")) for n, v in (("make", make), ("model", model)) if not v
    ]
    errors += [
        FieldError(n, _("At most %d characters.") % limit)
        for n, v, limit in (("make", make, 100), ("model", model, 100), ("leads", leads, 200))
        if len(v) > limit
    ]
    return errors


def _audit(actor: Actor, action: Action, obj: Any, patient_id: int, **detail: Any) -> None:
    audit.record(
        actor,
        action=action,
        object_type=type(obj).__name__,
        object_id=obj.pk,
        patient_id=patient_id,
        detail=detail or None,
    )


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
    errors = _device_errors(type, make, model, leads)
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
        _audit(actor, Action.CREATE, device, patient.pk)
    return device


def _device(patient: Patient, device_id: int) -> StimDevice:
    """One of ``patient``'s devices (the caller has checked access to the patient)."""
    device = StimDevice.objects.select_related("patient__clinic").filter(
        pk=device_id, patient=patient
    )
    found = device.first()
    if found is None:
        raise NotFound(_("No such device."))
    return found


def _clinical_device(user: User, patient_id: int, device_id: int) -> StimDevice:
    return _device(access.get_patient_for_clinical_write(user, patient_id), device_id)


def update_device(
    *,
    actor: Actor,
    patient_id: int,
    device_id: int,
    type: str,
    make: str,
    model: str,
    implant_date: date | None = None,
    leads: str = "",
) -> StimDevice:
    user = _user(actor)
    errors = _device_errors(type, make, model, leads)
    with transaction.atomic():
        device = _clinical_device(user, patient_id, device_id)
        if errors:
            raise InvalidInput(_("The device has invalid fields."), fields=errors)
        before = {"type": device.type, "make": device.make, "model": device.model}
        device.type, device.make, device.model = type, make, model
        device.implant_date, device.leads = implant_date, leads
        device.save()
        _audit(actor, Action.UPDATE, device, patient_id, before=before)
    return device


def _program_errors(values: dict[str, Any]) -> list[FieldError]:
    errors: list[FieldError] = []
    unknown = set(values) - set(PROGRAM_FIELDS)
    errors += [FieldError(n, _("Not a program field.")) for n in sorted(unknown)]
    if not str(values.get("name") or "").strip():
        errors.append(FieldError("name", _("Required.")))
    errors += _choice(str(values.get("waveform", "")), Waveform.values, "waveform")
    for name in ("frequency_hz", "pulse_width_us", "amplitude_ma"):
        if not _number(values.get(name)):
            errors.append(FieldError(name, _("A number of at least 0.")))
    for name in ("amplitude_min_ma", "amplitude_max_ma"):
        if values.get(name) is not None and not _number(values[name]):
            errors.append(FieldError(name, _("A number of at least 0, or empty.")))
    lo, hi = values.get("amplitude_min_ma"), values.get("amplitude_max_ma")
    if _number(lo) and _number(hi) and lo > hi:
        errors.append(FieldError("amplitude_max_ma", _("Must not be below the minimum.")))
    burst = values.get("burst") or {}
    if not isinstance(burst, dict) or not all(
        isinstance(k, str) and 0 < len(k) <= 40 and _number(v) for k, v in burst.items()
    ):
        errors.append(FieldError("burst", _("Named numbers of at least 0, e.g. pulses: 5.")))
    elif burst and values.get("waveform") != Waveform.BURST:
        errors.append(FieldError("burst", _("Only for a burst waveform.")))
    for name, limit in TEXT_LIMITS.items():
        if len(str(values.get(name) or "")) > limit:
            errors.append(FieldError(name, _("At most %d characters.") % limit))
    return errors


def _range_errors(device: StimDevice, values: dict[str, Any]) -> list[FieldError]:
    return [FieldError(name, rule) for name, rule in out_of_range(device.type, values)]


def _save_program(program: StimProgram) -> None:
    try:
        with transaction.atomic():
            program.save()
    except IntegrityError as exc:
        raise Conflict(
            _("This device already has a program with that name."),
            fields=[FieldError("name", _("Already used on this device."))],
        ) from exc


def add_program(
    *, actor: Actor, patient_id: int, device_id: int, values: dict[str, Any]
) -> StimProgram:
    user = _user(actor)
    errors = _program_errors(values)
    with transaction.atomic():
        device = _clinical_device(user, patient_id, device_id)
        errors += _range_errors(device, values)
        if errors:
            raise InvalidInput(_("The program has invalid fields."), fields=errors)
        program = StimProgram(device=device, **values)
        _save_program(program)
        _audit(actor, Action.CREATE, program, patient_id)
    return program


def update_program(
    *, actor: Actor, patient_id: int, device_id: int, program_id: int, values: dict[str, Any]
) -> StimProgram:
    user = _user(actor)
    errors = _program_errors(values)
    with transaction.atomic():
        device = _clinical_device(user, patient_id, device_id)
        program = device.programs.filter(pk=program_id).first()
        if program is None:
            raise NotFound(_("No such program on this device."))
        errors += _range_errors(device, values)
        if errors:
            raise InvalidInput(_("The program has invalid fields."), fields=errors)
        before = {n: getattr(program, n) for n in PROGRAM_FIELDS}
        for name, value in values.items():
            setattr(program, name, value)
        _save_program(program)
        _audit(actor, Action.UPDATE, program, patient_id, before=before)
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
    """Who: a clinician records any change (a patient-made one as context "patient", made by
    the patient, entered by the clinician); a patient records only their own change."""
    user = _user(actor)
    errors = _choice(context, ChangeContext.values, "context")
    if changed_at.tzinfo is None:
        errors.append(FieldError("changed_at", _("Must include a time zone.")))
    elif changed_at > timezone.now() + FUTURE_SKEW:
        errors.append(FieldError("changed_at", _("Must not be in the future.")))
    if len(reason) > 300:
        errors.append(FieldError("reason", _("At most 300 characters.")))
    with transaction.atomic():
        if user.role == Role.PATIENT:
            patient = access.get_patient_for_self_report(user, patient_id)
            if context != ChangeContext.PATIENT:
                errors.append(FieldError("context", _("A patient records their own changes.")))
            device = _device(patient, device_id)
        else:
            device = _clinical_device(user, patient_id, device_id)
        program = device.programs.filter(pk=program_id).first()
        if program is None:
            errors.append(FieldError("program_id", _("No such program on this device.")))
        if errors or program is None:
            raise InvalidInput(_("The program change has invalid fields."), fields=errors)
        made_by: User | None = user
        if context == ChangeContext.PATIENT and user.role != Role.PATIENT:
            made_by = device.patient.user  # may be None: a patient without an account
        change = ProgramChange.objects.create(
            device=device,
            program=program,
            changed_at=changed_at,
            changed_by=made_by,
            entered_by=user,
            context=context,
            reason=reason,
        )
        _audit(actor, Action.CREATE, change, patient_id, program=program_id, context=context)
        enqueue_refresh(patient_id, {local_day(device.patient, changed_at)})
    return change


def record_usage(
    *, actor: Actor, patient_id: int, device_id: int, program_id: int, day: date, hours: float
) -> StimUsage:
    """Hours a program was on during a local day (replaces that day's figure)."""
    user = _user(actor)
    with transaction.atomic():
        device = _clinical_device(user, patient_id, device_id)
        program = device.programs.filter(pk=program_id).first()
        errors = []
        if program is None:
            errors.append(FieldError("program_id", _("No such program on this device.")))
        if not _number(hours) or hours > 24:
            errors.append(FieldError("hours", _("Between 0 and 24.")))
        if day > local_today(device.patient):
            errors.append(FieldError("day", _("Must not be in the future.")))
        if errors or program is None:
            raise InvalidInput(_("The usage has invalid fields."), fields=errors)
        usage, _created = StimUsage.objects.update_or_create(
            program=program, day=day, defaults={"hours": hours}
        )
        _audit(actor, Action.UPDATE, usage, patient_id, day=day.isoformat(), hours=hours)
        enqueue_refresh(patient_id, {day})
    return usage


def record_sensation(
    *,
    actor: Actor,
    patient_id: int,
    device_id: int,
    day: date,
    paresthesia_coverage: int | None,
    overstimulation: int | None,
    note: str = "",
) -> Sensation:
    """The patient's own report for a day: paresthesia coverage (0-100% of the painful area),
    overstimulation (0 none - 4), a note. A second report for the same day replaces it."""
    user = _user(actor)
    errors = []
    coverage_ok = paresthesia_coverage is None or (
        isinstance(paresthesia_coverage, int) and 0 <= paresthesia_coverage <= 100
    )
    if not coverage_ok:
        errors.append(FieldError("paresthesia_coverage", _("A whole number from 0 to 100.")))
    if overstimulation is not None and not (
        isinstance(overstimulation, int) and 0 <= overstimulation <= 4
    ):
        errors.append(FieldError("overstimulation", _("A whole number from 0 to 4.")))
    if paresthesia_coverage is None and overstimulation is None:
        errors.append(
            FieldError("paresthesia_coverage", _("Give the coverage, the overstimulation or both."))
        )
    if len(note) > 500:
        errors.append(FieldError("note", _("At most 500 characters.")))
    with transaction.atomic():
        patient = access.get_patient_for_self_report(user, patient_id)
        device = StimDevice.objects.filter(pk=device_id, patient=patient).first()
        if device is None:
            errors.append(FieldError("device_id", _("No such device.")))
        errors += reported_day_errors(
            day, field="day", born=patient.date_of_birth, today=local_today(patient)
        )
        if errors or device is None:
            raise InvalidInput(_("The report has invalid fields."), fields=errors)
        sensation, _created = Sensation.objects.update_or_create(
            device=device,
            day=day,
            defaults={
                "paresthesia_coverage": paresthesia_coverage,
                "overstimulation": overstimulation,
                "note": note,
                "reported_at": timezone.now(),
            },
        )
        _audit(actor, Action.CREATE, sensation, patient.pk, day=day.isoformat())
    return sensation
