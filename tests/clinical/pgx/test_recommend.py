"""CPIC recommendations: NSAID score split, opioids, missing genes, unverified marking."""

from __future__ import annotations

import pytest
from table_gap import drop_cpic_row

from painpath.clinical.pgx import (
    PhenotypeResult,
    UnknownDrugError,
    drug_guideline,
    known_drugs,
    no_action_gene_note,
    no_action_genes,
    no_action_notes_for,
    phenotype,
    recommend,
)

TABLE2 = ["celecoxib", "flurbiprofen", "ibuprofen", "lornoxicam"]


def _c9(diplotype: str) -> dict[str, PhenotypeResult]:
    return {"CYP2C9": phenotype("CYP2C9", diplotype)}


@pytest.mark.parametrize("drug", TABLE2)
@pytest.mark.parametrize(
    ("diplotype", "strength", "starts"),
    [
        ("*1/*1", "strong", "Initiate therapy with recommended starting dose."),
        ("*1/*2", "moderate", "Initiate therapy with recommended starting dose."),  # AS 1.5
        ("*1/*3", "moderate", "Initiate therapy with lowest recommended starting dose."),  # 1.0
        ("*2/*2", "moderate", "Initiate therapy with lowest recommended starting dose."),  # 1.0
        ("*2/*3", "moderate", "Initiate therapy with 25-50% of the lowest"),  # 0.5
        ("*3/*3", "moderate", "Initiate therapy with 25-50% of the lowest"),  # 0
        ("*1/*7", "no recommendation", "No recommendation"),  # Indeterminate
    ],
)
def test_nsaid_table2_splits_intermediate_by_score(
    drug: str, diplotype: str, strength: str, starts: str
) -> None:
    rec = recommend(drug, _c9(diplotype))
    assert rec.strength == strength
    assert rec.recommendation.startswith(starts)
    assert rec.verified
    assert "PMID 32189324" in rec.source


def test_meloxicam_intermediate_split() -> None:
    low = recommend("meloxicam", _c9("*1/*3"))
    high = recommend("meloxicam", _c9("*1/*2"))
    assert low.action == "reduce starting dose 50%"
    assert low.recommendation.startswith("Initiate therapy with 50% of the lowest")
    assert (high.action, high.strength) == ("use label dose", "moderate")


def test_meloxicam_poor_metabolizer_is_verified_choose_alternative() -> None:
    for diplotype in ("*3/*3", "*2/*3"):  # activity score 0.0 and 0.5
        rec = recommend("meloxicam", _c9(diplotype))
        assert (rec.strength, rec.action, rec.verified) == ("moderate", "choose alternative", True)
        assert rec.recommendation.startswith("Choose an alternative therapy not metabolized by")
    indeterminate = recommend("meloxicam", _c9("*1/*7"))
    assert (indeterminate.strength, indeterminate.verified) == ("no recommendation", True)


@pytest.mark.parametrize(
    ("diplotype", "strength", "action"),
    [
        ("*3/*3", "optional", "choose alternative"),  # score 0.0
        ("*2/*3", "optional", "choose alternative"),  # score 0.5
        ("*1/*3", "optional", "choose alternative"),  # score 1.0
        ("*1/*2", "moderate", "use label dose"),  # score 1.5
        ("*1/*1", "strong", "use label dose"),
        ("*1/*7", "no recommendation", "no genotype-based action"),
    ],
)
def test_tenoxicam_follows_piroxicam_texts_with_cpic_strengths(
    diplotype: str, strength: str, action: str
) -> None:
    rec = recommend("tenoxicam", _c9(diplotype))
    assert (rec.strength, rec.action, rec.verified) == (strength, action, True)
    assert "PMID 32189324" in rec.source and "tenoxicam.json" in rec.source


@pytest.mark.parametrize(
    ("diplotype", "action", "strength"),
    [
        ("*3/*3", "choose alternative", "moderate"),  # score 0.0
        ("*1/*3", "choose alternative", "moderate"),  # score 1.0: the issue's example
        ("*1/*2", "use label dose", "moderate"),  # score 1.5
        ("*1/*1", "use label dose", "strong"),
    ],
)
def test_piroxicam_verified_split(diplotype: str, action: str, strength: str) -> None:
    rec = recommend("piroxicam", _c9(diplotype))
    assert (rec.action, rec.strength, rec.verified) == (action, strength, True)


