"""Prescriptions, the pre-save check, monitoring events and MME over time: checked and audited."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from painpath import access
from painpath.alerts.evaluation import DraftCheck, check_draft
from painpath.alerts.snapshot import core_history, local_today
from painpath.audit import services as audit
from painpath.audit.models import Action
from painpath.clinical.medications import (
    MedicationError,
    resolve_prescription,
    validate_new_prescription,
)
from painpath.clinical.medications import Prescription as CorePrescription
from painpath.clinical.mme import MmeError, MmeInputError, prescribed_mme, taken_mme
from painpath.clinical.mme import TakenDose as CoreTakenDose
from painpath.core.context import Actor
from painpath.core.errors import FieldError, InvalidInput, NotFound
from painpath.core.signals import announce_patient_data_changed
from painpath.medications.models import (
    LIVE_STATUSES,
    DoseReport,
    EventKind,
    Indication,
    MonitoringEvent,
    Prescription,
    RxStatus,
)
from painpath.patients.models import Patient

__all__ = [
    "DraftData",
    "MmeDay",
    "chart_data",
    "check_prescription",
    "create_prescription",
    "list_prescriptions",
    "mme_timeline",
    "record_monitoring_event",
    "stop_prescription",
]

OBJECT_TYPE = "Prescription"
_FIELD = re.compile(r"field '([a-z_]+)'")
MAX_TIMELINE_DAYS = 366
MAX_REASON = 2000


@dataclass(frozen=True)
class DraftData:
    drug: str
    dose: Decimal
    indication: str
    start: date
    unit: str = "mg"
    times_per_day: Decimal | None = None
    every_hours: Decimal | None = None
    as_needed: bool = False
    max_doses_per_day: Decimal | None = None
    release: str = "ir"
    route: str = "oral"
    end: date | None = None
    days_supply: int | None = None
    replaces_id: int | None = None
    taper: bool = False


def _f(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def core_draft(data: DraftData) -> CorePrescription:
    """The draft as the core's Prescription; any broken rule is an InvalidInput naming the field."""
    try:
        draft = CorePrescription(
            drug=data.drug,
            dose=float(data.dose),
            unit=data.unit,  # type: ignore[arg-type]
            times_per_day=_f(data.times_per_day),
            every_hours=_f(data.every_hours),
            as_needed=data.as_needed,
            max_doses_per_day=_f(data.max_doses_per_day),
            release=data.release,  # type: ignore[arg-type]
            route=data.route,
            start=data.start,
            end=data.end,
            days_supply=data.days_supply,
            indication=data.indication,  # type: ignore[arg-type]
        )
        resolved = resolve_prescription(draft)
        validate_new_prescription(resolved)
        draft = dataclasses.replace(draft, drug=resolved.medication.id)
        prescribed_mme([draft])  # unit fits the drug; dose within the plausibility limits
    except MmeInputError as exc:
        raise InvalidInput(
            _("The prescription has an invalid field."), fields=[FieldError(exc.field, exc.reason)]
        ) from None
    except (MedicationError, MmeError) as exc:
        match = _FIELD.search(str(exc))
        name = match.group(1) if match else "drug"
        raise InvalidInput(
            _("The prescription has an invalid field."), fields=[FieldError(name, str(exc))]
        ) from None
    return draft


def _replaced(patient: Patient, data: DraftData) -> Prescription | None:
    if data.replaces_id is None:
        return None
    old = Prescription.objects.filter(
        patient=patient, pk=data.replaces_id, status__in=LIVE_STATUSES
    ).first()
    if old is None:
        raise InvalidInput(
            _("Unknown prescription."),
            fields=[FieldError("replaces_id", _("Not a current prescription of this patient."))],
        )
    if data.start < old.start:
        raise InvalidInput(
            _("Invalid start date."),
            fields=[
                FieldError(
                    "start",
                    _("Must not be before the start (%(day)s) of the prescription it replaces.")
                    % {"day": old.start.isoformat()},
                )
            ],
        )
    return old


def check_prescription(*, actor: Actor, patient_id: int, data: DraftData) -> DraftCheck:
    """What saving ``data`` would trigger, without saving (the read is audited)."""
    user = access.require_authenticated(actor.user)
    with transaction.atomic():
        patient = access.get_patient_for_clinical_write(user, patient_id)
        draft = core_draft(data)
        old = _replaced(patient, data)
        result = check_draft(patient, draft, replaces_id=old.pk if old else None)
        audit.record(
            actor,
            action=Action.READ,
            object_type="PrescriptionCheck",
            patient_id=patient.pk,
            detail={"drug": draft.drug, "triggered": [o.rule_id for o in result.triggered]},
        )
    return result


