"""Prescribing page (check first, then save), doses-taken sections, the chart's MME panel."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from painpath import access
from painpath.alerts import inputs
from painpath.alerts.evaluation import DraftCheck
from painpath.alerts.snapshot import local_today
from painpath.clinical.medications import load_catalogue
from painpath.core.errors import InvalidInput
from painpath.core.web import signed_in_user, web_actor
from painpath.medications import intake, services
from painpath.medications.forms import EventForm, PrescriptionForm, StopForm, initial_from
from painpath.medications.models import LIVE_STATUSES, MonitoringEvent, Prescription
from painpath.patients.models import Patient

CHART_DAYS = 30


def _errors_to_form(form: PrescriptionForm | EventForm | StopForm, exc: InvalidInput) -> None:
    for err in exc.fields:
        form.add_error(err.field if err.field in form.fields else None, err.message)


def _form_initial(
    request: HttpRequest, patient: Patient, live: list[Prescription]
) -> dict[str, object]:
    """Today as the start; filled from the line the new one replaces when it is named: by
    ``?replaces=`` (a link, or the "Replaces" choice through htmx) or by the "Fill from this
    prescription" button (a POST, for browsers without JavaScript)."""
    today = local_today(patient)
    wanted = request.POST.get("replaces", "") if _filling(request) else ""
    wanted = wanted or request.GET.get("replaces", "")
    old = next((rx for rx in live if str(rx.pk) == wanted), None) if wanted.isdigit() else None
    return initial_from(old, start=today) if old is not None else {"start": today}


def _filling(request: HttpRequest) -> bool:
    return request.method == "POST" and request.POST.get("action") == "fill"


@login_required
def prescriptions(request: HttpRequest, patient_id: int) -> HttpResponse:
    """List with taper history; a new prescription is checked first, then saved."""
    user = signed_in_user(request)
    actor = web_actor(request)
    items = services.list_prescriptions(actor=actor, patient_id=patient_id)  # 404 first
    patient = access.get_readable_patient(user, patient_id)
    if request.headers.get("HX-Request") == "true" and request.GET.get("replaces") == "":
        return HttpResponse(status=204)  # "Replaces" set back to none: keep what is typed
    can_prescribe = user.role == "clinician"
    live = [rx for rx in items if rx.status in LIVE_STATUSES]
    check: DraftCheck | None = None
    if request.method == "POST":
        access.get_patient_for_clinical_write(user, patient_id)  # 403 before anything
    form = PrescriptionForm(
        None if _filling(request) else (request.POST or None),
        patient=patient,
        live=live,
        initial=_form_initial(request, patient, live),
    )
    if form.is_bound:
        action = request.POST.get("action", "check")
        if form.is_valid():
            data = form.draft_data()
            try:
                if action == "save":
                    rx, _check = services.create_prescription(
                        actor=actor,
                        patient_id=patient_id,
                        data=data,
                        override_reason=form.cleaned_data["override_reason"],
                    )
                    messages.success(request, _("Prescription saved: %(rx)s") % {"rx": rx})
                    return redirect("medications:prescriptions", patient_id=patient_id)
                check = services.check_prescription(actor=actor, patient_id=patient_id, data=data)
            except InvalidInput as exc:
                _errors_to_form(form, exc)
                if action == "save" and any(f.field == "override_reason" for f in exc.fields):
                    check = services.check_prescription(
                        actor=actor, patient_id=patient_id, data=data
                    )
    events = MonitoringEvent.objects.filter(patient=patient)[:10]
    return render(
        request,
        "medications/prescriptions.html",
        {
            "patient": patient,
            "items": items,
            "live": live,
            "form": form,
            "check": check,
            "can_prescribe": can_prescribe,
            "event_form": EventForm(initial={"on": local_today(patient)}),
            "events": events,
        },
    )


@login_required
def stop(request: HttpRequest, patient_id: int, prescription_id: int) -> HttpResponse:
    """Stop a current line: asks for the reason and a confirmation (GET shows the form)."""
    user = signed_in_user(request)
    access.get_readable_patient(user, patient_id)  # 404 first
    patient = access.get_patient_for_clinical_write(user, patient_id)  # then 403
    rx = get_object_or_404(
        Prescription, patient=patient, pk=prescription_id, status__in=LIVE_STATUSES
    )
    form = StopForm(request.POST or None, initial={"on": local_today(patient)})
    if request.method == "POST" and form.is_valid():
        try:
            services.stop_prescription(
                actor=web_actor(request),
                patient_id=patient_id,
                prescription_id=prescription_id,
                on=form.cleaned_data["on"],
                reason=form.cleaned_data["reason"],
                confirmed=form.cleaned_data["confirm"],
            )
        except InvalidInput as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Prescription stopped: %(rx)s") % {"rx": rx})
            return redirect("medications:prescriptions", patient_id=patient_id)
    return render(request, "medications/stop.html", {"patient": patient, "rx": rx, "form": form})


