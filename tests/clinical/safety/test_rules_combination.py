"""Co-prescription rules, multiple opioids and naloxone indications."""

from datetime import timedelta

import pytest

from painpath.clinical.safety import Alert, evaluate_rule


@pytest.mark.parametrize(
    ("drugs", "fires"),
    [
        (["oxycodone", "diazepam"], True),
        (["oxycodone", "clobazam"], True),
        (["oxycodone"], False),
        (["diazepam"], False),
        (["oxycodone", "gabapentin"], False),
        (["oxycodone", "alprazolam"], True),
        (["oxycodone", "lorazepam"], True),
        (["oxycodone", "clonazepam"], True),
        (["oxycodone", "zolpidem"], True),
        (["oxycodone", "carisoprodol"], True),
        (["oxycodone", "cyclobenzaprine"], True),
        (["oxycodone", "tizanidine"], True),
        (["oxycodone", "baclofen"], True),
        (["oxycodone", "methocarbamol"], True),
        (["oxycodone", "ibuprofen"], False),
        (["oxycodone", "duloxetine"], False),
    ],
)
def test_opioid_with_cns_depressant(k, drugs, fires):
    outcome = evaluate_rule(
        "opioid-with-cns-depressant", k.snapshot(prescriptions=[k.rx(d) for d in drugs]), on=k.on
    )
    assert isinstance(outcome, Alert) is fires
    if fires:
        assert outcome.severity == "high"
        assert outcome.evidence["opioids"] == ("oxycodone",)
        assert outcome.evidence["cns_depressants"] == (drugs[1],)


@pytest.mark.parametrize(
    ("opioid", "indication"),
    [("buprenorphine", "oud"), ("buprenorphine", "chronic"), ("methadone", "oud")],
)
def test_oud_medication_counts_as_an_opioid_for_the_combination_rules(k, opioid, indication):
    line = k.rx(
        opioid, 8, indication=indication, release="er_la" if opioid == "methadone" else "ir"
    )
    for other, rule_id in (
        ("diazepam", "opioid-with-cns-depressant"),
        ("pregabalin", "opioid-with-gabapentinoid"),
    ):
        outcome = evaluate_rule(rule_id, k.snapshot(prescriptions=[line, k.rx(other)]), on=k.on)
        assert isinstance(outcome, Alert), rule_id
        assert outcome.evidence["opioids"] == (opioid,)


def test_ended_benzodiazepine_does_not_count(k):
    snap = k.snapshot(
        prescriptions=[k.rx("oxycodone"), k.rx("diazepam", end=k.on - timedelta(days=1))]
    )
    assert evaluate_rule("opioid-with-cns-depressant", snap, on=k.on) is None


@pytest.mark.parametrize(
    ("drugs", "fires"),
    [
        (["morphine", "gabapentin"], True),
        (["morphine", "pregabalin"], True),
        (["morphine"], False),
        (["pregabalin"], False),
    ],
)
def test_opioid_with_gabapentinoid(k, drugs, fires):
    outcome = evaluate_rule(
        "opioid-with-gabapentinoid", k.snapshot(prescriptions=[k.rx(d) for d in drugs]), on=k.on
    )
    assert isinstance(outcome, Alert) is fires
    if fires:
        assert outcome.evidence["gabapentinoids"] == (drugs[1],)


@pytest.mark.parametrize(("count", "fires"), [(1, False), (2, True), (3, True)])
def test_multiple_opioids(k, count, fires):
    drugs = ["morphine", "oxycodone", "hydrocodone"][:count]
    outcome = evaluate_rule(
        "multiple-opioids", k.snapshot(prescriptions=[k.rx(d) for d in drugs]), on=k.on
    )
    assert isinstance(outcome, Alert) is fires
    if fires:
        assert outcome.evidence["count"] == count


def test_same_opioid_ir_and_er_counts_as_two(k):
    snap = k.snapshot(
        prescriptions=[
            k.rx("oxycodone", 5),
            k.rx("oxycodone", 10, release="er_la", times_per_day=2),
        ]
    )
    outcome = evaluate_rule("multiple-opioids", snap, on=k.on)
    assert outcome.evidence["opioids"] == (
        "oxycodone (immediate-release)",
        "oxycodone (extended-release/long-acting)",
    )


