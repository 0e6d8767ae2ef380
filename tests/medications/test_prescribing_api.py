"""The pre-save check and prescribing through the API: validation, what the draft sets off,
warnings, reasons, audit, stopping a line, access."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from painpath.alerts.evaluation import evaluate_patient
from painpath.alerts.models import Alert
from painpath.audit.models import AuditEvent
from painpath.medications.models import Prescription
from tests.conftest import client_for
from tests.medications.factories import TODAY, DoseReportFactory, PrescriptionFactory, genotype

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


def test_check_shows_new_mme_and_rules_without_saving(world) -> None:
    PrescriptionFactory(patient=world.p1, drug="gabapentin", dose=300)
    status, body = post(
        client_for(world.dr_a), f"/api/v1/patients/{world.p1.pk}/prescriptions/check", OXY
    )
    assert status == 200, body
    # 10 mg x 3 a day x 1.5 (CDC 2022 oxycodone) = 45 MME/day; before: no opioid
    assert body["after"]["prescribed_mme"]["total_mme_per_day"] == 45.0
    assert body["before"]["prescribed_mme"]["total_mme_per_day"] == 0.0
    triggered = {o["rule_id"] for o in body["triggered"]}
    assert "opioid-with-gabapentinoid" in triggered
    assert body["needs_reason"] is True
    assert Prescription.objects.filter(patient=world.p1, drug="oxycodone").count() == 0
    assert AuditEvent.objects.filter(
        object_type="PrescriptionCheck", patient_id=world.p1.pk
    ).exists()


def test_saving_over_a_warning_requires_a_reason_which_is_stored_and_audited(world) -> None:
    client = client_for(world.dr_a)
    url = f"/api/v1/patients/{world.p1.pk}/prescriptions"
    high = {**OXY, "dose": "20"}  # 20 x 3 x 1.5 = 90 MME/day
    status, body = post(client, url, high)
    assert status == 422
    assert body["error"]["fields"][0]["field"] == "override_reason"
    message = body["error"]["fields"][0]["message"]
    assert "Prescribed opioid dose at or above 90 MME/day" in message
    assert "mme-prescribed-90" not in message  # words, never rule ids
    assert not Prescription.objects.filter(patient=world.p1).exists()

    status, body = post(client, url, {**high, "override_reason": "Palliative plan agreed"})
    assert status == 201, body
    rx = Prescription.objects.get(pk=body["prescription"]["id"])
    assert rx.override_reason == "Palliative plan agreed"
    assert "mme-prescribed-90" in rx.warnings and "naloxone-not-prescribed" in rx.warnings
    assert rx.prescriber == world.dr_a
    event = AuditEvent.objects.get(object_type="Prescription", object_id=str(rx.pk))
    assert event.detail["override_reason"] == "Palliative plan agreed"


def test_no_reason_needed_when_the_draft_triggers_nothing(world) -> None:
    status, body = post(
        client_for(world.dr_a),
        f"/api/v1/patients/{world.p1.pk}/prescriptions",
        {
            "drug": "ibuprofen",
            "dose": "400",
            "times_per_day": "3",
            "start": TODAY.isoformat(),
            "indication": "chronic",
        },
    )
    assert status == 201, body
    assert body["check"]["triggered"] == []
    assert body["prescription"]["override_reason"] == ""


def test_bad_fields_are_named(world) -> None:
    client = client_for(world.dr_a)
    url = f"/api/v1/patients/{world.p1.pk}/prescriptions/check"
    status, body = post(client, url, {**OXY, "drug": "unobtainium"})
    assert status == 422 and body["error"]["fields"][0]["field"] == "drug"
    status, body = post(client, url, {**OXY, "unit": "mcg/h"})
    assert status == 422 and body["error"]["fields"][0]["field"] == "times_per_day"
    status, body = post(client, url, {**OXY, "times_per_day": None})
    assert status == 422 and body["error"]["fields"][0]["field"] == "times_per_day"
    status, body = post(client, url, {**OXY, "dose": "-5"})
    assert status == 422 and body["error"]["fields"][0]["field"] == "dose"
    status, body = post(client, url, {**OXY, "release": "er_la", "drug": "codeine"})
    assert status == 422 and body["error"]["fields"][0]["field"] == "release"
    status, body = post(client, url, {**OXY, "dose": "5000"})
    assert status == 422 and body["error"]["fields"][0]["field"] == "dose"


def test_taper_replaces_the_old_line(world) -> None:
    old = PrescriptionFactory(patient=world.p1, dose=Decimal("20"), times_per_day=3)
    status, body = post(
        client_for(world.dr_a),
        f"/api/v1/patients/{world.p1.pk}/prescriptions",
        {
            **OXY,
            "dose": "15",
            "replaces_id": old.pk,
            "taper": True,
        },
    )
    # a taper lowers the dose: the rules that still hold are already open, none is new
    assert status == 201, body
    assert body["check"]["triggered"] == [] and body["check"]["needs_reason"] is False
    assert body["prescription"]["override_reason"] == ""
    # before: 20x3x1.5 = 90; after the step: 15x3x1.5 = 67.5
    assert body["check"]["before"]["prescribed_mme"]["total_mme_per_day"] == 90.0
    assert body["check"]["after"]["prescribed_mme"]["total_mme_per_day"] == 67.5
    old.refresh_from_db()
    # in force until its replacement starts: that day doses under it still count
    assert old.status == "replaced" and old.stopped_on == TODAY
    assert body["prescription"]["status"] == "tapering"
    assert body["prescription"]["replaces_id"] == old.pk


def test_actionable_pgx_finding_is_in_the_check(world, stub_inputs) -> None:
    stub_inputs.genotypes[world.p1.pk] = [genotype("CYP2D6", "*4/*4")]
    status, body = post(
        client_for(world.dr_a),
        f"/api/v1/patients/{world.p1.pk}/prescriptions/check",
        {
            **OXY,
            "drug": "codeine",
            "dose": "30",
            "times_per_day": "2",
            "indication": "acute",
            "days_supply": 3,
        },
    )
    assert status == 200
    pgx = [o for o in body["triggered"] if o["rule_id"] == "pgx_conflict"]
    assert pgx and pgx[0]["subject"] == "codeine" and "Avoid codeine" in pgx[0]["message"]
    assert pgx[0]["change"] == "new with this prescription"
    assert pgx[0]["reference"].startswith("CPIC, ")
    assert body["needs_reason"] is True


@pytest.mark.parametrize(
    ("who", "patient", "expected"),
    [
        ("dr_b", "p1", 404),  # clinician of another team
        ("dr_other", "p1", 404),  # another clinic
        ("nurse", "p_other", 404),
        ("admin_a", "p1", 403),  # may read, may not prescribe
        ("patient_user", "p1", 403),  # own record, not a prescriber
        ("patient_user", "p2", 404),
    ],
)
@pytest.mark.parametrize("path", ["prescriptions/check", "prescriptions"])
def test_prescribing_denials(world, who, patient, expected, path) -> None:
    target = getattr(world, patient)
    status, body = post(
        client_for(getattr(world, who)), f"/api/v1/patients/{target.pk}/{path}", OXY
    )
    assert status == expected, body
    assert body["error"]["code"] == {403: "forbidden", 404: "not_found"}[expected]
    assert not Prescription.objects.exists()


def test_unauthenticated_is_401(client, world) -> None:
    response = client.post(
        f"/api/v1/patients/{world.p1.pk}/prescriptions/check",
        json.dumps(OXY),
        content_type="application/json",
    )
    assert response.status_code == 401


def test_list_prescriptions_readable_by_team_admin_and_patient(world) -> None:
    PrescriptionFactory(patient=world.p1)
    for user in (world.dr_a, world.nurse, world.admin_a, world.patient_user):
        response = client_for(user).get(f"/api/v1/patients/{world.p1.pk}/prescriptions")
        assert response.status_code == 200
        assert [r["drug"] for r in response.json()] == ["oxycodone"]
    assert (
        client_for(world.dr_b).get(f"/api/v1/patients/{world.p1.pk}/prescriptions").status_code
        == 404
    )


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


# ---- what the draft sets off -----------------------------------------------------------------


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


# ---- stopping a line -------------------------------------------------------------------------

STOP = {"on": TODAY.isoformat(), "reason": "Pain resolved after surgery", "confirm": True}


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
        STOP,
    )
    assert status == expected, body
    rx.refresh_from_db()
    if expected == 200:
        assert body["status"] == "stopped" and rx.stopped_on == TODAY
        assert body["stop_reason"] == "Pain resolved after surgery"
        assert rx.stopped_by == getattr(world, who) and rx.stop_confirmed_at is not None
        event = AuditEvent.objects.get(object_type="Prescription", object_id=str(rx.pk))
        assert event.detail["stop_reason"] == "Pain resolved after surgery"
        assert event.detail["stopped_on"] == TODAY.isoformat()
    else:
        assert rx.status == "active" and rx.stopped_on is None


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"reason": "   "}, {"reason"}),
        ({"confirm": False}, {"confirm"}),
        ({"reason": "", "confirm": False}, {"reason", "confirm"}),
        ({"on": (TODAY - D(90)).isoformat()}, {"on"}),
    ],
)
def test_stop_needs_a_reason_and_a_confirmation(world, change, fields) -> None:
    rx = PrescriptionFactory(patient=world.p1)
    status, body = post(
        client_for(world.dr_a),
        f"/api/v1/patients/{world.p1.pk}/prescriptions/{rx.pk}/stop",
        {**STOP, **change},
    )
    assert status == 422
    assert {f["field"] for f in body["error"]["fields"]} == fields
    rx.refresh_from_db()
    assert rx.status == "active" and rx.stop_reason == "" and rx.stopped_by is None
    assert not AuditEvent.objects.filter(object_type="Prescription", object_id=str(rx.pk)).exists()


# ---- issue cases: a taper is not overuse ------------------------------------------------------


def test_the_issue_taper_raises_no_overuse_in_the_check_nor_as_an_alert(
    world, immediate_huey, django_capture_on_commit_callbacks
) -> None:
    """Hydrocodone 10 mg three times a day, replaced the same day by 7.5 mg three times a day,
    with this morning's three doses reported under the old line."""
    old = PrescriptionFactory(
        patient=world.p1, drug="hydrocodone", dose=Decimal("10"), times_per_day=3
    )
    for slot, hour in ((1, 7), (2, 10), (3, 11)):
        DoseReportFactory(
            prescription=old,
            slot=slot,
            taken_at=dt.datetime(2026, 3, 10, hour, tzinfo=dt.timezone(D(hours=-4))),
        )
    evaluate_patient(patient_id=world.p1.pk)
    taper = {
        **OXY,
        "drug": "hydrocodone",
        "dose": "7.5",
        "times_per_day": "3",
        "replaces_id": old.pk,
        "taper": True,
    }
    result = check(world, taper)
    everything = result["triggered"] + result["already_open"] + result["after"]["alerts"]
    assert "taken-above-prescribed" not in {o["rule_id"] for o in everything}
    assert result["needs_reason"] is False
    assert result["after"]["taken_mme"]["total_mme_per_day"] == 30.0
    with django_capture_on_commit_callbacks(execute=True):
        status, body = post(
            client_for(world.dr_a), f"/api/v1/patients/{world.p1.pk}/prescriptions", taper
        )
    assert status == 201, body
    assert not Alert.objects.filter(patient=world.p1, rule_id="taken-above-prescribed").exists()
    # positive control: a fourth 10 mg dose under the three-a-day line is overuse
    DoseReportFactory(
        prescription=old,
        slot=0,
        taken_at=dt.datetime(2026, 3, 10, 11, 30, tzinfo=dt.timezone(D(hours=-4))),
    )
    evaluate_patient(patient_id=world.p1.pk)
    alert = Alert.objects.get(patient=world.p1, rule_id="taken-above-prescribed")
    assert (alert.evidence["taken_mme"], alert.evidence["prescribed_mme_per_day"]) == (40.0, 30.0)
    assert alert.evidence["drug"] == "hydrocodone"


