"""Prescribing page (check first, reason over warnings, what stays open), monitoring events,
doses taken, MME prescribed vs taken."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import pytest

from painpath.core.context import Actor
from painpath.medications import services
from painpath.medications.models import DoseReport, MonitoringEvent, Prescription
from tests.conftest import client_for
from tests.factories import ConditionFactory
from tests.medications.factories import TODAY, DoseReportFactory, PrescriptionFactory

pytestmark = pytest.mark.usefixtures("stub_inputs", "frozen_today")
D = dt.timedelta

FORM = {
    "drug": "oxycodone",
    "dose": "20",
    "unit": "mg",
    "frequency": "times_per_day",
    "frequency_value": "3",
    "release": "ir",
    "route": "oral",
    "indication": "chronic",
    "start": TODAY.isoformat(),
    "days_supply": "30",
}


def test_html_check_shows_rules_and_new_mme_before_saving(world) -> None:
    client = client_for(world.dr_a)
    page = client.get(f"/medications/patients/{world.p1.pk}/").content.decode()
    assert "Check before saving" in page and "Save prescription" not in page
    html = client.post(
        f"/medications/patients/{world.p1.pk}/", {**FORM, "action": "check"}
    ).content.decode()
    assert "This prescription would trigger" in html
    assert "Daily dose at or above 90 MME" in html or "mme" in html.lower()
    assert "<strong>90</strong>" in html  # 20 mg x 3 x 1.5
    assert "Save prescription" in html and "Reason for prescribing over the warnings" in html
    assert not Prescription.objects.exists()


def test_html_save_over_warning_needs_reason(world) -> None:
    client = client_for(world.dr_a)
    url = f"/medications/patients/{world.p1.pk}/"
    html = client.post(url, {**FORM, "action": "save"}).content.decode()
    assert "Required over the warnings" in html and not Prescription.objects.exists()
    response = client.post(url, {**FORM, "action": "save", "override_reason": "Agreed plan"})
    assert response.status_code == 302
    rx = Prescription.objects.get()
    assert rx.override_reason == "Agreed plan" and "mme-prescribed-90" in rx.warnings
    listing = client.get(url).content.decode()
    assert "Agreed plan" in listing and "All prescriptions and taper history" in listing


def test_html_form_errors_name_the_field(world) -> None:
    html = (
        client_for(world.dr_a)
        .post(
            f"/medications/patients/{world.p1.pk}/",
            {**FORM, "frequency_value": "", "action": "check"},
        )
        .content.decode()
    )
    assert "Give N for this frequency." in html


def test_acute_opioid_without_a_duration_is_refused_in_the_form(world) -> None:
    form = {
        "drug": "oxycodone",
        "dose": "5",
        "unit": "mg",
        "frequency": "every_hours",
        "frequency_value": "6",
        "release": "ir",
        "route": "oral",
        "indication": "acute",
        "start": TODAY.isoformat(),
        "action": "check",
    }
    html = (
        client_for(world.dr_a).post(f"/medications/patients/{world.p1.pk}/", form).content.decode()
    )
    assert "an opioid for acute pain needs a duration" in html
    assert 'id="check-result"' not in html


def test_html_check_lists_already_open_rules_apart(world) -> None:
    PrescriptionFactory(patient=world.p1, dose=Decimal("20"), times_per_day=3)
    html = (
        client_for(world.dr_a)
        .post(
            f"/medications/patients/{world.p1.pk}/",
            {
                "drug": "ibuprofen",
                "dose": "400",
                "unit": "mg",
                "frequency": "times_per_day",
                "frequency_value": "3",
                "release": "ir",
                "route": "oral",
                "indication": "chronic",
                "start": TODAY.isoformat(),
                "action": "check",
            },
        )
        .content.decode()
    )
    assert "Already open, not made worse by this prescription" in html
    assert "This prescription sets off no new safety finding and makes none worse." in html
    assert "Reason for prescribing over the warnings" not in html


@pytest.mark.parametrize(
    ("who", "patient", "get_status", "post_status"),
    [
        ("dr_b", "p1", 404, 404),
        ("dr_other", "p1", 404, 404),
        ("admin_a", "p1", 200, 403),
        ("patient_user", "p1", 200, 403),
        ("patient_user", "p2", 404, 404),
    ],
)
def test_prescribing_page_denials(world, who, patient, get_status, post_status) -> None:
    target = getattr(world, patient)
    rx = PrescriptionFactory(patient=target)
    client = client_for(getattr(world, who))
    url = f"/medications/patients/{target.pk}/"
    response = client.get(url)
    assert response.status_code == get_status
    if get_status == 200:
        assert "Check before saving" not in response.content.decode()
    assert (
        client.post(url, {**FORM, "action": "save", "override_reason": "x"}).status_code
        == post_status
    )
    assert client.post(f"{url}{rx.pk}/stop/").status_code == post_status
    assert (
        client.post(f"{url}events/", {"kind": "pdmp_review", "on": TODAY}).status_code
        == post_status
    )
    assert Prescription.objects.count() == 1 and not MonitoringEvent.objects.exists()


def test_monitoring_event_api_and_validation(world) -> None:
    client = client_for(world.dr_a)
    url = f"/api/v1/patients/{world.p1.pk}/monitoring-events"
    ok = client.post(
        url, {"kind": "urine_drug_test", "on": TODAY.isoformat()}, content_type="application/json"
    )
    assert ok.status_code == 201 and ok.json()["kind"] == "urine_drug_test"
    bad = client.post(
        url, {"kind": "blood", "on": (TODAY + D(1)).isoformat()}, content_type="application/json"
    )
    assert {f["field"] for f in bad.json()["error"]["fields"]} == {"kind", "on"}
    assert (
        client_for(world.patient_user)
        .post(
            url, {"kind": "pdmp_review", "on": TODAY.isoformat()}, content_type="application/json"
        )
        .status_code
        == 403
    )


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("dr_a", 201),
        ("dr_b", 404),  # another team
        ("dr_other", 404),  # another clinic
        ("admin_a", 403),
        ("patient_user", 403),
    ],
)
def test_monitoring_event_api_access(world, who, expected) -> None:
    response = client_for(getattr(world, who)).post(
        f"/api/v1/patients/{world.p1.pk}/monitoring-events",
        {"kind": "pdmp_review", "on": TODAY.isoformat()},
        content_type="application/json",
    )
    assert response.status_code == expected, response.json()
    assert MonitoringEvent.objects.filter(patient=world.p1).exists() is (expected == 201)


# ---- doses taken --------------------------------------------------------------------------


def doses(client, patient, body):
    return client.post(
        f"/api/v1/patients/{patient.pk}/doses", json.dumps(body), content_type="application/json"
    )


def test_scheduled_doses_are_stored_once_per_slot(world) -> None:
    rx = PrescriptionFactory(patient=world.p1)
    client = client_for(world.patient_user)
    body = {
        "day": TODAY.isoformat(),
        "doses": [
            {"prescription_id": rx.pk, "slot": 1, "taken": True},
            {"prescription_id": rx.pk, "slot": 2, "taken": False},
        ],
    }
    assert doses(client, world.p1, body).status_code == 201
    body["doses"][1]["taken"] = True
    assert doses(client, world.p1, body).status_code == 201
    assert DoseReport.objects.filter(prescription=rx).count() == 2
    assert all(r.taken and r.taken_at for r in DoseReport.objects.all())


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"day": (TODAY + D(1)).isoformat(), "doses": [{"prescription_id": 0, "slot": 1}]}, "day"),
        ({"day": (TODAY - D(8)).isoformat(), "doses": [{"prescription_id": 0, "slot": 1}]}, "day"),
        ({"day": TODAY.isoformat(), "doses": []}, "doses"),
        (
            {"day": TODAY.isoformat(), "doses": [{"prescription_id": 999, "slot": 1}]},
            "doses[0].prescription_id",
        ),
        (
            {"day": TODAY.isoformat(), "doses": [{"prescription_id": "RX", "slot": 3}]},
            "doses[0].slot",
        ),
        (
            {
                "day": TODAY.isoformat(),
                "doses": [
                    {"prescription_id": "RX", "slot": 1, "taken_at": "2026-03-09T10:00:00-04:00"}
                ],
            },
            "doses[0].taken_at",
        ),
        (
            {
                "day": TODAY.isoformat(),
                "doses": [{"prescription_id": "RX", "slot": 1, "taken_at": "2026-03-10T10:00:00"}],
            },
            "doses[0].taken_at",
        ),
    ],
)
def test_bad_dose_reports_name_the_field_and_store_nothing(world, body, field) -> None:
    rx = PrescriptionFactory(patient=world.p1)
    for d in body["doses"]:
        if d["prescription_id"] == "RX":
            d["prescription_id"] = rx.pk
    body["doses"].append({"prescription_id": rx.pk, "slot": 1}) if field.startswith(
        "doses[0]"
    ) else None
    response = doses(client_for(world.patient_user), world.p1, body)
    assert response.status_code == 422
    assert field in [f["field"] for f in response.json()["error"]["fields"]]
    assert not DoseReport.objects.exists()


@pytest.mark.parametrize(
    ("who", "expected"), [("dr_a", 403), ("admin_a", 403), ("dr_b", 404), ("dr_other", 404)]
)
def test_only_the_patient_reports_doses(world, who, expected) -> None:
    rx = PrescriptionFactory(patient=world.p1)
    body = {"day": TODAY.isoformat(), "doses": [{"prescription_id": rx.pk, "slot": 1}]}
    assert doses(client_for(getattr(world, who)), world.p1, body).status_code == expected
    html = client_for(getattr(world, who)).post(
        f"/medications/patients/{world.p1.pk}/doses/",
        {"day": TODAY.isoformat(), f"slot-{rx.pk}-1": "taken"},
    )
    assert html.status_code == expected
    assert not DoseReport.objects.exists()


def test_dose_panel_htmx_round_trip_on_the_patient_home(world) -> None:
    rx = PrescriptionFactory(patient=world.p1)
    prn = PrescriptionFactory(
        patient=world.p1,
        drug="acetaminophen",
        dose=500,
        as_needed=True,
        times_per_day=None,
        max_doses_per_day=6,
    )
    client = client_for(world.patient_user)
    home = client.get("/patients/me/").content.decode()
    assert "Medicines taken on 2026-03-10" in home and f"slot-{rx.pk}-2" in home
    response = client.post(
        f"/medications/patients/{world.p1.pk}/doses/",
        {
            "day": TODAY.isoformat(),
            f"slot-{rx.pk}-1": "taken",
            f"slot-{rx.pk}-2": "skipped",
            f"prn-{prn.pk}": "09:30",
        },
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html and "Saved." in html
    assert "09:30" in html
    assert sorted(DoseReport.objects.values_list("slot", "taken")) == [
        (0, True),
        (1, True),
        (2, False),
    ]


# ---- MME prescribed vs taken, hand-worked ------------------------------------------------


def test_mme_timeline_prescribed_vs_taken(world) -> None:
    oxy = PrescriptionFactory(
        patient=world.p1, dose=Decimal("10"), times_per_day=3, start=TODAY - D(5)
    )
    PrescriptionFactory(
        patient=world.p1,
        drug="fentanyl",
        dose=25,
        unit="mcg/h",
        times_per_day=None,
        release="er_la",
        start=TODAY - D(2),
    )
    # a taper step today: oxycodone 5 mg x 3 replaces 10 mg x 3 (last day yesterday)
    oxy.status, oxy.stopped_on = "replaced", TODAY - D(1)
    oxy.save()
    PrescriptionFactory(
        patient=world.p1,
        dose=Decimal("5"),
        times_per_day=3,
        start=TODAY,
        replaces=oxy,
        status="tapering",
    )
    patch = Prescription.objects.get(drug="fentanyl")
    yesterday = dt.datetime(2026, 3, 9, 15, 0, tzinfo=dt.UTC)
    DoseReportFactory(prescription=oxy, day=TODAY - D(1), slot=1, taken_at=yesterday)
    DoseReportFactory(prescription=oxy, day=TODAY - D(1), slot=2, taken_at=yesterday)
    DoseReportFactory(prescription=oxy, day=TODAY - D(1), slot=3, taken=False, taken_at=None)
    DoseReportFactory(prescription=patch, day=TODAY - D(1), slot=1, taken_at=yesterday)
    days = services.mme_timeline(
        actor=Actor(user=world.dr_a), patient_id=world.p1.pk, start=TODAY - D(6), end=TODAY
    )
    by_day = {d.day: (d.prescribed, d.taken) for d in days}
    assert by_day[TODAY - D(6)] == (0.0, None)
    assert by_day[TODAY - D(5)] == (45.0, None)  # 10 mg x 3 x 1.5
    assert by_day[TODAY - D(2)] == (105.0, None)  # + 25 mcg/h x 2.4 = 60
    assert by_day[TODAY - D(1)] == (105.0, 90.0)  # taken: 2 x 10 x 1.5 + 60
    assert by_day[TODAY] == (82.5, None)  # 5 x 3 x 1.5 + 60
    api = client_for(world.nurse).get(
        f"/api/v1/patients/{world.p1.pk}/mme",
        {"start": (TODAY - D(1)).isoformat(), "end": TODAY.isoformat()},
    )
    assert api.json() == [
        {"day": (TODAY - D(1)).isoformat(), "prescribed_mme": 105.0, "taken_mme": 90.0},
        {"day": TODAY.isoformat(), "prescribed_mme": 82.5, "taken_mme": None},
    ]
    assert client_for(world.dr_b).get(f"/api/v1/patients/{world.p1.pk}/mme").status_code == 404
    bad = client_for(world.nurse).get(
        f"/api/v1/patients/{world.p1.pk}/mme",
        {"start": TODAY.isoformat(), "end": (TODAY - D(1)).isoformat()},
    )
    assert bad.status_code == 422 and bad.json()["error"]["fields"][0]["field"] == "end"


def test_chart_panel_shows_mme_and_prescriptions(world) -> None:
    PrescriptionFactory(patient=world.p1, dose=Decimal("10"), times_per_day=3)
    html = client_for(world.dr_a).get(f"/patients/{world.p1.pk}/").content.decode()
    assert "MME prescribed vs taken" in html and 'id="mme-data"' in html
    assert "<strong>45</strong>" in html


def test_chart_panel_queries_do_not_grow_with_history(
    world, stub_inputs, django_assert_max_num_queries
) -> None:
    from django.test import RequestFactory

    from painpath.medications.views import chart_panel

    for i in range(20):
        rx = PrescriptionFactory(patient=world.p1, start=TODAY - D(40 + i))
        DoseReportFactory(
            prescription=rx,
            day=TODAY - D(i % 10),
            slot=1,
            taken_at=dt.datetime(2026, 3, 1, 15, tzinfo=dt.UTC) + D(days=i % 9),
        )
    request = RequestFactory().get("/")
    request.user = world.dr_a
    world.p1.clinic  # noqa: B018  (loaded by the chart page already)
    with django_assert_max_num_queries(10):
        html = chart_panel(request, world.p1)
    assert 'id="mme-data"' in html
    # the diary (stubbed here) is read once for pain and function together
    assert [c for c in stub_inputs.calls if c[0] == "diary"] == [("diary", world.p1.pk)]


def test_mme_chart_carries_pain_and_function_beside_the_doses(world, stub_inputs) -> None:
    import json
    import re

    from django.test import RequestFactory

    from painpath.medications.views import chart_panel

    stub_inputs.pain[world.p1.pk] = {TODAY: 5.0}
    stub_inputs.function[world.p1.pk] = {TODAY: 8.0, TODAY - D(1): 6.0}
    request = RequestFactory().get("/")
    request.user = world.dr_a
    html = chart_panel(request, world.p1)
    data = json.loads(re.search(r'id="mme-data"[^>]*>(.*?)</script>', html, re.S)[1])
    i = data["labels"].index(TODAY.isoformat())
    assert (data["pain"][i], data["function"][i]) == (5.0, 8.0)
    assert (data["pain"][i - 1], data["function"][i - 1]) == (None, 6.0)


# ---- the prescribing form: indication, "Replaces", Stop, words not rule ids ----------------


def test_indication_has_no_default_and_must_be_chosen(world) -> None:
    client = client_for(world.dr_a)
    url = f"/medications/patients/{world.p1.pk}/"
    page = client.get(url).content.decode()
    select = re.search(r'<select name="indication"[^>]*>(.*?)</select>', page, re.S)[1]
    assert '<option value="" selected>— choose —</option>' in select
    assert "selected" not in select.replace('<option value="" selected>', "")
    html = client.post(url, {**FORM, "indication": "", "action": "check"}).content.decode()
    assert "This field is required." in html and 'id="check-result"' not in html
    assert not Prescription.objects.exists()


def test_replaces_fills_the_form_from_the_replaced_line(world) -> None:
    old = PrescriptionFactory(
        patient=world.p1,
        drug="morphine",
        dose=Decimal("30"),
        times_per_day=2,
        release="er_la",
        indication="chronic",
        days_supply=28,
    )
    client = client_for(world.dr_a)
    url = f"/medications/patients/{world.p1.pk}/"
    listing = client.get(url).content.decode()
    assert f'href="{url}?replaces={old.pk}#new-h"' in listing  # "Change dose or taper"
    for page in (
        client.get(url, {"replaces": old.pk}).content.decode(),  # link, or htmx on the select
        client.post(url, {**FORM, "replaces": old.pk, "action": "fill"}).content.decode(),
    ):
        form = re.search(r'<form method="post" class="rx-form" id="rx-form".*?</form>', page, re.S)[
            0
        ]
        assert re.search(r'<option value="morphine" selected>', form)
        assert 'name="dose" value="30"' in form
        assert re.search(r'<option value="times_per_day" selected>', form)
        assert 'name="frequency_value" value="2"' in form
        assert re.search(r'<option value="er_la" selected>', form)
        assert re.search(r'<option value="chronic" selected>', form)
        assert f'<option value="{old.pk}" selected>' in form
        assert 'name="days_supply" value="28"' in form
        assert f'name="start" value="{TODAY.isoformat()}"' in form
        assert 'class="errorlist"' not in form  # a fill is not a submission
    assert Prescription.objects.count() == 1
    # a line that is not current (or another patient's) fills nothing
    other = PrescriptionFactory(patient=world.p2)
    page = client.get(url, {"replaces": other.pk}).content.decode()
    assert 'name="dose" value="30"' not in page


def test_stop_asks_for_reason_and_confirmation_stores_both_and_audits(world) -> None:
    from painpath.audit.models import AuditEvent

    rx = PrescriptionFactory(patient=world.p1)
    client = client_for(world.dr_a)
    url = f"/medications/patients/{world.p1.pk}/{rx.pk}/stop/"
    page = client.get(url).content.decode()
    assert "Reason for stopping" in page and "I confirm that this prescription is stopped." in page
    html = client.post(url, {"on": TODAY.isoformat(), "reason": ""}).content.decode()
    assert html.count('class="errorlist"') == 2  # reason and confirmation both required
    rx.refresh_from_db()
    assert rx.status == "active"
    response = client.post(
        url, {"on": TODAY.isoformat(), "reason": "Switched to a non-opioid", "confirm": "on"}
    )
    assert response.status_code == 302
    rx.refresh_from_db()
    assert (rx.status, rx.stopped_on, rx.stop_reason) == (
        "stopped",
        TODAY,
        "Switched to a non-opioid",
    )
    assert rx.stopped_by == world.dr_a and rx.stop_confirmed_at is not None
    event = AuditEvent.objects.get(object_type="Prescription", object_id=str(rx.pk))
    assert event.detail["stop_reason"] == "Switched to a non-opioid"
    listing = client.get(f"/medications/patients/{world.p1.pk}/").content.decode()
    assert "Reason for stopping: Switched to a non-opioid" in listing


def test_check_page_shows_words_never_rule_ids(world, stub_inputs, monkeypatch) -> None:
    from painpath.alerts import inputs
    from painpath.clinical.safety import rule_ids

    monkeypatch.setattr(inputs, "latest_phq9_item9", lambda pid: inputs.Unavailable("x.y"))
    PrescriptionFactory(patient=world.p1, drug="lorazepam", dose=Decimal("1"))
    ConditionFactory(patient=world.p1, icd10_code="G47.33", display="sleep apnoea")
    client = client_for(world.dr_a)
    url = f"/medications/patients/{world.p1.pk}/"
    html = client.post(url, {**FORM, "action": "save"}).content.decode()
    assert "What changes: adds oxycodone while lorazepam is in force" in html
    assert "Not evaluated (no data source): PHQ-9 item 9 above 0" in html
    assert "CDC 2022 Recommendation 11" in html
    text = re.sub(r"<[^>]+>", " ", html)  # what the page says, not its markup
    for rule_id in rule_ids():
        assert rule_id not in text, rule_id
    assert "issue" not in text.lower()


def test_clinic_medication_settings_list_the_clinic_policy_thresholds(world) -> None:
    page = client_for(world.admin_a).get("/admin/medications/clinicmedicationsettings/add/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Clinic policy of the safety rules" in html
    for title in (
        "More opioid taken than prescribed",
        "Fewer than 80% of scheduled doses taken",
        "No check-in for 3 days",
    ):
        assert title in html, title
    assert "lowest share of scheduled doses taken: 0.80, window (days): 7" in html
    assert "min_ratio" not in html and "min ratio" not in html
    assert "Prescribed opioid dose at or above 90 MME/day" not in html  # published, not policy


def test_clearing_replaces_through_htmx_keeps_the_typed_form(world) -> None:
    response = client_for(world.dr_a).get(
        f"/medications/patients/{world.p1.pk}/", {"replaces": ""}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 204  # htmx swaps nothing
    denied = client_for(world.dr_b).get(
        f"/medications/patients/{world.p1.pk}/", {"replaces": ""}, HTTP_HX_REQUEST="true"
    )
    assert denied.status_code == 404  # the access check comes first
