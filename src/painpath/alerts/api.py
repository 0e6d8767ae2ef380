"""API: alerts of the caller's patients, with how to reach the patient; acknowledge, snooze
with a reason until a time, resolve with a reason, reassign."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from painpath.alerts import services
from painpath.alerts.models import Alert
from painpath.core.api import actor_of
from painpath.core.paging import MAX_LIMIT, MAX_OFFSET

router = Router(tags=["alerts"])


class PatientContactOut(Schema):
    phone: str = Field(description="The patient's phone (E.164); empty if none on the record")
    emergency_contact_name: str
    emergency_contact_relationship: str
    emergency_contact_phone: str = Field(description="E.164; empty if none on the record")


class AlertOut(Schema):
    id: int
    patient_id: int
    patient_contact: PatientContactOut = Field(description="How to reach the patient now")
    rule_id: str
    subject: str
    severity: str
    title: str
    message: str
    reference: str
    sources: list[str]
    evidence: dict[str, Any]
    status: str = Field(description="open, acknowledged or resolved")
    state: str = Field(
        description="open, snoozed, acknowledged or resolved; only open alerts rank a patient"
    )
    opened_at: datetime | None = Field(description="When it last became open (raised, reopened)")
    snoozed_until: datetime | None
    snooze_reason: str
    assignee_id: int | None
    escalated_to_id: int | None
    escalated_at: datetime | None
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    resolution_note: str
    cleared_at: datetime | None = Field(description="When the condition was found gone")
    created_at: datetime
    synthetic: bool


class AlertPage(Schema):
    items: list[AlertOut]
    count: int
    limit: int
    offset: int


class ListParams(Schema):
    status: str = Field("unresolved", description="open, acknowledged, resolved, unresolved, all")
    patient_id: int | None = None
    mine: bool = Field(False, description="Only alerts assigned or escalated to me")
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class ResolveIn(Schema):
    note: str = Field(max_length=2000, description="The reason for resolving")


class SnoozeIn(Schema):
    until: datetime = Field(description="With a time zone offset; at most 30 days ahead")
    reason: str = Field(max_length=500)


class ReassignIn(Schema):
    assignee_id: int


def alert_out(alert: Alert) -> AlertOut:
    return AlertOut.model_validate(
        {
            **{
                name: getattr(alert, name)
                for name in AlertOut.model_fields
                if name != "patient_contact"
            },
            "patient_contact": PatientContactOut.model_validate(
                alert.patient, from_attributes=True
            ),
        }
    )


@router.get("", response=AlertPage, summary="Alerts of my patients")
def list_alerts(request: HttpRequest, params: Query[ListParams]) -> AlertPage:
    page = services.list_alerts(actor=actor_of(request), **params.model_dump())
    return AlertPage(
        items=[alert_out(a) for a in page.items],
        count=page.count,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/{alert_id}", response=AlertOut, summary="One alert")
def get_alert(request: HttpRequest, alert_id: int) -> AlertOut:
    return alert_out(services.get_alert(actor=actor_of(request), alert_id=alert_id))


@router.post("/{alert_id}/acknowledge", response=AlertOut, summary="Acknowledge")
def acknowledge(request: HttpRequest, alert_id: int) -> AlertOut:
    return alert_out(services.acknowledge_alert(actor=actor_of(request), alert_id=alert_id))


@router.post("/{alert_id}/snooze", response=AlertOut, summary="Snooze until a time, with a reason")
def snooze(request: HttpRequest, alert_id: int, payload: SnoozeIn) -> AlertOut:
    alert = services.snooze_alert(
        actor=actor_of(request), alert_id=alert_id, until=payload.until, reason=payload.reason
    )
    return alert_out(alert)


@router.post("/{alert_id}/resolve", response=AlertOut, summary="Resolve with a reason")
def resolve(request: HttpRequest, alert_id: int, payload: ResolveIn) -> AlertOut:
    alert = services.resolve_alert(actor=actor_of(request), alert_id=alert_id, note=payload.note)
    return alert_out(alert)


@router.post("/{alert_id}/reassign", response=AlertOut, summary="Reassign")
def reassign(request: HttpRequest, alert_id: int, payload: ReassignIn) -> AlertOut:
    alert = services.reassign_alert(
        actor=actor_of(request), alert_id=alert_id, assignee_id=payload.assignee_id
    )
    return alert_out(alert)