# ---- issue cases: a draft that makes an open hazard worse is new ---------------------------


def test_adding_an_opioid_while_lorazepam_is_in_force_is_new_with_what_changed(world) -> None:
    PrescriptionFactory(patient=world.p1, drug="morphine", dose=Decimal("10"), times_per_day=2)
    PrescriptionFactory(patient=world.p1, drug="lorazepam", dose=Decimal("1"), times_per_day=2)
    evaluate_patient(patient_id=world.p1.pk)  # the combination alert is open
    result = check(world, {**OXY, "dose": "5"})  # oxycodone 5 mg x 3 = 22.5 MME
    combo = next(o for o in result["triggered"] if o["rule_id"] == "opioid-with-cns-depressant")
    assert combo["change"] == (
        "adds oxycodone while lorazepam is in force; MME/day prescribed 20 -> 42.5"
    )
    assert result["needs_reason"] is True
    assert "opioid-with-cns-depressant" not in {o["rule_id"] for o in result["already_open"]}


def test_moving_mme_from_45_to_105_is_new_with_before_and_after(world) -> None:
    old = PrescriptionFactory(patient=world.p1, dose=Decimal("10"), times_per_day=3)  # 45 MME
    result = check(world, {**OXY, "dose": "35", "times_per_day": "2", "replaces_id": old.pk})
    triggered = {o["rule_id"]: o for o in result["triggered"]}
    for rule_id in ("mme-prescribed-50", "mme-prescribed-90"):
        assert triggered[rule_id]["change"] == "MME/day prescribed 45 -> 105"
    assert result["needs_reason"] is True
    # and from 60, the 50 MME/day finding already open is made worse: listed as new too
    world.p1.prescriptions.all().delete()
    old = PrescriptionFactory(patient=world.p1, dose=Decimal("20"), times_per_day=2)  # 60 MME
    result = check(world, {**OXY, "dose": "35", "times_per_day": "2", "replaces_id": old.pk})
    fifty = next(o for o in result["triggered"] if o["rule_id"] == "mme-prescribed-50")
    assert fifty["change"] == "MME/day prescribed 60 -> 105"
    assert "mme-prescribed-50" not in {o["rule_id"] for o in result["already_open"]}


def test_a_replacement_cannot_start_before_the_line_it_replaces(world) -> None:
    old = PrescriptionFactory(patient=world.p1)  # started 60 days ago
    status, body = post(
        client_for(world.dr_a),
        f"/api/v1/patients/{world.p1.pk}/prescriptions",
        {**OXY, "start": (TODAY - D(61)).isoformat(), "replaces_id": old.pk},
    )
    assert status == 422 and body["error"]["fields"][0]["field"] == "start"
    old.refresh_from_db()
    assert old.status == "active" and Prescription.objects.count() == 1
