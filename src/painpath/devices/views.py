"""Device pages: the patient's connect/upload page and charts, the clinician's timeline panel
and neuromodulation tab. Thin: the services check access and audit."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from painpath import access
from painpath.accounts.tokens import issue_token
from painpath.core.errors import NotFound
from painpath.core.web import signed_in_user, web_actor
from painpath.devices import neuromodulation as neuro
from painpath.devices import services
from painpath.devices.models import DailySummary, ImportFormat, ImportStatus
from painpath.patients.models import Patient

CHART_DAYS = 90
TIMELINE_DAYS = 90


def _series(rows: list[DailySummary]) -> dict[str, Any]:
    return {
        "labels": [r.day.isoformat() for r in rows],
        "steps": [r.steps for r in rows],
        "sleep_hours": [round(r.sleep_minutes / 60, 2) if r.sleep_minutes else None for r in rows],
        "rmssd": [round(r.rmssd, 1) if r.rmssd is not None else None for r in rows],
        "resting_hr": [round(r.resting_hr, 1) if r.resting_hr is not None else None for r in rows],
        "names": {
            "steps": _("Steps per day"),
            "sleep_hours": _("Sleep (hours)"),
            "rmssd": _("HRV RMSSD (ms)"),
            "resting_hr": _("Resting heart rate (bpm)"),
        },
    }


def _own_patient(request: HttpRequest) -> Patient:
    record = getattr(signed_in_user(request), "patient_record", None)
    if record is None:
        raise NotFound(_("Your account is not linked to a patient record."))
    return record  # type: ignore[no-any-return]


@login_required
def connect(request: HttpRequest) -> HttpResponse:
    """The patient's own page: upload a file, see imports, get a device token, see charts."""
    patient = _own_patient(request)
    actor = web_actor(request)
    end = timezone.localdate()
    rows = services.list_daily_summaries(
        actor=actor, patient_id=patient.pk, start=end - timedelta(days=CHART_DAYS), end=end
    )
    jobs = services.list_imports(actor=actor, patient_id=patient.pk)
    return render(
        request,
        "devices/connect.html",
        {
            "patient": patient,
            "series": _series(rows),
            "count": len(rows),
            "jobs": jobs,
            "running": any(j.status in {ImportStatus.QUEUED, ImportStatus.RUNNING} for j in jobs),
            "formats": ImportFormat.choices,
            "token_secret": request.session.pop("device_token_secret", None),
        },
    )


@login_required
def imports(request: HttpRequest, patient_id: int) -> HttpResponse:
    """The import history rows (htmx polls this while an import runs)."""
    jobs = services.list_imports(actor=web_actor(request), patient_id=patient_id)
    running = any(j.status in {ImportStatus.QUEUED, ImportStatus.RUNNING} for j in jobs)
    return render(
        request,
        "devices/_imports.html",
        {"jobs": jobs, "running": running, "patient_id": patient_id},
    )


@login_required
@require_POST
def upload(request: HttpRequest, patient_id: int) -> HttpResponse:
    upload_file = request.FILES.get("file")
    if upload_file is None:
        raise NotFound(_("Choose a file to upload."))
    services.create_import(
        actor=web_actor(request),
        patient_id=patient_id,
        fmt=request.POST.get("format", ""),
        file_name=upload_file.name or "upload",
        chunks=upload_file.chunks(),
    )
    user = signed_in_user(request)
    if user.role == "patient":
        return redirect("devices:connect")
    return redirect("devices:neuromodulation", patient_id=patient_id)


@login_required
@require_POST
def device_token(request: HttpRequest) -> HttpResponse:
    """A token scoped to posting this patient's samples (shown once)."""
    patient = _own_patient(request)
    user = signed_in_user(request)
    access.get_patient_for_self_report(user, patient.pk)
    issued = issue_token(
        user=user, name=request.POST.get("name", "") or _("Device"), patient_id=patient.pk
    )
    request.session["device_token_secret"] = issued.secret
    return redirect("devices:connect")


@login_required
def neuromodulation(request: HttpRequest, patient_id: int) -> HttpResponse:
    overview = neuro.neuromodulation_overview(actor=web_actor(request), patient_id=patient_id)
    patient = access.get_readable_patient(signed_in_user(request), patient_id)
    return render(
        request, "devices/neuromodulation.html", {"patient": patient, "overview": overview}
    )


def chart_panel(request: HttpRequest, patient: Patient) -> str:
    """Clinician chart: one time axis for pain, steps, sleep, HRV and program changes."""
    end = timezone.localdate()
    timeline = neuro.patient_timeline(
        actor=web_actor(request),
        patient_id=patient.pk,
        start=end - timedelta(days=TIMELINE_DAYS - 1),
        end=end,
    )
    data: dict[str, Any] = {
        "labels": [d.isoformat() for d in timeline.days],
        "pain": timeline.series["pain"],
        "steps": timeline.series["steps"],
        "sleep_hours": [round(v / 60, 2) if v else None for v in timeline.series["sleep_minutes"]],
        "rmssd": [round(v, 1) if v is not None else None for v in timeline.series["rmssd"]],
        "changes": timeline.changes,
        "names": {
            "pain": _("Pain (0-10)"),
            "steps": _("Steps per day"),
            "sleep_hours": _("Sleep (hours)"),
            "rmssd": _("HRV RMSSD (ms)"),
            "change": _("Program change"),
        },
    }
    has_data = any(v is not None for k in ("steps", "sleep_hours", "rmssd") for v in data[k])
    return render_to_string(
        "devices/_timeline_panel.html",
        {"patient": patient, "timeline": timeline, "data": data, "has_data": has_data},
        request=request,
    )


def home_panel(request: HttpRequest, patient: Patient) -> str:
    return render_to_string("devices/_home_panel.html", {"patient": patient}, request=request)