@pytest.mark.parametrize(
    ("conditions", "reason"),
    [
        (["overdose_history"], "history of overdose"),
        (["substance_use_disorder_history"], "history of substance use disorder"),
        (["opioid_use_disorder"], "opioid use disorder"),
        (["sleep_disordered_breathing"], "sleep-disordered breathing"),
    ],
)
def test_naloxone_risk_conditions(k, conditions, reason):
    snap = k.snapshot(prescriptions=[k.rx("morphine", 10)], conditions=conditions)
    outcome = evaluate_rule("naloxone-not-prescribed", snap, on=k.on)
    assert isinstance(outcome, Alert)
    assert outcome.evidence["reasons"] == (reason,)


@pytest.mark.parametrize(("mme", "fires"), [(49, False), (50, True), (51, True)])
def test_naloxone_dose_boundary(k, mme, fires):
    outcome = evaluate_rule(
        "naloxone-not-prescribed", k.snapshot(prescriptions=[k.rx("morphine", mme)]), on=k.on
    )
    assert isinstance(outcome, Alert) is fires
    if fires:
        assert outcome.evidence["reasons"] == ("50 MME/day or more prescribed",)
        assert outcome.evidence["prescribed_mme_per_day"] == mme


def test_naloxone_with_benzodiazepine(k):
    snap = k.snapshot(prescriptions=[k.rx("morphine", 10), k.rx("oxazepam", 10)])
    outcome = evaluate_rule("naloxone-not-prescribed", snap, on=k.on)
    assert outcome.evidence["reasons"] == ("benzodiazepine prescribed: oxazepam",)


@pytest.mark.parametrize("indication", ["oud", "chronic"])
def test_naloxone_rule_sees_buprenorphine(k, indication):
    snap = k.snapshot(prescriptions=[k.rx("buprenorphine", 8, indication=indication)])
    outcome = evaluate_rule("naloxone-not-prescribed", snap, on=k.on)
    if indication == "oud":  # FDA 2020: strongly consider naloxone with medicines for OUD
        assert outcome.evidence["reasons"] == ("medication for opioid use disorder: buprenorphine",)
        assert outcome.evidence["opioids"] == ("buprenorphine",)
    else:  # buprenorphine for pain has no MME factor and no other risk here
        assert outcome is None
    with_benzo = k.snapshot(
        prescriptions=[k.rx("buprenorphine", 8, indication=indication), k.rx("diazepam")]
    )
    outcome = evaluate_rule("naloxone-not-prescribed", with_benzo, on=k.on)
    assert "benzodiazepine prescribed: diazepam" in outcome.evidence["reasons"]


def test_methadone_for_oud_is_a_naloxone_reason_but_not_pain_mme(k):
    snap = k.snapshot(
        prescriptions=[k.rx("methadone", 30, times_per_day=3, release="er_la", indication="oud")]
    )
    outcome = evaluate_rule("naloxone-not-prescribed", snap, on=k.on)
    assert outcome.evidence["reasons"] == ("medication for opioid use disorder: methadone",)
    assert outcome.evidence["prescribed_mme_per_day"] == 0


def test_naloxone_on_the_list_silences_the_rule(k):
    snap = k.snapshot(
        prescriptions=[
            k.rx("morphine", 60),
            k.rx("naloxone", 4, as_needed=True, max_doses_per_day=2),
        ],
        conditions=["overdose_history"],
    )
    assert evaluate_rule("naloxone-not-prescribed", snap, on=k.on) is None


def test_naloxone_not_indicated_without_opioid(k):
    snap = k.snapshot(conditions=["overdose_history"])
    assert evaluate_rule("naloxone-not-prescribed", snap, on=k.on) is None


def test_naloxone_not_indicated_without_risk(k):
    assert (
        evaluate_rule("naloxone-not-prescribed", k.snapshot(prescriptions=[k.rx()]), on=k.on)
        is None
    )
