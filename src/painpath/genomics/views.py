"""PGx pages: the chart panel, the results entry page (with its lab file imports) and the
printable report."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from painpath import access
from painpath.accounts.models import Role
from painpath.core.errors import InvalidInput, PainpathError
from painpath.core.jobs import JobStatus
from painpath.core.web import signed_in_user, web_actor
from painpath.genomics import imports, services
from painpath.genomics.forms import OutsideCallForm, UploadForm
from painpath.genomics.models import PgxImportJob
from painpath.patients.models import Patient


def _can_enter(request: HttpRequest) -> bool:
    user = signed_in_user(request)
    return user.role == Role.CLINICIAN


def chart_panel(request: HttpRequest, patient: Patient) -> str:
    """The pharmacogenomics section of a patient's chart (settings.PAINPATH_CHART_PANELS)."""
    panel = services.get_panel(actor=web_actor(request), patient_id=patient.pk)
    return render_to_string(
        "genomics/_panel.html",
        {"panel": panel, "can_enter": _can_enter(request)},
        request=request,
    )


def _apply_errors(form: UploadForm | OutsideCallForm, exc: PainpathError) -> None:
    if not exc.fields:
        form.add_error(None, exc.message)
    for err in exc.fields:
        if err.field in form.fields:
            form.add_error(err.field, err.message)
        else:
            form.add_error(None, f"{exc.message} {err.field}: {err.message}")


def _running(jobs: list[PgxImportJob]) -> bool:
    return any(j.status in {JobStatus.QUEUED, JobStatus.RUNNING} for j in jobs)


@login_required
def enter_results(request: HttpRequest, patient_id: int) -> HttpResponse:
    """Upload a lab file (read in the background; its progress and outcome are listed here)
    or enter an outside call (clinicians on the care team only)."""
    user = signed_in_user(request)
    patient = access.get_patient_for_clinical_write(user, patient_id)  # 404/403 first
    actor = web_actor(request)
    upload_form = UploadForm(prefix="up")
    call_form = OutsideCallForm(prefix="call")
    status = 200
    if request.method == "POST" and "up-file" in request.FILES:
        upload_form = UploadForm(request.POST, request.FILES, prefix="up")
        if upload_form.is_valid():
            data = upload_form.cleaned_data
            try:
                imports.create_import(
                    actor=actor, patient_id=patient.pk, filename=data["file"].name,
                    chunks=data["file"].chunks(), lab_name=data["lab_name"],
                    report_date=data["report_date"], sample=data["sample"],
                )  # fmt: skip
            except PainpathError as exc:
                _apply_errors(upload_form, exc)
                status = exc.status
            else:
                messages.success(request, _("File received; it is being read."))
                return redirect("genomics:enter", patient_id=patient.pk)
    elif request.method == "POST":
        call_form = OutsideCallForm(request.POST, prefix="call")
        if call_form.is_valid():
            data = call_form.cleaned_data
            try:
                services.record_results(
                    actor=actor, patient_id=patient.pk,
                    results=[services.ResultIn(data["gene"], data["diplotype"])],
                    lab_name=data["lab_name"], report_date=data["report_date"],
                )  # fmt: skip
            except InvalidInput as exc:
                _apply_errors(call_form, exc)
            else:
                return redirect("patients:detail", patient_id=patient.pk)
    jobs = imports.list_imports(actor=actor, patient_id=patient.pk)
    return render(
        request,
        "genomics/enter.html",
        {
            "patient": patient,
            "upload_form": upload_form,
            "call_form": call_form,
            "jobs": jobs,
            "running": _running(jobs),
        },
        status=status,
    )


@login_required
def imports_rows(request: HttpRequest, patient_id: int) -> HttpResponse:
    """The lab file imports (htmx polls this while one is queued or running)."""
    jobs = imports.list_imports(actor=web_actor(request), patient_id=patient_id)
    return render(
        request,
        "genomics/_imports.html",
        {"jobs": jobs, "running": _running(jobs), "patient_id": patient_id},
    )


@login_required
def report(request: HttpRequest, patient_id: int) -> HttpResponse:
    """A printable pharmacogenomics report (print CSS), citing CPIC."""
    panel = services.get_panel(actor=web_actor(request), patient_id=patient_id)
    return render(
        request,
        "genomics/report.html",
        {"panel": panel, "printed_at": timezone.now(), "title": _("Pharmacogenomics report")},
    )
