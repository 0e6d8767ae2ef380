"""Triage list (the clinician's home), alert list and alert page with its actions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from painpath import access
from painpath.accounts.models import Role, User
from painpath.alerts import services
from painpath.core.errors import Conflict, InvalidInput
from painpath.core.web import signed_in_user, web_actor

TRIAGE_SIZE = 100
PAGE_SIZE = 50


@login_required
def triage(request: HttpRequest) -> HttpResponse:
    rows, flags_ok = services.triage(actor=web_actor(request), limit=TRIAGE_SIZE)
    return render(request, "alerts/triage.html", {"rows": rows, "flags_ok": flags_ok})


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


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


def _display(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):
        return "; ".join(_display(v) for v in value) or "—"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_display(v)}" for k, v in value.items())
    return str(value)


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
            "evidence": [(k, _display(v)) for k, v in alert.evidence.items()],
            "can_handle": can_handle,
            "clinicians": _team_clinicians(user, alert.patient_id) if can_handle else [],
        },
    )


@login_required
@require_POST
def alert_action(request: HttpRequest, alert_id: int, action: str) -> HttpResponse:
    actor = web_actor(request)
    try:
        if action == "acknowledge":
            services.acknowledge_alert(actor=actor, alert_id=alert_id)
            messages.success(request, _("Alert acknowledged."))
        elif action == "resolve":
            services.resolve_alert(
                actor=actor, alert_id=alert_id, note=request.POST.get("note", "")
            )
            messages.success(request, _("Alert resolved."))
        elif action == "reassign":
            assignee = _int(request.POST.get("assignee_id")) or 0
            services.reassign_alert(actor=actor, alert_id=alert_id, assignee_id=assignee)
            messages.success(request, _("Alert reassigned."))
        else:
            raise Http404
    except (InvalidInput, Conflict) as exc:
        messages.error(request, "; ".join([exc.message, *(f.message for f in exc.fields)]))
    return redirect("alerts:detail", alert_id=alert_id)
