"""Schedules, due lists, reminders (scheduled -> sent -> opened -> answered | expired) and
adherence. Writes are clinical (clinicians) or system work (the reminder task); all audited."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from painpath import access
from painpath.assessments.models import (
    OPEN_REMINDER_STATES,
    QuestionnaireResponse,
    Reminder,
    ReminderStatus,
    Schedule,
)
from painpath.assessments.policy import policy
from painpath.assessments.schedule import due_status, next_due
from painpath.assessments.services import instrument_or_invalid
from painpath.audit import services as audit
from painpath.audit.models import Action
from painpath.clinical.instruments import get_instrument
from painpath.core.context import Actor
from painpath.core.errors import FieldError, InvalidInput
from painpath.diary.services import local_today
from painpath.patients.models import Patient

__all__ = [
    "Adherence",
    "DueItem",
    "apply_clinic_defaults",
    "due_for_patients",
    "list_due",
    "mark_opened",
    "run_reminders",
    "set_schedule",
]


@dataclass(frozen=True)
class DueItem:
    patient: Patient
    instrument: str
    name: str
    every_days: int | None
    due_date: date | None
    status: str  # done | upcoming | due | overdue
    last_answered: date | None


@dataclass(frozen=True)
class Adherence:
    answered: int
    expired: int
    open: int

    @property
    def rate(self) -> float | None:
        closed = self.answered + self.expired
        return None if closed == 0 else self.answered / closed


def set_schedule(
    *,
    actor: Actor,
    patient_id: int,
    instrument_id: str,
    every_days: int | None,
    start_date: date | None = None,
    active: bool = True,
) -> Schedule:
    user = access.require_authenticated(actor.user)
    patient = access.get_patient_for_clinical_write(user, patient_id)
    instrument_or_invalid(instrument_id)
    if every_days is not None and not 1 <= every_days <= 366:
        raise InvalidInput(
            _("Bad schedule."),
            fields=[FieldError("every_days", _("1 to 366 days, or empty for once at intake."))],
        )
    with transaction.atomic():
        schedule, created = Schedule.objects.update_or_create(
            patient=patient,
            instrument=instrument_id,
            defaults={
                "every_days": every_days,
                "start_date": start_date or local_today(patient),
                "active": active,
                "set_by": user,
                "updated_at": timezone.now(),
            },
        )
        audit.record(
            actor,
            action=Action.CREATE if created else Action.UPDATE,
            object_type="Schedule",
            object_id=schedule.pk,
            patient_id=patient.pk,
            detail={"instrument": instrument_id, "every_days": every_days, "active": active},
        )
    return schedule


def apply_clinic_defaults(*, actor: Actor, patient_id: int) -> list[Schedule]:
    """Set the clinic policy's default schedule (instruments not yet scheduled only)."""
    with transaction.atomic():
        existing = set(
            Schedule.objects.filter(patient_id=patient_id).values_list("instrument", flat=True)
        )
        return [
            set_schedule(actor=actor, patient_id=patient_id, instrument_id=inst, every_days=every)
            for inst, every in policy().defaults
            if inst not in existing
        ]


def _due_items(patients: list[Patient], *, today_of: dict[int, date]) -> list[DueItem]:
    ids = [p.pk for p in patients]
    by_id = {p.pk: p for p in patients}
    last = {
        (row["patient_id"], row["instrument"]): row["last"]
        for row in QuestionnaireResponse.objects.filter(patient_id__in=ids)
        .values("patient_id", "instrument")
        .annotate(last=Max("day"))
    }
    grace = policy().grace_days
    items: list[DueItem] = []
    for s in Schedule.objects.filter(patient_id__in=ids, active=True).order_by("instrument"):
        last_day = last.get((s.patient_id, s.instrument))
        due = next_due(every_days=s.every_days, start_date=s.start_date, last_answered=last_day)
        items.append(
            DueItem(
                patient=by_id[s.patient_id],
                instrument=s.instrument,
                name=get_instrument(s.instrument).name,
                every_days=s.every_days,
                due_date=due,
                status=due_status(due, today=today_of[s.patient_id], grace_days=grace),
                last_answered=last_day,
            )
        )
    return items


def list_due(*, actor: Actor, patient_id: int) -> list[DueItem]:
    """The patient's scheduled instruments with their next due date and status."""
    user = access.require_authenticated(actor.user)
    with transaction.atomic():
        patient = access.get_readable_patient(user, patient_id)
        items = _due_items([patient], today_of={patient.pk: local_today(patient)})
        audit.record(actor, action=Action.READ, object_type="Schedule", patient_id=patient.pk)
    return items


def due_for_patients(*, actor: Actor, limit: int = 200) -> list[DueItem]:
    """Due and overdue questionnaires across the caller's visible patients (overdue first)."""
    user = access.require_authenticated(actor.user)
    with transaction.atomic():
        patients = list(access.visible_patients(user).filter(schedules__active=True).distinct())
        items = [
            i
            for i in _due_items(patients, today_of={p.pk: local_today(p) for p in patients})
            if i.status in {"due", "overdue"}
        ]
        items.sort(key=lambda i: (i.status != "overdue", i.due_date or date.max))
        items = items[:limit]
        audit.record_many(
            actor,
            [
                audit.AuditEntry(Action.LIST, "Schedule", "", pid, {"view": "due"})
                for pid in sorted({i.patient.pk for i in items})
            ],
        )
    return items


