"""Checked CPIC tables for TCAs, SSRIs and 5-HT3 antagonists: values from CPIC's database rows
(v1.23.0), completeness over every phenotype (and activity score) a gene can take."""

from __future__ import annotations

import itertools

import pytest

from painpath.clinical.pgx import (
    NO_RESULT,
    PhenotypeResult,
    drug_genes,
    drug_guideline,
    known_drugs,
    phenotype,
    recommend,
)
from painpath.clinical.pgx._data import recommendations

UM, NM, IM, PM = ("Ultrarapid Metabolizer", "Normal Metabolizer", "Intermediate Metabolizer",
                  "Poor Metabolizer")  # fmt: skip
RM, LIM, LPM, IND = ("Rapid Metabolizer", "Likely Intermediate Metabolizer",
                     "Likely Poor Metabolizer", "Indeterminate")  # fmt: skip
# Every CYP2D6 activity score CPIC's tables list, with its phenotype (2019 consensus).
CYP2D6_SCORES: list[tuple[float | str | None, str]] = [
    (None, IND), (0.0, PM), (0.25, IM), (0.5, IM), (0.75, IM), (1.0, IM), (1.25, NM), (1.5, NM),
    (1.75, NM), (2.0, NM), (2.25, NM), (2.5, UM), (3.0, UM), (4.0, UM), ("≥3.0", UM), ("≥6.0", UM),
]  # fmt: skip
CYP2C9_SCORES: list[tuple[float | None, str]] = [
    (None, IND),
    (0.0, PM),
    (0.5, PM),
    (1.0, IM),
    (1.5, IM),
    (2.0, NM),
]
CYP2C19_PHENOTYPES = [UM, RM, NM, LIM, IM, LPM, PM, IND]
TCA_TWO_GENE = ("amitriptyline", "clomipramine", "doxepin", "imipramine", "trimipramine")
TERTIARY_AMINES = TCA_TWO_GENE[1:]  # their tables were read from CPIC's data after amitriptyline


def _r(gene: str, score: float | str | None, pheno: str) -> PhenotypeResult:
    return PhenotypeResult(gene, "*x/*y", score, pheno)


def _d6(diplotype: str) -> dict[str, PhenotypeResult]:
    return {"CYP2D6": phenotype("CYP2D6", diplotype)}


def _c19(diplotype: str) -> dict[str, PhenotypeResult]:
    return {"CYP2C19": phenotype("CYP2C19", diplotype)}


def _results_for(genes: tuple[str, ...]) -> list[dict[str, PhenotypeResult]]:
    per_gene = {
        "CYP2D6": [_r("CYP2D6", s, p) for s, p in CYP2D6_SCORES],
        "CYP2C9": [_r("CYP2C9", s, p) for s, p in CYP2C9_SCORES],
        "CYP2C19": [_r("CYP2C19", None, p) for p in CYP2C19_PHENOTYPES],
    }
    return [dict(zip(genes, combo, strict=True))
            for combo in itertools.product(*(per_gene[g] for g in genes))]  # fmt: skip


@pytest.mark.parametrize("drug", known_drugs())
def test_every_verified_table_covers_every_phenotype(drug: str) -> None:
    for results in _results_for(drug_genes(drug)):
        rec = recommend(drug, results)
        assert rec.verified, (
            drug,
            {g: (r.phenotype, r.activity_score) for g, r in results.items()},
        )
        assert rec.strength in {"strong", "moderate", "optional", "no recommendation"}
        assert rec.action and rec.recommendation


@pytest.mark.parametrize("drug", TCA_TWO_GENE)
def test_tca_two_gene_rules_cover_each_pair_exactly_once(drug: str) -> None:
    # every CYP2D6 x CYP2C19 phenotype pair, and each gene missing, hits one and only one row
    rules = recommendations()["tables"][drug]["rules"]
    assert not any("activity_scores" in r for r in rules)  # CPIC's rows never split by score
    d6 = [NO_RESULT, IND, PM, IM, NM, UM]
    c19 = [NO_RESULT, *CYP2C19_PHENOTYPES]
    for a, b in itertools.product(d6, c19):
        if a == b == NO_RESULT:
            continue
        hits = [r for r in rules if a in r["when"]["CYP2D6"] and b in r["when"]["CYP2C19"]]
        assert len(hits) == 1, (a, b, len(hits))


