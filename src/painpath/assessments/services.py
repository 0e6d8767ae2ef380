"""Questionnaire responses and flags: validated, scored by the clinical core, stored, audited."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from painpath import access
from painpath.assessments.flags import crisis_labels
from painpath.assessments.models import (
    OPEN_REMINDER_STATES,
    Flag,
    QuestionnaireResponse,
    Reminder,
    ReminderStatus,
    Source,
)
from painpath.assessments.policy import policy
from painpath.assessments.schedule import ChangeVerdict, Measurement, judge_change
from painpath.audit import services as audit
from painpath.audit.models import Action
from painpath.clinical.instruments import (
    SEXES,
    AnswerError,
    Instrument,
    UnknownInstrumentError,
    get_instrument,
    score,
)
from painpath.core.context import Actor
from painpath.core.errors import FieldError, InvalidInput, NotFound
from painpath.core.plausible import reported_time_errors
from painpath.core.signals import announce_patient_data_changed
from painpath.diary.services import local_today

__all__ = [
    "ScoreRow",
    "instrument_or_invalid",
    "list_responses",
    "review_flag",
    "score_history",
    "submit_response",
]

OBJECT_TYPE = "QuestionnaireResponse"


def instrument_or_invalid(instrument_id: str, *, field: str = "instrument") -> Instrument:
    try:
        return get_instrument(instrument_id)
    except UnknownInstrumentError:
        raise InvalidInput(
            _("Unknown instrument."),
            fields=[FieldError(field, _("No instrument with id %r.") % instrument_id)],
        ) from None


def submit_response(
    *,
    actor: Actor,
    patient_id: int,
    instrument_id: str,
    answers: Sequence[object],
    sex: str | None = None,
    source: str = Source.WEB,
    completed_at: datetime | None = None,
    answers_field: str = "answers",
    sex_field: str = "sex",
    completed_at_field: str = "completed_at",
) -> QuestionnaireResponse:
    """Score and store one form from the patient; raise its flags. Only a valid (scorable)
    response answers the open reminders. A form with no answer at all is refused; one with
    some items missing is stored with valid=false when the missing-item rule says so.
    A ``completed_at`` given by the caller must be plausible (core.plausible): a form dated
    in the future would move the next due date and silence its reminders.
    ``answers_field``, ``sex_field`` and ``completed_at_field`` name those inputs in errors
    (e.g. FHIR paths)."""
    user = access.require_authenticated(actor.user)
    patient = access.get_patient_for_self_report(user, patient_id)
    if completed_at is not None:
        errors = reported_time_errors(
            completed_at,
            field=completed_at_field,
            born=patient.date_of_birth,
            tz_name=patient.timezone_name,
        )
        if errors:
            raise InvalidInput(_("The response date is not plausible."), fields=errors)
    definition = instrument_or_invalid(instrument_id)
    answers = list(answers)
    if answers and all(a is None for a in answers):
        raise InvalidInput(
            _("The form is empty."),
            fields=[FieldError(answers_field, _("No question was answered; answer at least one."))],
        )
    if definition.requires_sex and sex is None and patient.sex in SEXES:
        sex = patient.sex  # the form did not say: the record's sex
    try:
        result = score(definition, answers, sex=sex)
    except AnswerError as exc:
        field = sex_field if exc.field == "sex" else answers_field
        raise InvalidInput(
            _("The answers cannot be scored."), fields=[FieldError(field, str(exc))]
        ) from None
    now = completed_at or timezone.now()
    urgent_labels = policy().urgent_labels
    crisis = crisis_labels(definition.id)
    with transaction.atomic():
        response = QuestionnaireResponse.objects.create(
            patient=patient,
            instrument=definition.id,
            instrument_version=definition.version[:300],
            answers=list(answers),
            sex=sex or "",
            score=result.score,
            band=result.band or "",
            subscales=dict(result.subscales),
            flags=list(result.flags),
            valid=result.valid,
            missing=list(result.missing),
            completed_at=now,
            day=local_today(patient, now=now),
            source=source,
            synthetic=patient.synthetic,
        )
        Flag.objects.bulk_create(
            Flag(
                patient=patient,
                response=response,
                instrument=definition.id,
                label=label,
                urgent=label in urgent_labels or label in crisis,
                crisis=label in crisis,
                raised_at=now,
                synthetic=patient.synthetic,
            )
            for label in result.flags
        )
        closed = 0
        if result.valid:  # an unscorable form does not answer the reminder
            closed = Reminder.objects.filter(
                patient=patient, instrument=definition.id, status__in=OPEN_REMINDER_STATES
            ).update(status=ReminderStatus.ANSWERED, answered_at=now, response=response)
        audit.record(
            actor,
            action=Action.CREATE,
            object_type=OBJECT_TYPE,
            object_id=response.pk,
            patient_id=patient.pk,
            detail={
                "instrument": definition.id,
                "source": source,
                "valid": result.valid,
                "flags": list(result.flags),
                "crisis": bool(crisis & set(result.flags)),
                "reminders_answered": closed,
            },
        )
        announce_patient_data_changed(patient_id=patient.pk, kind="questionnaire")
    return response


def list_responses(
    *, actor: Actor, patient_id: int, instrument_id: str | None = None
) -> list[QuestionnaireResponse]:
    """The patient's responses, newest first (audited as one list read)."""
    user = access.require_authenticated(actor.user)
    with transaction.atomic():
        patient = access.get_readable_patient(user, patient_id)
        rows = QuestionnaireResponse.objects.filter(patient=patient)
        if instrument_id:
            rows = rows.filter(instrument=instrument_id)
        items = list(rows.order_by("-completed_at"))
        audit.record(
            actor,
            action=Action.LIST,
            object_type=OBJECT_TYPE,
            patient_id=patient.pk,
            detail={"instrument": instrument_id or "", "count": len(items)},
        )
    return items


