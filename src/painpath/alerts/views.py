"""Triage list (the clinician's home), alert list, alert page, the chart's alerts panel, and
the actions on an alert (acknowledge, snooze, resolve, reassign): htmx swaps the changed part
of the page in place; without JavaScript the same forms post and redirect back."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from painpath import access
from painpath.accounts.models import Role, User
from painpath.alerts import services
from painpath.alerts.models import Alert
from painpath.clinical.safety import evidence_rows
from painpath.core.errors import Conflict, FieldError, InvalidInput
from painpath.core.web import signed_in_user, web_actor
from painpath.patients.models import Patient

TRIAGE_SIZE = 100
PAGE_SIZE = 50
CHART_SIZE = 20
DEFAULT_SNOOZE = timedelta(hours=4)


@login_required
def triage(request: HttpRequest) -> HttpResponse:
    rows, flags_ok = services.triage(actor=web_actor(request), limit=TRIAGE_SIZE)
    return render(
        request,
        "alerts/triage.html",
        {"rows": rows, "flags_ok": flags_ok, "can_handle": _can_handle(request)},
    )


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _can_handle(request: HttpRequest) -> bool:
    return signed_in_user(request).role == Role.CLINICIAN


@login_required
def alert_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "unresolved")
    mine = request.GET.get("mine") == "1"
    patient_id = _int(request.GET.get("patient_id"))
    offset = max(0, _int(request.GET.get("offset")) or 0)
    page = services.list_alerts(
        actor=web_actor(request),
        status=status,
        patient_id=patient_id,
        mine=mine,
        limit=PAGE_SIZE,
        offset=offset,
    )
    return render(
        request,
        "alerts/list.html",
        {"page": page, "status": status, "mine": mine, "patient_id": patient_id},
    )


def _team_clinicians(user: User, patient_id: int) -> list[User]:
    candidates = User.objects.filter(
        role=Role.CLINICIAN, is_active=True, care_teams__patients=patient_id
    ).distinct()
    return [u for u in candidates if access.visible_patients(u).filter(pk=patient_id).exists()]


def _snooze_default() -> str:
    """The snooze field's starting value: a few hours ahead, in the clinic's local time."""
    return timezone.localtime(timezone.now() + DEFAULT_SNOOZE).strftime("%Y-%m-%dT%H:%M")


@login_required
def alert_detail(request: HttpRequest, alert_id: int) -> HttpResponse:
    user = signed_in_user(request)
    alert = services.get_alert(actor=web_actor(request), alert_id=alert_id)
    can_handle = user.role == Role.CLINICIAN
    return render(
        request,
        "alerts/detail.html",
        {
            "alert": alert,
            "evidence": evidence_rows(alert.evidence),
            "can_handle": can_handle,
            "clinicians": _team_clinicians(user, alert.patient_id) if can_handle else [],
            "snooze_default": _snooze_default(),
        },
    )


def _chart_context(request: HttpRequest, patient_id: int) -> dict[str, object]:
    page = services.list_alerts(
        actor=web_actor(request), status="unresolved", patient_id=patient_id, limit=CHART_SIZE
    )
    counts = services.state_counts(actor=web_actor(request), patient_id=patient_id)
    return {
        "patient_id": patient_id,
        "alerts": page.items,
        "total": page.count,
        "counts": counts,
        "can_handle": _can_handle(request),
        "snooze_default": _snooze_default(),
    }


def chart_panel(request: HttpRequest, patient: Patient) -> str:
    """Clinician chart: the patient's unresolved alerts with their state and actions."""
    return render_to_string(
        "alerts/_chart_panel.html", _chart_context(request, patient.pk), request=request
    )


def _snooze_until(raw: str) -> datetime:
    """A datetime-local value in the clinic's time zone (or an ISO time with an offset)."""
    parsed = parse_datetime(raw.strip()) if raw.strip() else None
    if parsed is None:
        raise InvalidInput(
            _("The alert cannot be snoozed so."),
            fields=[FieldError("until", _("Give a date and time, e.g. 2026-03-10 18:00."))],
        )
    if timezone.is_naive(parsed):
        try:
            parsed = timezone.make_aware(parsed)
        except ValueError:  # skipped or repeated by a daylight-saving change
            raise InvalidInput(
                _("The alert cannot be snoozed so."),
                fields=[FieldError("until", _("That local time does not exist; pick another."))],
            ) from None
    return parsed


def _act(request: HttpRequest, alert_id: int, action: str) -> tuple[Alert | None, str]:
    """Run the action; returns the alert (None if refused) and the message to show."""
    actor = web_actor(request)
    try:
        if action == "acknowledge":
            return services.acknowledge_alert(actor=actor, alert_id=alert_id), _(
                "Alert acknowledged."
            )
        if action == "snooze":
            alert = services.snooze_alert(
                actor=actor,
                alert_id=alert_id,
                until=_snooze_until(request.POST.get("until", "")),
                reason=request.POST.get("reason", ""),
            )
            return alert, _("Alert snoozed.")
        if action == "resolve":
            alert = services.resolve_alert(
                actor=actor, alert_id=alert_id, note=request.POST.get("note", "")
            )
            return alert, _("Alert resolved.")
        if action == "reassign":
            assignee = _int(request.POST.get("assignee_id")) or 0
            alert = services.reassign_alert(actor=actor, alert_id=alert_id, assignee_id=assignee)
            return alert, _("Alert reassigned.")
    except (InvalidInput, Conflict) as exc:
        return None, "; ".join([exc.message, *(f.message for f in exc.fields)])
    raise Http404


@login_required
@require_POST
def alert_action(request: HttpRequest, alert_id: int, action: str) -> HttpResponse:
    alert, message = _act(request, alert_id, action)
    where = request.POST.get("from", "")
    patient_id = _int(request.POST.get("patient_id"))
    if request.headers.get("HX-Request") == "true" and patient_id is not None:
        error = "" if alert is not None else message
        if where == "triage":
            rows, _flags_ok = services.triage(actor=web_actor(request), patient_ids=[patient_id])
            return render(
                request,
                "alerts/_triage_row.html",
                {"row": rows[0] if rows else None, "can_handle": True, "error": error},
            )
        context = _chart_context(request, patient_id)
        context["error"] = error
        return render(request, "alerts/_chart_panel.html", context)
    (messages.success if alert is not None else messages.error)(request, message)
    if where == "triage":
        return redirect("alerts:triage")
    if where == "chart" and patient_id is not None:
        return redirect("patients:detail", patient_id=patient_id)
    return redirect("alerts:detail", alert_id=alert_id)
