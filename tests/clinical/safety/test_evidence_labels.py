"""Every evidence key any rule emits has words for clinicians, and values read as words."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest

from painpath.clinical import pgx
from painpath.clinical.safety import (
    Alert,
    Genotype,
    PainScore,
    ReportedDose,
    evaluate_rule,
    evidence_label,
    evidence_labels,
    evidence_rows,
    evidence_text,
    parameter_label,
    rule_ids,
    rule_specs,
)


def _long_term(k):
    return k.rx("morphine", 10, start=k.on - timedelta(days=100))


def _scenarios(k) -> dict[str, object]:
    """One patient snapshot per rule that sets it off (from the rules' own boundary tests)."""
    prn = k.rx("morphine", 60, as_needed=True, max_doses_per_day=2)
    small = k.rx("morphine", 2, as_needed=True, max_doses_per_day=15)
    ibuprofen = k.rx("ibuprofen", 400, times_per_day=4, start=k.on - timedelta(days=1))
    day = k.on - timedelta(days=1)
    skipped = [ReportedDose(ibuprofen.id, day, taken=n <= 2, slot=n) for n in range(1, 5)]
    oxy = k.rx("oxycodone", 5, times_per_day=2, start=k.on - timedelta(days=30))
    patch = k.rx("fentanyl", 25, unit="mcg/h", release="er_la", route="transdermal", start=k.on)
    codeine = k.rx("codeine", 30, times_per_day=4)
    cyp2d6 = pgx.phenotype("CYP2D6", "*4/*4")
    pain = [PainScore(k.on - timedelta(days=d), 6.0) for d in range(7)]
    pain += [PainScore(k.on - timedelta(days=d), 3.0) for d in range(7, 35)]
    return {
        "mme-prescribed-50": k.snapshot(prescriptions=[k.rx("morphine", 60)]),
        "mme-prescribed-90": k.snapshot(prescriptions=[k.rx("morphine", 95)]),
        "mme-taken-50": k.snapshot(prescriptions=[prn], doses=[k.taken(prn)]),
        "mme-taken-90": k.snapshot(prescriptions=[prn], doses=[k.taken(prn), k.taken(prn, 20)]),
        "opioid-with-cns-depressant": k.snapshot(
            prescriptions=[k.rx("oxycodone"), k.rx("diazepam")]
        ),
        "opioid-with-gabapentinoid": k.snapshot(
            prescriptions=[k.rx("morphine"), k.rx("gabapentin")]
        ),
        "naloxone-not-prescribed": k.snapshot(
            prescriptions=[k.rx("morphine", 10)], conditions=["sleep_disordered_breathing"]
        ),
        "multiple-opioids": k.snapshot(prescriptions=[k.rx("morphine"), k.rx("oxycodone")]),
        "er-la-opioid-naive": k.snapshot(
            prescriptions=[k.rx("morphine", 15, release="er_la", times_per_day=2, start=k.on)]
        ),
        "er-la-tolerant-only": k.snapshot(prescriptions=[oxy, patch]),
        "er-la-acute-pain": k.snapshot(
            prescriptions=[k.rx("oxycodone", 10, release="er_la", indication="acute")]
        ),
        "acute-opioid-over-7-days": k.snapshot(
            prescriptions=[k.rx("oxycodone", 5, indication="acute", days_supply=10)]
        ),
        "oud-without-treatment": k.snapshot(conditions=["opioid_use_disorder"]),
        "urine-drug-test-overdue": k.snapshot(prescriptions=[_long_term(k)]),
        "pdmp-review-overdue": k.snapshot(
            prescriptions=[_long_term(k)], last_pdmp_review=k.on - timedelta(days=120)
        ),
        "taken-above-prescribed": k.snapshot(
            prescriptions=[small], doses=[k.taken(small, hour=h) for h in range(16)]
        ),
        "adherence-low": k.snapshot(prescriptions=[ibuprofen], doses=skipped),
        "phq9-item9-positive": k.snapshot(phq9_item9=1, phq9_item9_on=k.on),
        "pain-worsening": k.snapshot(pain_scores=pain),
        "no-checkin": k.snapshot(last_checkin=k.on - timedelta(days=5)),
        "pgx_conflict": k.snapshot(
            prescriptions=[codeine],
            genotypes=[Genotype("CYP2D6", "*4/*4", cyp2d6.phenotype, cyp2d6.activity_score)],
        ),
    }


def _keys(value: object, *, under: str = "") -> Iterator[str]:
    """Every mapping key at any depth (a gene name under "genes" is data, not a key)."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if under != "genes":
                yield key
            yield from _keys(inner, under=key)
    elif isinstance(value, list | tuple):
        for inner in value:
            yield from _keys(inner, under=under)


@pytest.fixture
def fired(k) -> dict[str, Alert]:
    alerts = {}
    for rule_id, snap in _scenarios(k).items():
        outcome = evaluate_rule(rule_id, snap, on=k.on)
        assert isinstance(outcome, Alert), rule_id
        alerts[rule_id] = outcome
    return alerts


def test_every_rule_is_set_off_by_a_scenario(fired):
    assert set(fired) == set(rule_ids())


def test_every_evidence_key_any_rule_emits_has_a_label(fired):
    labels = evidence_labels()
    emitted = {key for alert in fired.values() for key in _keys(dict(alert.evidence))}
    assert emitted - set(labels) == set()
    assert {"total_mme_per_day", "findings", "diplotype", "days"} <= emitted  # nested too
    unused = set(labels) - emitted
    assert unused == set(), f"labels no rule emits: {unused}"


def test_every_threshold_parameter_has_a_label():
    names = {name for spec in rule_specs().values() for name in spec.params}
    assert {name: parameter_label(name) for name in names if "_" in parameter_label(name)} == {}


def test_stored_evidence_reads_as_words(fired):
    # as stored with an alert: JSON, so tuples are lists
    shown = {
        rule_id: dict(evidence_rows(json.loads(json.dumps(dict(alert.evidence)))))
        for rule_id, alert in fired.items()
    }
    mme = shown["mme-prescribed-50"]
    assert mme["Total MME per day"] == "60"
    assert mme["Opioids and their MME per day"] == "morphine: 60 MME/day"
    assert mme["MME conversion factors"].startswith("CDC 2022 Table: morphine milligram")
    adherence = shown["adherence-low"]
    assert adherence["Share of scheduled doses taken"] == "50%"
    assert adherence["Lowest acceptable share"] == "80%"
    assert shown["urine-drug-test-overdue"]["Last urine drug test"] == "none recorded"
    oud = shown["oud-without-treatment"]
    assert oud == {
        "Opioid use disorder diagnosed": "yes",
        "Medications for opioid use disorder": "none",
    }
    assert shown["opioid-with-cns-depressant"]["Benzodiazepines or other CNS depressants"] == (
        "diazepam"
    )
    assert shown["pgx_conflict"]["CPIC findings"] == (
        "Genes (CYP2D6 (Diplotype: *4/*4, Phenotype: Poor Metabolizer, Activity score: 0)); "
        "CPIC strength: strong; CPIC advice: avoid"
    )
    for rows in shown.values():
        for label, text in rows.items():
            assert "_" not in label and "_" not in text, (label, text)


@pytest.mark.parametrize(
    ("key", "value", "text"),
    [
        ("days", ["2026-06-15", "2026-06-14"], "2026-06-15; 2026-06-14"),
        ("opioids", [], "none"),
        ("ratio", 0.7499, "74.99%"),
        ("increase", 2.0, "2"),
        ("count", 3, "3"),
        ("opioid_use_disorder", False, "no"),
        ("table", "no-such-table", "no-such-table"),
    ],
)
def test_values_are_formatted_by_kind(key, value, text):
    assert evidence_text(key, value) == text


def test_a_key_without_a_label_is_spelt_out_not_hidden():
    # an alert stored by an older version of a rule may carry a key no longer labelled
    assert evidence_label("some_retired_key") == "Some retired key"
