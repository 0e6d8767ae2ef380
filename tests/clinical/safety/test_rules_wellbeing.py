"""PHQ-9 item 9, pain worsening and missing check-ins, at their boundaries."""

from datetime import timedelta

import pytest

from painpath.clinical.safety import Alert, PainScore, evaluate_rule


@pytest.mark.parametrize(("score", "fires"), [(0, False), (1, True), (2, True), (3, True)])
def test_phq9_item9(k, score, fires):
    snap = k.snapshot(phq9_item9=score, phq9_item9_on=k.on)
    outcome = evaluate_rule("phq9-item9-positive", snap, on=k.on)
    assert isinstance(outcome, Alert) is fires
    if fires:
        assert outcome.severity == "urgent"
        assert outcome.evidence == {"phq9_item9": score, "answered_on": k.on.isoformat()}


def test_phq9_not_answered(k):
    assert evaluate_rule("phq9-item9-positive", k.snapshot(), on=k.on) is None


def _pain(k, recent, baseline):
    scores = [PainScore(k.on - timedelta(days=d), recent) for d in range(7)]
    scores += [PainScore(k.on - timedelta(days=d), baseline) for d in range(7, 35)]
    return scores


@pytest.mark.parametrize(
    ("recent", "fires"), [(4.9, False), (5.0, True), (5.1, True), (3.0, False), (1.0, False)]
)
def test_pain_worsening_boundary(k, recent, fires):
    snap = k.snapshot(pain_scores=_pain(k, recent, 3.0))
    outcome = evaluate_rule("pain-worsening", snap, on=k.on)
    assert isinstance(outcome, Alert) is fires
    if fires:
        assert outcome.evidence["baseline_mean"] == 3.0
        assert outcome.evidence["recent_count"] == 7
        assert outcome.evidence["baseline_count"] == 28


def test_pain_worsening_ignores_scores_older_than_35_days(k):
    scores = [*_pain(k, 5.0, 3.0), PainScore(k.on - timedelta(days=35), 10.0)]
    outcome = evaluate_rule("pain-worsening", k.snapshot(pain_scores=scores), on=k.on)
    assert outcome.evidence["baseline_mean"] == 3.0


@pytest.mark.parametrize(("recent_days", "baseline_days"), [(7, 0), (0, 28)])
def test_pain_worsening_needs_both_windows(k, recent_days, baseline_days):
    scores = [PainScore(k.on - timedelta(days=d), 9.0) for d in range(recent_days)]
    scores += [PainScore(k.on - timedelta(days=7 + d), 1.0) for d in range(baseline_days)]
    assert evaluate_rule("pain-worsening", k.snapshot(pain_scores=scores), on=k.on) is None


@pytest.mark.parametrize(("days", "fires"), [(0, False), (2, False), (3, True), (4, True)])
def test_no_checkin_boundary(k, days, fires):
    snap = k.snapshot(last_checkin=k.on - timedelta(days=days))
    outcome = evaluate_rule("no-checkin", snap, on=k.on)
    assert isinstance(outcome, Alert) is fires
    if fires:
        assert outcome.evidence["days_since"] == days


def test_no_checkin_ever(k):
    outcome = evaluate_rule("no-checkin", k.snapshot(last_checkin=None), on=k.on)
    assert isinstance(outcome, Alert)
    assert outcome.message == "The last daily check-in was never. Reach out to the patient."
