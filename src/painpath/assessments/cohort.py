"""Loads the SYNTHETIC questionnaire responses, schedules, reminders and flags in bulk."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from django.db import transaction

from painpath.analytics.synth import Cohort
from painpath.analytics.synth_diary import SCHEDULE, generate_measurements
from painpath.assessments.models import (
    Flag,
    QuestionnaireResponse,
    Reminder,
    ReminderStatus,
    Schedule,
    Source,
)
from painpath.assessments.policy import policy
from painpath.audit import services as audit
from painpath.audit.models import Action
from painpath.clinical.instruments import get_instrument, score
from painpath.core.context import Actor
from painpath.patients.cohort import StoredCohort


def load_demo(cohort: Cohort, *, stored: StoredCohort) -> None:
    """Score every synthetic form with the clinical core and bulk-insert it, with the
    clinic-policy schedule, the reminders' lifecycle and the flags the answers raise."""
    data = generate_measurements(cohort, seed=cohort.seed)
    pol = policy()
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
                urgent=label in pol.urgent_labels,
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
        answered: dict[tuple[int, str], list[QuestionnaireResponse]] = {}
        for q in saved:
            answered.setdefault((q.patient_id, q.instrument), []).append(q)
        reminders: list[Reminder] = []
        for s in schedules:
            if s.every_days is None:
                continue
            found = sorted(answered.get((s.patient.pk, s.instrument), []), key=lambda r: r.day)
            due = s.start_date + timedelta(days=s.every_days)
            while due <= cohort.as_of:
                hit = next(
                    (
                        r
                        for r in found
                        if due <= r.day <= due + timedelta(days=pol.reminder_expiry_days)
                    ),
                    None,
                )
                sent = datetime.combine(due, time(14, 15), tzinfo=UTC)
                if hit is not None:
                    status, extra = (
                        ReminderStatus.ANSWERED,
                        {
                            "answered_at": hit.completed_at,
                            "response": hit,
                            "opened_at": hit.completed_at,
                        },
                    )
                elif due + timedelta(days=pol.reminder_expiry_days) < cohort.as_of:
                    status, extra = (
                        ReminderStatus.EXPIRED,
                        {"expired_at": sent + timedelta(days=pol.reminder_expiry_days)},
                    )
                else:
                    status, extra = ReminderStatus.SENT, {}
                reminders.append(
                    Reminder(
                        patient=s.patient,
                        schedule=s,
                        instrument=s.instrument,
                        due_date=due,
                        status=status,
                        scheduled_at=sent,
                        sent_at=sent,
                        channel="email",
                        sent_to="(synthetic: not sent)",
                        subject=f"{s.instrument} due",
                        synthetic=True,
                        **extra,
                    )
                )
                due += timedelta(days=s.every_days)
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
