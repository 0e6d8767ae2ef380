"""API: prescriptions with the pre-save check, doses taken, monitoring events, MME over time."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from painpath.alerts.evaluation import DraftCheck, Evaluation, RuleOutcome
from painpath.clinical.mme import MmeResult
from painpath.core.api import actor_of
from painpath.medications import intake, services
from painpath.medications.models import Prescription

router = Router(tags=["medications"])


class DraftIn(Schema):
    drug: str = Field(max_length=64, description="Catalogue id, name or alias")
    dose: Decimal = Field(gt=0, max_digits=9, decimal_places=3)
    unit: str = Field("mg", description="mg, or mcg/h for a transdermal patch")
    times_per_day: Decimal | None = Field(None, gt=0, max_digits=5, decimal_places=2)
    every_hours: Decimal | None = Field(None, gt=0, max_digits=5, decimal_places=2)
    as_needed: bool = False
    max_doses_per_day: Decimal | None = Field(None, gt=0, max_digits=5, decimal_places=2)
    release: str = Field("ir", description="ir or er_la")
    route: str = Field("oral", max_length=32)
    start: date
    end: date | None = None
    days_supply: int | None = Field(None, gt=0, le=366)
    indication: str = Field(description="acute, chronic or oud")
    replaces_id: int | None = Field(None, description="The line this one replaces (a taper)")
    taper: bool = Field(False, description="Mark the new line as a taper step")

    def data(self) -> services.DraftData:
        return services.DraftData(**self.model_dump())


class PrescriptionIn(DraftIn):
    override_reason: str = Field("", max_length=2000)


class OutcomeOut(Schema):
    rule_id: str
    subject: str
    severity: str
    title: str
    message: str
    reference: str = Field(description="The citation, in words")
    sources: list[str]
    evidence: dict[str, Any]
    change: str = Field(
        "",
        description="Pre-save check, triggered findings only: what the draft changes, e.g. "
        "'MME/day prescribed 45 -> 105' or 'adds oxycodone while lorazepam is in force'",
    )


class MmeOut(Schema):
    table: str
    total_mme_per_day: float
    items: list[dict[str, Any]]
    thresholds_crossed: list[int]
    excluded: list[str]


class EvaluationOut(Schema):
    on: date
    alerts: list[OutcomeOut]
    not_evaluated: dict[str, str]
    not_applied: dict[str, str]
    prescribed_mme: MmeOut
    taken_mme: MmeOut


class CheckOut(Schema):
    triggered: list[OutcomeOut] = Field(
        description="Findings the draft sets off: new with it, or made worse by it (more "
        "severe, more MME prescribed, a drug or reason added), each with `change`"
    )
    already_open: list[OutcomeOut] = Field(
        description="Findings that hold with or without the draft and that it does not make worse"
    )
    cleared: list[OutcomeOut] = Field(description="Rules that would stop holding")
    needs_reason: bool = Field(description="Saving requires override_reason")
    before: EvaluationOut
    after: EvaluationOut


class PrescriptionOut(Schema):
    id: int
    patient_id: int
    drug: str
    dose: Decimal
    unit: str
    times_per_day: Decimal | None
    every_hours: Decimal | None
    as_needed: bool
    max_doses_per_day: Decimal | None
    release: str
    route: str
    start: date
    end: date | None
    days_supply: int | None
    indication: str
    prescriber_id: int | None
    status: str
    replaces_id: int | None
    stopped_on: date | None
    stop_reason: str
    stop_confirmed_at: datetime | None
    override_reason: str
    warnings: list[str]
    synthetic: bool


class CreatedOut(Schema):
    prescription: PrescriptionOut
    check: CheckOut


class StopIn(Schema):
    on: date
    reason: str = Field(max_length=2000, description="Why the prescription is stopped")
    confirm: bool = Field(description="Must be true: the prescriber confirms the stop")


class DoseIn(Schema):
    prescription_id: int
    taken: bool = True
    slot: int = Field(0, ge=0, le=48, description="1..n for a scheduled dose, 0 as-needed")
    taken_at: datetime | None = None


class DosesIn(Schema):
    day: date
    doses: list[DoseIn] = Field(max_length=intake.MAX_ENTRIES)


class DoseOut(Schema):
    id: int
    prescription_id: int
    day: date
    slot: int
    taken: bool
    taken_at: datetime | None


class EventIn(Schema):
    kind: str = Field(description="urine_drug_test or pdmp_review")
    on: date
    note: str = Field("", max_length=500)


class EventOut(Schema):
    id: int
    kind: str
    on: date
    note: str


class MmeDayOut(Schema):
    day: date
    prescribed_mme: float
    taken_mme: float | None = Field(description="None: no dose reported that day")


class TimelineParams(Schema):
    start: date | None = None
    end: date | None = None


def _outcome(o: RuleOutcome) -> OutcomeOut:
    return OutcomeOut(
        rule_id=o.rule_id,
        subject=o.subject,
        severity=o.severity,
        title=o.title,
        message=o.message,
        reference=o.reference,
        sources=list(o.sources),
        evidence=o.evidence,
        change=o.change,
    )


def mme_out(result: MmeResult) -> MmeOut:
    return MmeOut(
        table=result.table,
        total_mme_per_day=float(result.total_mme_per_day),
        items=[{"drug": i.drug, "mme_per_day": float(i.mme_per_day)} for i in result.items],
        thresholds_crossed=list(result.thresholds_crossed),
        excluded=list(result.excluded),
    )


def _evaluation(e: Evaluation) -> EvaluationOut:
    return EvaluationOut(
        on=e.on,
        alerts=[_outcome(o) for o in e.outcomes],
        not_evaluated=e.not_evaluated,
        not_applied=e.not_applied,
        prescribed_mme=mme_out(e.prescribed_mme),
        taken_mme=mme_out(e.taken_mme),
    )


def check_out(check: DraftCheck) -> CheckOut:
    return CheckOut(
        triggered=[_outcome(o) for o in check.triggered],
        already_open=[_outcome(o) for o in check.already_open],
        cleared=[_outcome(o) for o in check.cleared],
        needs_reason=check.needs_reason,
        before=_evaluation(check.before),
        after=_evaluation(check.after),
    )


def prescription_out(rx: Prescription) -> PrescriptionOut:
    return PrescriptionOut.model_validate(rx, from_attributes=True)


@router.post("/{patient_id}/prescriptions/check", response=CheckOut, summary="Check a draft")
def check_prescription(request: HttpRequest, patient_id: int, payload: DraftIn) -> CheckOut:
    result = services.check_prescription(
        actor=actor_of(request), patient_id=patient_id, data=payload.data()
    )
    return check_out(result)


@router.post("/{patient_id}/prescriptions", response={201: CreatedOut}, summary="Prescribe")
def create_prescription(
    request: HttpRequest, patient_id: int, payload: PrescriptionIn
) -> Status[CreatedOut]:
    fields = payload.model_dump()
    reason = fields.pop("override_reason")
    rx, result = services.create_prescription(
        actor=actor_of(request),
        patient_id=patient_id,
        data=services.DraftData(**fields),
        override_reason=reason,
    )
    return Status(201, CreatedOut(prescription=prescription_out(rx), check=check_out(result)))


@router.get("/{patient_id}/prescriptions", response=list[PrescriptionOut], summary="Prescriptions")
def list_prescriptions(request: HttpRequest, patient_id: int) -> list[PrescriptionOut]:
    items = services.list_prescriptions(actor=actor_of(request), patient_id=patient_id)
    return [prescription_out(rx) for rx in items]


@router.post(
    "/{patient_id}/prescriptions/{prescription_id}/stop",
    response=PrescriptionOut,
    summary="Stop a prescription",
)
def stop_prescription(
    request: HttpRequest, patient_id: int, prescription_id: int, payload: StopIn
) -> PrescriptionOut:
    rx = services.stop_prescription(
        actor=actor_of(request),
        patient_id=patient_id,
        prescription_id=prescription_id,
        on=payload.on,
        reason=payload.reason,
        confirmed=payload.confirm,
    )
    return prescription_out(rx)


@router.post("/{patient_id}/doses", response={201: list[DoseOut]}, summary="Report doses taken")
def record_doses(request: HttpRequest, patient_id: int, payload: DosesIn) -> Status[list[DoseOut]]:
    saved = intake.record_doses(
        actor=actor_of(request),
        patient_id=patient_id,
        day=payload.day,
        entries=[intake.DoseEntry(**d.model_dump()) for d in payload.doses],
    )
    return Status(201, [DoseOut.model_validate(r, from_attributes=True) for r in saved])


@router.post(
    "/{patient_id}/monitoring-events", response={201: EventOut}, summary="Record a UDT or PDMP"
)
def record_event(request: HttpRequest, patient_id: int, payload: EventIn) -> Status[EventOut]:
    event = services.record_monitoring_event(
        actor=actor_of(request),
        patient_id=patient_id,
        kind=payload.kind,
        on=payload.on,
        note=payload.note,
    )
    return Status(201, EventOut.model_validate(event, from_attributes=True))


@router.get("/{patient_id}/mme", response=list[MmeDayOut], summary="MME prescribed vs taken")
def mme_timeline(
    request: HttpRequest, patient_id: int, params: Query[TimelineParams]
) -> list[MmeDayOut]:
    end = params.end or timezone.localdate()
    start = params.start or end - timedelta(days=29)
    days = services.mme_timeline(
        actor=actor_of(request), patient_id=patient_id, start=start, end=end
    )
    return [MmeDayOut(day=d.day, prescribed_mme=d.prescribed, taken_mme=d.taken) for d in days]