@login_required
@require_POST
def record_event(request: HttpRequest, patient_id: int) -> HttpResponse:
    access.get_patient_for_clinical_write(signed_in_user(request), patient_id)
    form = EventForm(request.POST)
    if form.is_valid():
        try:
            services.record_monitoring_event(
                actor=web_actor(request), patient_id=patient_id, **form.cleaned_data
            )
        except InvalidInput as exc:
            messages.error(request, "; ".join(f.message for f in exc.fields))
        else:
            messages.success(request, _("Recorded."))
    else:
        messages.error(request, _("Check the event fields."))
    return redirect("medications:prescriptions", patient_id=patient_id)


# ---- doses taken (patient) --------------------------------------------------------------


def _doses_html(request: HttpRequest, patient: Patient, day: date, errors: list[str]) -> str:
    lines = intake.doses_for_day(actor=web_actor(request), patient_id=patient.pk, day=day)
    catalogue = load_catalogue()
    rows = [
        {
            "line": line,
            "name": catalogue[line.prescription.drug].name,
            "slots": [(n, line.reported.get(n)) for n in range(1, line.slots + 1)],
        }
        for line in lines
    ]
    return render_to_string(
        "medications/_doses_panel.html",
        {"patient": patient, "day": day, "rows": rows, "errors": errors},
        request=request,
    )


def checkin_panel(request: HttpRequest, patient: Patient, day: date) -> str:
    """PAINPATH_CHECKIN_PANELS: the day's doses taken, its own small form."""
    return _doses_html(request, patient, day, [])


def home_panel(request: HttpRequest, patient: Patient) -> str:
    """PAINPATH_PATIENT_HOME_PANELS: today's doses."""
    return _doses_html(request, patient, local_today(patient), [])


def _entries(request: HttpRequest, day: date, patient: Patient) -> list[intake.DoseEntry]:
    import zoneinfo  # noqa: PLC0415

    tz = zoneinfo.ZoneInfo(patient.timezone_name)
    entries: list[intake.DoseEntry] = []
    for key, value in request.POST.items():
        if key.startswith("slot-") and value in {"taken", "skipped"}:
            rx_id, slot = key.removeprefix("slot-").split("-", 1)
            entries.append(
                intake.DoseEntry(prescription_id=int(rx_id), slot=int(slot), taken=value == "taken")
            )
        if key.startswith("prn-") and value:
            when = datetime.combine(day, time.fromisoformat(str(value)), tzinfo=tz)
            entries.append(
                intake.DoseEntry(prescription_id=int(key.removeprefix("prn-")), taken_at=when)
            )
    return entries


@login_required
@require_POST
def record_doses(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = access.get_patient_for_self_report(signed_in_user(request), patient_id)
    errors: list[str] = []
    try:
        day = date.fromisoformat(request.POST.get("day", ""))
        entries = _entries(request, day, patient)
    except ValueError:
        day, entries = local_today(patient), []
        errors.append(_("The day or a time is not valid."))
    if not errors:
        try:
            intake.record_doses(
                actor=web_actor(request), patient_id=patient_id, day=day, entries=entries
            )
        except InvalidInput as exc:
            errors = [f"{e.message}" for e in exc.fields]
    if request.headers.get("HX-Request") == "true":
        html = _doses_html(request, patient, day, errors)
        if not errors:
            html = html.replace("<!--saved-->", _("Saved."))
        return HttpResponse(html)
    if errors:
        messages.error(request, "; ".join(errors))
    else:
        messages.success(request, _("Doses saved."))
    return redirect(request.POST.get("next") or "patients:me")


# ---- chart panel (clinician) -----------------------------------------------------------


def chart_panel(request: HttpRequest, patient: Patient) -> str:
    """PAINPATH_CHART_PANELS: MME prescribed vs taken beside pain and function, and the
    prescriptions."""
    actor = web_actor(request)
    end = local_today(patient)
    start = end - timedelta(days=CHART_DAYS - 1)
    # the chart page has already checked and audited the read of ``patient``
    days, items = services.chart_data(actor=actor, patient=patient, start=start, end=end)
    diary = inputs.daily_pain_and_function(patient.pk, start, end)
    pain_ok = not isinstance(diary, inputs.Unavailable)
    by_day = diary if isinstance(diary, dict) else {}
    series = {
        "labels": [d.day.isoformat() for d in days],
        "prescribed": [d.prescribed for d in days],
        "taken": [d.taken for d in days],
        "pain": [by_day.get(d.day, (None, None))[0] for d in days],
        "function": [by_day.get(d.day, (None, None))[1] for d in days],
        "names": {
            "prescribed": _("MME/day prescribed"),
            "taken": _("MME taken"),
            "pain": _("Pain (0-10)"),
            "function": _("Function: activity level (0-10)"),
        },
    }
    return render_to_string(
        "medications/_chart_panel.html",
        {
            "patient": patient,
            "series": series,
            "today": days[-1],
            "pain_ok": pain_ok,
            "live": [rx for rx in items if rx.status in LIVE_STATUSES],
            "start": start,
            "end": end,
        },
        request=request,
    )
