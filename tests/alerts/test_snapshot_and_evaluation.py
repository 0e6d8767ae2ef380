"""Stored data reaches the rules (the PatientState the shell reads), alerts kept in step, the
signal wiring, doses reported late, adherence from the schedule, lines for opioid use
disorder, tapers and long-term ER/LA therapy without false alarms."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from painpath.alerts import inputs
from painpath.alerts.evaluation import evaluate_patient
from painpath.alerts.models import Alert, PatientSafetyState, RoutingRule
from painpath.alerts.snapshot import build_state
from painpath.core.context import Actor
from painpath.core.signals import announce_patient_data_changed
from painpath.medications import services
from painpath.medications.models import ClinicMedicationSettings
from tests.conftest import client_for
from tests.factories import ConditionFactory
from tests.medications.factories import (
    TODAY,
    DoseReportFactory,
    MonitoringEventFactory,
    PrescriptionFactory,
    genotype,
)

pytestmark = pytest.mark.usefixtures("frozen_today")
NY = dt.timezone(dt.timedelta(hours=-4))
D = dt.timedelta


def _rules(patient) -> dict[str, object]:
    return {o.rule_id: o for o in evaluate_patient(patient_id=patient.pk).outcomes}


def test_stored_data_reaches_the_state(world, stub_inputs) -> None:
    rx = PrescriptionFactory(patient=world.p1)  # oxycodone 10 mg x2, chronic, 60 days ago
    benzo = PrescriptionFactory(
        patient=world.p1,
        drug="diazepam",
        dose=5,
        status="stopped",
        stopped_on=TODAY - D(3),
        start=TODAY - D(30),
    )
    # taken at 23:30 New York time on TODAY = 03:30 UTC the next day: still TODAY locally
    late = dt.datetime(2026, 3, 11, 3, 30, tzinfo=dt.UTC)
    DoseReportFactory(prescription=rx, slot=1, taken_at=late)
    DoseReportFactory(prescription=rx, slot=2, taken=False, taken_at=None)
    MonitoringEventFactory(patient=world.p1, kind="pdmp_review", on=TODAY - D(5))
    MonitoringEventFactory(patient=world.p1, kind="pdmp_review", on=TODAY - D(50))
    ClinicMedicationSettings.objects.create(clinic=world.clinic_a, pdmp_interval_days=30)
    stub_inputs.pain[world.p1.pk] = {TODAY: 6.0, TODAY - D(40): 1.0}
    stub_inputs.phq9[world.p1.pk] = (TODAY, 2)
    stub_inputs.genotypes[world.p1.pk] = [genotype("CYP2D6", "*4/*4")]
    built = build_state(world.p1)
    s = built.state
    assert built.on == TODAY == s.on
    lines = {p.id: p for p in s.prescriptions}
    assert lines[str(rx.pk)].stopped_on is None
    # the stopped line stays in the history, ended on the day it was stopped
    assert lines[str(benzo.pk)].stopped_on == TODAY - D(3)
    assert [(d.prescription, d.day, d.slot, d.taken) for d in s.doses] == [
        (str(rx.pk), TODAY, 1, True),
        (str(rx.pk), TODAY, 2, False),
    ]
    assert s.doses[0].taken_at == late
    assert [(e.kind, e.on) for e in s.monitoring_events] == [("pdmp_review", TODAY - D(5))]
    assert s.pdmp_interval_days == 30
    assert [(c.day, c.pain) for c in s.checkins] == [(TODAY, 6.0)]  # the 35-day window only
    assert [(q.instrument, q.on, q.items) for q in s.questionnaires] == [
        ("phq9", TODAY, {"phq9_9": 2})
    ]
    assert [(g.gene, g.diplotype, g.phenotype) for g in s.genotypes] == [
        ("CYP2D6", "*4/*4", "Poor Metabolizer")
    ]
    assert s.age_years == world.p1.age_on(TODAY)
    assert built.unavailable == {}


def test_the_core_decides_from_the_state(world, stub_inputs) -> None:
    PrescriptionFactory(patient=world.p1)  # oxycodone 20 mg/day for pain, chronic: long-term
    rules = _rules(world.p1)
    assert {"urine-drug-test-overdue", "pdmp-review-overdue"} <= set(rules)
    assert "er-la-opioid-naive" not in rules  # no ER/LA opioid at all


@pytest.mark.parametrize(
    ("icd", "snomed", "condition"),
    [
        ("F11.20", "", "opioid_use_disorder"),
        ("F11.10", "", "opioid_use_disorder"),
        ("F11.21", "", "opioid_use_disorder"),  # in remission: the diagnosis stands
        ("F11.90", "", "opioid_use_disorder"),
        ("F11.23", "", "opioid_use_disorder"),
        ("", "191821007", "opioid_use_disorder"),
        ("C50.9", "", "active_cancer_treatment"),
        ("C7A.00", "", "active_cancer_treatment"),
        ("D57.1", "", "sickle_cell_disease"),
        ("D57.00", "", "sickle_cell_disease"),
        ("D57.219", "", "sickle_cell_disease"),
        ("D57.44", "", "sickle_cell_disease"),
        ("", "127040003", "sickle_cell_disease"),
        ("Z51.5", "", "palliative_care"),
        ("", "395669003", "palliative_care"),
        ("", "385763009", "end_of_life_care"),  # hospice care
        ("", "182964004", "end_of_life_care"),  # terminal care
        ("G47.33", "", "sleep_disordered_breathing"),
        ("", "78275009", "sleep_disordered_breathing"),
        ("F10.20", "", "substance_use_disorder_history"),
        ("F10.10", "", "substance_use_disorder_history"),
        ("F12.20", "", "substance_use_disorder_history"),
        ("F13.21", "", "substance_use_disorder_history"),
        ("F14.10", "", "substance_use_disorder_history"),
        ("F19.20", "", "substance_use_disorder_history"),
        ("F11.20", "", "substance_use_disorder_history"),
        ("T40.2X1A", "", "overdose_history"),
        ("T40.2X1D", "", "overdose_history"),
        ("T40.1X4S", "", "overdose_history"),  # heroin, undetermined, sequela
        ("T40.0X2A", "", "overdose_history"),  # opium, intentional self-harm
        ("T40.3X3A", "", "overdose_history"),  # methadone, assault
        ("T40.411A", "", "overdose_history"),  # fentanyl, accidental
        ("T40.601A", "", "overdose_history"),
        ("t40.2x1a", "", "overdose_history"),  # case and dot do not matter
        ("", "242253008", "overdose_history"),
    ],
)
def test_coded_conditions_map_to_rule_conditions(world, stub_inputs, icd, snomed, condition):
    ConditionFactory(patient=world.p2, icd10_code=icd, snomed_code=snomed, display="x")
    assert condition in build_state(world.p2).state.conditions


@pytest.mark.parametrize(
    ("icd", "not_condition"),
    [
        ("D57.3", "sickle_cell_disease"),  # sickle-cell trait is not the disease
        ("F17.210", "substance_use_disorder_history"),  # nicotine
        ("F55.3", "substance_use_disorder_history"),  # laxative abuse
        ("T40.5X1A", "overdose_history"),  # cocaine is not an opioid
        ("T40.2X5A", "overdose_history"),  # adverse effect, not an overdose
        ("T40.2X6A", "overdose_history"),  # underdosing
        ("T40.2", "overdose_history"),  # no intent character
        ("T42.4X1A", "overdose_history"),  # benzodiazepine poisoning
        ("D00.0", "active_cancer_treatment"),
        ("Z85.3", "active_cancer_treatment"),  # personal history of breast cancer
    ],
)
def test_codes_outside_the_value_sets_do_not_map(world, stub_inputs, icd, not_condition):
    ConditionFactory(patient=world.p2, icd10_code=icd, snomed_code="", display="x")
    assert not_condition not in build_state(world.p2).state.conditions


def test_every_mapped_snomed_id_is_well_formed() -> None:
    from painpath.alerts.condition_codes import matchers
    from painpath.clinical.conditions import is_valid_snomed_concept_id

    for matcher in matchers():
        for sctid in matcher.snomed_codes:
            assert is_valid_snomed_concept_id(sctid), (matcher.condition, sctid)


def test_resolved_or_unmatched_conditions_do_not_count(world, stub_inputs) -> None:
    ConditionFactory(patient=world.p2, icd10_code="F11.20", status="resolved", display="x")
    ConditionFactory(patient=world.p2, icd10_code="D00.0", display="in situ, not C00-C96")
    assert build_state(world.p2).state.conditions == []


def test_cancer_exclusion_keeps_opioid_rules_from_running(world, stub_inputs) -> None:
    PrescriptionFactory(patient=world.p2, dose=Decimal("20"), times_per_day=3)  # 90 MME
    ConditionFactory(patient=world.p2, icd10_code="C34.90", display="lung cancer")
    result = evaluate_patient(patient_id=world.p2.pk)
    assert "mme-prescribed-90" in result.not_applied
    assert not Alert.objects.filter(patient=world.p2, rule_id__startswith="mme").exists()


def test_er_la_start_without_opioids_in_the_90_days_before_is_naive(world, stub_inputs) -> None:
    """CDC 2022 Recommendation 3 / the opioid-cds IG: no opioid in the 90 days before."""
    PrescriptionFactory(patient=world.p2, drug="morphine", release="er_la", start=TODAY, dose=15)
    assert "er-la-opioid-naive" in _rules(world.p2)
    # an opioid stopped 100 days ago is outside the window
    PrescriptionFactory(
        patient=world.p3,
        drug="tramadol",
        start=TODAY - D(130),
        status="stopped",
        stopped_on=TODAY - D(100),
    )
    PrescriptionFactory(patient=world.p3, drug="morphine", release="er_la", start=TODAY, dose=15)
    assert "er-la-opioid-naive" in _rules(world.p3)
    # oxycodone until yesterday (replaced by nothing, stopped): in the window, not naive
    PrescriptionFactory(
        patient=world.p3,
        drug="oxycodone",
        start=TODAY - D(20),
        status="stopped",
        stopped_on=TODAY,
    )
    assert "er-la-opioid-naive" not in _rules(world.p3)


def test_morphine_er_for_eight_months_is_not_naive(world, stub_inputs) -> None:
    first = PrescriptionFactory(
        patient=world.p1,
        drug="morphine",
        release="er_la",
        dose=30,
        start=TODAY - D(240),
        status="replaced",
        stopped_on=TODAY - D(30),
    )
    PrescriptionFactory(
        patient=world.p1,
        drug="morphine",
        release="er_la",
        dose=30,
        start=TODAY - D(30),
        replaces=first,
    )  # the monthly renewal, as a line replacing the one before
    rules = _rules(world.p1)
    assert "er-la-opioid-naive" not in rules and "er-la-tolerant-only" not in rules
    assert not Alert.objects.filter(patient=world.p1, rule_id="er-la-opioid-naive").exists()


def test_a_fentanyl_patch_needs_a_tolerant_week(world, stub_inputs) -> None:
    PrescriptionFactory(patient=world.p1, drug="morphine", dose=Decimal("30"), start=TODAY - D(6))
    PrescriptionFactory(
        patient=world.p1,
        drug="fentanyl",
        dose=25,
        unit="mcg/h",
        times_per_day=None,
        release="er_la",
        route="transdermal",
        start=TODAY,
    )
    alert = _rules(world.p1)["er-la-tolerant-only"]
    assert alert.evidence["tolerant_days"] == 6
    assert alert.reference.startswith("FDA prescribing information, fentanyl transdermal system")


def test_draft_er_la_after_opioids_is_not_naive(world, stub_inputs) -> None:
    from painpath.alerts.evaluation import check_draft
    from painpath.clinical.medications import Prescription as CorePrescription

    PrescriptionFactory(
        patient=world.p1, drug="hydrocodone", dose=Decimal("20"), times_per_day=3
    )  # 60 MME/day for 60 days
    draft = CorePrescription(
        drug="morphine", dose=15, times_per_day=2, release="er_la", start=TODAY
    )
    result = check_draft(world.p1, draft)
    assert "er-la-opioid-naive" not in {o.rule_id for o in result.after.outcomes}
    # positive control: without the earlier line the same draft is judged opioid-naive
    control = check_draft(world.p2, draft)
    naive = [o for o in control.triggered if o.rule_id == "er-la-opioid-naive"]
    assert naive and naive[0].change == "adds morphine"


def test_acute_short_course_is_not_long_term(world, stub_inputs) -> None:
    PrescriptionFactory(patient=world.p2, indication="acute", days_supply=5, start=TODAY)
    assert "urine-drug-test-overdue" not in _rules(world.p2)
    PrescriptionFactory(patient=world.p3, indication="acute", days_supply=28, start=TODAY)
    assert "urine-drug-test-overdue" in _rules(world.p3)


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
    stub_inputs.genotypes[world.p1.pk] = [
        genotype("CYP2D6", "*4/*4"),
        genotype("CYP2C9", "*1/*1"),  # ibuprofen: use label dose, not a finding
    ]
    evaluate_patient(patient_id=world.p1.pk)
    pgx = Alert.objects.filter(patient=world.p1, rule_id="pgx_conflict")
    assert [a.subject for a in pgx] == ["codeine"]
    alert = pgx.get()
    assert alert.evidence["findings"][0]["genes"]["CYP2D6"]["diplotype"] == "*4/*4"
    assert alert.message.startswith("codeine (CYP2D6 *4/*4, Poor Metabolizer; CPIC strong): ")
    assert alert.reference.startswith("CPIC, ") and "PMID" in alert.reference


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


def test_yesterdays_overuse_reported_today_raises_alerts(
    world, stub_inputs, immediate_huey, django_capture_on_commit_callbacks
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


def test_unreported_scheduled_doses_count_as_missed_from_the_start_only(world, stub_inputs) -> None:
    # started 3 days ago, 2 slots a day, nothing reported: 6 missed (today not yet counted)
    PrescriptionFactory(patient=world.p2, drug="ibuprofen", dose=400, start=TODAY - D(3))
    outcome = {o.rule_id: o for o in evaluate_patient(patient_id=world.p2.pk).outcomes}
    evidence = outcome["adherence-low"].evidence
    assert (evidence["scheduled"], evidence["taken"]) == (6, 0)


def test_reported_doses_keep_adherence_up(world, stub_inputs) -> None:
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


def test_a_changed_diagnosis_runs_the_rules(
    world, stub_inputs, immediate_huey, django_capture_on_commit_callbacks
) -> None:
    from painpath.patients.conditions import add_condition, set_condition_status
    from painpath.patients.services import ConditionData

    PrescriptionFactory(patient=world.p2, dose=Decimal("20"), times_per_day=3)  # 90 MME
    evaluate_patient(patient_id=world.p2.pk)
    ongoing = Alert.objects.filter(patient=world.p2, rule_id="mme-prescribed-90")
    assert ongoing.filter(cleared_at__isnull=True).exists()
    actor = Actor(user=world.dr_a)
    with django_capture_on_commit_callbacks(execute=True):
        condition = add_condition(
            actor=actor,
            patient_id=world.p2.pk,
            data=ConditionData(display="HbSS disease with crisis", icd10_code="D57.00"),
        )
    state = PatientSafetyState.objects.get(patient=world.p2)
    assert state.last_change_kind == "conditions"
    assert state.not_applied["mme-prescribed-90"] == "CDC 2022 exclusion: sickle cell disease"
    assert not ongoing.filter(cleared_at__isnull=True).exists()
    with django_capture_on_commit_callbacks(execute=True):
        set_condition_status(
            actor=actor, patient_id=world.p2.pk, condition_id=condition.pk, status="resolved"
        )
    assert ongoing.filter(cleared_at__isnull=True).count() == 1  # a new episode


def test_buprenorphine_for_oud_with_a_benzodiazepine_in_the_snapshot(world, stub_inputs) -> None:
    PrescriptionFactory(patient=world.p1, drug="buprenorphine", dose=8, indication="oud")
    PrescriptionFactory(patient=world.p1, drug="clonazepam", dose=Decimal("0.5"))
    ConditionFactory(patient=world.p1, icd10_code="F11.20", snomed_code="", display="OUD")
    rules = {o.rule_id for o in evaluate_patient(patient_id=world.p1.pk).outcomes}
    assert {"opioid-with-cns-depressant", "naloxone-not-prescribed"} <= rules
    assert "oud-without-treatment" not in rules


def test_methadone_for_oud_is_not_pain_mme_but_counts_for_combinations(world, stub_inputs) -> None:
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
