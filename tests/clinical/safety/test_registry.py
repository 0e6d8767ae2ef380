"""The registry: every rule runs, CDC exclusions skip opioid rules only, ordering, data sanity."""

from datetime import timedelta

import pytest

from painpath.clinical import safety
from painpath.clinical.mme import load_thresholds
from painpath.clinical.safety import (
    NotApplied,
    SnapshotError,
    evaluate_all,
    evaluate_rule,
    exclusion_reason,
    rule_ids,
    rule_specs,
)

NOT_OPIOID_RULES = {
    "phq9-item9-positive",
    "no-checkin",
    "pain-worsening",
    "adherence-low",
    "pgx_conflict",
}
ISSUE_RULES = {
    "mme-prescribed-50",
    "mme-prescribed-90",
    "mme-taken-50",
    "mme-taken-90",
    "opioid-with-cns-depressant",
    "opioid-with-gabapentinoid",
    "naloxone-not-prescribed",
    "er-la-opioid-naive",
    "er-la-tolerant-only",
    "er-la-acute-pain",
    "acute-opioid-over-7-days",
    "multiple-opioids",
    "oud-without-treatment",
    "urine-drug-test-overdue",
    "pdmp-review-overdue",
    "taken-above-prescribed",
    "adherence-low",
    "phq9-item9-positive",
    "pain-worsening",
    "no-checkin",
    "pgx_conflict",
}


def test_public_surface_is_exported():
    for name in safety.__all__:
        assert hasattr(safety, name), name


def test_every_rule_of_the_issue_is_registered():
    assert set(rule_ids()) == ISSUE_RULES


def test_every_rule_has_severity_message_reference_and_source():
    for spec in rule_specs().values():
        assert spec.severity in {"info", "warning", "high", "urgent"}
        assert spec.title and spec.message and spec.reference
        assert spec.sources and all(spec.sources)


def test_exclusions_apply_to_opioid_rules_only():
    opioid_rules = {rule_id for rule_id, spec in rule_specs().items() if spec.opioid_rule}
    assert opioid_rules == ISSUE_RULES - NOT_OPIOID_RULES


def test_rule_thresholds_agree_with_mme_thresholds():
    mme_thresholds = {t.mme_per_day for t in load_thresholds()}
    for rule_id in ("mme-prescribed-50", "mme-prescribed-90", "mme-taken-50", "mme-taken-90"):
        assert rule_specs()[rule_id].int_param("mme_per_day") in mme_thresholds


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"age_years": 17}, "age 17 is under 18"),
        ({"conditions": ["sickle_cell_disease"]}, "sickle cell disease"),
        ({"conditions": ["active_cancer_treatment"]}, "active cancer treatment"),
        ({"conditions": ["palliative_care"]}, "palliative care"),
        ({"conditions": ["end_of_life_care"]}, "end-of-life care"),
    ],
)
def test_cdc_exclusions_skip_opioid_rules_but_not_the_others(k, kwargs, reason):
    snap = k.snapshot(
        prescriptions=[k.rx("morphine", 120), k.rx("diazepam", 5)],
        phq9_item9=2,
        phq9_item9_on=k.on,
        last_checkin=k.on - timedelta(days=5),
        **kwargs,
    )
    assert exclusion_reason(snap) == reason
    report = evaluate_all(snap, on=k.on)
    assert {a.rule_id for a in report.alerts} == {"phq9-item9-positive", "no-checkin"}
    skipped = {n.rule_id for n in report.not_applied}
    assert skipped == ISSUE_RULES - NOT_OPIOID_RULES
    assert all(n.reason == f"CDC 2022 exclusion: {reason}" for n in report.not_applied)
    assert "_" not in reason  # words, not condition ids
    outcome = evaluate_rule("mme-prescribed-90", snap, on=k.on)
    assert isinstance(outcome, NotApplied)


def test_age_18_is_not_excluded(k):
    snap = k.snapshot(age_years=18, prescriptions=[k.rx("morphine", 120)])
    assert exclusion_reason(snap) is None
    alerts = {a.rule_id for a in evaluate_all(snap, on=k.on).alerts}
    assert {"mme-prescribed-50", "mme-prescribed-90"} <= alerts


def test_risk_conditions_do_not_exclude(k):
    snap = k.snapshot(conditions=["opioid_use_disorder", "sleep_disordered_breathing"])
    assert exclusion_reason(snap) is None


