"""Check-in page (patient) and the diary sections of the patient home and clinician chart."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from painpath.core.errors import InvalidInput, NotFound
from painpath.core.extensions import extension_functions
from painpath.core.web import signed_in_user, web_actor
from painpath.diary import services
from painpath.diary.bodymap import body_map
from painpath.diary.forms import CheckInForm
from painpath.patients.models import Patient

HEAT_PERIODS = (7, 30, 90, 365)
TREND_DAYS = 120


def _own_patient(request: HttpRequest) -> Patient:
    record = getattr(signed_in_user(request), "patient_record", None)
    if record is None:
        raise NotFound(_("Your account is not linked to a patient record."))
    return record  # type: ignore[no-any-return]


@login_required
def checkin(request: HttpRequest) -> HttpResponse:
    patient = _own_patient(request)
    actor = web_actor(request)
    today = services.local_today(patient)
    existing = services.get_checkin(actor=actor, patient_id=patient.pk, day=today)
    initial = {}
    if existing is not None:
        initial = {name: getattr(existing, name) for name in CheckInForm.base_fields}
    form = CheckInForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_checkin(
                actor=actor,
                patient_id=patient.pk,
                data=services.CheckInData(**form.cleaned_data),
            )
        except InvalidInput as exc:
            for err in exc.fields:
                name = err.field.split("[")[0]
                form.add_error(name if name in form.fields else None, err.message)
        else:
            messages.success(
                request, _("Today's check-in is saved. You can change it until midnight.")
            )
            return redirect("diary:checkin")
    chosen = set(form["regions"].value() or [])
    panels = [
        mark_safe(fn(request, patient, today))  # noqa: S308 - each panel renders a template
        for fn in extension_functions("PAINPATH_CHECKIN_PANELS")
    ]
    bm = body_map()
    return render(
        request,
        "diary/checkin.html",
        {
            "form": form,
            "patient": patient,
            "today": today,
            "existing": existing,
            "front": bm.view("front"),
            "back": bm.view("back"),
            "chosen": chosen,
            "panels": panels,
        },
    )


def home_panel(request: HttpRequest, patient: Patient) -> str:
    """Patient home: today's check-in status and the link to it."""
    today = services.local_today(patient)
    done = services.get_checkin(actor=web_actor(request), patient_id=patient.pk, day=today)
    return render_to_string(
        "diary/_home_panel.html", {"done": done, "today": today}, request=request
    )


def trends_panel(request: HttpRequest, patient: Patient) -> str:
    """Clinician chart: pain, activity (function) and mood from check-ins, as a chart."""
    start, end = services.default_range(patient, TREND_DAYS)
    rows = services.list_checkins(
        actor=web_actor(request), patient_id=patient.pk, start=start, end=end
    )
    series = {
        "labels": [c.day.isoformat() for c in rows],
        "pain": [c.pain_average for c in rows],
        "activity": [c.activity for c in rows],
        "mood": [c.mood for c in rows],
        "sleep": [c.sleep_quality for c in rows],
        "names": {
            "pain": _("Pain (0-10)"),
            "activity": _("Activity / function (0-10)"),
            "mood": _("Mood (0-10)"),
        },
    }
    return render_to_string(
        "diary/_trends_panel.html",
        {
            "series": series,
            "rows": rows[-7:][::-1],
            "count": len(rows),
            "days": TREND_DAYS,
            "start": start,
            "end": end,
        },
        request=request,
    )


def heatmap_panel(request: HttpRequest, patient: Patient) -> str:
    """Clinician chart: how often each body-map region was marked over a chosen period."""
    try:
        days = int(request.GET.get("heat_days", "30"))
    except ValueError:
        days = 30
    days = days if days in HEAT_PERIODS else 30
    start, end = services.default_range(patient, days)
    rows = services.list_checkins(
        actor=web_actor(request), patient_id=patient.pk, start=start, end=end
    )
    counts, total = services.body_map_counts(rows)
    bm = body_map()

    def shade(region_id: str) -> int:
        if not total or region_id not in counts:
            return 0
        return min(5, 1 + int(5 * counts[region_id] / (total + 1)))

    def cells(view: str) -> list[dict[str, Any]]:
        return [
            {"region": r, "count": counts.get(r.id, 0), "level": shade(r.id)} for r in bm.view(view)
        ]

    regions = cells("front") + cells("back")
    return render_to_string(
        "diary/_heatmap_panel.html",
        {
            "patient": patient,
            "front": cells("front"),
            "back": cells("back"),
            "ranked": sorted((x for x in regions if x["count"]), key=lambda x: -x["count"]),
            "total": total,
            "days": days,
            "periods": HEAT_PERIODS,
            "start": start,
            "end": end,
            "yesterday": end - timedelta(days=1),
        },
        request=request,
    )
