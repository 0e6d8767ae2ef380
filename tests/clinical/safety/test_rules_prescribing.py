"""ER/LA for opioid-naive or acute pain, acute courses over 7 days, OUD without treatment."""

from datetime import date, timedelta

import pytest

from painpath.clinical.safety import Alert, evaluate_rule


@pytest.mark.parametrize(
    ("naive", "release", "fires"),
    [(True, "er_la", True), (True, "ir", False), (False, "er_la", False)],
)
def test_er_la_for_opioid_naive(k, naive, release, fires):
    line = k.rx("morphine", 15, release=release, times_per_day=2, start=k.on)
    earlier = [] if naive else [k.rx("oxycodone", 5, start=k.on - timedelta(days=20))]
    snap = k.snapshot(prescriptions=[*earlier, line])
    outcome = evaluate_rule("er-la-opioid-naive", snap, on=k.on)
    assert isinstance(outcome, Alert) is fires
    if fires:
        assert outcome.evidence["er_la_opioids"] == ("morphine",)
        assert outcome.message.startswith(
            "morphine (extended-release/long-acting) starts on 2026-06-15 and no opioid was "
            "prescribed in the 90 days before."
        )


def test_methadone_is_er_la(k):
    snap = k.snapshot(prescriptions=[k.rx("methadone", 5, release="er_la", start=k.on)])
    assert isinstance(evaluate_rule("er-la-opioid-naive", snap, on=k.on), Alert)


def test_fentanyl_patch_for_acute_pain(k):
    patch = k.rx("fentanyl", 12, unit="mcg/h", release="er_la", indication="acute")
    outcome = evaluate_rule("er-la-acute-pain", k.snapshot(prescriptions=[patch]), on=k.on)
    assert isinstance(outcome, Alert)
    assert outcome.evidence == {"er_la_opioids": ("fentanyl",), "indication": "acute"}


@pytest.mark.parametrize(
    ("release", "indication", "fires"),
    [("er_la", "acute", True), ("er_la", "chronic", False), ("ir", "acute", False)],
)
def test_er_la_for_acute_pain(k, release, indication, fires):
    snap = k.snapshot(
        prescriptions=[
            k.rx("oxycodone", 10, release=release, indication=indication, times_per_day=2)
        ]
    )
    assert isinstance(evaluate_rule("er-la-acute-pain", snap, on=k.on), Alert) is fires


@pytest.mark.parametrize(("days", "fires"), [(6, False), (7, False), (8, True)])
def test_acute_course_days_supply(k, days, fires):
    snap = k.snapshot(
        prescriptions=[k.rx("oxycodone", 5, every_hours=6, indication="acute", days_supply=days)]
    )
    outcome = evaluate_rule("acute-opioid-over-7-days", snap, on=k.on)
    assert isinstance(outcome, Alert) is fires
    if fires:
        assert outcome.evidence["prescriptions"] == (f"oxycodone: {days} days",)
        assert f"prescribed for {days} days" in outcome.message


@pytest.mark.parametrize(("end_day", "fires"), [(21, False), (22, True)])
def test_acute_course_start_end_inclusive(k, end_day, fires):
    rx = k.rx(
        "hydrocodone",
        5,
        times_per_day=4,
        indication="acute",
        start=date(2026, 6, 15),
        end=date(2026, 6, end_day),
    )
    snap = k.snapshot(prescriptions=[rx])
    assert isinstance(evaluate_rule("acute-opioid-over-7-days", snap, on=k.on), Alert) is fires


def test_chronic_course_is_not_limited(k):
    snap = k.snapshot(prescriptions=[k.rx("morphine", 10, days_supply=30)])
    assert evaluate_rule("acute-opioid-over-7-days", snap, on=k.on) is None


@pytest.mark.parametrize(
    ("prescriptions", "fires"),
    [
        ([], True),
        ([("buprenorphine", "oud")], False),
        ([("buprenorphine", "chronic")], False),
        ([("naltrexone", "oud")], False),
        ([("methadone", "oud")], False),
        ([("methadone", "chronic")], True),
        ([("naloxone", "chronic")], True),
    ],
)
def test_oud_without_treatment(k, prescriptions, fires):
    rxs = [
        k.rx(drug, 5, indication=indication, release="er_la" if drug == "methadone" else "ir")
        for drug, indication in prescriptions
    ]
    snap = k.snapshot(prescriptions=rxs, conditions=["opioid_use_disorder"])
    assert isinstance(evaluate_rule("oud-without-treatment", snap, on=k.on), Alert) is fires


def test_no_oud_no_alert(k):
    assert evaluate_rule("oud-without-treatment", k.snapshot(), on=k.on) is None


def test_draft_is_checked_on_its_start_date(k):
    draft = k.rx("morphine", 15, release="er_la", times_per_day=2, start=date(2026, 6, 20))
    snap = k.snapshot(prescriptions=[draft])
    assert evaluate_rule("er-la-opioid-naive", snap, on=k.on) is None
    assert isinstance(evaluate_rule("er-la-opioid-naive", snap, on=date(2026, 6, 20)), Alert)


def test_open_ended_acute_opioid_counts_as_over_the_limit(k):
    snap = k.snapshot(prescriptions=[k.rx("oxycodone", 5, every_hours=6, indication="acute")])
    outcome = evaluate_rule("acute-opioid-over-7-days", snap, on=k.on)
    assert isinstance(outcome, Alert)
    assert outcome.evidence["prescriptions"] == ("oxycodone: no end date or days' supply",)
    assert "prescribed for no end date or days' supply" in outcome.message


def test_methadone_for_oud_is_not_judged_by_the_pain_prescribing_rules(k):
    oud = k.rx("methadone", 60, release="er_la", indication="oud")
    snap = k.snapshot(prescriptions=[oud, k.rx("oxycodone", 5, start=k.on)])
    for rule_id in ("er-la-opioid-naive", "multiple-opioids", "mme-prescribed-50"):
        assert evaluate_rule(rule_id, snap, on=k.on) is None, rule_id
    assert evaluate_rule("oud-without-treatment", snap, on=k.on) is None  # no diagnosis
