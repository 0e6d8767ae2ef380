"""Patient pages: the clinician's panel with search, a patient's chart, registration, edits."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from painpath import access
from painpath.core.errors import Conflict, InvalidInput, NotFound, PainpathError
from painpath.core.extensions import render_panels
from painpath.core.paging import parse_offset
from painpath.core.web import signed_in_user, web_actor
from painpath.patients import conditions, services, sign_in
from painpath.patients.forms import ConditionForm, InviteForm, PatientForm, SearchForm
from painpath.patients.models import Patient

PAGE_SIZE = 25


@login_required
def patient_list(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    search = form.cleaned_data["q"] if form.is_valid() else ""
    page = services.list_patients(
        actor=web_actor(request),
        search=search,
        limit=PAGE_SIZE,
        offset=parse_offset(request.GET.get("offset")),
    )
    context = {"form": form, "page": page, "search": search}
    if request.headers.get("HX-Request") == "true":
        return render(request, "patients/_patient_rows.html", context)
    return render(request, "patients/list.html", context)


@login_required
def my_record(request: HttpRequest) -> HttpResponse:
    """A patient's own page."""
    user = signed_in_user(request)
    record = getattr(user, "patient_record", None)
    if record is None:
        raise NotFound(_("Your account is not linked to a patient record."))
    patient = services.get_patient(actor=web_actor(request), patient_id=record.pk)
    panels = render_panels("PAINPATH_PATIENT_HOME_PANELS", request, patient)
    return render(request, "patients/me.html", {"patient": patient, "panels": panels})


@login_required
def patient_detail(
    request: HttpRequest, patient_id: int, invite_form: InviteForm | None = None
) -> HttpResponse:
    patient = services.get_patient(actor=web_actor(request), patient_id=patient_id)
    user = signed_in_user(request)
    can_edit = access.can_edit_patients(user)
    return render(
        request,
        "patients/detail.html",
        {
            "patient": patient,
            "can_edit": can_edit,
            "invite_form": invite_form
            or (InviteForm() if can_edit and not patient.user_id else None),
            "panels": render_panels("PAINPATH_CHART_PANELS", request, patient),
        },
        status=422 if invite_form is not None else 200,
    )


@login_required
@require_POST
def patient_invite(request: HttpRequest, patient_id: int) -> HttpResponse:
    """Give the patient a sign-in: the account is made and a set-password link e-mailed."""
    access.get_writable_patient(signed_in_user(request), patient_id)
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            account = sign_in.invite_patient(
                actor=web_actor(request),
                patient_id=patient_id,
                username=form.cleaned_data["username"],
                email=form.cleaned_data["email"],
                base_url=request.build_absolute_uri("/"),
            )
        except (InvalidInput, Conflict) as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("Sign-in %(user)s created; a link to set a password was e-mailed to %(email)s.")
                % {"user": account.username, "email": account.email},
            )
            return redirect("patients:detail", patient_id=patient_id)
    return patient_detail(request, patient_id, invite_form=form)


def _apply_errors(form: PatientForm | ConditionForm | InviteForm, exc: PainpathError) -> None:
    for err in exc.fields:
        form.add_error(err.field if err.field in form.fields else None, err.message)


@login_required
def patient_create(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if user.clinic is not None:
        access.require_can_create_patient(user, user.clinic)
    form = PatientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            patient = services.create_patient(
                actor=web_actor(request), data=services.PatientData(**form.cleaned_data)
            )
        except (InvalidInput, Conflict) as exc:
            _apply_errors(form, exc)
        else:
            return redirect("patients:detail", patient_id=patient.pk)
    return render(request, "patients/form.html", {"form": form, "creating": True})


def _record_initial(patient: Patient) -> dict[str, object]:
    """The record as the edit form shows it (the stored time zone, not the clinic's)."""
    return {name: getattr(patient, name) for name in PatientForm.base_fields}


@login_required
def patient_edit(request: HttpRequest, patient_id: int) -> HttpResponse:
    user = signed_in_user(request)
    actor = web_actor(request)
    access.get_writable_patient(user, patient_id)  # 404 or 403 before anything is shown
    patient = services.get_patient(actor=actor, patient_id=patient_id)  # the audited read
    form = PatientForm(request.POST or None, initial=_record_initial(patient))
    condition_form = ConditionForm()
    if request.method == "POST" and form.is_valid():
        try:
            services.update_patient(
                actor=actor,
                patient_id=patient_id,
                changes=services.PatientChanges(**form.cleaned_data),
            )
        except (InvalidInput, Conflict) as exc:
            _apply_errors(form, exc)
        else:
            return redirect("patients:detail", patient_id=patient_id)
    return _edit_page(request, patient, form, condition_form)


def _edit_page(
    request: HttpRequest,
    patient: Patient,
    form: PatientForm,
    condition_form: ConditionForm,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "patients/form.html",
        {"form": form, "patient": patient, "condition_form": condition_form},
        status=status,
    )


@login_required
@require_POST
def condition_add(request: HttpRequest, patient_id: int) -> HttpResponse:
    user = signed_in_user(request)
    actor = web_actor(request)
    access.get_writable_patient(user, patient_id)
    condition_form = ConditionForm(request.POST)
    if condition_form.is_valid():
        try:
            conditions.add_condition(
                actor=actor,
                patient_id=patient_id,
                data=services.ConditionData(**condition_form.cleaned_data),
            )
        except InvalidInput as exc:
            _apply_errors(condition_form, exc)
        else:
            return redirect("patients:edit", patient_id=patient_id)
    patient = services.get_patient(actor=actor, patient_id=patient_id)
    form = PatientForm(initial=_record_initial(patient))
    return _edit_page(request, patient, form, condition_form, status=422)


@login_required
@require_POST
def condition_status(request: HttpRequest, patient_id: int, condition_id: int) -> HttpResponse:
    conditions.set_condition_status(
        actor=web_actor(request),
        patient_id=patient_id,
        condition_id=condition_id,
        status=request.POST.get("status", ""),
    )
    return redirect("patients:edit", patient_id=patient_id)