@pytest.mark.parametrize(
    ("d6", "c19", "strength", "action", "starts"),
    [
        # CPIC rows for amitriptyline (CYP2D6 x CYP2C19), database v1.23.0
        ("*1/*1", "*1/*1", "strong", "use label dose", "Initiate therapy with recommended"),
        ("*1/*1", "*2/*2", "moderate", "avoid", "Avoid amitriptyline use. If amitripyline"),
        ("*1/*1", "*17/*17", "optional", "choose alternative", "Consider alternative drug not"),
        ("*4/*4", "*1/*1", "strong", "avoid", "Avoid amitriptyline use. If a amitripyline"),
        ("*4/*4", "*1/*2", "optional", "avoid", "Avoid amitriptyline use. If a amitripyline"),
        ("*4/*4", "*2/*2", "optional", "avoid", "Avoid amitriptyline use; If amitriptyline"),
        ("*1/*4", "*1/*1", "moderate", "reduce starting dose 25%", "Consider a 25% reduction"),
        ("*4/*41", "*1/*2", "optional", "reduce starting dose 25%", "Consider a 25% reduction"),
        ("*1x2/*1", "*1/*1", "strong", "avoid", "Avoid amitriptyline use; If amitriptyline is "
         "warranted, consider titrating to a higher target dose"),
        ("*1x2/*1", "*2/*2", "optional", "avoid", "Avoid amitriptyline use; If amitriptyline"),
        ("*1/*22", "*1/*1", "no recommendation", "no genotype-based action", "No recommendation"),
        ("*1/*1", "*1/*12", "no recommendation", "no genotype-based action", "No recommendation"),
    ],
)  # fmt: skip
def test_amitriptyline_combined_table(
    d6: str, c19: str, strength: str, action: str, starts: str
) -> None:
    rec = recommend("amitriptyline", {**_d6(d6), **_c19(c19)})
    assert (rec.strength, rec.action, rec.verified) == (strength, action, True)
    assert rec.recommendation.startswith(starts), rec.recommendation
    assert "PMID 27997040" in rec.source


def test_amitriptyline_cyp2c19_only_uses_cpic_row_for_missing_cyp2d6() -> None:
    rec = recommend("amitriptyline", _c19("*2/*2"))
    assert (rec.strength, rec.action) == ("moderate", "avoid")
    assert rec.recommendation.startswith("Avoid tertiary amine use due to potential")
    assert rec.recommendation.endswith("No CYP2D6 result on file; CYP2D6 testing is informative.")


@pytest.mark.parametrize(
    ("drug", "diplotype", "strength", "action"),
    [
        ("nortriptyline", "*1x2/*1", "strong", "avoid"),
        ("nortriptyline", "*1/*1", "strong", "use label dose"),
        ("nortriptyline", "*4/*10", "moderate", "reduce starting dose 25%"),  # 0.25
        ("nortriptyline", "*10/*41", "moderate", "reduce starting dose 25%"),  # 0.5
        ("nortriptyline", "*10/*17", "optional", "reduce starting dose 25%"),  # 0.75
        ("nortriptyline", "*1/*4", "optional", "reduce starting dose 25%"),  # 1.0
        ("nortriptyline", "*4/*4", "strong", "avoid"),
        ("desipramine", "*1x2/*1", "optional", "avoid"),
        ("desipramine", "*4/*41", "optional", "reduce starting dose 25%"),
        ("desipramine", "*4/*4", "optional", "avoid"),
        ("desipramine", "*1/*2", "strong", "use label dose"),
        ("ondansetron", "*1x2/*1", "moderate", "choose alternative"),
        ("ondansetron", "*4/*4", "no recommendation", "use label dose"),
        ("ondansetron", "*1/*1", "strong", "use label dose"),
        ("tropisetron", "*2x≥3/*1", "moderate", "choose alternative"),
        ("paroxetine", "*1x2/*1", "strong", "choose alternative"),
        ("paroxetine", "*4/*4", "optional", "choose alternative or reduce starting dose 50%"),
        ("paroxetine", "*1/*4", "moderate", "use label dose"),
        ("fluvoxamine", "*1x2/*1", "no recommendation", "no genotype-based action"),
        ("fluvoxamine", "*4/*4", "optional", "reduce starting dose 25-50% or choose alternative"),
    ],
)
def test_cyp2d6_tables(drug: str, diplotype: str, strength: str, action: str) -> None:
    rec = recommend(drug, _d6(diplotype))
    assert (rec.strength, rec.action, rec.verified) == (strength, action, True)


def test_nortriptyline_intermediate_boundary_moderate_to_optional() -> None:
    # CPIC rates the 25% reduction 'moderate' at activity score 0.5 and 'optional' at 0.75
    half = recommend("nortriptyline", _d6("*10/*41"))
    three_quarters = recommend("nortriptyline", _d6("*10/*17"))
    assert half.genes["CYP2D6"].activity_score == 0.5
    assert three_quarters.genes["CYP2D6"].activity_score == 0.75
    assert (half.strength, three_quarters.strength) == ("moderate", "optional")
    assert half.recommendation == three_quarters.recommendation


