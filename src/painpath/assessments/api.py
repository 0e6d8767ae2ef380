"""API: questionnaire responses, due lists and schedules; FHIR R4 forms under /fhir."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Body, Field, Query, Router, Schema, Status
from pydantic import StrictInt

from painpath.accounts.models import User
from painpath.assessments import schedules, services
from painpath.assessments.flags import signals_crisis
from painpath.assessments.models import QuestionnaireResponse, Source
from painpath.clinical.instruments import get_instrument, list_instruments
from painpath.core.api import actor_of
from painpath.core.errors import FieldError, InvalidInput
from painpath.interop import fhir
from painpath.patients.api import CrisisPanelOut, crisis_panel_out
from painpath.patients.crisis import show_crisis_panel

router = Router(tags=["questionnaires"])
fhir_router = Router(tags=["FHIR R4"])


# Strict: "5" and true are refused, not coerced (an answer is a JSON integer or null).
class ResponseIn(Schema):
    patient_id: StrictInt | None = Field(
        None, description="Default: the signed-in patient's record"
    )
    instrument: str = Field(max_length=32, description="Instrument id, e.g. phq9")
    answers: list[StrictInt | None] = Field(
        max_length=64, description="Option values of the scored items in published order"
    )
    sex: str | None = Field(None, description="female or male (ORT only; default: the record's)")


class ResponseOut(Schema):
    id: int
    patient_id: int
    instrument: str
    score: float | None
    band: str | None
    subscales: dict[str, float]
    flags: list[str]
    valid: bool
    missing: list[str]
    answers: list[int | None]
    completed_at: datetime
    day: date
    source: str
    synthetic: bool


class SubmittedResponseOut(ResponseOut):
    crisis: CrisisPanelOut | None = Field(
        None,
        description=(
            "Present when the answers signal a risk of self-harm (an item the instrument "
            "data marks as a crisis flag, e.g. PHQ-9 item 9 above 0): show it to the "
            "patient at once, before anything else. The care team is alerted."
        ),
    )


class DueOut(Schema):
    patient_id: int
    instrument: str
    name: str
    every_days: int | None = Field(description="None: once, at intake")
    due_date: date | None
    status: str = Field(description="done, upcoming, due or overdue")
    last_answered: date | None


class ScheduleIn(Schema):
    patient_id: StrictInt
    instrument: str = Field(max_length=32)
    every_days: StrictInt | None = Field(
        None, description="Days between answers; None: once, at intake"
    )
    start_date: date | None = None
    active: bool = True


def response_out(r: QuestionnaireResponse) -> ResponseOut:
    return ResponseOut(
        id=r.pk,
        patient_id=r.patient_id,
        instrument=r.instrument,
        score=r.score,
        band=r.band or None,
        subscales=r.subscales,
        flags=r.flags,
        valid=r.valid,
        missing=r.missing,
        answers=r.answers,
        completed_at=r.completed_at,
        day=r.day,
        source=r.source,
        synthetic=r.synthetic,
    )


def _own_patient_id(request: HttpRequest, patient_id: int | None) -> int:
    if patient_id is not None:
        return patient_id
    user = request.auth  # type: ignore[attr-defined]
    record = getattr(user, "patient_record", None) if isinstance(user, User) else None
    if record is None:
        raise InvalidInput(
            _("Say whose response this is."),
            fields=[FieldError("patient_id", _("Required unless you are a patient."))],
        )
    return int(record.pk)


@router.post("/responses", response={201: SubmittedResponseOut}, summary="Answer a questionnaire")
def submit_response(request: HttpRequest, payload: ResponseIn) -> Status[SubmittedResponseOut]:
    actor = actor_of(request)
    response = services.submit_response(
        actor=actor,
        patient_id=_own_patient_id(request, payload.patient_id),
        instrument_id=payload.instrument,
        answers=payload.answers,
        sex=payload.sex,
        source=Source.API,
    )
    crisis = None
    if signals_crisis(response):
        panel = show_crisis_panel(actor=actor, patient_id=response.patient_id, reason="answers")
        crisis = crisis_panel_out(panel)
    out = SubmittedResponseOut(**response_out(response).model_dump(), crisis=crisis)
    return Status(201, out)


@router.get("/responses", response=list[ResponseOut], summary="A patient's responses")
def list_responses(
    request: HttpRequest, patient_id: int, instrument: str | None = None
) -> list[ResponseOut]:
    rows = services.list_responses(
        actor=actor_of(request), patient_id=patient_id, instrument_id=instrument
    )
    return [response_out(r) for r in rows]


def _due_out(i: schedules.DueItem) -> DueOut:
    return DueOut(
        patient_id=i.patient.pk,
        instrument=i.instrument,
        name=i.name,
        every_days=i.every_days,
        due_date=i.due_date,
        status=i.status,
        last_answered=i.last_answered,
    )


@router.get("/due", response=list[DueOut], summary="Scheduled questionnaires and when due")
def list_due(request: HttpRequest, patient_id: int | None = None) -> list[DueOut]:
    actor = actor_of(request)
    if patient_id is None and not hasattr(request.auth, "patient_record"):  # type: ignore[attr-defined]
        return [_due_out(i) for i in schedules.due_for_patients(actor=actor)]
    pid = _own_patient_id(request, patient_id)
    return [_due_out(i) for i in schedules.list_due(actor=actor, patient_id=pid)]


@router.put("/schedules", response=list[DueOut], summary="Set a patient's schedule (clinician)")
def set_schedule(request: HttpRequest, payload: ScheduleIn) -> list[DueOut]:
    actor = actor_of(request)
    schedules.set_schedule(
        actor=actor,
        patient_id=payload.patient_id,
        instrument_id=payload.instrument,
        every_days=payload.every_days,
        start_date=payload.start_date,
        active=payload.active,
    )
    return [_due_out(i) for i in schedules.list_due(actor=actor, patient_id=payload.patient_id)]


class FhirParams(Schema):
    patient_id: int | None = Field(None, description="For whom (default: the subject or you)")


@fhir_router.get("/Questionnaire", response=dict[str, Any], summary="All instruments (Bundle)")
def fhir_questionnaires(request: HttpRequest) -> dict[str, Any]:
    entries = [{"resource": fhir.questionnaire(i)} for i in list_instruments()]
    return {"resourceType": "Bundle", "type": "searchset", "total": len(entries), "entry": entries}


@fhir_router.get("/Questionnaire/{instrument_id}", response=dict[str, Any], summary="Questionnaire")
def fhir_questionnaire(request: HttpRequest, instrument_id: str) -> dict[str, Any]:
    return fhir.questionnaire(
        services.instrument_or_invalid(instrument_id.replace("-", "_"), field="id")
    )


@fhir_router.post(
    "/QuestionnaireResponse",
    response={201: dict[str, Any]},
    summary="Answer (FHIR): a Bundle with the score, and the crisis panel when signalled",
    description=(
        "Answers a `collection` Bundle: `entry[0]` the score Observation; `entry[1]`, only "
        "when the answers signal a risk of self-harm (an item the instrument data marks as a "
        "crisis flag, e.g. PHQ-9 item 9 above 0), a Communication (category alert, priority "
        "stat) holding the crisis panel: show it to the patient at once, before anything "
        "else. The care team is alerted. See painpath.interop.fhir.crisis."
    ),
)
def fhir_response(
    request: HttpRequest, payload: Body[dict[str, Any]], params: Query[FhirParams]
) -> Status[dict[str, Any]]:
    try:
        parsed = fhir.parse_questionnaire_response(payload)
    except fhir.FhirInputError as exc:
        raise InvalidInput(
            _("The QuestionnaireResponse cannot be accepted."),
            fields=[FieldError(exc.field, exc.message)],
        ) from None
    patient_id = _own_patient_id(request, params.patient_id or parsed.patient_id)
    if parsed.patient_id is not None and parsed.patient_id != patient_id:
        raise InvalidInput(
            _("Subject mismatch."),
            fields=[FieldError("subject.reference", _("Does not match patient_id."))],
        )
    actor = actor_of(request)
    response = services.submit_response(
        actor=actor,
        patient_id=patient_id,
        instrument_id=parsed.instrument_id,
        answers=parsed.answers,
        sex=parsed.sex,
        source=Source.FHIR,
        completed_at=parsed.authored,
        answers_field="item",
        sex_field=f"item.where(linkId='{fhir.SEX_LINK_ID}')",
        completed_at_field="authored",
    )
    communication = None
    if signals_crisis(response):
        panel = show_crisis_panel(actor=actor, patient_id=response.patient_id, reason="answers")
        communication = fhir.crisis_communication(
            panel,
            patient_id=response.patient_id,
            response_id=response.pk,
            sent=timezone.now(),
            synthetic=response.synthetic,
        )
    observation = _observation(response)
    bundle = fhir.submission_bundle(
        observation=observation,
        observation_url=request.build_absolute_uri(f"Observation/{observation['id']}"),
        communication=communication,
        timestamp=timezone.now(),
    )
    return Status(201, bundle)


def _observation(r: QuestionnaireResponse) -> dict[str, Any]:
    return fhir.score_observation(
        instrument=get_instrument(r.instrument),
        observation_id=f"score-{r.pk}",
        response_id=str(r.pk),
        patient_id=r.patient_id,
        effective=r.completed_at,
        score=r.score,
        band=r.band or None,
        synthetic=r.synthetic,
        subscales=r.subscales,
    )


@fhir_router.get("/Observation/score-{response_id}", response=dict[str, Any], summary="Score")
def fhir_observation(request: HttpRequest, response_id: int) -> dict[str, Any]:
    return _observation(services.get_response(actor=actor_of(request), response_id=response_id))


@fhir_router.get(
    "/QuestionnaireResponse/{response_id}",
    response=dict[str, Any],
    summary="A stored response (what an Observation's derivedFrom points to)",
)
def fhir_questionnaire_response(request: HttpRequest, response_id: int) -> dict[str, Any]:
    r = services.get_response(actor=actor_of(request), response_id=response_id)
    return fhir.questionnaire_response(
        instrument=get_instrument(r.instrument),
        response_id=str(r.pk),
        patient_id=r.patient_id,
        authored=r.completed_at,
        answers=r.answers,
        sex=r.sex or None,
        synthetic=r.synthetic,
    )