def get_response(*, actor: Actor, response_id: int) -> QuestionnaireResponse:
    """One response of a patient the caller may see. A response of anyone else is as absent
    as one that never existed: the same 404, so its existence is not revealed."""
    user = access.require_authenticated(actor.user)
    with transaction.atomic():
        response = QuestionnaireResponse.objects.filter(
            pk=response_id, patient__in=access.visible_patients(user)
        ).first()
        if response is None:
            raise NotFound(_("No such questionnaire response."))
        audit.record(
            actor,
            action=Action.READ,
            object_type=OBJECT_TYPE,
            object_id=response.pk,
            patient_id=response.patient_id,
        )
    return response


@dataclass(frozen=True)
class ScoreRow:
    response: QuestionnaireResponse
    instrument_name: str
    baseline: QuestionnaireResponse | None
    change: float | None
    verdicts: list[ChangeVerdict]
    has_thresholds: bool


def score_history(*, actor: Actor, patient_id: int) -> tuple[list[ScoreRow], list[Flag]]:
    """Every scored response with change from the instrument's first (baseline) response,
    judged against the instrument's published change thresholds; and the patient's flags."""
    responses = list_responses(actor=actor, patient_id=patient_id)
    flags = list(
        Flag.objects.filter(patient_id=patient_id).select_related(
            "reviewed_by", "alert", "alert__acknowledged_by"
        )
    )
    # Per instrument, the first valid response (the baseline) and its score.
    baselines: dict[str, tuple[QuestionnaireResponse, float]] = {}
    for r in sorted(responses, key=lambda r: r.completed_at):
        if r.valid and r.score is not None:
            baselines.setdefault(r.instrument, (r, r.score))
    rows: list[ScoreRow] = []
    for r in responses:
        definition = get_instrument(r.instrument)
        found = baselines.get(r.instrument)
        change = None
        verdicts: list[ChangeVerdict] = []
        if found is not None and found[0].pk != r.pk and r.score is not None:
            change = round(r.score - found[1], 2)
            verdicts = judge_change(
                definition.change_thresholds, baseline=_measured(found[0]), current=_measured(r)
            )
        rows.append(
            ScoreRow(
                response=r,
                instrument_name=definition.name,
                baseline=found[0] if found else None,
                change=change,
                verdicts=verdicts,
                has_thresholds=bool(definition.change_thresholds),
            )
        )
    return rows, flags


def _measured(r: QuestionnaireResponse) -> Measurement:
    return Measurement(
        score=r.score,
        subscales={k: float(v) for k, v in (r.subscales or {}).items()},
        band=r.band or None,
    )


def review_flag(*, actor: Actor, flag_id: int) -> Flag:
    """A clinician on the care team marks a flag reviewed (it stops being open). A flag linked
    to an alert has no state of its own: reviewing it acknowledges that alert (if open), so
    the flag and the alert never disagree."""
    from painpath.alerts.models import AlertStatus  # noqa: PLC0415  (alerts reads us lazily)
    from painpath.alerts.services import acknowledge_alert  # noqa: PLC0415

    user = access.require_authenticated(actor.user)
    with transaction.atomic():
        flag = Flag.objects.select_for_update().filter(pk=flag_id).first()
        if flag is None:
            raise NotFound(_("No such flag."))
        access.get_patient_for_clinical_write(user, flag.patient_id)
        detail: dict[str, object] = {"label": flag.label, "reviewed": True}
        if flag.alert_id is not None:
            if flag.alert is not None and flag.alert.status == AlertStatus.OPEN:
                acknowledge_alert(actor=actor, alert_id=flag.alert_id)
            detail["alert"] = flag.alert_id
        elif flag.reviewed_at is None:
            flag.reviewed_at = timezone.now()
            flag.reviewed_by = user
            flag.save(update_fields=["reviewed_at", "reviewed_by"])
        audit.record(
            actor,
            action=Action.UPDATE,
            object_type="Flag",
            object_id=flag.pk,
            patient_id=flag.patient_id,
            detail=detail,
        )
    flag.refresh_from_db()
    return flag
