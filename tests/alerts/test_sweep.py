"""The periodic sweep: time-driven rules fire without a data change, once per local day."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from painpath.alerts.models import Alert, PatientSafetyState
from painpath.alerts.sweep import evaluate_due, patients_due
from painpath.alerts.tasks import evaluate_due_patients
from painpath.medications.models import Prescription
from tests.factories import ConditionFactory
from tests.medications.factories import TODAY, MonitoringEventFactory, PrescriptionFactory

NOON_NY = dt.datetime(2026, 3, 10, 16, 0, tzinfo=dt.UTC)  # 12:00 in New York (EDT)


def at(days: int, hours: float = 0) -> dt.datetime:
    return NOON_NY + dt.timedelta(days=days, hours=hours)


def rules_open(patient) -> set[str]:
    return set(
        Alert.objects.filter(patient=patient, cleared_at__isnull=True).values_list(
            "rule_id", flat=True
        )
    )


@pytest.fixture
def panel(world, stub_inputs):
    """p1 checked in yesterday; p2 on long-term oxycodone with tests that are about to age."""
    stub_inputs.checkin[world.p1.pk] = TODAY - dt.timedelta(days=1)
    stub_inputs.checkin[world.p2.pk] = TODAY
    stub_inputs.checkin[world.p3.pk] = TODAY
    stub_inputs.checkin[world.p_other.pk] = TODAY
    PrescriptionFactory(patient=world.p2)  # chronic oxycodone: long-term opioid therapy
    MonitoringEventFactory(
        patient=world.p2, kind="urine_drug_test", on=TODAY - dt.timedelta(days=365)
    )
    MonitoringEventFactory(patient=world.p2, kind="pdmp_review", on=TODAY - dt.timedelta(days=90))
    return world


def test_silent_patient_and_aging_tests_raise_alerts_on_the_next_local_day(panel) -> None:
    world = panel
    with time_machine.travel(at(0), tick=False):
        result = evaluate_due()
        assert set(result.evaluated) == {world.p1.pk, world.p2.pk, world.p3.pk, world.p_other.pk}
        assert "no-checkin" not in rules_open(world.p1)  # 1 day since the last check-in
        assert not {"urine-drug-test-overdue", "pdmp-review-overdue"} & rules_open(world.p2)
    # the next day no data changed: the sweep alone finds the limits crossed
    with time_machine.travel(at(1), tick=False):
        evaluate_due()
        assert {"urine-drug-test-overdue", "pdmp-review-overdue"} <= rules_open(world.p2)
        assert "no-checkin" not in rules_open(world.p1)  # 2 days
    with time_machine.travel(at(2), tick=False):
        evaluate_due()
        assert "no-checkin" in rules_open(world.p1)  # 3 days: the limit
        alert = Alert.objects.get(patient=world.p1, rule_id="no-checkin")
        assert alert.evidence["days_since"] == 3


def test_the_sweep_is_idempotent_and_safe_to_run_hourly(panel) -> None:
    world = panel
    with time_machine.travel(at(0), tick=False):
        assert len(evaluate_due().evaluated) == 4
    for hour in (1, 2, 5):  # later the same local day: nothing is due
        with time_machine.travel(at(0, hour), tick=False):
            assert patients_due(now=at(0, hour)) == []
            assert evaluate_due().evaluated == []
    with time_machine.travel(at(2), tick=False):
        evaluate_due()
        evaluate_due()
    assert Alert.objects.filter(patient=world.p1, rule_id="no-checkin").count() == 1


def test_each_patient_is_due_after_their_own_local_midnight(panel) -> None:
    world = panel
    world.p3.timezone = "Asia/Tokyo"
    world.p3.save()
    morning = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)  # 08:00 New York, 21:00 Tokyo
    with time_machine.travel(morning, tick=False):
        evaluate_due()
    # four hours later: still 10 March in New York, already 11 March (01:00) in Tokyo
    due = patients_due(now=morning + dt.timedelta(hours=4))
    assert world.p3.pk in due
    assert world.p1.pk not in due and world.p2.pk not in due


def test_a_data_change_evaluation_counts_for_the_day(panel) -> None:
    world = panel
    with time_machine.travel(at(0), tick=False):
        from painpath.alerts.evaluation import evaluate_patient

        evaluate_patient(patient_id=world.p1.pk)
        assert world.p1.pk not in patients_due(now=at(0, 1))
        assert PatientSafetyState.objects.get(patient=world.p1).evaluated_at == at(0)


def test_an_ending_prescription_clears_its_combination_alert(panel) -> None:
    world = panel
    PrescriptionFactory(
        patient=world.p3, indication="acute", start=TODAY, days_supply=2, dose=Decimal("5")
    )
    PrescriptionFactory(patient=world.p3, drug="lorazepam", dose=Decimal("1"))
    with time_machine.travel(at(0), tick=False):
        evaluate_due()
        assert "opioid-with-cns-depressant" in rules_open(world.p3)
    with time_machine.travel(at(2), tick=False):  # the 2-day course has ended
        evaluate_due()
        assert "opioid-with-cns-depressant" not in rules_open(world.p3)
    cleared = Alert.objects.get(patient=world.p3, rule_id="opioid-with-cns-depressant")
    assert cleared.cleared_at == at(2) and cleared.status == "open"


def test_one_patients_bad_data_does_not_stop_the_sweep(panel, caplog) -> None:
    world = panel
    Prescription.objects.filter(patient=world.p2).update(drug="no-longer-catalogued")
    with time_machine.travel(at(0), tick=False), caplog.at_level("ERROR"):
        result = evaluate_due(batch_size=1)
    assert result.failed == [world.p2.pk]
    assert set(result.evaluated) == {world.p1.pk, world.p3.pk, world.p_other.pk}
    assert "NOT evaluated" in caplog.text


def test_end_of_life_care_condition_keeps_opioid_rules_from_running(panel) -> None:
    world = panel
    ConditionFactory(patient=world.p2, icd10_code="", snomed_code="385763009", display="hospice")
    with time_machine.travel(at(1), tick=False):
        evaluate_due()
    state = PatientSafetyState.objects.get(patient=world.p2)
    assert state.not_applied["urine-drug-test-overdue"] == ("CDC 2022 exclusion: end-of-life care")
    assert not {"urine-drug-test-overdue", "pdmp-review-overdue"} & rules_open(world.p2)


def test_the_periodic_task_runs_hourly_and_sweeps(panel) -> None:
    schedule = evaluate_due_patients.task_class()
    assert schedule.validate_datetime(dt.datetime(2026, 3, 10, 10, 5, tzinfo=dt.UTC))
    assert schedule.validate_datetime(dt.datetime(2026, 3, 10, 11, 5, tzinfo=dt.UTC))
    assert not schedule.validate_datetime(dt.datetime(2026, 3, 10, 10, 6, tzinfo=dt.UTC))
    with time_machine.travel(at(0), tick=False):
        assert evaluate_due_patients.call_local() == 4
        assert evaluate_due_patients.call_local() == 0