def create_prescription(
    *, actor: Actor, patient_id: int, data: DraftData, override_reason: str = ""
) -> tuple[Prescription, DraftCheck]:
    """Save a prescription after the check; over a warning it needs ``override_reason``."""
    user = access.require_authenticated(actor.user)
    reason = override_reason.strip()
    with transaction.atomic():
        patient = access.get_patient_for_clinical_write(user, patient_id)
        draft = core_draft(data)
        old = _replaced(patient, data)
        result = check_draft(patient, draft, replaces_id=old.pk if old else None)
        if result.needs_reason and not reason:
            rules = "; ".join(o.title for o in result.triggered)
            raise InvalidInput(
                _("This prescription triggers safety warnings; give a reason to save it."),
                fields=[
                    FieldError(
                        "override_reason",
                        _("Required over the warnings: %(rules)s") % {"rules": rules},
                    )
                ],
            )
        if len(reason) > MAX_REASON:
            raise InvalidInput(
                _("Reason too long."),
                fields=[FieldError("override_reason", _("At most 2000 characters."))],
            )
        rx = Prescription.objects.create(
            patient=patient,
            drug=draft.drug,
            dose=data.dose,
            unit=data.unit,
            times_per_day=data.times_per_day,
            every_hours=data.every_hours,
            as_needed=data.as_needed,
            max_doses_per_day=data.max_doses_per_day,
            release=data.release,
            route=data.route,
            start=data.start,
            end=data.end,
            days_supply=data.days_supply,
            indication=data.indication,
            prescriber=user,
            status=RxStatus.TAPERING if data.taper else RxStatus.ACTIVE,
            replaces=old,
            override_reason=reason if result.triggered else "",
            warnings=[o.rule_id for o in result.triggered],
            synthetic=patient.synthetic,
        )
        entries = [
            audit.AuditEntry(
                Action.CREATE,
                OBJECT_TYPE,
                str(rx.pk),
                patient.pk,
                {
                    "drug": rx.drug,
                    "warnings": rx.warnings,
                    "override_reason": rx.override_reason,
                    "replaces": old.pk if old else None,
                },
            )
        ]
        if old is not None:
            # the old line is in force until its replacement starts (that day, doses
            # reported under it still count against it)
            old.status, old.stopped_on = RxStatus.REPLACED, data.start
            old.save(update_fields=["status", "stopped_on"])
            entries.append(
                audit.AuditEntry(
                    Action.UPDATE, OBJECT_TYPE, str(old.pk), patient.pk, {"replaced_by": rx.pk}
                )
            )
        audit.record_many(actor, entries)
        announce_patient_data_changed(patient_id=patient.pk, kind="prescription")
    return rx, result


def stop_prescription(
    *,
    actor: Actor,
    patient_id: int,
    prescription_id: int,
    on: date,
    reason: str,
    confirmed: bool,
) -> Prescription:
    """Stop a current line from day ``on``, with the clinician's reason and confirmation."""
    user = access.require_authenticated(actor.user)
    reason = reason.strip()
    with transaction.atomic():
        patient = access.get_patient_for_clinical_write(user, patient_id)
        rx = Prescription.objects.filter(
            patient=patient, pk=prescription_id, status__in=LIVE_STATUSES
        ).first()
        if rx is None:
            raise NotFound(_("No such current prescription."))
        errors = []
        if on < rx.start:
            errors.append(FieldError("on", _("Must not be before the start.")))
        if not reason:
            errors.append(FieldError("reason", _("Say why the prescription is stopped.")))
        elif len(reason) > MAX_REASON:
            errors.append(FieldError("reason", _("At most 2000 characters.")))
        if not confirmed:
            errors.append(FieldError("confirm", _("Confirm that the prescription is stopped.")))
        if errors:
            raise InvalidInput(_("The prescription was not stopped."), fields=errors)
        rx.status, rx.stopped_on = RxStatus.STOPPED, on
        rx.stop_reason, rx.stopped_by = reason, user
        rx.stop_confirmed_at = timezone.now()
        rx.save(
            update_fields=["status", "stopped_on", "stop_reason", "stopped_by", "stop_confirmed_at"]
        )
        audit.record(
            actor,
            action=Action.UPDATE,
            object_type=OBJECT_TYPE,
            object_id=rx.pk,
            patient_id=patient.pk,
            detail={
                "stopped_on": on.isoformat(),
                "stop_reason": reason,
                "stop_confirmed_at": rx.stop_confirmed_at.isoformat(),
            },
        )
        announce_patient_data_changed(patient_id=patient.pk, kind="prescription")
    return rx


def list_prescriptions(*, actor: Actor, patient_id: int) -> list[Prescription]:
    """Every prescription of the patient, newest first, with the line each one replaced."""
    user = access.require_authenticated(actor.user)
    with transaction.atomic():
        patient = access.get_readable_patient(user, patient_id)
        items = list(
            Prescription.objects.filter(patient=patient).select_related("prescriber", "replaces")
        )
        audit.record(actor, action=Action.LIST, object_type=OBJECT_TYPE, patient_id=patient.pk)
    return items


