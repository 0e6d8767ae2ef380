"""Prescribing fixes: acute opioids need a duration, patches are transdermal, the pre-save
check counts only what the draft sets off, OUD lines stay out of pain MME, late dose reports
are judged, adherence counts unreported doses, and access to stop and monitoring events."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from painpath.alerts.evaluation import evaluate_patient
from painpath.alerts.models import Alert
from painpath.audit.models import AuditEvent
from painpath.core.context import Actor
from painpath.medications import services
from painpath.medications.models import MonitoringEvent, Prescription
from tests.conftest import client_for
from tests.medications.factories import TODAY, DoseReportFactory, PrescriptionFactory

pytestmark = pytest.mark.usefixtures("stub_inputs", "frozen_today")
D = dt.timedelta

OXY = {
    "drug": "oxycodone",
    "dose": "10",
    "times_per_day": "3",
    "start": TODAY.isoformat(),
    "indication": "chronic",
    "days_supply": 30,
}


def post(client, url: str, body: dict) -> tuple[int, dict]:
    response = client.post(url, json.dumps(body), content_type="application/json")
    return response.status_code, response.json()


def check(world, body: dict, patient=None) -> dict:
    patient = patient or world.p1
    status, result = post(
        client_for(world.dr_a), f"/api/v1/patients/{patient.pk}/prescriptions/check", body
    )
    assert status == 200, result
    return result


# ---- validation of a new prescription ------------------------------------------------------


@pytest.mark.parametrize("path", ["prescriptions/check", "prescriptions"])
def test_acute_opioid_without_a_duration_is_refused(world, path) -> None:
    body = {**OXY, "indication": "acute", "days_supply": None}
    status, result = post(client_for(world.dr_a), f"/api/v1/patients/{world.p1.pk}/{path}", body)
    assert status == 422
    field = result["error"]["fields"][0]
    assert field["field"] == "days_supply" and "needs a duration" in field["message"]
    assert not Prescription.objects.exists()
    ok = check(world, {**body, "end": (TODAY + D(2)).isoformat()})
    assert ok["after"]["prescribed_mme"]["total_mme_per_day"] == 45.0


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


def test_patch_route_must_be_transdermal(world) -> None:
    patch = {
        **OXY,
        "drug": "fentanyl",
        "dose": "25",
        "unit": "mcg/h",
        "times_per_day": None,
        "release": "er_la",
    }
    status, result = post(
        client_for(world.dr_a), f"/api/v1/patients/{world.p1.pk}/prescriptions/check", patch
    )
    assert status == 422 and result["error"]["fields"][0]["field"] == "route"
    assert "'transdermal', got 'oral'" in result["error"]["fields"][0]["message"]
    ok = check(world, {**patch, "route": "transdermal"})
    assert ok["after"]["prescribed_mme"]["total_mme_per_day"] == 60.0


# ---- the pre-save check ----------------------------------------------------------------------


def test_taper_step_needs_no_reason_and_shows_what_stays_open(world) -> None:
    PrescriptionFactory(patient=world.p1, dose=Decimal("20"), times_per_day=3)  # 90 MME
    old = Prescription.objects.get(patient=world.p1)
    evaluate_patient(patient_id=world.p1.pk)
    result = check(world, {**OXY, "dose": "15", "replaces_id": old.pk, "taper": True})
    assert result["triggered"] == [] and result["needs_reason"] is False
    assert {o["rule_id"] for o in result["already_open"]} >= {
        "mme-prescribed-50",
        "naloxone-not-prescribed",
    }
    assert "mme-prescribed-90" in {o["rule_id"] for o in result["cleared"]}


def test_dose_increase_triggers_the_dose_rule_that_already_holds(world) -> None:
    old = PrescriptionFactory(patient=world.p1, dose=Decimal("20"), times_per_day=3)  # 90
    result = check(world, {**OXY, "dose": "30", "replaces_id": old.pk})  # 135 MME
    triggered = {o["rule_id"] for o in result["triggered"]}
    assert {"mme-prescribed-50", "mme-prescribed-90"} <= triggered
    assert result["needs_reason"] is True


def test_a_second_cns_depressant_is_set_off_by_the_draft(world) -> None:
    PrescriptionFactory(patient=world.p1, dose=Decimal("5"), times_per_day=2)
    PrescriptionFactory(patient=world.p1, drug="diazepam", dose=Decimal("5"))
    result = check(world, {**OXY, "drug": "alprazolam", "dose": "0.5", "times_per_day": "2"})
    triggered = {o["rule_id"] for o in result["triggered"]}
    assert "opioid-with-cns-depressant" in triggered
    # an unrelated non-opioid does not re-trigger it
    result = check(world, {**OXY, "drug": "ibuprofen", "dose": "400"})
    assert "opioid-with-cns-depressant" in {o["rule_id"] for o in result["already_open"]}
    assert result["triggered"] == []


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
    assert "Already open" in html
    assert "No new safety rule is triggered by this prescription." in html
    assert "Reason for prescribing over the warnings" not in html


# ---- opioid use disorder lines ------------------------------------------------------------


def test_methadone_for_oud_is_not_pain_mme_but_counts_for_combinations(world) -> None:
    PrescriptionFactory(
        patient=world.p1,
        drug="methadone",
        dose=Decimal("80"),
        times_per_day=1,
        release="er_la",
        indication="oud",
    )
    PrescriptionFactory(patient=world.p1, drug="diazepam", dose=Decimal("5"))
    result = evaluate_patient(patient_id=world.p1.pk)
    rules = {o.rule_id for o in result.outcomes}
    assert result.prescribed_mme.total_mme_per_day == 0
    assert not {"mme-prescribed-50", "mme-prescribed-90", "urine-drug-test-overdue"} & rules
    assert {"opioid-with-cns-depressant", "naloxone-not-prescribed"} <= rules
    days = services.mme_timeline(
        actor=Actor(user=world.dr_a), patient_id=world.p1.pk, start=TODAY, end=TODAY
    )
    assert days[0].prescribed == 0.0


# ---- doses reported for earlier days; adherence from the schedule --------------------------


def test_yesterdays_overuse_reported_today_raises_alerts(
    world, immediate_huey, django_capture_on_commit_callbacks
) -> None:
    rx = PrescriptionFactory(
        patient=world.p1, as_needed=True, times_per_day=None, max_doses_per_day=2, dose=10
    )
    yesterday = TODAY - D(1)
    body = {
        "day": yesterday.isoformat(),
        "doses": [
            {"prescription_id": rx.pk, "taken_at": f"{yesterday}T{h:02d}:00:00-04:00"}
            for h in (7, 10, 13, 16)
        ],
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.patient_user).post(
            f"/api/v1/patients/{world.p1.pk}/doses", body, content_type="application/json"
        )
    assert response.status_code == 201, response.json()
    alert = Alert.objects.get(patient=world.p1, rule_id="taken-above-prescribed")
    assert alert.evidence["day"] == yesterday.isoformat()
    assert (alert.evidence["taken_mme"], alert.evidence["prescribed_mme_per_day"]) == (60.0, 30.0)
    assert Alert.objects.get(patient=world.p1, rule_id="mme-taken-50").evidence["day"] == (
        yesterday.isoformat()
    )


def test_unreported_scheduled_doses_count_as_missed_from_the_start_only(world) -> None:
    # started 3 days ago, 2 slots a day, nothing reported: 6 missed (today not yet counted)
    PrescriptionFactory(patient=world.p2, drug="ibuprofen", dose=400, start=TODAY - D(3))
    outcome = {o.rule_id: o for o in evaluate_patient(patient_id=world.p2.pk).outcomes}
    evidence = outcome["adherence-low"].evidence
    assert (evidence["scheduled"], evidence["taken"]) == (6, 0)


def test_reported_doses_keep_adherence_up(world) -> None:
    rx = PrescriptionFactory(patient=world.p2, drug="ibuprofen", dose=400, start=TODAY - D(2))
    reports = {
        (back, slot): DoseReportFactory(
            prescription=rx,
            day=TODAY - D(back),
            slot=slot,
            taken_at=dt.datetime(2026, 3, 10 - back, 15, tzinfo=dt.UTC),
        )
        for back in (1, 2)
        for slot in (1, 2)
    }
    rules = {o.rule_id for o in evaluate_patient(patient_id=world.p2.pk).outcomes}
    assert "adherence-low" not in rules  # 4 of 4
    skipped = reports[(1, 2)]
    skipped.taken, skipped.taken_at = False, None
    skipped.save()
    outcomes = {o.rule_id: o for o in evaluate_patient(patient_id=world.p2.pk).outcomes}
    assert outcomes["adherence-low"].evidence["ratio"] == 0.75  # 3 of 4


# ---- access: stop and monitoring events ------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("dr_a", 200),
        ("nurse", 200),
        ("dr_b", 404),  # another team
        ("dr_other", 404),  # another clinic
        ("admin_a", 403),
        ("patient_user", 403),
    ],
)
def test_stop_endpoint_access(world, who, expected) -> None:
    rx = PrescriptionFactory(patient=world.p1)
    status, body = post(
        client_for(getattr(world, who)),
        f"/api/v1/patients/{world.p1.pk}/prescriptions/{rx.pk}/stop",
        {"on": TODAY.isoformat()},
    )
    assert status == expected, body
    rx.refresh_from_db()
    if expected == 200:
        assert body["status"] == "stopped" and rx.stopped_on == TODAY
        assert AuditEvent.objects.filter(object_type="Prescription", object_id=str(rx.pk)).exists()
    else:
        assert rx.status == "active" and rx.stopped_on is None


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
    status, body = post(
        client_for(getattr(world, who)),
        f"/api/v1/patients/{world.p1.pk}/monitoring-events",
        {"kind": "pdmp_review", "on": TODAY.isoformat()},
    )
    assert status == expected, body
    assert MonitoringEvent.objects.filter(patient=world.p1).exists() is (expected == 201)
