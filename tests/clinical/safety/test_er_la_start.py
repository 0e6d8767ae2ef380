"""Issue case "ER/LA opioid for an opioid-naive patient is about starting one" (CDC 2022
Recommendation 3; the opioid-cds IG's 90-day opioid-naive definition; FDA labels of products
for opioid-tolerant patients only)."""

from datetime import timedelta

import pytest

from painpath.clinical.safety import evaluate_all, rule_spec, tolerant_only_products

NAIVE, TOLERANT_ONLY = "er-la-opioid-naive", "er-la-tolerant-only"
D = timedelta


def _rules(k, lines):
    return {a.rule_id: a for a in evaluate_all(k.snapshot(prescriptions=lines), on=k.on).alerts}


def test_the_window_and_its_source_are_data():
    spec = rule_spec(NAIVE)
    assert spec.int_param("initiation_window_days") == 90
    assert any("Opioid Naive" in s and "past 90 days" in s for s in spec.sources)
    assert spec.reference == "CDC 2022 Recommendation 3"


def test_morphine_er_for_eight_months_is_not_flagged(k):
    er = k.rx("morphine", 30, times_per_day=2, release="er_la", start=k.on - D(days=240))
    assert NAIVE not in _rules(k, [er]) and TOLERANT_ONLY not in _rules(k, [er])


def test_a_new_er_start_without_prior_opioids_is_flagged(k):
    er = k.rx("morphine", 15, times_per_day=2, release="er_la", start=k.on)
    alert = _rules(k, [er])[NAIVE]
    assert alert.evidence == {
        "er_la_opioids": ("morphine",),
        "started_on": k.on.isoformat(),
        "no_opioid_in_days_before": 90,
    }
    assert alert.reference == "CDC 2022 Recommendation 3"


@pytest.mark.parametrize(("days_ago", "fires"), [(0, True), (89, True), (90, False)])
def test_a_start_is_judged_for_the_window_after_it(k, days_ago, fires):
    er = k.rx("morphine", 15, times_per_day=2, release="er_la", start=k.on - D(days=days_ago))
    assert (NAIVE in _rules(k, [er])) is fires


@pytest.mark.parametrize(("ended_days_before", "naive"), [(90, False), (91, True)])
def test_an_opioid_in_the_90_days_before_the_start_means_not_naive(k, ended_days_before, naive):
    ir = k.rx(
        "tramadol",
        50,
        start=k.on - D(days=200),
        end=k.on - D(days=ended_days_before),  # its last day
        indication="acute",
    )
    er = k.rx("morphine", 15, times_per_day=2, release="er_la", start=k.on)
    assert (NAIVE in _rules(k, [ir, er])) is naive


def test_any_opioid_counts_including_as_needed_buprenorphine_and_oud_lines(k):
    er = k.rx("morphine", 15, times_per_day=2, release="er_la", start=k.on)
    earlier = k.on - D(days=30)
    for prior in (
        k.rx("oxycodone", 5, as_needed=True, max_doses_per_day=2, start=earlier),
        k.rx("buprenorphine", 8, indication="oud", start=earlier),
        k.rx("methadone", 30, release="er_la", indication="oud", start=earlier),
    ):
        assert NAIVE not in _rules(k, [prior, er]), prior.drug


def test_dose_change_or_renewal_of_an_established_er_is_a_continuation(k):
    first = k.rx("morphine", 15, times_per_day=2, release="er_la", start=k.on - D(days=240))
    renewal = k.rx("morphine", 30, times_per_day=2, release="er_la", start=k.on, replaces=first.id)
    assert NAIVE not in _rules(k, [first, renewal])


def test_a_dose_change_does_not_hide_a_recent_start(k):
    # started 10 days ago with no opioid before, dose changed today: the start still holds
    first = k.rx("morphine", 15, times_per_day=2, release="er_la", start=k.on - D(days=10))
    change = k.rx("morphine", 30, times_per_day=2, release="er_la", start=k.on, replaces=first.id)
    alert = _rules(k, [first, change])[NAIVE]
    assert alert.evidence["started_on"] == (k.on - D(days=10)).isoformat()