def record_monitoring_event(
    *, actor: Actor, patient_id: int, kind: str, on: date, note: str = ""
) -> MonitoringEvent:
    """A urine drug test or PDMP review, recorded by a clinician of the patient."""
    user = access.require_authenticated(actor.user)
    errors = []
    if kind not in EventKind.values:
        errors.append(FieldError("kind", _("Must be one of: %s.") % ", ".join(EventKind.values)))
    if len(note) > 500:
        errors.append(FieldError("note", _("At most 500 characters.")))
    with transaction.atomic():
        patient = access.get_patient_for_clinical_write(user, patient_id)
        if on > local_today(patient):
            errors.append(FieldError("on", _("Must not be in the future.")))
        if errors:
            raise InvalidInput(_("The event has invalid fields."), fields=errors)
        event = MonitoringEvent.objects.create(
            patient=patient,
            kind=kind,
            on=on,
            note=note,
            recorded_by=user,
            synthetic=patient.synthetic,
        )
        audit.record(
            actor,
            action=Action.CREATE,
            object_type="MonitoringEvent",
            object_id=event.pk,
            patient_id=patient.pk,
            detail={"kind": kind, "on": on.isoformat()},
        )
        announce_patient_data_changed(patient_id=patient.pk, kind="monitoring")
    return event


@dataclass(frozen=True)
class MmeDay:
    day: date
    prescribed: float
    taken: float | None  # None: nothing reported that day


def mme_timeline(*, actor: Actor, patient_id: int, start: date, end: date) -> list[MmeDay]:
    """Daily MME as prescribed and as reported taken (CDC 2022 factors), ``start``..``end``."""
    user = access.require_authenticated(actor.user)
    if end < start or (end - start).days >= MAX_TIMELINE_DAYS:
        raise InvalidInput(
            _("Invalid range."),
            fields=[FieldError("end", _("Must be on or after start, within 366 days."))],
        )
    with transaction.atomic():
        patient = access.get_readable_patient(user, patient_id)
        prescriptions = list(Prescription.objects.filter(patient=patient))
        reports = list(
            DoseReport.objects.filter(patient=patient, day__range=(start, end)).select_related(
                "prescription"
            )
        )
        audit.record(actor, action=Action.READ, object_type="MmeTimeline", patient_id=patient.pk)
    return compute_timeline(patient, prescriptions, reports, start=start, end=end)


def chart_data(
    *, actor: Actor, patient: Patient, start: date, end: date
) -> tuple[list[MmeDay], list[Prescription]]:
    """For the chart panel of an already-read patient: the MME timeline and every prescription,
    with one audit row."""
    prescriptions = list(Prescription.objects.filter(patient=patient).select_related("replaces"))
    reports = list(
        DoseReport.objects.filter(patient=patient, day__range=(start, end)).select_related(
            "prescription"
        )
    )
    audit.record(actor, action=Action.READ, object_type="MmeTimeline", patient_id=patient.pk)
    days = compute_timeline(patient, prescriptions, reports, start=start, end=end)
    return days, prescriptions


def compute_timeline(
    patient: Patient,
    prescriptions: list[Prescription],
    reports: list[DoseReport],
    *,
    start: date,
    end: date,
) -> list[MmeDay]:
    """Per day: the pain MME of the lines current that day (a taper step from the day it
    starts), and the pain MME reported taken (None: nothing reported that day)."""
    import zoneinfo  # noqa: PLC0415

    tz = zoneinfo.ZoneInfo(patient.timezone_name)
    # The pain MME: lines for opioid use disorder are not converted (CDC 2022 is for pain).
    lines = [line for line in core_history(prescriptions) if not line.for_oud]
    taken_by_day: dict[date, list[CoreTakenDose]] = {}
    for r in reports:
        if r.taken and r.taken_at is not None and r.prescription.indication != Indication.OUD:
            taken_by_day.setdefault(r.day, []).append(
                CoreTakenDose(
                    drug=r.prescription.drug,
                    dose=float(r.prescription.dose),
                    taken_at=r.taken_at.astimezone(tz),
                    unit=r.prescription.unit,
                    day=r.day,
                )
            )
    reported_days = {r.day for r in reports}
    days: list[MmeDay] = []
    day = start
    while day <= end:
        prescribed = prescribed_mme(lines, on=day).total_mme_per_day
        taken = (
            float(taken_mme(taken_by_day.get(day, []), on=day).total_mme_per_day)
            if day in reported_days
            else None
        )
        days.append(MmeDay(day=day, prescribed=float(prescribed), taken=taken))
        day += timedelta(days=1)
    return days
