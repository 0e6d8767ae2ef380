"""The one PGx advice policy: which CPIC advice is actionable, and the uncertain-call note."""

from __future__ import annotations

import pytest
from table_gap import drop_cpic_row

from painpath.clinical import pgx


def _results(**diplotypes: str) -> dict[str, pgx.PhenotypeResult]:
    return {gene: pgx.phenotype(gene, d) for gene, d in diplotypes.items()}


@pytest.mark.parametrize(
    ("drug", "genes", "actionable"),
    [
        ("codeine", {"CYP2D6": "*4/*4"}, True),  # strong, avoid
        ("codeine", {"CYP2D6": "*1/*1"}, False),  # use label dose
        ("oxycodone", {"CYP2D6": "*4/*4"}, False),  # no genotype-based action
        ("hydrocodone", {"CYP2D6": "*4/*4"}, False),  # optional, but use label dose
        ("tenoxicam", {"CYP2C9": "*1/*3"}, True),  # optional, choose alternative
        ("codeine", {}, False),  # no result: testing is informative, not advice
    ],
)
def test_is_actionable_needs_checked_advice_that_changes_the_prescription(drug, genes, actionable):
    rec = pgx.recommend(drug, _results(**genes))
    assert pgx.is_actionable(rec) is actionable
    finding = pgx.finding_for(drug, _results(**genes), uncertain={})
    assert finding is not None and finding.actionable is actionable


def test_an_unverified_recommendation_is_never_actionable(monkeypatch):
    drop_cpic_row(monkeypatch, "clomipramine", lambda r: r["when"] == {
        "CYP2D6": ["Poor Metabolizer"], "CYP2C19": ["Normal Metabolizer"]})  # fmt: skip
    results = _results(CYP2D6="*4/*4", CYP2C19="*1/*1")
    rec = pgx.recommend("clomipramine", results)
    assert not rec.verified and not pgx.is_actionable(rec)
    finding = pgx.finding_for("clomipramine", results, uncertain={})
    assert finding is not None
    assert (finding.strength, finding.action, finding.actionable) == (
        "unverified", pgx.NOT_VERIFIED, False)  # fmt: skip
    assert finding.recommendation == "Not verified — consult the CPIC guideline."


def test_a_drug_without_cpic_data_has_no_finding():
    assert pgx.finding_for("gabapentin", {}, uncertain={}) is None


def test_alternative_text_gives_the_advice_the_alternative_would_get():
    results = _results(CYP2C19="*1/*17")
    assert pgx.alternative_text("citalopram", "CYP2C19", "*1/*4", results) == (
        "*1/*4 (Intermediate Metabolizer: use label dose)"
    )
    # a diplotype the tables cannot interpret is shown as it is
    assert pgx.alternative_text("citalopram", "CYP2C19", "*1/*999", results) == "*1/*999"


def test_uncertainty_note_only_for_genes_the_advice_read():
    results = _results(CYP2D6="*4/*4", CYP2C19="*1/*17")
    rec = pgx.recommend("codeine", results)  # reads CYP2D6 only
    assert pgx.uncertainty_note(rec, results, {"CYP2C19": ("*1/*4",)}) == ""
    note = pgx.uncertainty_note(rec, results, {"CYP2D6": ()})
    assert note == (
        " Uncertain call: CYP2D6 *4/*4 has untested positions; no alternative the data allow "
        "changes the phenotype."
    )


def test_uncertainty_note_spells_out_five_alternatives_and_counts_the_rest():
    results = _results(CYP2C19="*1/*1")
    rec = pgx.recommend("citalopram", results)
    alternatives = ("*1/*2", "*1/*3", "*1/*4", "*1/*9", "*2/*17", "*2/*2", "*3/*3")
    note = pgx.uncertainty_note(rec, results, {"CYP2C19": alternatives}, more="and %d others")
    assert note.startswith(
        " Uncertain call: CYP2C19 *1/*1 (Normal Metabolizer) is not certain; the data also fit "
        "*1/*2 (Intermediate Metabolizer: use label dose), "
    )
    assert "*2/*17 (Intermediate Metabolizer: use label dose) and 2 others." in note
    assert "*2/*2" not in note and note.endswith("Confirm before relying on this recommendation.")
    assert pgx.SHOWN_ALTERNATIVES == 5
