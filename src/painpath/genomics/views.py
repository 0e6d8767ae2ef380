"""PGx pages: the chart panel, the results entry page and the printable report."""

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
from painpath.core.web import signed_in_user, web_actor
from painpath.genomics import services
from painpath.genomics.forms import OutsideCallForm, UploadForm
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


@login_required
def enter_results(request: HttpRequest, patient_id: int) -> HttpResponse:
    """Upload a lab file or enter an outside call (clinicians on the care team only)."""
    user = signed_in_user(request)
    patient = access.get_patient_for_clinical_write(user, patient_id)  # 404/403 first
    actor = web_actor(request)
    upload_form = UploadForm(prefix="up")
    call_form = OutsideCallForm(prefix="call")
    if request.method == "POST" and "up-file" in request.FILES:
        upload_form = UploadForm(request.POST, request.FILES, prefix="up")
        if upload_form.is_valid():
            data = upload_form.cleaned_data
            try:
                stored = services.upload_file(
                    actor=actor, patient_id=patient.pk, filename=data["file"].name,
                    content=data["file"].read(services.MAX_UPLOAD_BYTES + 1),
                    lab_name=data["lab_name"], report_date=data["report_date"],
                    sample=data["sample"] or None,
                )  # fmt: skip
            except PainpathError as exc:
                _apply_errors(upload_form, exc)
            else:
                for note in stored.notes:  # e.g. a gene not called from the VCF
                    messages.info(request, note)
                return redirect("patients:detail", patient_id=patient.pk)
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
    return render(
        request,
        "genomics/enter.html",
        {"patient": patient, "upload_form": upload_form, "call_form": call_form},
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
