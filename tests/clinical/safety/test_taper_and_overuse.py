"""Issue case "a taper is not overuse": a dose counts against the prescription it was reported
under; a replaced prescription stays in force until its replacement starts."""

from datetime import timedelta

import pytest

from painpath.clinical.safety import Alert, evaluate_all, evaluate_rule

RULE = "taken-above-prescribed"


def _taper(k):
    """Hydrocodone 10 mg three times a day, replaced today by 7.5 mg three times a day."""
    old = k.rx("hydrocodone", 10, times_per_day=3, start=k.on - timedelta(days=20))
    new = k.rx("hydrocodone", 7.5, times_per_day=3, start=k.on, replaces=old.id)
    return old, new


def test_the_issue_taper_gives_no_overuse_finding(k):
    old, new = _taper(k)
    doses = [k.taken(old, hour=h, slot=n) for n, h in enumerate((7, 11, 15), 1)]  # this morning
    doses += [
        k.taken(old, hour=h, day=k.on - timedelta(days=1), slot=n)
        for n, h in enumerate((7, 11, 15), 1)
    ]
    report = evaluate_all(k.snapshot(prescriptions=[old, new], doses=doses), on=k.on)
    assert RULE not in {a.rule_id for a in report.alerts}
    assert report.prescribed_mme.total_mme_per_day == 22.5  # the new step is current
    assert report.taken_mme.total_mme_per_day == 30  # what was taken is still reported


def test_four_10_mg_doses_on_a_three_a_day_prescription_is_overuse(k):
    line = k.rx("hydrocodone", 10, times_per_day=3, start=k.on - timedelta(days=20))
    doses = [k.taken(line, hour=h) for h in (7, 11, 15, 20)]
    outcome = evaluate_rule(RULE, k.snapshot(prescriptions=[line], doses=doses), on=k.on)
    assert isinstance(outcome, Alert)
    assert (outcome.evidence["taken_mme"], outcome.evidence["prescribed_mme_per_day"]) == (40, 30)
    assert outcome.evidence["doses_reported"] == 4
    assert outcome.evidence["prescriptions_in_force"] == (
        "hydrocodone 10 mg 3 times a day from 2026-05-26",
    )


@pytest.mark.parametrize(
    ("old_doses", "new_doses", "total", "fires"),
    [
        (3, 0, 30, False),  # the morning under the old step: within it
        (2, 1, 27.5, False),  # changed over during the day
        (0, 3, 22.5, False),
        (3, 1, 37.5, True),  # four doses of a three-a-day regimen
        (3, 3, 52.5, True),  # both steps' full day
        # four 7.5 mg doses (30 MME) on the changeover day are within the 30 MME/day the old
        # step allowed that morning: the changeover day allows the larger step (documented
        # leniency of the rule on that one day)
        (0, 4, 30, False),
    ],
)
def test_changeover_day_allows_the_larger_step(k, old_doses, new_doses, total, fires):
    old, new = _taper(k)
    doses = [k.taken(old, hour=6 + i) for i in range(old_doses)]
    doses += [k.taken(new, hour=14 + i) for i in range(new_doses)]
    snap = k.snapshot(prescriptions=[old, new], doses=doses)
    assert evaluate_all(snap, on=k.on).taken_mme.total_mme_per_day == total
    outcome = evaluate_rule(RULE, snap, on=k.on)
    assert isinstance(outcome, Alert) is fires
    if fires:
        assert outcome.evidence["taken_mme"] == total
        assert outcome.evidence["prescribed_mme_per_day"] == 30
        assert outcome.evidence["prescriptions_in_force"] == (
            "hydrocodone 10 mg 3 times a day from 2026-05-26",
            "hydrocodone 7.5 mg 3 times a day from 2026-06-15",
        )


