"""Schedules, due lists, reminders (scheduled -> sent -> opened -> answered | expired) and
adherence. Writes are clinical (clinicians) or system work (the reminder task); all audited."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from painpath import access
from painpath.assessments.models import (
    MAX_EVERY_DAYS,
    OPEN_REMINDER_STATES,
    QuestionnaireResponse,
    Reminder,
    ReminderStatus,
    Schedule,
)
from painpath.assessments.policy import policies_for, policy_for
from painpath.assessments.schedule import due_status, occurrences
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
    "Overview",
    "apply_clinic_defaults",
    "due_for_patients",
    "list_due",
    "mark_opened",
    "overview",
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


@dataclass(frozen=True)
class Overview:
    """A patient's schedule status and reminder adherence (the chart and schedule page)."""

    due: list[DueItem]
    adherence: dict[str, Adherence]  # by instrument id, sorted


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
    if every_days is not None and not 1 <= every_days <= MAX_EVERY_DAYS:
        rule = _("1 to %(max)d days, or empty for once at intake.") % {"max": MAX_EVERY_DAYS}
        raise InvalidInput(_("Bad schedule."), fields=[FieldError("every_days", rule)])
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
    """Set the patient's clinic's default schedule (instruments not yet scheduled only)."""
    user = access.require_authenticated(actor.user)
    patient = access.get_patient_for_clinical_write(user, patient_id)
    with transaction.atomic():
        existing = set(
            Schedule.objects.filter(patient_id=patient_id).values_list("instrument", flat=True)
        )
        return [
            set_schedule(actor=actor, patient_id=patient_id, instrument_id=inst, every_days=every)
            for inst, every in policy_for(patient.clinic_id).defaults
            if inst not in existing
        ]


def _last_valid_answers(patient_ids: list[int]) -> dict[tuple[int, str], date]:
    """(patient, instrument) -> local day of the last VALID (scorable) response: a blank
    or unscorable form does not count as answered."""
    return {
        (row["patient_id"], row["instrument"]): row["last"]
        for row in QuestionnaireResponse.objects.filter(patient_id__in=patient_ids, valid=True)
        .values("patient_id", "instrument")
        .annotate(last=Max("day"))
    }


@dataclass(frozen=True)
class _Planned:
    schedule: Schedule
    item: DueItem
    missed: tuple[date, ...]
    expired_current: bool  # the current occurrence is past the expiry (see Occurrences)


def _plan(
    patients: list[Patient], schedules: list[Schedule], *, today_of: dict[int, date]
) -> list[_Planned]:
    by_id = {p.pk: p for p in patients}
    last = _last_valid_answers(list(by_id))
    policies = policies_for({p.clinic_id for p in patients})
    planned: list[_Planned] = []
    for s in schedules:
        patient = by_id[s.patient_id]
        pol = policies[patient.clinic_id]
        today = today_of[s.patient_id]
        last_day = last.get((s.patient_id, s.instrument))
        occ = occurrences(
            every_days=s.every_days,
            start_date=s.start_date,
            last_answered=last_day,
            today=today,
            expiry_days=pol.reminder_expiry_days,
        )
        item = DueItem(
            patient=patient,
            instrument=s.instrument,
            name=get_instrument(s.instrument).name,
            every_days=s.every_days,
            due_date=occ.current,
            status=due_status(occ.current, today=today, grace_days=pol.grace_days),
            last_answered=last_day,
        )
        planned.append(_Planned(s, item, occ.missed, occ.expired))
    return planned


def _due_items(patients: list[Patient], *, today_of: dict[int, date]) -> list[DueItem]:
    schedules = list(
        Schedule.objects.filter(patient_id__in=[p.pk for p in patients], active=True).order_by(
            "instrument"
        )
    )
    return [p.item for p in _plan(patients, schedules, today_of=today_of)]


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


def overview(*, actor: Actor, patient_id: int) -> Overview:
    """The patient's due list and, per instrument, reminders answered vs expired (open ones
    are not yet judged): one access check, one audit write."""
    user = access.require_authenticated(actor.user)
    with transaction.atomic():
        patient = access.get_readable_patient(user, patient_id)
        due = _due_items([patient], today_of={patient.pk: local_today(patient)})
        adherence = _adherence(patient.pk)
        audit.record_many(
            actor,
            [
                audit.AuditEntry(Action.READ, "Schedule", "", patient.pk),
                audit.AuditEntry(Action.LIST, "Reminder", "", patient.pk),
            ],
        )
    return Overview(due, adherence)