def test_switching_from_immediate_release_is_not_naive(k):
    ir = k.rx("oxycodone", 5, times_per_day=4, start=k.on - D(days=40))
    er = k.rx("oxycodone", 10, times_per_day=2, release="er_la", start=k.on, replaces=ir.id)
    assert NAIVE not in _rules(k, [ir, er])


# ---- products for opioid-tolerant patients only (FDA labels) --------------------------------


def test_tolerant_only_products_name_their_label():
    products = {(p.drug, p.release): p for p in tolerant_only_products()}
    assert set(products) == {
        ("fentanyl", "er_la"),
        ("hydromorphone", "er_la"),
        ("oxycodone", "er_la"),
    }
    assert "fentanyl transdermal system" in products[("fentanyl", "er_la")].citation
    assert "OxyContin" in products[("oxycodone", "er_la")].citation


def _patch(k, **kwargs):
    kwargs.setdefault("start", k.on)
    return k.rx("fentanyl", 25, unit="mcg/h", release="er_la", route="transdermal", **kwargs)


def test_fentanyl_patch_after_a_tolerant_week_is_fine(k):
    oxy = k.rx("oxycodone", 15, times_per_day=2, start=k.on - D(days=7), end=k.on - D(days=1))
    rules = _rules(k, [oxy, _patch(k, replaces=oxy.id)])
    assert NAIVE not in rules and TOLERANT_ONLY not in rules


def test_fentanyl_patch_after_low_dose_opioids_is_flagged_by_its_label(k):
    oxy = k.rx("oxycodone", 5, times_per_day=2, start=k.on - D(days=30))  # 15 MME/day
    rules = _rules(k, [oxy, _patch(k)])
    assert NAIVE not in rules  # an opioid was in force: not naive by CDC
    alert = rules[TOLERANT_ONLY]
    assert alert.reference == (
        "FDA prescribing information, fentanyl transdermal system: contraindicated in opioid "
        "non-tolerant patients"
    )
    assert alert.evidence["tolerant_days"] == 0 and alert.evidence["days_checked"] == 7
    assert alert.evidence["lowest_mme_per_day"] == 15
    assert "is for opioid-tolerant patients only" in alert.message


def test_fentanyl_patch_without_any_opioid_is_one_finding_not_two(k):
    rules = _rules(k, [_patch(k)])
    assert TOLERANT_ONLY in rules and NAIVE not in rules


def test_tolerance_needs_the_whole_week(k):
    six_days = k.rx("morphine", 30, times_per_day=2, start=k.on - D(days=6))
    hydromorphone_er = k.rx("hydromorphone", 8, release="er_la", start=k.on)
    alert = _rules(k, [six_days, hydromorphone_er])[TOLERANT_ONLY]
    assert alert.evidence["tolerant_days"] == 6
    seven = k.rx("morphine", 30, times_per_day=2, start=k.on - D(days=7))
    assert TOLERANT_ONLY not in _rules(k, [seven, hydromorphone_er])


def test_a_patch_dose_change_is_a_continuation(k):
    first = _patch(k, start=k.on - D(days=240))
    change = k.rx(
        "fentanyl", 50, unit="mcg/h", release="er_la", route="transdermal", start=k.on,
        replaces=first.id,
    )  # fmt: skip
    assert TOLERANT_ONLY not in _rules(k, [first, change])


@pytest.mark.parametrize(
    ("dose", "times", "restricted"),
    [(40, 2, False), (41, 1, True), (30, 3, True), (20, 4, False)],
)
def test_oxycodone_er_doses_above_the_label_limits_need_tolerance(k, dose, times, restricted):
    low = k.rx("oxycodone", 5, times_per_day=3, start=k.on - D(days=30))  # 15 mg/day: not tolerant
    er = k.rx("oxycodone", dose, times_per_day=times, release="er_la", start=k.on)
    rules = _rules(k, [low, er])
    assert (TOLERANT_ONLY in rules) is restricted
    if restricted:
        assert "OxyContin" in rules[TOLERANT_ONLY].reference