def test_the_day_after_the_changeover_only_the_new_step_counts(k):
    old, new = _taper(k)
    tomorrow = k.on + timedelta(days=1)
    # under the new step: four 7.5 mg doses = 30 MME > 22.5 allowed
    four_new = [k.taken(new, hour=h, day=tomorrow) for h in (7, 11, 15, 20)]
    outcome = evaluate_rule(RULE, k.snapshot(prescriptions=[old, new], doses=four_new), on=tomorrow)
    assert (outcome.evidence["taken_mme"], outcome.evidence["prescribed_mme_per_day"]) == (30, 22.5)
    # a dose reported under the replaced step the day after counts against the taper (the
    # step in force that day): one old 10 mg tablet is within 22.5; with three new doses not
    late = [k.taken(old, hour=8, day=tomorrow)]
    snap = k.snapshot(prescriptions=[old, new], doses=late)
    assert evaluate_rule(RULE, snap, on=tomorrow) is None
    three_new = [k.taken(new, hour=h, day=tomorrow) for h in (11, 15, 20)]
    snap = k.snapshot(prescriptions=[old, new], doses=late + three_new)
    outcome = evaluate_rule(RULE, snap, on=tomorrow)
    assert (outcome.evidence["taken_mme"], outcome.evidence["prescribed_mme_per_day"]) == (
        32.5,
        22.5,
    )


def test_dose_increase_on_the_same_day_allows_the_new_amount(k):
    old = k.rx("hydrocodone", 5, times_per_day=4, start=k.on - timedelta(days=20))  # 20 MME
    new = k.rx("hydrocodone", 10, times_per_day=4, start=k.on, replaces=old.id)  # 40 MME
    two_old_two_new = [k.taken(old, hour=6), k.taken(old, hour=9)]
    two_old_two_new += [k.taken(new, hour=14), k.taken(new, hour=20)]
    snap = k.snapshot(prescriptions=[old, new], doses=two_old_two_new)
    assert evaluate_rule(RULE, snap, on=k.on) is None  # 30 <= 40
    six = two_old_two_new + [k.taken(new, hour=h) for h in (21, 22)]
    outcome = evaluate_rule(RULE, k.snapshot(prescriptions=[old, new], doses=six), on=k.on)
    assert (outcome.evidence["taken_mme"], outcome.evidence["prescribed_mme_per_day"]) == (50, 40)


def test_a_stopped_line_counts_its_doses_on_the_stop_day_only(k):
    line = k.rx("oxycodone", 10, times_per_day=2, start=k.on - timedelta(days=9), stopped_on=k.on)
    today = [k.taken(line, hour=7), k.taken(line, hour=19)]
    snap = k.snapshot(prescriptions=[line], doses=today)
    assert evaluate_rule(RULE, snap, on=k.on) is None
    report = evaluate_all(snap, on=k.on)
    assert report.prescribed_mme.total_mme_per_day == 0  # stopped: no longer current
    tomorrow = k.on + timedelta(days=1)
    late = [k.taken(line, hour=7, day=tomorrow)]
    outcome = evaluate_rule(RULE, k.snapshot(prescriptions=[line], doses=late), on=tomorrow)
    assert outcome.evidence["prescribed_mme_per_day"] == 0


def test_doses_under_two_separate_prescriptions_are_judged_apart(k):
    er = k.rx("oxycodone", 10, times_per_day=2, release="er_la", start=k.on - timedelta(days=60))
    ir = k.rx("oxycodone", 5, as_needed=True, max_doses_per_day=2, start=k.on - timedelta(days=60))
    # 2 ER doses (30 MME, all ER allows) and 2 IR doses (15 MME, all IR allows): no overuse,
    # although 45 MME were taken in all
    doses = [k.taken(er, hour=8), k.taken(er, hour=20), k.taken(ir, hour=12), k.taken(ir, hour=16)]
    snap = k.snapshot(prescriptions=[er, ir], doses=doses)
    assert evaluate_rule(RULE, snap, on=k.on) is None
    outcome = evaluate_rule(
        RULE, k.snapshot(prescriptions=[er, ir], doses=[*doses, k.taken(ir, hour=22)]), on=k.on
    )
    assert outcome.evidence["drug"] == "oxycodone"
    assert (outcome.evidence["taken_mme"], outcome.evidence["prescribed_mme_per_day"]) == (
        22.5,
        15,
    )
