"""Alerts as clinicians work them, and the triage list: every read and change checked, audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from painpath import access
from painpath.accounts.models import Role, User
from painpath.alerts import inputs
from painpath.alerts.models import (
    UNRESOLVED,
    Alert,
    AlertStatus,
    PatientSafetyState,
    attention_q,
)
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
    "snooze_alert",
    "state_counts",
    "triage",
]

OBJECT_TYPE = "Alert"
MAX_NOTE = 2000
MAX_REASON = 500
MAX_SNOOZE = timedelta(days=30)
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
    """Open (or snoozed) -> acknowledged: the care team has seen it. It no longer ranks the
    patient in triage nor escalates, and stays listed until resolved. A questionnaire flag
    linked to the alert shows the same state (the alert is the one record of it)."""
    user = access.require_authenticated(actor.user)
    with transaction.atomic():
        alert = _for_handling(user, alert_id)
        if alert.status != AlertStatus.OPEN:
            raise Conflict(_("Only an open alert can be acknowledged."))
        was_snoozed = alert.is_snoozed
        alert.status, alert.acknowledged_by, alert.acknowledged_at = (
            AlertStatus.ACKNOWLEDGED,
            user,
            timezone.now(),
        )
        alert.save(update_fields=["status", "acknowledged_by", "acknowledged_at"])
        _changed(actor, alert, {"status": alert.status, "was_snoozed": was_snoozed})
    return alert


def snooze_alert(*, actor: Actor, alert_id: int, until: datetime, reason: str) -> Alert:
    """Put an open alert aside until ``until`` (at most MAX_SNOOZE ahead), with a reason:
    until then it neither ranks the patient nor escalates; after it, it is open again and
    the escalation clock starts from that time."""
    user = access.require_authenticated(actor.user)
    reason = reason.strip()
    now = timezone.now()
    errors = []
    if not reason or len(reason) > MAX_REASON:
        errors.append(FieldError("reason", _("1 to %(n)d characters.") % {"n": MAX_REASON}))
    if timezone.is_naive(until):
        errors.append(FieldError("until", _("Give a time with its time zone offset.")))
    elif not now < until <= now + MAX_SNOOZE:
        errors.append(
            FieldError(
                "until",
                _("Must be in the future and at most %(days)d days ahead.")
                % {"days": MAX_SNOOZE.days},
            )
        )
    if errors:
        raise InvalidInput(_("The alert cannot be snoozed so."), fields=errors)
    with transaction.atomic():
        alert = _for_handling(user, alert_id)
        if alert.status != AlertStatus.OPEN:
            raise Conflict(_("Only an open alert can be snoozed."))
        alert.snoozed_until, alert.snoozed_at, alert.snoozed_by = until, now, user
        alert.snooze_reason = reason
        alert.save(update_fields=["snoozed_until", "snoozed_at", "snoozed_by", "snooze_reason"])
        _changed(actor, alert, {"snoozed_until": until.isoformat(), "reason": reason})
    return alert


def resolve_alert(*, actor: Actor, alert_id: int, note: str) -> Alert:
    """Resolved with a reason (``note``): the episode is closed for the care team."""
    user = access.require_authenticated(actor.user)
    note = note.strip()
    if not note or len(note) > MAX_NOTE:
        raise InvalidInput(
            _("A reason is required."),
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
    rank: int  # highest severity rank among alerts needing attention, -1 if none
    severity: str
    reason: str
    open_count: int  # open, not snoozed, condition still holding: these rank the patient
    last_change_at: datetime | None
    urgent_flags: tuple[str, ...]
    cleared_count: int = 0  # unresolved alerts whose condition has cleared (not ranked)
    acknowledged_count: int = 0  # seen by the care team, not yet resolved (not ranked)
    snoozed_count: int = 0  # open but snoozed (not ranked until the snooze passes)
    top_alert_id: int | None = None  # the alert the reason is about


_SEVERITIES = {0: "info", 1: "warning", 2: "high", 3: "urgent"}
STATES = ("open", "snoozed", "acknowledged", "cleared")


def _state_counts(patient_ids: list[int], now: datetime) -> dict[str, dict[int, int]]:
    """Unresolved alerts per state and patient, in one query: open (ranks the patient),
    snoozed, acknowledged, or cleared (the condition is gone; resolve it)."""
    counts: dict[str, dict[int, int]] = {k: {} for k in STATES}
    for pid, cleared_at, status, snoozed_until in Alert.objects.filter(
        patient_id__in=patient_ids, status__in=UNRESOLVED
    ).values_list("patient_id", "cleared_at", "status", "snoozed_until"):
        if cleared_at is not None:
            kind = "cleared"
        elif status == AlertStatus.ACKNOWLEDGED:
            kind = "acknowledged"
        elif snoozed_until is not None and snoozed_until > now:
            kind = "snoozed"
        else:
            kind = "open"
        counts[kind][pid] = counts[kind].get(pid, 0) + 1
    return counts


def state_counts(*, actor: Actor, patient_id: int) -> dict[str, int]:
    """The patient's unresolved alerts per state (for the chart)."""
    user = _staff(actor)
    access.get_readable_patient(user, patient_id)
    counts = _state_counts([patient_id], timezone.now())
    return {k: counts[k].get(patient_id, 0) for k in STATES}


def triage(
    *, actor: Actor, limit: int = 100, patient_ids: list[int] | None = None
) -> tuple[list[TriageRow], bool]:
    """The caller's patients by the severity of what needs attention, then most recent change
    (fixed query count whatever the panel size); ``patient_ids`` narrows it (one row after an
    action). The flag says whether urgent questionnaire flags could be read (False: the
    assessments source is unavailable).

    Only open alerts rank a patient: acknowledged ones (seen), snoozed ones (until the snooze
    passes) and ones whose condition has cleared stay listed, counted apart, until resolved."""
    user = _staff(actor)
    now = timezone.now()
    attention = Alert.objects.filter(attention_q(now), patient=OuterRef("pk")).order_by(
        "-severity_rank", "-created_at"
    )
    visible = access.visible_patients(user)
    if patient_ids is not None:
        visible = visible.filter(pk__in=patient_ids)
    patients = visible.annotate(
        top_rank=Coalesce(
            Subquery(attention.values("severity_rank")[:1]),
            Value(-1),
            output_field=IntegerField(),
        ),
        top_id=Subquery(attention.values("pk")[:1]),
        top_title=Subquery(attention.values("title")[:1]),
        top_message=Subquery(attention.values("message")[:1]),
        last_change=Subquery(
            PatientSafetyState.objects.filter(patient=OuterRef("pk")).values("last_change_at")[:1]
        ),
    )
    rows_by_id = {p.pk: p for p in patients}
    counts = _state_counts(list(rows_by_id), now)
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
                open_count=counts["open"].get(p.pk, 0),
                last_change_at=p.last_change,
                urgent_flags=patient_flags,
                cleared_count=counts["cleared"].get(p.pk, 0),
                acknowledged_count=counts["acknowledged"].get(p.pk, 0),
                snoozed_count=counts["snoozed"].get(p.pk, 0),
                top_alert_id=p.top_id,
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
