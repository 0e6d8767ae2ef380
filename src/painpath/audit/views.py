"""The audit log browser for administrators, with filters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from painpath import access
from painpath.accounts.models import User
from painpath.audit import services as audit
from painpath.audit.models import Action, AuditEvent
from painpath.core.paging import parse_offset
from painpath.core.web import signed_in_user, web_actor

PAGE_SIZE = 50


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("User name"), max_length=150, required=False)
    patient = forms.IntegerField(label=_("Patient id"), required=False, min_value=1)
    action = forms.ChoiceField(
        label=_("Action"), choices=[("", _("any")), *Action.choices], required=False
    )
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    request_id = forms.CharField(label=_("Request id"), max_length=64, required=False)


def filtered_events(user: User, filters: dict[str, Any]) -> QuerySet[AuditEvent]:
    clinic = access.require_audit_access(user)
    events = AuditEvent.objects.select_related("actor", "patient")
    if clinic is not None:
        # A patient's rows belong to the patient's clinic, whoever acted (a clinician who moved
        # clinics must not bring other clinics' records along); other rows to the actor's.
        events = events.filter(
            Q(patient__clinic=clinic) | Q(patient__isnull=True, actor__clinic=clinic)
        )
    if filters.get("actor"):
        events = events.filter(actor_label=filters["actor"])
    if filters.get("patient"):
        events = events.filter(patient_id=filters["patient"])
    if filters.get("action"):
        events = events.filter(action=filters["action"])
    if filters.get("since"):
        events = events.filter(at__date__gte=filters["since"])
    if filters.get("until"):
        events = events.filter(at__date__lte=filters["until"])
    if filters.get("request_id"):
        events = events.filter(request_id=filters["request_id"])
    return events.order_by("-id")


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    access.require_audit_access(user)
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    offset = parse_offset(request.GET.get("offset"))
    with transaction.atomic():
        events = list(filtered_events(user, filters)[offset : offset + PAGE_SIZE + 1])
        # Reading the log shows patients' record numbers: that read is audited too.
        audit.record(
            web_actor(request),
            action=Action.LIST,
            object_type="AuditEvent",
            detail={
                "filters": {k: str(v) for k, v in filters.items() if v not in (None, "")},
                "offset": offset,
                "rows": min(len(events), PAGE_SIZE),
            },
        )
    query = request.GET.copy()
    query.pop("offset", None)
    return render(
        request,
        "audit/log.html",
        {
            "form": form,
            "events": events[:PAGE_SIZE],
            "has_next": len(events) > PAGE_SIZE,
            "next_offset": offset + PAGE_SIZE,
            "previous_offset": max(0, offset - PAGE_SIZE) if offset else None,
            "query": query.urlencode(),
        },
    )
