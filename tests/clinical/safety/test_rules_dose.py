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


@pytest.mark.parametrize(("days_back", "fires"), [(0, True), (1, True), (7, True), (8, False)])
def test_taken_mme_is_judged_for_each_day_of_the_lookback_window(k, days_back, fires):
    # the window is today plus the 7 days a dose may be reported for late (lookback_days 8)
    day = k.on - timedelta(days=days_back)
    doses = [k.taken("morphine", 60, day=day)]
    outcome = evaluate_rule("mme-taken-50", k.snapshot(doses_taken=doses), on=k.on)
    assert isinstance(outcome, Alert) is fires
    if fires:
        assert outcome.evidence["day"] == day.isoformat()
        assert outcome.message.startswith(f"On {day.isoformat()} the patient took")


def test_taken_mme_names_the_most_recent_day_and_lists_all(k):
    doses = [
        k.taken("morphine", 95, day=k.on - timedelta(days=4)),
        k.taken("morphine", 55, day=k.on - timedelta(days=2)),
        k.taken("morphine", 10, day=k.on),
    ]
    snap = k.snapshot(doses_taken=doses)
    fifty = evaluate_rule("mme-taken-50", snap, on=k.on)
    assert fifty.evidence["day"] == (k.on - timedelta(days=2)).isoformat()
    assert fifty.evidence["days"] == tuple((k.on - timedelta(days=n)).isoformat() for n in (2, 4))
    ninety = evaluate_rule("mme-taken-90", snap, on=k.on)
    assert ninety.evidence["total_mme_per_day"] == 95


def test_yesterdays_overuse_is_above_yesterdays_prescription(k):
    yesterday = k.on - timedelta(days=1)
    snap = k.snapshot(
        prescriptions=[k.rx("morphine", 15, times_per_day=2)],
        doses_taken=[
            k.taken("morphine", 20, day=yesterday),
            k.taken("morphine", 20, hour=20, day=yesterday),
        ],
    )
    outcome = evaluate_rule("taken-above-prescribed", snap, on=k.on)
    assert outcome.evidence["day"] == yesterday.isoformat()
    assert (outcome.evidence["taken_mme"], outcome.evidence["prescribed_mme_per_day"]) == (40, 30)


def test_taken_is_compared_with_what_was_prescribed_that_day(k):
    # a taper: 60 MME/day until yesterday, 30 from today; 50 taken yesterday is not overuse
    yesterday = k.on - timedelta(days=1)
    snap = k.snapshot(
        prescriptions=[
            k.rx("morphine", 30, times_per_day=2, end=yesterday),
            k.rx("morphine", 15, times_per_day=2, start=k.on),
        ],
        doses_taken=[k.taken("morphine", 50, day=yesterday)],
    )
    assert evaluate_rule("taken-above-prescribed", snap, on=k.on) is None


def test_oud_doses_do_not_count_as_pain_mme(k):
    from painpath.clinical.mme import TakenDose

    methadone = TakenDose("methadone", 80, k.taken("methadone", 80).taken_at, for_oud=True)
    snap = k.snapshot(
        prescriptions=[k.rx("methadone", 80, release="er_la", indication="oud")],
        doses_taken=[methadone],
    )
    for rule_id in ("mme-taken-50", "mme-prescribed-50", "taken-above-prescribed"):
        assert evaluate_rule(rule_id, snap, on=k.on) is None, rule_id
    chronic = k.snapshot(prescriptions=[k.rx("methadone", 80, release="er_la")])
    assert isinstance(evaluate_rule("mme-prescribed-90", chronic, on=k.on), Alert)


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
