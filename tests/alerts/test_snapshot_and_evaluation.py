"""Stored data reaches the rules (snapshot builder), alerts kept in step, the signal wiring."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from painpath.alerts import inputs
from painpath.alerts.evaluation import evaluate_patient
from painpath.alerts.models import Alert, PatientSafetyState, RoutingRule
from painpath.alerts.snapshot import build_snapshot
from painpath.core.signals import announce_patient_data_changed
from painpath.medications.models import ClinicMedicationSettings
from tests.factories import ConditionFactory
from tests.medications.factories import (
    TODAY,
    DoseReportFactory,
    MonitoringEventFactory,
    PrescriptionFactory,
    finding,
)

pytestmark = pytest.mark.usefixtures("frozen_today")
NY = dt.timezone(dt.timedelta(hours=-4))


def test_stored_data_reaches_the_snapshot(world, stub_inputs) -> None:
    rx = PrescriptionFactory(patient=world.p1)  # oxycodone 10 mg x2, chronic, 60 days ago
    PrescriptionFactory(patient=world.p1, drug="diazepam", dose=5, status="stopped")
    # taken at 23:30 New York time on TODAY = 03:30 UTC the next day: still TODAY locally
    late = dt.datetime(2026, 3, 11, 3, 30, tzinfo=dt.UTC)
    DoseReportFactory(prescription=rx, slot=1, taken_at=late)
    DoseReportFactory(prescription=rx, slot=2, taken=False, taken_at=None)
    MonitoringEventFactory(patient=world.p1, kind="pdmp_review", on=TODAY - dt.timedelta(days=5))
    ClinicMedicationSettings.objects.create(clinic=world.clinic_a, pdmp_interval_days=30)
    stub_inputs.pain[world.p1.pk] = {TODAY: 6.0, TODAY - dt.timedelta(days=40): 1.0}
    stub_inputs.phq9[world.p1.pk] = (TODAY, 2)
    built = build_snapshot(world.p1)
    s = built.snapshot
    assert built.on == TODAY
    assert [p.drug for p in s.prescriptions] == ["oxycodone"]  # the stopped line is left out
    assert [(d.drug, d.taken_at.date()) for d in s.doses_taken] == [("oxycodone", TODAY)]
    assert sorted((d.slot if False else d.taken) for d in s.scheduled_doses) == [False, True]
    assert s.last_pdmp_review == TODAY - dt.timedelta(days=5) and s.last_urine_drug_test is None
    assert s.pdmp_interval_days == 30
    assert s.long_term_opioid_therapy is True and s.opioid_naive is False
    assert [p.day for p in s.pain_scores] == [TODAY]  # only the 35-day window is asked for
    assert (s.phq9_item9, s.phq9_item9_on) == (2, TODAY)
    assert s.last_checkin == TODAY
    assert s.age_years == world.p1.age_on(TODAY)


@pytest.mark.parametrize(
    ("icd", "snomed", "condition"),
    [
        ("F11.20", "", "opioid_use_disorder"),
        ("F11.10", "", "opioid_use_disorder"),
        ("C50.9", "", "active_cancer_treatment"),
        ("D57.1", "", "sickle_cell_disease"),
        ("Z51.5", "", "palliative_care"),
        ("G47.33", "", "sleep_disordered_breathing"),
        ("F10.20", "", "substance_use_disorder_history"),
        ("T40.2X1A", "", "overdose_history"),
        ("", "78275009", "sleep_disordered_breathing"),
    ],
)
def test_coded_conditions_map_to_rule_conditions(world, stub_inputs, icd, snomed, condition):
    ConditionFactory(patient=world.p2, icd10_code=icd, snomed_code=snomed, display="x")
    assert condition in build_snapshot(world.p2).snapshot.conditions


def test_resolved_or_unmatched_conditions_do_not_count(world, stub_inputs) -> None:
    ConditionFactory(patient=world.p2, icd10_code="F11.20", status="resolved", display="x")
    ConditionFactory(patient=world.p2, icd10_code="D00.0", display="in situ, not C00-C96")
    assert build_snapshot(world.p2).snapshot.conditions == frozenset()


def test_cancer_exclusion_keeps_opioid_rules_from_running(world, stub_inputs) -> None:
    PrescriptionFactory(patient=world.p2, dose=Decimal("20"), times_per_day=3)  # 90 MME
    ConditionFactory(patient=world.p2, icd10_code="C34.90", display="lung cancer")
    result = evaluate_patient(patient_id=world.p2.pk)
    assert "mme-prescribed-90" in result.not_applied
    assert not Alert.objects.filter(patient=world.p2, rule_id__startswith="mme").exists()


def test_opioid_naive_is_relative_to_earlier_opioids(world, stub_inputs) -> None:
    PrescriptionFactory(patient=world.p2, drug="morphine", release="er_la", start=TODAY, dose=15)
    result = evaluate_patient(patient_id=world.p2.pk)
    assert "er-la-opioid-naive" in {o.rule_id for o in result.outcomes}
    PrescriptionFactory(
        patient=world.p3, drug="tramadol", start=TODAY - dt.timedelta(days=90), status="stopped"
    )
    PrescriptionFactory(patient=world.p3, drug="morphine", release="er_la", start=TODAY, dose=15)
    assert "er-la-opioid-naive" not in {
        o.rule_id for o in evaluate_patient(patient_id=world.p3.pk).outcomes
    }


def test_acute_short_course_is_not_long_term(world, stub_inputs) -> None:
    PrescriptionFactory(patient=world.p2, indication="acute", days_supply=5, start=TODAY)
    assert build_snapshot(world.p2).snapshot.long_term_opioid_therapy is False
    PrescriptionFactory(patient=world.p3, indication="acute", days_supply=28, start=TODAY)
    assert build_snapshot(world.p3).snapshot.long_term_opioid_therapy is True


def test_missing_data_source_is_loud_and_rules_not_evaluated(world, monkeypatch, caplog) -> None:
    """With no diary/assessments installed, no-checkin must NOT fire as if nobody checked in."""
    real = inputs._function

    def missing(module: str, name: str):
        if module.startswith(("painpath.diary", "painpath.assessments", "painpath.genomics")):
            return real("painpath.no_such_module_for_test", name)
        return real(module, name)

    monkeypatch.setattr(inputs, "_function", missing)
    PrescriptionFactory(patient=world.p1, drug="codeine", dose=30, times_per_day=2)
    with caplog.at_level("ERROR"):
        result = evaluate_patient(patient_id=world.p1.pk)
    assert "no-checkin" in result.not_evaluated and "pain-worsening" in result.not_evaluated
    assert "phq9-item9-positive" in result.not_evaluated and "pgx_conflict" in result.not_evaluated
    assert result.not_evaluated["no-checkin"].startswith("not evaluated: no data source")
    assert not Alert.objects.filter(rule_id="no-checkin").exists()
    assert "NOT evaluated" in caplog.text
    state = PatientSafetyState.objects.get(patient=world.p1)
    assert "no-checkin" in state.not_evaluated


def test_same_condition_is_not_raised_twice_and_clears(world, stub_inputs) -> None:
    rx = PrescriptionFactory(patient=world.p1)
    benzo = PrescriptionFactory(patient=world.p1, drug="diazepam", dose=5)
    evaluate_patient(patient_id=world.p1.pk)
    evaluate_patient(patient_id=world.p1.pk)
    combo = Alert.objects.filter(patient=world.p1, rule_id="opioid-with-cns-depressant")
    assert combo.count() == 1 and combo.get().evidence["cns_depressants"] == ["diazepam"]
    benzo.status = "stopped"
    benzo.save()
    evaluate_patient(patient_id=world.p1.pk)
    assert combo.get().cleared_at is not None and combo.get().status == "open"
    benzo.status = "active"
    benzo.save()
    evaluate_patient(patient_id=world.p1.pk)
    assert combo.count() == 2 and combo.filter(cleared_at__isnull=True).count() == 1
    assert rx.pk


def test_resolved_alert_is_not_reraised_while_the_condition_holds(world, stub_inputs) -> None:
    PrescriptionFactory(patient=world.p1)
    PrescriptionFactory(patient=world.p1, drug="pregabalin", dose=75)
    evaluate_patient(patient_id=world.p1.pk)
    Alert.objects.filter(rule_id="opioid-with-gabapentinoid").update(status="resolved")
    evaluate_patient(patient_id=world.p1.pk)
    assert Alert.objects.filter(rule_id="opioid-with-gabapentinoid").count() == 1


def test_pgx_conflict_alert_from_actionable_findings_only(world, stub_inputs) -> None:
    PrescriptionFactory(patient=world.p1, drug="codeine", dose=30, times_per_day=2)
    PrescriptionFactory(patient=world.p1, drug="ibuprofen", dose=400)
    stub_inputs.pgx[(world.p1.pk, "codeine")] = [finding("codeine")]
    stub_inputs.pgx[(world.p1.pk, "ibuprofen")] = [finding("ibuprofen", actionable=False)]
    evaluate_patient(patient_id=world.p1.pk)
    pgx = Alert.objects.filter(patient=world.p1, rule_id="pgx_conflict")
    assert [a.subject for a in pgx] == ["codeine"]
    assert pgx.get().evidence["findings"][0]["genes"]["CYP2D6"]["diplotype"] == "*4/*4"


def test_routing_exact_rule_beats_catch_all_and_needs_visibility(world, stub_inputs) -> None:
    RoutingRule.objects.create(clinic=world.clinic_a, rule_id="", recipient=world.nurse)
    RoutingRule.objects.create(
        clinic=world.clinic_a, rule_id="opioid-with-gabapentinoid", recipient=world.dr_a
    )
    PrescriptionFactory(patient=world.p1)
    PrescriptionFactory(patient=world.p1, drug="gabapentin", dose=300)
    stub_inputs.checkin[world.p1.pk] = None  # no-checkin too
    evaluate_patient(patient_id=world.p1.pk)
    assert Alert.objects.get(rule_id="opioid-with-gabapentinoid").assignee == world.dr_a
    assert Alert.objects.get(rule_id="no-checkin").assignee == world.nurse
    # dr_a is not on p3's team: the routed alert stays unassigned rather than invisible
    PrescriptionFactory(patient=world.p3)
    PrescriptionFactory(patient=world.p3, drug="gabapentin", dose=300)
    evaluate_patient(patient_id=world.p3.pk)
    assert Alert.objects.get(patient=world.p3, rule_id="opioid-with-gabapentinoid").assignee is None


def test_data_change_signal_runs_the_rules(
    world, stub_inputs, immediate_huey, django_capture_on_commit_callbacks
) -> None:
    PrescriptionFactory(patient=world.p2, drug="oxycodone", dose=Decimal("20"), times_per_day=3)
    with django_capture_on_commit_callbacks(execute=True):
        announce_patient_data_changed(patient_id=world.p2.pk, kind="prescription")
    assert Alert.objects.filter(patient=world.p2, rule_id="mme-prescribed-90").exists()
    state = PatientSafetyState.objects.get(patient=world.p2)
    assert state.last_change_kind == "prescription" and state.evaluated_at is not None


def test_dose_report_through_the_api_triggers_evaluation(
    world, stub_inputs, immediate_huey, django_capture_on_commit_callbacks
) -> None:
    from tests.conftest import client_for

    rx = PrescriptionFactory(
        patient=world.p1,
        drug="oxycodone",
        as_needed=True,
        times_per_day=None,
        max_doses_per_day=2,
        dose=10,
    )
    body = {
        "day": TODAY.isoformat(),
        "doses": [
            {"prescription_id": rx.pk, "taken_at": f"{TODAY}T{h:02d}:00:00-04:00"}
            for h in (7, 9, 11, 12)
        ],
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.patient_user).post(
            f"/api/v1/patients/{world.p1.pk}/doses", body, content_type="application/json"
        )
    assert response.status_code == 201, response.json()
    # 4 x 10 mg x 1.5 = 60 MME taken > 2 x 10 x 1.5 = 30 prescribed
    alert = Alert.objects.get(patient=world.p1, rule_id="taken-above-prescribed")
    assert alert.evidence["taken_mme"] == 60.0 and alert.evidence["prescribed_mme_per_day"] == 30.0
    assert Alert.objects.filter(patient=world.p1, rule_id="mme-taken-50").exists()
