"""The pharmacogenomic rule in the core: a current drug with actionable CPIC advice."""

from datetime import timedelta

from painpath.clinical import pgx
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