def mark_opened(*, actor: Actor, patient_id: int, instrument_id: str) -> int:
    """The patient opened the form: their sent reminders for it become 'opened'."""
    user = access.require_authenticated(actor.user)
    patient = access.get_patient_for_self_report(user, patient_id)
    with transaction.atomic():
        changed = Reminder.objects.filter(
            patient=patient, instrument=instrument_id, status=ReminderStatus.SENT
        ).update(status=ReminderStatus.OPENED, opened_at=timezone.now())
        if changed:
            audit.record(
                actor,
                action=Action.UPDATE,
                object_type="Reminder",
                patient_id=patient.pk,
                detail={"instrument": instrument_id, "opened": changed},
            )
    return changed


def adherence(patient_id: int) -> dict[str, Adherence]:
    """Per instrument: reminders answered vs expired (open ones are not yet judged)."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for inst, status in Reminder.objects.filter(patient_id=patient_id).values_list(
        "instrument", "status"
    ):
        counts[inst][status] += 1
    return {
        inst: Adherence(
            answered=c[ReminderStatus.ANSWERED],
            expired=c[ReminderStatus.EXPIRED],
            open=sum(c[s] for s in OPEN_REMINDER_STATES),
        )
        for inst, c in sorted(counts.items())
    }


def run_reminders(*, now: datetime | None = None) -> dict[str, int]:
    """System work (the periodic task): create reminders for what is due, send them by
    e-mail, and expire the ones left unanswered past the policy's expiry. Idempotent."""
    now = now or timezone.now()
    actor = Actor.system("reminders")
    pol = policy()
    stats = {"scheduled": 0, "sent": 0, "expired": 0}
    with transaction.atomic():
        schedules = list(
            Schedule.objects.filter(active=True).select_related("patient__clinic", "patient__user")
        )
        patients = list({s.patient_id: s.patient for s in schedules}.values())
        today_of = {p.pk: local_today(p, now=now) for p in patients}
        entries: list[audit.AuditEntry] = []
        for item in _due_items(patients, today_of=today_of):
            if item.status not in {"due", "overdue"} or item.due_date is None:
                continue
            schedule = next(
                s
                for s in schedules
                if s.patient_id == item.patient.pk and s.instrument == item.instrument
            )
            reminder, created = Reminder.objects.get_or_create(
                schedule=schedule,
                due_date=item.due_date,
                defaults={
                    "patient": item.patient,
                    "instrument": item.instrument,
                    "scheduled_at": now,
                    "synthetic": item.patient.synthetic,
                },
            )
            if created:
                stats["scheduled"] += 1
            if reminder.status == ReminderStatus.SCHEDULED:
                stats["sent"] += _send(reminder, item, now=now)
                entries.append(
                    audit.AuditEntry(
                        Action.UPDATE,
                        "Reminder",
                        str(reminder.pk),
                        item.patient.pk,
                        {"status": reminder.status, "channel": reminder.channel},
                    )
                )
        cutoff = {
            pid: day - timedelta(days=pol.reminder_expiry_days) for pid, day in today_of.items()
        }
        for reminder in Reminder.objects.filter(status__in=OPEN_REMINDER_STATES):
            limit = cutoff.get(reminder.patient_id)
            if limit is not None and reminder.due_date < limit:
                reminder.status = ReminderStatus.EXPIRED
                reminder.expired_at = now
                reminder.save(update_fields=["status", "expired_at"])
                stats["expired"] += 1
                entries.append(
                    audit.AuditEntry(
                        Action.UPDATE,
                        "Reminder",
                        str(reminder.pk),
                        reminder.patient_id,
                        {"status": "expired"},
                    )
                )
        audit.record_many(actor, entries)
    return stats


def _send(reminder: Reminder, item: DueItem, *, now: datetime) -> int:
    user = item.patient.user
    if user is None or not user.email:
        reminder.note = "no e-mail address on the patient's log-in"
        reminder.save(update_fields=["note"])
        return 0
    subject = _("painpath: your %(name)s questionnaire is due") % {"name": item.name}
    body = _(
        "Hello %(given)s,\n\nYour care team asks you to answer the %(name)s questionnaire "
        "(due %(due)s). Sign in to painpath and open 'Questionnaires'.\n"
    ) % {"given": item.patient.given_name, "name": item.name, "due": item.due_date}
    send_mail(subject, body, None, [user.email])
    reminder.status = ReminderStatus.SENT
    reminder.sent_at = now
    reminder.channel = "email"
    reminder.sent_to = user.email
    reminder.subject = subject
    reminder.save(update_fields=["status", "sent_at", "channel", "sent_to", "subject"])
    return 1