@pytest.mark.parametrize(
    ("diplotype", "strength", "action"),
    [
        ("*4/*4", "strong", "avoid"),
        ("*1/*4", "moderate", "use label dose"),
        ("*1/*10", "strong", "use label dose"),
        ("*1x2/*1", "strong", "avoid"),
        ("*2x≥3/*4", "strong", "avoid"),
        ("*1/*22", "no recommendation", "no genotype-based action"),
    ],
)
def test_codeine(diplotype: str, strength: str, action: str) -> None:
    rec = recommend("codeine", {"CYP2D6": phenotype("CYP2D6", diplotype)})
    assert (rec.strength, rec.action) == (strength, action)
    assert "PMID 33387367" in rec.source


@pytest.mark.parametrize("drug", ["codeine", "tramadol", "celecoxib", "piroxicam", "citalopram"])
def test_missing_gene_says_testing_is_informative(drug: str) -> None:
    rec = recommend(drug, {})
    assert rec.action.startswith("test ")
    assert "testing is informative" in rec.recommendation
    assert "not a statement that standard dosing is appropriate" in rec.recommendation


def test_tca_with_one_gene_missing_uses_cpic_no_result_row_and_flags_the_gene() -> None:
    rec = recommend("amitriptyline", {"CYP2D6": phenotype("CYP2D6", "*1/*1")})
    assert rec.recommendation.startswith("Initiate therapy with recommended starting dose.")
    assert "No CYP2C19 result on file; CYP2C19 testing is informative." in rec.recommendation
    assert (rec.strength, rec.verified) == ("strong", True)
    poor = recommend("amitriptyline", {"CYP2D6": phenotype("CYP2D6", "*4/*4")})
    assert (poor.strength, poor.action) == ("strong", "avoid")
    assert poor.recommendation.startswith("Avoid tricyclic use due to potential for side effects.")


def test_oxycodone_says_no_genotype_based_action() -> None:
    rec = recommend("oxycodone", {"CYP2D6": phenotype("CYP2D6", "*4/*4")})
    assert rec.action == "no genotype-based action"
    assert rec.strength == "no recommendation"
    assert "no genotype-based recommendation" in rec.recommendation


@pytest.mark.parametrize("gene", ["OPRM1", "COMT", "oprm1"])
def test_oprm1_comt_notes(gene: str) -> None:
    note = no_action_gene_note(gene)
    assert note is not None
    assert "no genotype-based recommendation" in note


def test_no_action_notes_are_keyed_by_gene_for_the_drugs_guideline_only() -> None:
    assert no_action_genes() == ("OPRM1", "COMT")  # the data file's [no_action_genes.*]
    assert no_action_gene_note("CYP2D6") is None
    for drug in ("codeine", "oxycodone", "hydrocodone"):  # the opioid guideline (Crews 2021)
        notes = no_action_notes_for(drug)
        assert notes == {g: no_action_gene_note(g) for g in ("OPRM1", "COMT")}
        assert recommend(drug, {}).notes == notes
    for drug in ("celecoxib", "amitriptyline", "ondansetron", "citalopram"):
        assert no_action_notes_for(drug) == {}
        assert recommend(drug, {}).notes == {}


def test_guideline_citation_is_dated_and_full_is_not() -> None:
    g = drug_guideline("codeine")
    assert (g.year, g.pmid) == (2021, "33387367")
    assert g.citation == f"{g.name} (2021). {g.reference}. PMID 33387367."
    assert g.full == f"{g.name}. {g.reference}. PMID 33387367."
    rec = recommend("codeine", {"CYP2D6": phenotype("CYP2D6", "*1/*1")})
    assert rec.source.startswith(f"{g.citation} Verified from: CPIC database export")
    assert recommend("codeine", {}).source == g.citation  # no row used: nothing verified from


