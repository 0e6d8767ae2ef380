"""Questionnaire pages: the patient's due list and forms; the clinician's schedule, due list,
flag review; and the sections of the patient home and chart."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from painpath import access
from painpath.assessments import schedules, services
from painpath.assessments.flags import signals_crisis
from painpath.assessments.models import MAX_EVERY_DAYS
from painpath.assessments.policy import policy_for
from painpath.clinical.instruments import get_instrument, is_whole_number, list_instruments
from painpath.core.errors import FieldError, InvalidInput, NotFound
from painpath.core.web import signed_in_user, web_actor
from painpath.patients.crisis import show_crisis_panel
from painpath.patients.models import Patient


def _own_patient(request: HttpRequest) -> Patient:
    record = getattr(signed_in_user(request), "patient_record", None)
    if record is None:
        raise NotFound(_("Your account is not linked to a patient record."))
    return record  # type: ignore[no-any-return]


@login_required
def my_questionnaires(request: HttpRequest) -> HttpResponse:
    patient = _own_patient(request)
    actor = web_actor(request)
    due = schedules.list_due(actor=actor, patient_id=patient.pk)
    history = services.list_responses(actor=actor, patient_id=patient.pk)[:20]
    return render(request, "assessments/mine.html", {"due": due, "history": history})


@login_required
def answer(request: HttpRequest, instrument_id: str) -> HttpResponse:
    patient = _own_patient(request)
    actor = web_actor(request)
    instrument = services.instrument_or_invalid(instrument_id)
    errors: list[str] = []
    chosen: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        chosen = {i.id: request.POST.get(i.id, "").strip() for i in instrument.items}
        # An empty field is a missing item; anything else must be one of the option values
        # (a whole number here, the service checks which).
        errors = [
            _("%(item)s: %(value)r is not one of the answers.")
            % {"item": item.text or item.label, "value": chosen[item.id]}
            for item in instrument.items
            if chosen[item.id] and not is_whole_number(chosen[item.id])
        ]
        if errors:
            status = 422
        else:
            try:
                response = services.submit_response(
                    actor=actor,
                    patient_id=patient.pk,
                    instrument_id=instrument.id,
                    answers=[int(v) if v else None for v in chosen.values()],
                )
            except InvalidInput as exc:
                errors = [f.message for f in exc.fields] or [exc.message]
                status = 422
            else:
                if signals_crisis(response):  # the very next thing they see: the panel
                    return redirect("assessments:support", response_id=response.pk)
                messages.success(request, _("Thank you: your answers are saved."))
                if not response.valid:
                    messages.warning(request, _("Some questions were left out, so no score."))
                return redirect("assessments:mine")
    else:
        schedules.mark_opened(actor=actor, patient_id=patient.pk, instrument_id=instrument.id)
    return render(
        request,
        "assessments/answer.html",
        {
            "instrument": instrument,
            "errors": errors,
            "fields": [(item, chosen.get(item.id, "")) for item in instrument.items],
        },
        status=status,
    )


@login_required
def support(request: HttpRequest, response_id: int) -> HttpResponse:
    """After answers that signal a risk of self-harm: the crisis panel first, then a word
    that the answers are saved."""
    patient = _own_patient(request)
    actor = web_actor(request)
    response = services.get_response(actor=actor, response_id=response_id)
    if response.patient_id != patient.pk or not signals_crisis(response):
        return redirect("assessments:mine")
    panel = show_crisis_panel(actor=actor, patient_id=patient.pk, reason="answers")
    return render(request, "assessments/support.html", {"panel": panel, "response": response})


@login_required
def clinic_due(request: HttpRequest) -> HttpResponse:
    if getattr(signed_in_user(request), "patient_record", None) is not None:
        return redirect("assessments:mine")  # a patient's due list is their own page
    items = schedules.due_for_patients(actor=web_actor(request))
    return render(request, "assessments/due.html", {"items": items})


@login_required
def schedule(request: HttpRequest, patient_id: int) -> HttpResponse:
    user = signed_in_user(request)
    actor = web_actor(request)
    patient = access.get_patient_for_clinical_write(user, patient_id)
    error = ""
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("defaults"):
                schedules.apply_clinic_defaults(actor=actor, patient_id=patient.pk)
            else:
                raw = request.POST.get("every_days", "").strip()
                if raw and not is_whole_number(raw):
                    raise InvalidInput(
                        _("Bad schedule."),
                        fields=[
                            FieldError(
                                "every_days",
                                _(
                                    "Every (days): %(value)r is not a whole number of days "
                                    "(1 to %(max)d), or leave it empty for once at intake."
                                )
                                % {"value": raw, "max": MAX_EVERY_DAYS},
                            )
                        ],
                    )
                schedules.set_schedule(
                    actor=actor,
                    patient_id=patient.pk,
                    instrument_id=request.POST.get("instrument", ""),
                    every_days=int(raw) if raw else None,
                    active=request.POST.get("active", "1") == "1",
                )
        except InvalidInput as exc:
            error = "; ".join(f.message for f in exc.fields) or exc.message
            status = 422
        else:
            return redirect("assessments:schedule", patient_id=patient.pk)
    seen = schedules.overview(actor=actor, patient_id=patient.pk)
    return render(
        request,
        "assessments/schedule.html",
        {
            "patient": patient,
            "due": seen.due,
            "adherence": seen.adherence,
            "instruments": list_instruments(),
            "policy": policy_for(patient.clinic_id),
            "error": error,
        },
        status=status,
    )


@login_required
@require_POST
def review_flag(request: HttpRequest, flag_id: int) -> HttpResponse:
    flag = services.review_flag(actor=web_actor(request), flag_id=flag_id)
    if flag.alert_id is not None:
        messages.success(request, _("Flag reviewed: its alert is acknowledged."))
    else:
        messages.success(request, _("Flag marked reviewed."))
    return redirect("patients:detail", patient_id=flag.patient_id)


def home_panel(request: HttpRequest, patient: Patient) -> str:
    """Patient home: questionnaires due now."""
    due = schedules.list_due(actor=web_actor(request), patient_id=patient.pk)
    return render_to_string(
        "assessments/_home_panel.html",
        {"due": [d for d in due if d.status in {"due", "overdue"}]},
        request=request,
    )


def chart_panel(request: HttpRequest, patient: Patient) -> str:
    """Clinician chart: flags, scores over time with bands and change from baseline,
    schedule status and reminder adherence."""
    actor = web_actor(request)
    rows, flags = services.score_history(actor=actor, patient_id=patient.pk)
    seen = schedules.overview(actor=actor, patient_id=patient.pk)
    user = signed_in_user(request)
    return render_to_string(
        "assessments/_chart_panel.html",
        {
            "patient": patient,
            "rows": rows[:40],
            "open_flags": [f for f in flags if f.is_open],
            "reviewed_flags": [f for f in flags if not f.is_open][:5],
            "due": seen.due,
            "adherence": seen.adherence,
            "can_schedule": user.role == "clinician",
            "names": {i.id: i.name for i in list_instruments()},
            "get_instrument": get_instrument,
        },
        request=request,
    )