@pytest.mark.parametrize(
    ("drug", "diplotype", "strength", "action"),
    [
        ("citalopram", "*17/*17", "moderate", "choose alternative"),
        ("citalopram", "*1/*17", "moderate", "choose alternative"),
        ("citalopram", "*1/*2", "strong", "use label dose"),
        ("citalopram", "*2/*2", "moderate", "reduce starting dose 50% or choose alternative"),
        ("escitalopram", "*2/*3", "moderate", "reduce starting dose 50% or choose alternative"),
        ("sertraline", "*17/*17", "optional", "use label dose"),
        ("sertraline", "*2/*2", "optional", "reduce starting dose 50% or choose alternative"),
        ("sertraline", "*1/*1", "strong", "use label dose"),
    ],
)
def test_cyp2c19_ssri_tables(drug: str, diplotype: str, strength: str, action: str) -> None:
    rec = recommend(drug, _c19(diplotype))
    assert (rec.strength, rec.action, rec.verified) == (strength, action, True)
    assert "PMID 25974703" in rec.source  # the 2015 guideline CPIC's data still carries


@pytest.mark.parametrize(
    ("drug", "pmid"),
    [("hydrocodone", "33387367"), ("amitriptyline", "27997040"), ("nortriptyline", "27997040"),
     ("ondansetron", "28002639"), ("tropisetron", "28002639"), ("paroxetine", "25974703"),
     ("tenoxicam", "32189324"), ("meloxicam", "32189324")],
)  # fmt: skip
def test_each_drug_cites_its_guideline(drug: str, pmid: str) -> None:
    assert drug_guideline(drug).pmid == pmid
    assert f"PMID {pmid}" in drug_guideline(drug).label


# CPIC rows for the tertiary amines (CYP2D6 x CYP2C19), read from CPIC's database v1.23.0
# (PharmCAT reporter/guidelines/cpic/<drug>.json); recommendation and strength verbatim.
@pytest.mark.parametrize(
    "case",  # (drug, CYP2D6 diplotype, CYP2C19 diplotype, strength, action, CPIC text)
    [
        ("clomipramine", "*4/*4", "*1/*1", "optional", "avoid",
         "Avoid clomipramine use. If a clomipramine is warranted, consider a 50% reduction of "
         "recommended starting dose. Utilize therapeutic drug monitoring to guide dose "
         "adjustments."),
        ("clomipramine", "*1/*4", "*17/*17", "optional", "choose alternative",
         "Consider alternative drug not metabolized by CYP2C19; If clomipramine is warranted, "
         "utilize therapeutic drug monitoring to guide dose adjustment. Utilizing therapeutic "
         "drug monitoring to guide dose adjustments is strongly recommended."),
        ("doxepin", "*1/*1", "*2/*2", "optional", "avoid",
         "Avoid doxepin use. If doxepin is warranted, consider a 50% reduction of recommended "
         "starting dose. Utilize therapeutic drug monitoring to guide dose adjustments."),
        ("doxepin", "*1x2/*1", "*1/*2", "optional", "avoid",
         "Avoid doxepin use; If doxepin is warranted, utilize therapeutic drug monitoring to "
         "guide dose adjustment. Utilizing therapeutic drug monitoring to guide dose adjustments "
         "is strongly recommended."),
        ("imipramine", "*4/*4", "*1/*2", "optional", "avoid",
         "Avoid imipramine use. If a imipramine is warranted, consider a 50% reduction of "
         "recommended starting dose. Utilizing therapeutic drug monitoring to guide dose "
         "adjustments is strongly recommended."),
        ("imipramine", "*1/*4", "*1/*2", "optional", "reduce starting dose 25%",
         "Consider a 25% reduction of recommended starting dose. Utilizing therapeutic drug "
         "monitoring to guide dose adjustments is strongly recommended."),
        ("trimipramine", "*1x2/*1", "*1/*1", "optional", "avoid",
         "Avoid trimipramine use; If trimipramine is warranted, consider titrating to a higher "
         "target dose (compared to normal metabolizers). Utilize therapeutic drug monitoring to "
         "guide dose adjustment."),
        ("trimipramine", "*1/*1", "*1/*17", "optional", "choose alternative",
         "Consider alternative drug not metabolized by CYP2C19; If trimipramine is warranted, "
         "utilize therapeutic drug monitoring to guide dose adjustment."),
        ("trimipramine", "*1/*1", "*1/*1", "strong", "use label dose",
         "Initiate therapy with recommended starting dose."),
    ],
)  # fmt: skip
def test_tertiary_amine_rows_match_cpic_text(case: tuple[str, ...]) -> None:
    drug, d6, c19, strength, action, text = case
    rec = recommend(drug, {**_d6(d6), **_c19(c19)})
    assert (rec.strength, rec.action, rec.verified) == (strength, action, True)
    assert rec.recommendation == text
    assert "PMID 27997040" in rec.source and f"cpic/{drug}.json" in rec.source


