"""The clinician's neuromodulation tab: device, programs, program changes and usage, with
their forms and edit pages. Thin: the services check access and audit; an invalid form is
shown again on the tab with a 422."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from painpath import access
from painpath.accounts.models import Role
from painpath.core.errors import Conflict, InvalidInput, NotFound
from painpath.core.web import signed_in_user, web_actor
from painpath.devices import neuro_reads as reads
from painpath.devices import neuromodulation as neuro
from painpath.devices.forms import (
    ChangeForm,
    DeviceForm,
    ProgramForm,
    UsageForm,
    apply_errors,
    device_of,
)


def _submit(
    request: HttpRequest,
    patient_id: int,
    *,
    form: django_forms.Form,
    slot: str,
    save: Callable[[dict[str, Any]], object],
    done: str,
) -> HttpResponse:
    """Save a valid form through ``save`` and go back to the tab; otherwise show the tab
    again with this form (in ``slot``) and its errors."""
    if form.is_valid():
        try:
            save(form.cleaned_data)
        except (InvalidInput, Conflict) as exc:
            apply_errors(form, exc.fields)
        else:
            messages.success(request, done)
            return redirect("devices:neuromodulation", patient_id=patient_id)
    return _neuro_page(request, patient_id, status=422, **{slot: form})


def _neuro_page(
    request: HttpRequest, patient_id: int, *, status: int = 200, **forms: Any
) -> HttpResponse:
    overview = reads.neuromodulation_overview(actor=web_actor(request), patient_id=patient_id)
    patient = overview.patient
    devices = overview.devices
    today = neuro.local_today(patient)
    context: dict[str, Any] = {
        "patient": patient,
        "overview": overview,
        "can_edit": signed_in_user(request).role == Role.CLINICIAN,
        "has_programs": any(d.programs.all() for d in devices),
        "device_form": forms.get("device_form") or DeviceForm(),
        "program_form": forms.get("program_form") or ProgramForm(devices=devices),
        "change_form": forms.get("change_form") or ChangeForm(devices=devices),
        "usage_form": forms.get("usage_form") or UsageForm(devices=devices, initial={"day": today}),
        "zone": patient.timezone_name,
    }
    return render(request, "devices/neuromodulation.html", context, status=status)


@login_required
def neuromodulation(request: HttpRequest, patient_id: int) -> HttpResponse:
    return _neuro_page(request, patient_id)


# The POST views check the clinical write first (403 before the form is read); the services
# check again and audit the write.


@login_required
@require_POST
def add_device(request: HttpRequest, patient_id: int) -> HttpResponse:
    access.get_patient_for_clinical_write(signed_in_user(request), patient_id)
    actor = web_actor(request)
    return _submit(
        request,
        patient_id,
        form=DeviceForm(request.POST),
        slot="device_form",
        save=lambda data: neuro.create_device(actor=actor, patient_id=patient_id, **data),
        done=_("Device recorded."),
    )


@login_required
@require_POST
def add_program(request: HttpRequest, patient_id: int) -> HttpResponse:
    actor = web_actor(request)
    _patient, devices = reads.writable_devices(actor=actor, patient_id=patient_id)
    form = ProgramForm(request.POST, devices=devices)
    return _submit(
        request,
        patient_id,
        form=form,
        slot="program_form",
        save=lambda data: neuro.add_program(
            actor=actor, patient_id=patient_id, device_id=data["device"], values=form.values()
        ),
        done=_("Program recorded."),
    )


@login_required
@require_POST
def record_change(request: HttpRequest, patient_id: int) -> HttpResponse:
    actor = web_actor(request)
    patient, devices = reads.writable_devices(actor=actor, patient_id=patient_id)
    form = ChangeForm(request.POST, devices=devices)
    with timezone.override(ZoneInfo(patient.timezone_name)):  # the patient's wall clock
        form.is_valid()
    return _submit(
        request,
        patient_id,
        form=form,
        slot="change_form",
        save=lambda data: neuro.record_program_change(
            actor=actor,
            patient_id=patient_id,
            device_id=device_of(devices, data["program"]),
            program_id=data["program"],
            changed_at=data["changed_at"],
            context=data["context"],
            reason=data["reason"],
        ),
        done=_("Program change recorded."),
    )


@login_required
@require_POST
def record_usage(request: HttpRequest, patient_id: int) -> HttpResponse:
    actor = web_actor(request)
    _patient, devices = reads.writable_devices(actor=actor, patient_id=patient_id)
    return _submit(
        request,
        patient_id,
        form=UsageForm(request.POST, devices=devices),
        slot="usage_form",
        save=lambda data: neuro.record_usage(
            actor=actor,
            patient_id=patient_id,
            device_id=device_of(devices, data["program"]),
            program_id=data["program"],
            day=data["day"],
            hours=data["hours"],
        ),
        done=_("Usage recorded."),
    )


@login_required
def edit_device(request: HttpRequest, patient_id: int, device_id: int) -> HttpResponse:
    actor = web_actor(request)
    access.get_patient_for_clinical_write(signed_in_user(request), patient_id)
    device = reads.get_device(actor=actor, patient_id=patient_id, device_id=device_id)
    form = DeviceForm(
        request.POST or None,
        initial={
            "type": device.type,
            "make": device.make,
            "model": device.model,
            "implant_date": device.implant_date,
            "leads": device.leads,
        },
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                neuro.update_device(
                    actor=actor, patient_id=patient_id, device_id=device_id, **form.cleaned_data
                )
            except InvalidInput as exc:
                apply_errors(form, exc.fields)
            else:
                messages.success(request, _("Device updated."))
                return redirect("devices:neuromodulation", patient_id=patient_id)
        status = 422
    return render(
        request,
        "devices/edit.html",
        {"patient": device.patient, "form": form, "title": _("Edit device"), "subject": device},
        status=status,
    )


@login_required
def edit_program(
    request: HttpRequest, patient_id: int, device_id: int, program_id: int
) -> HttpResponse:
    actor = web_actor(request)
    access.get_patient_for_clinical_write(signed_in_user(request), patient_id)
    device = reads.get_device(actor=actor, patient_id=patient_id, device_id=device_id)
    program = next((p for p in device.programs.all() if p.pk == program_id), None)
    if program is None:
        raise NotFound(_("No such program on this device."))
    form = ProgramForm(request.POST or None, initial=ProgramForm.initial_for(program))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                neuro.update_program(
                    actor=actor,
                    patient_id=patient_id,
                    device_id=device_id,
                    program_id=program_id,
                    values=form.values(),
                )
            except (InvalidInput, Conflict) as exc:
                apply_errors(form, exc.fields)
            else:
                messages.success(request, _("Program updated."))
                return redirect("devices:neuromodulation", patient_id=patient_id)
        status = 422
    return render(
        request,
        "devices/edit.html",
        {"patient": device.patient, "form": form, "title": _("Edit program"), "subject": program},
        status=status,
    )
