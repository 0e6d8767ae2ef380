"""The pharmacogenomic rule in the core: a current drug with actionable CPIC advice."""

from datetime import timedelta

import pytest

from painpath.clinical import pgx
from painpath.clinical.medications import load_catalogue
from painpath.clinical.safety import Genotype, NotEvaluated, evaluate_all, evaluate_rule

RULE = "pgx_conflict"


def _genotype(gene, diplotype, **extra):
    result = pgx.phenotype(gene, diplotype)
    return Genotype(gene, result.diplotype, result.phenotype, result.activity_score, **extra)


def test_codeine_for_a_cyp2d6_poor_metabolizer_is_a_finding(k):
    snap = k.snapshot(
        prescriptions=[k.rx("codeine", 30, times_per_day=4)],
        genotypes=[_genotype("CYP2D6", "*4/*4")],
    )
    alert = evaluate_rule(RULE, snap, on=k.on)
    assert alert.subject == "codeine" and alert.severity == "high"
    assert alert.message.startswith("codeine (CYP2D6 *4/*4, Poor Metabolizer; CPIC strong): ")
    assert alert.reference == pgx.drug_guideline("codeine").label
    assert alert.evidence["findings"][0]["action"] == "avoid"


def test_normal_metabolizer_or_label_dose_advice_is_no_finding(k):
    snap = k.snapshot(
        prescriptions=[k.rx("codeine", 30), k.rx("ibuprofen", 400)],
        genotypes=[_genotype("CYP2D6", "*1/*1"), _genotype("CYP2C9", "*1/*1")],
    )
    assert evaluate_rule(RULE, snap, on=k.on) is None


def test_only_current_drugs_are_judged(k):
    ended = k.rx("codeine", 30, end=k.on - timedelta(days=1))
    snap = k.snapshot(prescriptions=[ended], genotypes=[_genotype("CYP2D6", "*4/*4")])
    assert evaluate_rule(RULE, snap, on=k.on) is None


def test_one_finding_per_drug(k):
    snap = k.snapshot(
        prescriptions=[k.rx("codeine", 30), k.rx("tramadol", 50)],
        genotypes=[_genotype("CYP2D6", "*4/*4")],
    )
    found = [a.subject for a in evaluate_all(snap, on=k.on).alerts if a.rule_id == RULE]
    assert found == ["codeine", "tramadol"]


def test_an_uncertain_call_says_so_with_its_alternatives(k):
    uncertain = _genotype("CYP2D6", "*4/*4", uncertain=True, alternatives=("*1/*4",))
    snap = k.snapshot(prescriptions=[k.rx("codeine", 30)], genotypes=[uncertain])
    alert = evaluate_rule(RULE, snap, on=k.on)
    assert "Uncertain call: CYP2D6 *4/*4 (Poor Metabolizer) is not certain; the data also fit " in (
        alert.message
    )
    assert "*1/*4 (Intermediate Metabolizer: " in alert.message


def test_not_evaluated_without_genotype_results(k):
    snap = k.snapshot(prescriptions=[k.rx("codeine", 30)], missing=["genotypes"])
    assert isinstance(evaluate_rule(RULE, snap, on=k.on), NotEvaluated)


@pytest.mark.parametrize(
    ("gene", "diplotype"),
    [("CYP2D6", "*4/*4"), ("CYP2D6", "*1/*1"), ("CYP2D6", "*1x2/*1"), ("CYP2C9", "*3/*3"),
     ("CYP2C9", "*1/*3"), ("CYP2C19", "*2/*2"), ("CYP2C19", "*17/*17")],
)  # fmt: skip
def test_the_rule_fires_exactly_where_the_panel_says_actionable(k, gene, diplotype):
    # The rule and the chart's panel read one policy (painpath.clinical.pgx.advice): for every
    # drug with CPIC data, a finding here iff the panel calls the advice actionable, with the
    # same uncertainty note.
    genotype = _genotype(gene, diplotype, uncertain=True, alternatives=("*1/*2",))
    results = {gene: pgx.phenotype(gene, diplotype)}
    catalogue = load_catalogue()
    drugs = [d for d in pgx.known_drugs() if d in catalogue]
    assert len(drugs) >= 10
    for drug in drugs:
        snap = k.snapshot(prescriptions=[k.rx(drug, 10)], genotypes=[genotype])
        alert = evaluate_rule(RULE, snap, on=k.on)
        panel = pgx.finding_for(drug, results, uncertain={gene: ("*1/*2",)})
        assert panel is not None
        assert (alert is not None) is panel.actionable, drug
        if alert is not None:
            note = panel.recommendation.removeprefix(pgx.recommend(drug, results).recommendation)
            assert note.startswith(" Uncertain call: ") and alert.message.endswith(note)
