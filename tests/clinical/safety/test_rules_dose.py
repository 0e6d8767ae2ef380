"""MME rules at their boundaries (prescribed and taken) and taken-above-prescribed."""

from datetime import date, timedelta

import pytest

from painpath.clinical.safety import Alert, evaluate_rule


@pytest.mark.parametrize(
    ("rule_id", "mme", "fires"),
    [
        ("mme-prescribed-50", 49, False),
        ("mme-prescribed-50", 50, True),
        ("mme-prescribed-50", 51, True),
        ("mme-prescribed-90", 89, False),
        ("mme-prescribed-90", 90, True),
        ("mme-prescribed-90", 91, True),
    ],
)
def test_prescribed_mme_boundaries(k, rule_id, mme, fires):
    outcome = evaluate_rule(rule_id, k.snapshot(prescriptions=[k.rx("morphine", mme)]), on=k.on)
    assert isinstance(outcome, Alert) is fires
    if fires:
        assert outcome.evidence["total_mme_per_day"] == mme
        assert outcome.evidence["items"] == (f"morphine: {mme} MME/day",)
        assert f"{mme} MME per day" in outcome.message


@pytest.mark.parametrize(
    ("rule_id", "mme", "fires"),
    [
        ("mme-taken-50", 49, False),
        ("mme-taken-50", 50, True),
        ("mme-taken-50", 51, True),
        ("mme-taken-90", 89, False),
        ("mme-taken-90", 90, True),
        ("mme-taken-90", 91, True),
    ],
)
def test_taken_mme_boundaries(k, rule_id, mme, fires):
    doses = [k.taken("morphine", mme - 10, hour=8), k.taken("morphine", 10, hour=20)]
    outcome = evaluate_rule(rule_id, k.snapshot(doses_taken=doses), on=k.on)
    assert isinstance(outcome, Alert) is fires
    if fires:
        assert outcome.evidence["day"] == k.on.isoformat()


def test_taken_mme_counts_only_the_evaluation_day(k):
    doses = [k.taken("morphine", 60, day=k.on - timedelta(days=1))]
    assert evaluate_rule("mme-taken-50", k.snapshot(doses_taken=doses), on=k.on) is None


@pytest.mark.parametrize(("taken_mg", "fires"), [(29, False), (30, False), (31, True)])
def test_taken_above_prescribed(k, taken_mg, fires):
    snap = k.snapshot(
        prescriptions=[k.rx("morphine", 15, times_per_day=2)],
        doses_taken=[k.taken("morphine", taken_mg)],
    )
    outcome = evaluate_rule("taken-above-prescribed", snap, on=k.on)
    assert isinstance(outcome, Alert) is fires
    if fires:
        assert outcome.evidence["taken_mme"] == taken_mg
        assert outcome.evidence["prescribed_mme_per_day"] == 30


def test_taken_opioid_without_any_prescription_is_above_prescribed(k):
    outcome = evaluate_rule(
        "taken-above-prescribed", k.snapshot(doses_taken=[k.taken("oxycodone", 5)]), on=k.on
    )
    assert isinstance(outcome, Alert)
    assert outcome.evidence["prescribed_mme_per_day"] == 0


def test_as_needed_counts_at_its_daily_maximum(k):
    snap = k.snapshot(prescriptions=[k.rx("oxycodone", 5, as_needed=True, max_doses_per_day=7)])
    outcome = evaluate_rule("mme-prescribed-50", snap, on=k.on)  # 5 x 7 x 1.5 = 52.5
    assert isinstance(outcome, Alert)
    assert outcome.evidence["total_mme_per_day"] == 52.5


def test_taper_counts_only_the_step_active_that_day(k):
    steps = [
        k.rx("morphine", 60, end=date(2026, 6, 15)),
        k.rx("morphine", 45, start=date(2026, 6, 16)),
    ]
    snap = k.snapshot(prescriptions=steps)
    assert evaluate_rule("mme-prescribed-90", snap, on=k.on) is None
    outcome = evaluate_rule("mme-prescribed-50", snap, on=k.on)
    assert outcome.evidence["total_mme_per_day"] == 60
    assert evaluate_rule("mme-prescribed-50", snap, on=date(2026, 6, 16)) is None
