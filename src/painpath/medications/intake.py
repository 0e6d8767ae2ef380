"""Doses taken, as the patient reports them in the daily check-in: checked and audited.

A scheduled line has ``ceil(doses per day)`` numbered slots a day (a patch: one, "worn"),
each taken or skipped; an as-needed line takes any number of timed doses (more than the
daily maximum is stored as reported: the safety rules flag it, the form does not hide it).
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from painpath import access
from painpath.alerts.snapshot import core_history, local_today
from painpath.audit import services as audit
from painpath.audit.models import Action
from painpath.core.context import Actor
from painpath.core.errors import FieldError, InvalidInput
from painpath.core.signals import announce_patient_data_changed
from painpath.medications.models import DoseReport, Prescription, scheduled_slots
from painpath.patients.models import Patient

__all__ = ["DoseEntry", "DoseLine", "doses_for_day", "record_doses"]

MAX_ENTRIES = 100
MAX_DAYS_BACK = 7


@dataclass(frozen=True)
class DoseEntry:
    prescription_id: int
    taken: bool = True
    slot: int = 0  # 1..n for a scheduled dose; 0 for an as-needed dose
    taken_at: datetime | None = None


@dataclass
class DoseLine:
    prescription: Prescription
    slots: int
    reported: dict[int, DoseReport] = field(default_factory=dict)
    as_needed: list[DoseReport] = field(default_factory=list)


def _patient_lines(patient: Patient, day: date) -> dict[int, Prescription]:
    """The lines doses of ``day`` count against: every line in force that day, including a
    line stopped or replaced that day (part of the day it was in force)."""
    rows = list(Prescription.objects.filter(patient=patient).order_by("start", "id"))
    by_pk = {rx.pk: rx for rx in rows}
    return {
        int(line.id): by_pk[int(line.id)]
        for line in core_history(rows)
        if line.counts_doses_on(day)
    }


def doses_for_day(*, actor: Actor, patient_id: int, day: date) -> list[DoseLine]:
    """The patient's current lines on ``day`` with what was already reported."""
    user = access.require_authenticated(actor.user)
    with transaction.atomic():
        patient = access.get_readable_patient(user, patient_id)
        lines = {
            pk: DoseLine(prescription=rx, slots=scheduled_slots(rx))
            for pk, rx in _patient_lines(patient, day).items()
        }
        for report in DoseReport.objects.filter(patient=patient, day=day):
            line = lines.get(report.prescription_id)
            if line is None:
                continue
            if report.slot:
                line.reported[report.slot] = report
            else:
                line.as_needed.append(report)
        audit.record(actor, action=Action.READ, object_type="DoseReport", patient_id=patient.pk)
    return list(lines.values())


def _check(
    entries: list[DoseEntry], lines: dict[int, Prescription], day: date, tz: zoneinfo.ZoneInfo
) -> list[FieldError]:
    errors: list[FieldError] = []
    for i, entry in enumerate(entries):
        where = f"doses[{i}]"
        rx = lines.get(entry.prescription_id)
        if rx is None:
            errors.append(
                FieldError(f"{where}.prescription_id", _("Not a current prescription that day."))
            )
            continue
        slots = scheduled_slots(rx)
        if rx.as_needed and entry.slot != 0:
            errors.append(FieldError(f"{where}.slot", _("An as-needed dose has slot 0.")))
        if not rx.as_needed and not 1 <= entry.slot <= slots:
            errors.append(
                FieldError(f"{where}.slot", _("Must be 1 to %(n)d for this line.") % {"n": slots})
            )
        if rx.as_needed and not entry.taken:
            errors.append(FieldError(f"{where}.taken", _("Report only as-needed doses taken.")))
        if entry.taken_at is not None:
            if timezone.is_naive(entry.taken_at):
                errors.append(FieldError(f"{where}.taken_at", _("Give a time zone offset.")))
            elif entry.taken_at.astimezone(tz).date() != day:
                errors.append(FieldError(f"{where}.taken_at", _("Must fall on the day reported.")))
            elif entry.taken_at > timezone.now():
                errors.append(FieldError(f"{where}.taken_at", _("Must not be in the future.")))
        elif rx.as_needed:
            errors.append(FieldError(f"{where}.taken_at", _("Give the time of the dose.")))
    return errors


def _default_time(day: date, tz: zoneinfo.ZoneInfo) -> datetime:
    """A scheduled dose reported without a time: now if today, else noon that day."""
    now = timezone.now().astimezone(tz)
    if now.date() == day:
        return now
    return datetime(day.year, day.month, day.day, 12, tzinfo=tz)


def record_doses(
    *, actor: Actor, patient_id: int, day: date, entries: list[DoseEntry]
) -> list[DoseReport]:
    """Store a day's dose reports (a scheduled slot reported again is replaced)."""
    user = access.require_authenticated(actor.user)
    with transaction.atomic():
        patient = access.get_patient_for_self_report(user, patient_id)
        tz = zoneinfo.ZoneInfo(patient.timezone_name)
        today = local_today(patient)
        errors: list[FieldError] = []
        if day > today:
            errors.append(FieldError("day", _("Must not be in the future.")))
        elif (today - day).days > MAX_DAYS_BACK:
            errors.append(FieldError("day", _("At most %(n)d days back.") % {"n": MAX_DAYS_BACK}))
        if not entries:
            errors.append(FieldError("doses", _("Report at least one dose.")))
        if len(entries) > MAX_ENTRIES:
            errors.append(FieldError("doses", _("At most %(n)d doses.") % {"n": MAX_ENTRIES}))
        lines = _patient_lines(patient, day)
        errors.extend(_check(entries, lines, day, tz))
        if errors:
            raise InvalidInput(_("The dose report has invalid fields."), fields=errors)
        saved: list[DoseReport] = []
        for entry in entries:
            taken_at = entry.taken_at or (_default_time(day, tz) if entry.taken else None)
            if entry.slot:
                report, _created = DoseReport.objects.update_or_create(
                    prescription_id=entry.prescription_id,
                    day=day,
                    slot=entry.slot,
                    defaults={"patient": patient, "taken": entry.taken, "taken_at": taken_at},
                )
            else:
                report = DoseReport.objects.create(
                    patient=patient,
                    prescription_id=entry.prescription_id,
                    day=day,
                    slot=0,
                    taken=True,
                    taken_at=taken_at,
                )
            saved.append(report)
        audit.record_many(
            actor,
            [
                audit.AuditEntry(
                    Action.CREATE,
                    "DoseReport",
                    str(r.pk),
                    patient.pk,
                    {"prescription": r.prescription_id, "slot": r.slot, "taken": r.taken},
                )
                for r in saved
            ],
        )
        announce_patient_data_changed(patient_id=patient.pk, kind="dose")
    return saved
