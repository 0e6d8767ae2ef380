"""Loads the SYNTHETIC questionnaire responses, schedules, reminders and flags in bulk."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from django.db import transaction

from painpath.analytics.synth import Cohort
from painpath.analytics.synth_diary import SCHEDULE, generate_measurements
from painpath.assessments.flags import crisis_labels
from painpath.assessments.models import (
    Flag,
    QuestionnaireResponse,
    Reminder,
    ReminderStatus,
    Schedule,
    Source,
)
from painpath.assessments.policy import policies_for, policy
from painpath.assessments.schedule import occurrences
from painpath.audit import services as audit
from painpath.audit.models import Action
from painpath.clinical.instruments import get_instrument, score
from painpath.core.context import Actor
from painpath.diary.services import local_today
from painpath.patients.cohort import StoredCohort


def load_demo(cohort: Cohort, *, stored: StoredCohort) -> None:
    """Score every synthetic form with the clinical core and bulk-insert it, with the
    clinic-policy schedule, the reminders' lifecycle and the flags the answers raise."""
    data = generate_measurements(cohort, seed=cohort.seed)
    urgent_labels = policy().urgent_labels  # always the file's (see policy.policy)
    clinics = {p.clinic_id for p in stored.patients.values()}
    responses: list[QuestionnaireResponse] = []
    for r in data.responses:
        patient = stored.patients.get(r.mrn)
        if patient is None:
            continue
        result = score(r.instrument, list(r.answers), sex=r.sex)
        at = datetime.combine(r.day, time(18, 0), tzinfo=UTC)
        responses.append(
            QuestionnaireResponse(
                patient=patient,
                instrument=r.instrument,
                instrument_version=get_instrument(r.instrument).version[:300],
                answers=list(r.answers),
                sex=r.sex or "",
                score=result.score,
                band=result.band or "",
                subscales=dict(result.subscales),
                flags=list(result.flags),
                valid=result.valid,
                missing=list(result.missing),
                completed_at=at,
                day=r.day,
                source=Source.DEMO,
                synthetic=True,
            )
        )
    with transaction.atomic():
        QuestionnaireResponse.objects.bulk_create(responses, batch_size=2000)
        saved = list(
            QuestionnaireResponse.objects.filter(
                patient__in=list(stored.patients.values()), source=Source.DEMO
            )
        )
        Flag.objects.bulk_create(
            Flag(
                patient_id=r.patient_id,
                response=r,
                instrument=r.instrument,
                label=label,
                urgent=label in urgent_labels or label in crisis_labels(r.instrument),
                crisis=label in crisis_labels(r.instrument),
                raised_at=r.completed_at,
                synthetic=True,
            )
            for r in saved
            for label in r.flags
        )
        schedules = Schedule.objects.bulk_create(
            Schedule(patient=p, instrument=inst, every_days=every or None, start_date=data.start)
            for p in stored.patients.values()
            for inst, every in SCHEDULE
        )
        valid: dict[tuple[int, str], list[QuestionnaireResponse]] = {}
        for q in sorted(saved, key=lambda q: (q.day, q.completed_at)):
            if q.valid:  # an unscorable form does not answer a reminder
                valid.setdefault((q.patient_id, q.instrument), []).append(q)
        # As the reminder task would see it: each clinic's own expiry, each patient's local
        # day (the cohort's last day, or earlier where the patient's day has not reached it).
        expiry = {c: pol.reminder_expiry_days for c, pol in policies_for(clinics).items()}
        today = {p.pk: min(cohort.as_of, local_today(p)) for p in stored.patients.values()}
        reminders = [
            reminder
            for s in schedules
            for reminder in _reminders(
                s,
                valid.get((s.patient.pk, s.instrument), []),
                today=today[s.patient.pk],
                expiry_days=expiry[s.patient.clinic_id],
            )
        ]
        Reminder.objects.bulk_create(reminders, batch_size=2000)
        audit.record_many(
            Actor.system("demo-cohort"),
            [
                audit.AuditEntry(
                    Action.CREATE,
                    "QuestionnaireResponse",
                    "",
                    p.pk,
                    {"synthetic": True, "bulk": True},
                )
                for p in stored.patients.values()
            ],
        )


def _reminders(
    s: Schedule, answers: list[QuestionnaireResponse], *, today: date, expiry_days: int
) -> list[Reminder]:
    """The reminders run_reminders would have left for ``s`` had it run every day until
    ``today``: the same occurrences (schedule.occurrences, counted from the last valid
    answer), each sent on its due day; a valid answer closes the open one; a missed one
    (or an intake one past the expiry) expires. Replayed answer by answer."""
    made: dict[date, Reminder] = {}
    last: date | None = None

    def run_on(day: date) -> None:
        occ = occurrences(
            every_days=s.every_days,
            start_date=s.start_date,
            last_answered=last,
            today=day,
            expiry_days=expiry_days,
        )
        come_due = [d for d in (*occ.missed, occ.current) if d is not None and d <= day]
        for due in come_due:
            reminder = made.get(due) or made.setdefault(due, _sent(s, due))
            if reminder.status == ReminderStatus.SENT and (due in occ.missed or occ.expired):
                # It expired past the expiry, or when the next occurrence came due.
                after = min(expiry_days + 1, s.every_days or expiry_days + 1)
                reminder.status = ReminderStatus.EXPIRED
                reminder.expired_at = _at(due + timedelta(days=after))

    for answer in answers:
        run_on(answer.day)  # the hourly task ran before the patient answered that day
        for reminder in made.values():
            if reminder.status == ReminderStatus.SENT:
                reminder.status = ReminderStatus.ANSWERED
                reminder.opened_at = reminder.answered_at = answer.completed_at
                reminder.response = answer
        last = answer.day
    run_on(today)
    return list(made.values())


def _at(day: date) -> datetime:
    return datetime.combine(day, time(14, 15), tzinfo=UTC)


def _sent(s: Schedule, due: date) -> Reminder:
    return Reminder(
        patient=s.patient,
        schedule=s,
        instrument=s.instrument,
        due_date=due,
        status=ReminderStatus.SENT,
        scheduled_at=_at(due),
        sent_at=_at(due),
        channel="email",
        sent_to="(synthetic: not sent)",
        subject=f"{s.instrument} due",
        synthetic=True,
    )
