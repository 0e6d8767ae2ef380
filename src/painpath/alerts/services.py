"""Alerts as clinicians work them, and the triage list: every read and change checked, audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from painpath import access
from painpath.accounts.models import Role, User
from painpath.alerts import inputs
from painpath.alerts.models import UNRESOLVED, Alert, AlertStatus, PatientSafetyState
from painpath.audit import services as audit
from painpath.audit.models import Action
from painpath.core.context import Actor
from painpath.core.errors import Conflict, FieldError, Forbidden, InvalidInput, NotFound
from painpath.core.paging import MAX_LIMIT, Page
from painpath.patients.models import Patient

__all__ = [
    "TriageRow",
    "acknowledge_alert",
    "get_alert",
    "list_alerts",
    "reassign_alert",
    "resolve_alert",
    "triage",
]

OBJECT_TYPE = "Alert"
MAX_NOTE = 2000
URGENT_RANK = 3


def _staff(actor: Actor) -> User:
    user = access.require_authenticated(actor.user)
    if user.role == Role.PATIENT:
        raise Forbidden(_("Alerts are for the care team."))
    return user


def _visible_alerts(user: User) -> QuerySet[Alert]:
    return Alert.objects.filter(patient__in=access.visible_patients(user)).select_related(
        "patient", "assignee", "escalated_to"
    )


def list_alerts(
    *,
    actor: Actor,
    status: str = "unresolved",
    patient_id: int | None = None,
    mine: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> Page[Alert]:
    """Alerts of the caller's visible patients; each patient shown is audited once."""
    user = _staff(actor)
    limit, offset = max(1, min(limit, MAX_LIMIT)), max(0, offset)
    alerts = _visible_alerts(user)
    if status == "unresolved":
        alerts = alerts.filter(status__in=UNRESOLVED)
    elif status in AlertStatus.values:
        alerts = alerts.filter(status=status)
    elif status != "all":
        raise InvalidInput(
            _("Unknown status."),
            fields=[FieldError("status", _("open, acknowledged, resolved, unresolved or all"))],
        )
    if patient_id is not None:
        access.get_readable_patient(user, patient_id)
        alerts = alerts.filter(patient_id=patient_id)
    if mine:
        alerts = alerts.filter(Q(assignee=user) | Q(escalated_to=user))
    with transaction.atomic():
        count = alerts.count()
        items = list(alerts[offset : offset + limit])
        audit.record_many(
            actor,
            [
                audit.AuditEntry(Action.LIST, OBJECT_TYPE, "", pid, {"status": status})
                for pid in sorted({a.patient_id for a in items})
            ],
        )
    return Page(items=items, count=count, limit=limit, offset=offset)


def get_alert(*, actor: Actor, alert_id: int) -> Alert:
    user = _staff(actor)
    with transaction.atomic():
        alert = _visible_alerts(user).filter(pk=alert_id).first()
        if alert is None:
            raise NotFound(_("No such alert."))
        audit.record(
            actor,
            action=Action.READ,
            object_type=OBJECT_TYPE,
            object_id=alert.pk,
            patient_id=alert.patient_id,
        )
    return alert


def _for_handling(user: User, alert_id: int) -> Alert:
    """The alert, locked, if the caller may see it (else 404) and handle it (else 403)."""
    alert = (
        Alert.objects.select_for_update()
        .filter(pk=alert_id, patient__in=access.visible_patients(user))
        .first()
    )
    if alert is None:
        raise NotFound(_("No such alert."))
    access.get_patient_for_clinical_write(user, alert.patient_id)
    return alert


def _changed(actor: Actor, alert: Alert, detail: dict[str, object]) -> None:
    audit.record(
        actor,
        action=Action.UPDATE,
        object_type=OBJECT_TYPE,
        object_id=alert.pk,
        patient_id=alert.patient_id,
        detail=detail,
    )


def acknowledge_alert(*, actor: Actor, alert_id: int) -> Alert:
    user = access.require_authenticated(actor.user)
    with transaction.atomic():
        alert = _for_handling(user, alert_id)
        if alert.status != AlertStatus.OPEN:
            raise Conflict(_("Only an open alert can be acknowledged."))
        alert.status, alert.acknowledged_by, alert.acknowledged_at = (
            AlertStatus.ACKNOWLEDGED,
            user,
            timezone.now(),
        )
        alert.save(update_fields=["status", "acknowledged_by", "acknowledged_at"])
        _changed(actor, alert, {"status": alert.status})
    return alert