def test_phenotype_no_checked_row_covers_gives_no_advice(monkeypatch: pytest.MonkeyPatch) -> None:
    drop_cpic_row(monkeypatch, "codeine", lambda r: r.get("phenotype") == "Poor Metabolizer")
    rec = recommend("codeine", {"CYP2D6": phenotype("CYP2D6", "*4/*4")})
    assert (rec.strength, rec.action, rec.verified) == ("unverified", "consult guideline", False)
    assert rec.recommendation == (
        "No verified recommendation in painpath for codeine with CYP2D6 Poor Metabolizer; "
        "consult the CPIC guideline."
    )
    assert rec.source == drug_guideline("codeine").citation  # no "Verified from"
    assert rec.notes == no_action_notes_for("codeine")
    other = recommend("codeine", {"CYP2D6": phenotype("CYP2D6", "*1/*1")})  # rows still there
    assert (other.strength, other.verified) == ("strong", True)


def test_gap_with_a_gene_missing_still_says_testing_is_informative(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # amitriptyline's CPIC row for CYP2D6 Poor Metabolizer x CYP2C19 Indeterminate/No Result
    drop_cpic_row(monkeypatch, "amitriptyline",
                  lambda r: r["when"]["CYP2D6"] == ["Poor Metabolizer"]
                  and "No Result" in r["when"]["CYP2C19"])  # fmt: skip
    rec = recommend("amitriptyline", {"CYP2D6": phenotype("CYP2D6", "*4/*4")})
    assert (rec.strength, rec.verified) == ("unverified", False)
    assert rec.recommendation.endswith(
        "consult the CPIC guideline. No CYP2C19 result on file; CYP2C19 testing is informative."
    )


@pytest.mark.parametrize(
    ("diplotype", "action", "strength"),
    [
        ("*1x2/*1", "avoid", "strong"),
        ("*4/*4", "avoid", "strong"),
        ("*1/*4", "use label dose", "optional"),
        ("*1/*1", "use label dose", "strong"),
    ],
)
def test_tramadol_verified(diplotype: str, action: str, strength: str) -> None:
    rec = recommend("tramadol", {"CYP2D6": phenotype("CYP2D6", diplotype)})
    assert (rec.action, rec.strength, rec.verified) == (action, strength, True)
    assert "PMID 33387367" in rec.source


@pytest.mark.parametrize(
    ("diplotype", "strength", "action", "starts"),
    [
        ("*1x2/*1", "no recommendation", "no genotype-based action",
         "No recommendation for hydrocodone therapy because of minimal evidence"),
        ("*1/*1", "strong", "use label dose", "Use hydrocodone label recommended"),
        ("*1/*4", "optional", "use label dose", "Use hydrocodone label recommended"),
        ("*4/*4", "optional", "use label dose", "Use hydrocodone label recommended"),
        ("*1/*22", "no recommendation", "no genotype-based action", "No recommendation"),
    ],
)  # fmt: skip
def test_hydrocodone_verified(diplotype: str, strength: str, action: str, starts: str) -> None:
    rec = recommend("hydrocodone", {"CYP2D6": phenotype("CYP2D6", diplotype)})
    assert (rec.strength, rec.action, rec.verified) == (strength, action, True)
    assert rec.recommendation.startswith(starts)
    assert "PMID 33387367" in rec.source


def test_unknown_drug() -> None:
    with pytest.raises(UnknownDrugError, match="drug 'aspirin'"):
        recommend("aspirin", {})


def test_issue_drugs_are_all_known() -> None:
    for drug in [*TABLE2, "meloxicam", "piroxicam", "tenoxicam", "codeine", "tramadol",
                 "hydrocodone", "oxycodone", "amitriptyline", "nortriptyline", "desipramine",
                 "ondansetron", "citalopram", "escitalopram", "sertraline"]:  # fmt: skip
        assert drug in known_drugs()


def test_to_dict_shape() -> None:
    rec = recommend("codeine", {"CYP2D6": phenotype("CYP2D6", "*1/*4")}).to_dict()
    assert set(rec) == {"drug", "genes", "strength", "action", "recommendation", "source", "notes"}
    assert rec["genes"] == {
        "CYP2D6": {
            "diplotype": "*1/*4",
            "activity_score": 1.0,
            "phenotype": "Intermediate Metabolizer",
        }
    }
    assert rec["notes"] == {
        "OPRM1": no_action_gene_note("OPRM1"),
        "COMT": no_action_gene_note("COMT"),
    }
    assert recommend("celecoxib", _c9("*1/*1")).to_dict()["notes"] == {}
