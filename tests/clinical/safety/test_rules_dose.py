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


def _prn(k, drug, dose, most=10, **kwargs):
    return k.rx(drug, dose, as_needed=True, max_doses_per_day=most, **kwargs)


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
    big, small = _prn(k, "morphine", mme - 10), _prn(k, "morphine", 10)
    doses = [k.taken(big, hour=8), k.taken(small, hour=20)]
    snap = k.snapshot(prescriptions=[big, small], doses=doses)
    outcome = evaluate_rule(rule_id, snap, on=k.on)
    assert isinstance(outcome, Alert) is fires
    if fires:
        assert outcome.evidence["day"] == k.on.isoformat()
        assert outcome.evidence["total_mme_per_day"] == mme


@pytest.mark.parametrize(("days_back", "fires"), [(0, True), (1, True), (7, True), (8, False)])
def test_taken_mme_is_judged_for_each_day_of_the_lookback_window(k, days_back, fires):
    # the window is today plus the 7 days a dose may be reported for late (lookback_days 8)
    day = k.on - timedelta(days=days_back)
    line = _prn(k, "morphine", 60, start=k.on - timedelta(days=30))
    snap = k.snapshot(prescriptions=[line], doses=[k.taken(line, day=day)])
    outcome = evaluate_rule("mme-taken-50", snap, on=k.on)
    assert isinstance(outcome, Alert) is fires
    if fires:
        assert outcome.evidence["day"] == day.isoformat()
        assert outcome.message.startswith(f"On {day.isoformat()} the patient took")


def test_taken_mme_names_the_most_recent_day_and_lists_all(k):
    lines = [_prn(k, "morphine", dose) for dose in (95, 55, 10)]
    doses = [
        k.taken(lines[0], day=k.on - timedelta(days=4)),
        k.taken(lines[1], day=k.on - timedelta(days=2)),
        k.taken(lines[2], day=k.on),
    ]
    snap = k.snapshot(prescriptions=lines, doses=doses)
    fifty = evaluate_rule("mme-taken-50", snap, on=k.on)
    assert fifty.evidence["day"] == (k.on - timedelta(days=2)).isoformat()
    assert fifty.evidence["days"] == tuple((k.on - timedelta(days=n)).isoformat() for n in (2, 4))
    ninety = evaluate_rule("mme-taken-90", snap, on=k.on)
    assert ninety.evidence["total_mme_per_day"] == 95


def test_yesterdays_overuse_is_above_yesterdays_prescription(k):
    yesterday = k.on - timedelta(days=1)
    line = k.rx("morphine", 10, times_per_day=3)  # 30 MME/day
    doses = [
        k.taken(line, hour=h, day=yesterday, slot=min(n, 3))
        for n, h in enumerate((7, 11, 15, 20), 1)
    ]
    snap = k.snapshot(prescriptions=[line], doses=doses)
    outcome = evaluate_rule("taken-above-prescribed", snap, on=k.on)
    assert outcome.evidence["day"] == yesterday.isoformat()
    assert (outcome.evidence["taken_mme"], outcome.evidence["prescribed_mme_per_day"]) == (40, 30)
    assert outcome.evidence["drug"] == "morphine"
    assert outcome.message == (
        f"On {yesterday.isoformat()} the patient took 40 MME of morphine, more than the 30 MME "
        "per day its prescription allows. Ask about pain control and possible overuse."
    )


def test_taken_is_compared_with_what_was_prescribed_that_day(k):
    # a taper: 50 MME/day until yesterday, 30 from today; 50 taken yesterday is not overuse
    yesterday = k.on - timedelta(days=1)
    old = k.rx("morphine", 25, times_per_day=2, end=yesterday)
    new = k.rx("morphine", 15, times_per_day=2, start=k.on)
    doses = [k.taken(old, hour=8, day=yesterday), k.taken(old, hour=20, day=yesterday)]
    snap = k.snapshot(prescriptions=[old, new], doses=doses)
    assert evaluate_rule("taken-above-prescribed", snap, on=k.on) is None


def test_oud_doses_do_not_count_as_pain_mme(k):
    line = k.rx("methadone", 80, release="er_la", indication="oud")
    snap = k.snapshot(prescriptions=[line], doses=[k.taken(line)])
    for rule_id in ("mme-taken-50", "mme-prescribed-50", "taken-above-prescribed"):
        assert evaluate_rule(rule_id, snap, on=k.on) is None, rule_id
    chronic = k.snapshot(prescriptions=[k.rx("methadone", 80, release="er_la")])
    assert isinstance(evaluate_rule("mme-prescribed-90", chronic, on=k.on), Alert)


@pytest.mark.parametrize(("doses", "fires"), [(14, False), (15, False), (16, True)])
def test_taken_above_prescribed(k, doses, fires):
    line = k.rx("morphine", 2, as_needed=True, max_doses_per_day=15)  # 30 MME/day allowed
    taken = [k.taken(line, hour=i) for i in range(doses)]
    outcome = evaluate_rule(
        "taken-above-prescribed", k.snapshot(prescriptions=[line], doses=taken), on=k.on
    )
    assert isinstance(outcome, Alert) is fires
    if fires:
        assert outcome.evidence["taken_mme"] == 2 * doses
        assert outcome.evidence["prescribed_mme_per_day"] == 30


def test_dose_under_a_line_no_longer_in_force_is_above_prescribed(k):
    ended = k.rx("oxycodone", 5, end=k.on - timedelta(days=1))
    snap = k.snapshot(prescriptions=[ended], doses=[k.taken(ended)])
    outcome = evaluate_rule("taken-above-prescribed", snap, on=k.on)
    assert isinstance(outcome, Alert)
    assert (outcome.evidence["taken_mme"], outcome.evidence["prescribed_mme_per_day"]) == (7.5, 0)
    assert outcome.evidence["prescriptions_in_force"] == ()


def test_dose_of_an_unknown_prescription_names_the_field(k):
    from painpath.clinical.safety import ReportedDose, SnapshotError

    snap = k.snapshot(doses=[ReportedDose(prescription="nope", day=k.on)])
    with pytest.raises(SnapshotError) as info:
        evaluate_rule("taken-above-prescribed", snap, on=k.on)
    assert str(info.value) == "field 'doses[0].prescription': no prescription with id 'nope'"


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