def resolve_alert(*, actor: Actor, alert_id: int, note: str) -> Alert:
    user = access.require_authenticated(actor.user)
    note = note.strip()
    if not note or len(note) > MAX_NOTE:
        raise InvalidInput(
            _("A note is required."),
            fields=[FieldError("note", _("1 to %(n)d characters.") % {"n": MAX_NOTE})],
        )
    with transaction.atomic():
        alert = _for_handling(user, alert_id)
        if alert.status == AlertStatus.RESOLVED:
            raise Conflict(_("The alert is already resolved."))
        now = timezone.now()
        if alert.acknowledged_at is None:
            alert.acknowledged_by, alert.acknowledged_at = user, now
        alert.status, alert.resolved_by, alert.resolved_at = AlertStatus.RESOLVED, user, now
        alert.resolution_note = note
        alert.save()
        _changed(actor, alert, {"status": alert.status, "note": note})
    return alert


def reassign_alert(*, actor: Actor, alert_id: int, assignee_id: int) -> Alert:
    user = access.require_authenticated(actor.user)
    with transaction.atomic():
        alert = _for_handling(user, alert_id)
        assignee = User.objects.filter(pk=assignee_id, role=Role.CLINICIAN, is_active=True).first()
        if (
            assignee is None
            or not access.visible_patients(assignee).filter(pk=alert.patient_id).exists()
        ):
            raise InvalidInput(
                _("Unknown assignee."),
                fields=[
                    FieldError("assignee_id", _("Must be a clinician on the patient's care team."))
                ],
            )
        if alert.status == AlertStatus.RESOLVED:
            raise Conflict(_("A resolved alert cannot be reassigned."))
        previous = alert.assignee_id
        alert.assignee = assignee
        alert.save(update_fields=["assignee"])
        _changed(actor, alert, {"assignee": assignee.pk, "previous": previous})
    return alert


@dataclass(frozen=True)
class TriageRow:
    patient: Patient
    rank: int  # highest open severity rank, -1 if none
    severity: str
    reason: str
    open_count: int  # unresolved alerts whose condition still holds
    last_change_at: datetime | None
    urgent_flags: tuple[str, ...]
    cleared_count: int = 0  # unresolved alerts whose condition has cleared (not ranked)


_SEVERITIES = {0: "info", 1: "warning", 2: "high", 3: "urgent"}


def triage(*, actor: Actor, limit: int = 100) -> tuple[list[TriageRow], bool]:
    """The caller's patients by open-alert severity, then most recent change (fixed query
    count whatever the panel size). The flag says whether urgent questionnaire flags could be
    read (False: the assessments source is unavailable).

    Alerts whose condition has cleared stay unresolved until a clinician resolves them, but
    they do not rank a patient: they are counted apart, as "condition cleared"."""
    user = _staff(actor)
    open_alerts = Alert.objects.filter(
        patient=OuterRef("pk"), status__in=UNRESOLVED, cleared_at__isnull=True
    ).order_by("-severity_rank", "-created_at")
    patients = access.visible_patients(user).annotate(
        top_rank=Coalesce(
            Subquery(open_alerts.values("severity_rank")[:1]),
            Value(-1),
            output_field=IntegerField(),
        ),
        top_title=Subquery(open_alerts.values("title")[:1]),
        top_message=Subquery(open_alerts.values("message")[:1]),
        last_change=Subquery(
            PatientSafetyState.objects.filter(patient=OuterRef("pk")).values("last_change_at")[:1]
        ),
    )
    rows_by_id = {p.pk: p for p in patients}
    counts: dict[int, int] = {}
    cleared: dict[int, int] = {}
    for pid, cleared_at in Alert.objects.filter(
        patient_id__in=list(rows_by_id), status__in=UNRESOLVED
    ).values_list("patient_id", "cleared_at"):
        target = counts if cleared_at is None else cleared
        target[pid] = target.get(pid, 0) + 1
    flags = inputs.open_urgent_flags(list(rows_by_id))
    flags_ok = not isinstance(flags, inputs.Unavailable)
    flag_map: dict[int, list[str]] = flags if isinstance(flags, dict) else {}
    rows: list[TriageRow] = []
    for p in rows_by_id.values():
        patient_flags = tuple(flag_map.get(p.pk, []))
        rank = max(p.top_rank, URGENT_RANK if patient_flags else -1)
        if p.top_title:
            reason = f"{p.top_title}: {p.top_message}"
        elif patient_flags:
            reason = "; ".join(patient_flags)
        else:
            reason = ""
        rows.append(
            TriageRow(
                patient=p,
                rank=rank,
                severity=_SEVERITIES.get(rank, ""),
                reason=" ".join(reason.split()),
                open_count=counts.get(p.pk, 0),
                last_change_at=p.last_change,
                urgent_flags=patient_flags,
                cleared_count=cleared.get(p.pk, 0),
            )
        )
    rows.sort(
        key=lambda r: (
            -r.rank,
            r.last_change_at is None,
            -(r.last_change_at.timestamp() if r.last_change_at else 0.0),
            r.patient.pk,
        )
    )
    shown = rows[:limit]
    with transaction.atomic():
        audit.record_many(
            actor,
            [
                audit.AuditEntry(Action.LIST, "Triage", str(r.patient.pk), r.patient.pk, {})
                for r in shown
            ],
        )
    return shown, flags_ok
