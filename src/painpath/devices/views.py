"""Device pages: the patient's connect/upload page (tokens, sensations, charts), the
clinician's upload page and timeline panel (the neuromodulation tab is in neuro_views).
Thin: the services check access and audit; invalid forms are shown again with a 422."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from painpath import access
from painpath.accounts.models import Role
from painpath.accounts.tokens import IssuedToken
from painpath.core.errors import InvalidInput, NotFound, PayloadTooLarge
from painpath.core.web import signed_in_user, web_actor
from painpath.devices import imports, services
from painpath.devices import neuro_reads as reads
from painpath.devices import neuromodulation as neuro
from painpath.devices.forms import (
    SensationForm,
    TokenForm,
    UploadForm,
    apply_errors,
)
from painpath.devices.models import DailySummary, ImportStatus
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


def _running(jobs: list[Any]) -> bool:
    return any(j.status in {ImportStatus.QUEUED, ImportStatus.RUNNING} for j in jobs)


def _connect_page(
    request: HttpRequest,
    *,
    upload_form: UploadForm | None = None,
    token_form: TokenForm | None = None,
    sensation_form: SensationForm | None = None,
    issued: IssuedToken | None = None,
    status: int = 200,
) -> HttpResponse:
    patient = _own_patient(request)
    actor = web_actor(request)
    end = timezone.localdate()
    rows = services.list_daily_summaries(
        actor=actor, patient_id=patient.pk, start=end - timedelta(days=CHART_DAYS), end=end
    )
    jobs = imports.list_imports(actor=actor, patient_id=patient.pk)
    devices = reads.list_devices(actor=actor, patient_id=patient.pk)
    tokens = services.list_device_tokens(actor=actor, patient_id=patient.pk)
    today = neuro.local_today(patient)
    return render(
        request,
        "devices/connect.html",
        {
            "patient": patient,
            "series": _series(rows),
            "count": len(rows),
            "jobs": jobs,
            "running": _running(jobs),
            "upload_form": upload_form or UploadForm(),
            "token_form": token_form or TokenForm(),
            "tokens": tokens,
            "issued": issued,
            "devices": devices,
            "sensation_form": sensation_form
            or SensationForm(devices=devices, initial={"day": today}),
        },
        status=status,
    )


@login_required
def connect(request: HttpRequest) -> HttpResponse:
    """The patient's own page: upload a file, see imports, manage device tokens, report how
    the stimulator feels, see charts."""
    return _connect_page(request)


@login_required
def imports_rows(request: HttpRequest, patient_id: int) -> HttpResponse:
    """The import history rows (htmx polls this while an import runs)."""
    jobs = imports.list_imports(actor=web_actor(request), patient_id=patient_id)
    return render(
        request,
        "devices/_imports.html",
        {"jobs": jobs, "running": _running(jobs), "patient_id": patient_id},
    )


def _clinician_upload_page(
    request: HttpRequest, patient: Patient, form: UploadForm, status: int = 200
) -> HttpResponse:
    jobs = imports.list_imports(actor=web_actor(request), patient_id=patient.pk)
    return render(
        request,
        "devices/upload.html",
        {"patient": patient, "form": form, "jobs": jobs, "running": _running(jobs)},
        status=status,
    )


@login_required
def upload(request: HttpRequest, patient_id: int) -> HttpResponse:
    """GET: the clinician's upload page for a patient. POST: an upload (patient or
    clinician); a missing file or bad format is shown on the form again (422)."""
    user = signed_in_user(request)
    is_patient = user.role == Role.PATIENT
    if request.method != "POST" and is_patient:
        return redirect("devices:connect")
    # The view's one check: 404/403 before the form is read; the 422 page reuses the patient.
    patient = access.get_patient_for_device_upload(user, patient_id)
    if request.method != "POST":
        return _clinician_upload_page(request, patient, UploadForm())
    form = UploadForm(request.POST, request.FILES)
    status = 422
    if form.is_valid():
        upload_file = form.cleaned_data["file"]
        try:
            imports.create_import(
                actor=web_actor(request),
                patient_id=patient_id,
                fmt=form.cleaned_data["format"],
                file_name=upload_file.name or "upload",
                chunks=upload_file.chunks(),
            )
        except (InvalidInput, PayloadTooLarge) as exc:
            apply_errors(form, exc.fields)
            status = exc.status
        else:
            messages.success(request, _("File received; it is being imported."))
            if is_patient:
                return redirect("devices:connect")
            return redirect("devices:upload", patient_id=patient_id)
    if is_patient:
        return _connect_page(request, upload_form=form, status=status)
    return _clinician_upload_page(request, patient, form, status=status)


@login_required
@require_POST
def device_token(request: HttpRequest) -> HttpResponse:
    """A token scoped to posting this patient's samples, shown once in this response (it is
    never stored anywhere but as a hash)."""
    patient = _own_patient(request)
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _connect_page(request, token_form=form, status=422)
    try:
        issued = services.create_device_token(
            actor=web_actor(request), patient_id=patient.pk, name=form.cleaned_data["name"]
        )
    except InvalidInput as exc:
        apply_errors(form, exc.fields)
        return _connect_page(request, token_form=form, status=422)
    response = _connect_page(request, issued=issued)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    patient = _own_patient(request)
    services.revoke_device_token(actor=web_actor(request), patient_id=patient.pk, token_id=token_id)
    messages.success(request, _("The device token was revoked."))
    return redirect("devices:connect")


@login_required
@require_POST
def report_sensation(request: HttpRequest) -> HttpResponse:
    patient = _own_patient(request)
    devices = reads.list_devices(actor=web_actor(request), patient_id=patient.pk)
    form = SensationForm(request.POST, devices=devices)
    if form.is_valid():
        data = form.cleaned_data
        try:
            neuro.record_sensation(
                actor=web_actor(request),
                patient_id=patient.pk,
                device_id=data["device"],
                day=data["day"],
                paresthesia_coverage=data["paresthesia_coverage"],
                overstimulation=data["overstimulation"],
                note=data["note"],
            )
        except InvalidInput as exc:
            apply_errors(form, exc.fields)
        else:
            messages.success(request, _("Thank you: your report was saved."))
            return redirect("devices:connect")
    return _connect_page(request, sensation_form=form, status=422)


# ---- panels on other apps' pages ---------------------------------------------------------


def chart_panel(request: HttpRequest, patient: Patient) -> str:
    """Clinician chart: one time axis for pain, steps, sleep, HRV and program changes."""
    end = timezone.localdate()
    timeline = reads.patient_timeline(
        actor=web_actor(request),
        patient_id=patient.pk,
        start=end - timedelta(days=TIMELINE_DAYS - 1),
        end=end,
    )
    data: dict[str, Any] = {
        "labels": [d.isoformat() for d in timeline.days],
        "pain": timeline.series["pain"],
        "function": timeline.series["function"],
        "steps": timeline.series["steps"],
        "sleep_hours": [round(v / 60, 2) if v else None for v in timeline.series["sleep_minutes"]],
        "rmssd": [round(v, 1) if v is not None else None for v in timeline.series["rmssd"]],
        "changes": timeline.changes,
        "names": {
            "pain": _("Pain (0-10)"),
            "function": _("Function: activity level (0-10)"),
            "steps": _("Steps per day"),
            "sleep_hours": _("Sleep (hours)"),
            "rmssd": _("HRV RMSSD (ms)"),
            "change": _("Program change"),
        },
    }
    has_data = any(v is not None for k in ("steps", "sleep_hours", "rmssd") for v in data[k])
    user = request.user
    return render_to_string(
        "devices/_timeline_panel.html",
        {
            "patient": patient,
            "timeline": timeline,
            "data": data,
            "has_data": has_data,
            "can_upload": getattr(user, "role", None) == Role.CLINICIAN,
        },
        request=request,
    )


def home_panel(request: HttpRequest, patient: Patient) -> str:
    return render_to_string("devices/_home_panel.html", {"patient": patient}, request=request)