def _adherence(patient_id: int) -> dict[str, Adherence]:
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
    """System work (the periodic task). For each active schedule: every occurrence missed
    since the last valid answer gets an expired reminder (created if the task never saw it,
    so adherence counts each one); the current occurrence, once due, gets a reminder that
    is sent by e-mail; an intake reminder left past the expiry expires. Reminders of
    stopped or changed schedules that are still open expire. Idempotent."""
    run = _ReminderRun(now or timezone.now())
    with transaction.atomic():
        schedules = list(
            Schedule.objects.filter(active=True)
            .select_related("patient__clinic", "patient__user")
            .order_by("pk")
        )
        patients = list({s.patient_id: s.patient for s in schedules}.values())
        today_of = {p.pk: local_today(p, now=run.now) for p in patients}
        plans = _plan(patients, schedules, today_of=today_of)
        run.load(plans)
        for plan in plans:
            for day in plan.missed:
                run.missed(plan, day)
            if plan.item.due_date is not None and plan.item.status in {"due", "overdue"}:
                run.current(plan, plan.item.due_date)
        # Open reminders that no plan accounts for: their schedule was stopped or changed.
        current = {(p.schedule.pk, p.item.due_date) for p in plans if p.item.due_date is not None}
        for reminder in run.still_open():
            if (reminder.schedule_id, reminder.due_date) not in current:
                run.expire(reminder, "schedule stopped or changed")
        audit.record_many(Actor.system("reminders"), run.entries)
    return run.stats


class _ReminderRun:
    """One pass of the reminder task: the reminders it found, what it changed, audit rows."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.stats = {"scheduled": 0, "sent": 0, "expired": 0}
        self.entries: list[audit.AuditEntry] = []
        self.found: dict[tuple[int, date], Reminder] = {}
        self.since: date | None = None  # found = active schedules' reminders due since then

    def load(self, plans: list[_Planned]) -> None:
        """Lock and hold the reminders of active schedules due on or after the earliest day
        any plan names (one query)."""
        days = [d for p in plans for d in (*p.missed, p.item.due_date) if d is not None]
        if days:
            self.since = min(days)
            rows = Reminder.objects.filter(schedule__active=True, due_date__gte=self.since)
            locked = rows.select_for_update(of=("self",))
            self.found = {(r.schedule_id, r.due_date): r for r in locked}

    def still_open(self) -> list[Reminder]:
        """Every open reminder: those load() holds, then the rest (stopped schedules', or
        due before the earliest planned day), locked in one query."""
        held = [r for r in self.found.values() if r.status in OPEN_REMINDER_STATES]
        rest = Reminder.objects.filter(status__in=OPEN_REMINDER_STATES)
        if self.since is not None:
            rest = rest.filter(Q(schedule__active=False) | Q(due_date__lt=self.since))
        return held + list(rest.select_for_update(of=("self",)))

    def log(self, reminder: Reminder, detail: dict[str, object]) -> None:
        self.entries.append(
            audit.AuditEntry(
                Action.UPDATE, "Reminder", str(reminder.pk), reminder.patient_id, detail
            )
        )

    def create(self, plan: _Planned, day: date, **fields: object) -> Reminder:
        reminder = Reminder.objects.create(
            patient=plan.item.patient,
            schedule=plan.schedule,
            instrument=plan.schedule.instrument,
            due_date=day,
            scheduled_at=self.now,
            synthetic=plan.item.patient.synthetic,
            **fields,
        )
        self.found[(plan.schedule.pk, day)] = reminder
        self.stats["scheduled"] += 1
        return reminder

    def expire(self, reminder: Reminder, note: str = "") -> None:
        reminder.status = ReminderStatus.EXPIRED
        reminder.expired_at = self.now
        reminder.note = note or reminder.note
        reminder.save(update_fields=["status", "expired_at", "note"])
        self.stats["expired"] += 1
        self.log(reminder, {"status": "expired"})

    def missed(self, plan: _Planned, day: date) -> None:
        reminder = self.found.get((plan.schedule.pk, day))
        if reminder is None:
            reminder = self.create(
                plan,
                day,
                status=ReminderStatus.EXPIRED,
                expired_at=self.now,
                note="missed before a reminder was sent",
            )
            self.stats["expired"] += 1
            self.log(reminder, {"status": "expired", "missed": str(day)})
        elif reminder.status in OPEN_REMINDER_STATES:
            self.expire(reminder)

    def current(self, plan: _Planned, day: date) -> None:
        reminder = self.found.get((plan.schedule.pk, day)) or self.create(plan, day)
        if plan.expired_current:
            if reminder.status in OPEN_REMINDER_STATES:
                self.expire(reminder)
        elif reminder.status == ReminderStatus.SCHEDULED:
            self.stats["sent"] += _send(reminder, plan.item, now=self.now)
            self.log(reminder, {"status": reminder.status, "channel": reminder.channel})


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