def test_full_report_orders_by_severity_and_carries_mme(k):
    oxy = k.rx("oxycodone", 20, times_per_day=2, start=k.on, days_supply=7, indication="acute")
    snap = k.snapshot(
        prescriptions=[oxy, k.rx("diazepam", 5, start=k.on)],
        doses=[k.taken(oxy, slot=1), k.taken(oxy, hour=21, slot=2)],
        phq9_item9=1,
        phq9_item9_on=k.on,
    )
    report = evaluate_all(snap, on=k.on)
    ids = [a.rule_id for a in report.alerts]
    assert ids == [  # 20 mg x 2 x 1.5 = 60 MME/day: 50 crossed, 90 not
        "phq9-item9-positive",
        "naloxone-not-prescribed",
        "opioid-with-cns-depressant",
        "mme-prescribed-50",
        "mme-taken-50",
    ]
    assert report.prescribed_mme.total_mme_per_day == 60
    assert report.taken_mme.total_mme_per_day == 60
    assert report.not_applied == ()


def test_quiet_patient_has_no_alerts(k):
    report = evaluate_all(k.snapshot(prescriptions=[k.rx("acetaminophen", 500)]), on=k.on)
    assert report.alerts == ()


def test_unknown_rule(k):
    with pytest.raises(KeyError):
        evaluate_rule("no-such-rule", k.snapshot(), on=k.on)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"age_years": -1}, "field 'age_years': must be 0-130, got -1"),
        ({"age_years": 17.5}, "field 'age_years': must be a whole number, got 17.5"),
        ({"conditions": ["gout"]}, "field 'conditions': unknown condition(s) ['gout']"),
        ({"phq9_item9": 4, "phq9_item9_on": None}, "field 'phq9_item9': must be 0-3, got 4"),
        ({"phq9_item9": 1}, "field 'phq9_item9_on': required when phq9_item9 is given"),
        ({"pdmp_interval_days": 0}, "field 'pdmp_interval_days': must be > 0, got 0"),
    ],
)
def test_snapshot_errors(k, kwargs, message):
    with pytest.raises(SnapshotError) as info:
        k.snapshot(**kwargs)
    assert str(info.value) == message


def test_pain_score_out_of_range(k):
    with pytest.raises(SnapshotError) as info:
        k.snapshot(pain_scores=[safety.PainScore(k.on, 11)])
    assert str(info.value) == "field 'pain_scores', item 0: score must be 0-10, got 11"


def test_unknown_drug_in_prescriptions(k):
    snap = k.snapshot(prescriptions=[k.rx("morphine"), k.rx("unobtainium")])
    with pytest.raises(SnapshotError) as info:
        evaluate_all(snap, on=k.on)
    assert str(info.value) == (
        "field 'prescriptions[1].drug': unknown drug 'unobtainium': not in the painpath "
        "medication catalogue"
    )


def test_wrong_unit_in_prescriptions_names_the_item(k):
    bad = k.rx("fentanyl", 25, release="er_la")  # mg with a frequency: not a patch
    snap = k.snapshot(prescriptions=[k.rx("acetaminophen"), bad])
    with pytest.raises(SnapshotError) as info:
        evaluate_all(snap, on=k.on)
    assert str(info.value).startswith("field 'prescriptions[1].unit': 'mg' does not fit fentanyl")


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([("a", ""), ("a", "")], "field 'prescriptions[1].id': 'a' is used by item 0 too"),
        ([("a", ""), ("b", "x")], "field 'prescriptions[1].replaces': no prescription with id 'x'"),
        (
            [("a", ""), ("b", "a"), ("c", "a")],
            "field 'prescriptions[2].replaces': 'a' is already replaced by item 1",
        ),
        ([("a", "b"), ("b", "a")], "field 'prescriptions[0].replaces': replacements form a loop"),
    ],
)
def test_history_links_are_checked(k, lines, message):
    snap = k.snapshot(prescriptions=[k.rx("morphine", id=i, replaces=r) for i, r in lines])
    with pytest.raises(SnapshotError) as info:
        evaluate_all(snap, on=k.on)
    assert str(info.value) == message


def test_errors_are_value_errors():
    assert issubclass(SnapshotError, ValueError)
