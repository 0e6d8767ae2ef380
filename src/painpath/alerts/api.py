"""API: alerts of the caller's patients; acknowledge, resolve with a note, reassign."""

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


class AlertOut(Schema):
    id: int
    patient_id: int
    rule_id: str
    subject: str
    severity: str
    title: str
    message: str
    reference: str
    sources: list[str]
    evidence: dict[str, Any]
    status: str
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
    note: str = Field(max_length=2000)


class ReassignIn(Schema):
    assignee_id: int


def alert_out(alert: Alert) -> AlertOut:
    return AlertOut.model_validate(alert, from_attributes=True)


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


@router.post("/{alert_id}/resolve", response=AlertOut, summary="Resolve with a note")
def resolve(request: HttpRequest, alert_id: int, payload: ResolveIn) -> AlertOut:
    alert = services.resolve_alert(actor=actor_of(request), alert_id=alert_id, note=payload.note)
    return alert_out(alert)


@router.post("/{alert_id}/reassign", response=AlertOut, summary="Reassign")
def reassign(request: HttpRequest, alert_id: int, payload: ReassignIn) -> AlertOut:
    alert = services.reassign_alert(
        actor=actor_of(request), alert_id=alert_id, assignee_id=payload.assignee_id
    )
    return alert_out(alert)