@pytest.mark.parametrize("drug", TERTIARY_AMINES)
@pytest.mark.parametrize(
    "case",  # (CYP2D6 diplotype, activity score, strength, action, start of CPIC text)
    [
        # CYP2D6 activity-score boundaries with CYP2C19 normal (*1/*1): 0 | 0.25, 1.0 | 1.25,
        # 2.25 | 2.5 change the phenotype and so the CPIC row
        ("*4/*4", 0.0, "optional", "avoid", "Avoid {drug} use. If a {drug} is warranted"),
        ("*4/*10", 0.25, "optional", "reduce starting dose 25%", "Consider a 25% reduction"),
        ("*1/*4", 1.0, "optional", "reduce starting dose 25%", "Consider a 25% reduction"),
        ("*1/*10", 1.25, "strong", "use label dose", "Initiate therapy with recommended"),
        ("*1x2/*10", 2.25, "strong", "use label dose", "Initiate therapy with recommended"),
        ("*1x2/*17", 2.5, "optional", "avoid", "Avoid {drug} use; If {drug} is warranted, "
         "consider titrating to a higher target dose"),
    ],
)  # fmt: skip
def test_tertiary_amine_cyp2d6_score_boundaries(
    drug: str, case: tuple[str, float, str, str, str]
) -> None:
    d6, score, strength, action, starts = case
    rec = recommend(drug, {**_d6(d6), **_c19("*1/*1")})
    assert rec.genes["CYP2D6"].activity_score == score
    assert (rec.strength, rec.action, rec.verified) == (strength, action, True)
    assert rec.recommendation.startswith(starts.format(drug=drug)), rec.recommendation


@pytest.mark.parametrize("drug", TERTIARY_AMINES)
def test_tertiary_amines_have_their_own_checked_table(drug: str) -> None:
    assert recommendations()["drugs"][drug] == drug
    assert drug in known_drugs()
    rec = recommend(drug, {**_d6("*1/*1"), **_c19("*2/*2")})
    assert rec.verified and f"cpic/{drug}.json" in rec.source
    assert rec.recommendation.startswith(f"Avoid {drug} use. If {drug} is warranted")


@pytest.mark.parametrize("drug", TERTIARY_AMINES)
def test_tertiary_amine_with_cyp2d6_missing_uses_cpic_no_result_row(drug: str) -> None:
    rec = recommend(drug, _c19("*2/*2"))
    assert (rec.strength, rec.action, rec.verified) == ("optional", "avoid", True)
    assert rec.recommendation.startswith("Avoid tertiary amine use due to potential")
    assert rec.recommendation.endswith("No CYP2D6 result on file; CYP2D6 testing is informative.")
    normal = recommend(drug, _d6("*1/*1"))  # CYP2C19 missing: CPIC's NM x 'No Result' row
    assert (normal.strength, normal.action) == ("strong", "use label dose")


@pytest.mark.parametrize("drug", TERTIARY_AMINES)
def test_tertiary_amines_keep_cpic_strength_where_it_differs_from_amitriptyline(drug: str) -> None:
    # CYP2D6 PM x CYP2C19 NM: amitriptyline 'strong', the other tertiary amines 'optional'
    pm = {**_d6("*4/*4"), **_c19("*1/*1")}
    assert (recommend("amitriptyline", pm).strength, recommend(drug, pm).strength) == (
        "strong", "optional",
    )  # fmt: skip
    # "No recommendation" rows: CPIC classifies them 'No Recommendation' for amitriptyline but
    # 'strong' (NM x Indeterminate) or 'optional' (Indeterminate x IM) for these drugs
    for genes, strength in [({**_d6("*1/*1"), **_c19("*1/*12")}, "strong"),
                            ({**_d6("*1/*22"), **_c19("*1/*2")}, "optional")]:  # fmt: skip
        ami, rec = recommend("amitriptyline", genes), recommend(drug, genes)
        assert ami.strength == "no recommendation"
        assert (rec.strength, rec.action, rec.recommendation) == (
            strength, "no genotype-based action", "No recommendation",
        )  # fmt: skip
