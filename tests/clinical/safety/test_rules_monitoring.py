"""Urine drug test and PDMP review for long-term opioids; adherence to scheduled doses."""

from datetime import timedelta

import pytest

from painpath.clinical.safety import Alert, ScheduledDose, evaluate_rule


@pytest.mark.parametrize(("age_days", "fires"), [(364, False), (365, False), (366, True)])
def test_urine_drug_test_age(k, age_days, fires):
    snap = k.snapshot(
        long_term_opioid_therapy=True, last_urine_drug_test=k.on - timedelta(days=age_days)
    )
    outcome = evaluate_rule("urine-drug-test-overdue", snap, on=k.on)
    assert isinstance(outcome, Alert) is fires
    if fires:
        assert outcome.evidence["days_since"] == age_days
        assert outcome.evidence["max_age_days"] == 365


def test_urine_drug_test_never_done(k):
    outcome = evaluate_rule(
        "urine-drug-test-overdue", k.snapshot(long_term_opioid_therapy=True), on=k.on
    )
    assert outcome.evidence["last_urine_drug_test"] is None
    assert "never recorded" in outcome.message


def test_urine_drug_test_only_for_long_term_opioids(k):
    assert evaluate_rule("urine-drug-test-overdue", k.snapshot(), on=k.on) is None


@pytest.mark.parametrize(
    ("interval", "age_days", "fires"),
    [
        (None, 89, False),
        (None, 90, False),
        (None, 91, True),
        (30, 30, False),
        (30, 31, True),
    ],
)
def test_pdmp_review_interval(k, interval, age_days, fires):
    snap = k.snapshot(
        long_term_opioid_therapy=True,
        last_pdmp_review=k.on - timedelta(days=age_days),
        pdmp_interval_days=interval,
    )
    outcome = evaluate_rule("pdmp-review-overdue", snap, on=k.on)
    assert isinstance(outcome, Alert) is fires
    if fires:
        assert outcome.evidence["interval_days"] == (interval or 90)


def test_pdmp_never_reviewed(k):
    outcome = evaluate_rule(
        "pdmp-review-overdue", k.snapshot(long_term_opioid_therapy=True), on=k.on
    )
    assert isinstance(outcome, Alert)
    assert outcome.evidence["days_since"] is None


def _doses(k, taken, scheduled, days_back=0):
    day = k.on - timedelta(days=days_back)
    return [ScheduledDose(day=day, drug="morphine", taken=i < taken) for i in range(scheduled)]


@pytest.mark.parametrize(
    ("taken", "scheduled", "fires"),
    [(79, 100, True), (80, 100, False), (81, 100, False), (3, 4, True), (4, 5, False)],
)
def test_adherence_boundary(k, taken, scheduled, fires):
    snap = k.snapshot(scheduled_doses=_doses(k, taken, scheduled))
    outcome = evaluate_rule("adherence-low", snap, on=k.on)
    assert isinstance(outcome, Alert) is fires
    if fires:
        assert (outcome.evidence["taken"], outcome.evidence["scheduled"]) == (taken, scheduled)


def test_adherence_window_is_seven_days(k):
    old_misses = _doses(k, 0, 10, days_back=7)  # outside the window
    recent = _doses(k, 4, 5, days_back=6)  # inside: 80%
    snap = k.snapshot(scheduled_doses=old_misses + recent)
    assert evaluate_rule("adherence-low", snap, on=k.on) is None


def test_adherence_without_scheduled_doses(k):
    assert evaluate_rule("adherence-low", k.snapshot(), on=k.on) is None
