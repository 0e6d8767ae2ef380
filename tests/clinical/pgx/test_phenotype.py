"""CPIC phenotype rules: every boundary, duplications, Indeterminate, order, bad input."""

from __future__ import annotations

import pytest

from painpath.clinical.pgx import (
    DiplotypeFormatError,
    PgxError,
    UnknownAlleleError,
    UnknownGeneError,
    phenotype,
)

IM, NM, PM, UM = (
    "Intermediate Metabolizer",
    "Normal Metabolizer",
    "Poor Metabolizer",
    "Ultrarapid Metabolizer",
)


@pytest.mark.parametrize(
    ("diplotype", "score", "expected"),
    [
        ("*4/*4", 0.0, PM),  # 0 = Poor
        ("*4/*10", 0.25, IM),  # lowest Intermediate
        ("*10/*10", 0.5, IM),
        ("*4/*1", 1.0, IM),  # highest Intermediate
        ("*1/*10", 1.25, NM),  # lowest Normal
        ("*1/*1", 2.0, NM),
        ("*1/*9x2", 1.5, NM),
        ("*17x2/*9x2", 1.5, NM),
        ("*1x2/*10", 2.25, NM),  # highest Normal
        ("*1x2/*17", 2.5, UM),  # lowest Ultrarapid (> 2.25)
        ("*1x2/*1", 3.0, UM),
        ("*4x2/*4", 0.0, PM),  # duplicated no-function allele stays 0
        ("*41x3/*4", 0.75, IM),
    ],
)
def test_cyp2d6_activity_score_boundaries(diplotype: str, score: float, expected: str) -> None:
    result = phenotype("CYP2D6", diplotype)
    assert result.activity_score == score
    assert result.phenotype == expected


@pytest.mark.parametrize(
    ("diplotype", "score"),
    [("*2x≥3/*4", "≥3.0"), ("*1/*2x≥3", "≥4.0"), ("*1x≥3/*2x≥3", "≥6.0"), ("*2x>=3/*4", "≥3.0")],
)
def test_cyp2d6_at_least_duplications_are_ultrarapid(diplotype: str, score: str) -> None:
    result = phenotype("CYP2D6", diplotype)
    assert result.activity_score == score
    assert result.phenotype == UM


def test_ascii_at_least_maps_to_cpic_name() -> None:
    assert phenotype("CYP2D6", "*2x>=3/*4").diplotype == "*2x≥3/*4"


@pytest.mark.parametrize(
    ("diplotype", "score", "expected"),
    [
        ("*3/*3", 0.0, PM),
        ("*2/*3", 0.5, PM),  # highest Poor
        ("*2/*2", 1.0, IM),  # lowest Intermediate
        ("*1/*3", 1.0, IM),
        ("*1/*2", 1.5, IM),  # highest Intermediate
        ("*1/*1", 2.0, NM),
        ("*1/*9", 2.0, NM),
    ],
)
def test_cyp2c9_activity_score_boundaries(diplotype: str, score: float, expected: str) -> None:
    result = phenotype("CYP2C9", diplotype)
    assert result.activity_score == score
    assert result.phenotype == expected


@pytest.mark.parametrize(
    ("diplotype", "expected"),
    [
        ("*1/*1", NM),
        ("*1/*17", "Rapid Metabolizer"),
        ("*17/*17", UM),
        ("*1/*2", IM),
        ("*2/*17", IM),
        ("*2/*2", PM),
        ("*2/*3", PM),
        ("*1/*9", "Likely Intermediate Metabolizer"),
        ("*9/*9", "Likely Intermediate Metabolizer"),
        ("*9/*17", "Likely Intermediate Metabolizer"),
        ("*2/*9", "Likely Poor Metabolizer"),
        ("*1/*12", "Indeterminate"),
        ("*2/*12", "Indeterminate"),
        ("*12/*12", "Indeterminate"),
    ],
)
def test_cyp2c19_function_pairs(diplotype: str, expected: str) -> None:
    result = phenotype("CYP2C19", diplotype)
    assert result.phenotype == expected
    assert result.activity_score is None


@pytest.mark.parametrize(
    ("gene", "diplotype"), [("CYP2D6", "*1/*22"), ("CYP2D6", "*43x2/*1"), ("CYP2C9", "*1/*7")]
)
def test_allele_without_value_is_indeterminate(gene: str, diplotype: str) -> None:
    result = phenotype(gene, diplotype)
    assert result.phenotype == "Indeterminate"
    assert result.activity_score is None


@pytest.mark.parametrize(
    ("gene", "a", "b"),
    [("CYP2D6", "*1", "*4"), ("CYP2D6", "*2x≥3", "*10"), ("CYP2C9", "*3", "*2"),
     ("CYP2C19", "*17", "*2")],
)  # fmt: skip
def test_either_order_gives_same_result(gene: str, a: str, b: str) -> None:
    assert phenotype(gene, f"{a}/{b}") == phenotype(gene, f" {b} / {a} ")


def test_gene_name_is_case_insensitive() -> None:
    assert phenotype("cyp2d6", "*1/*1").gene == "CYP2D6"


@pytest.mark.parametrize(
    ("gene", "diplotype", "error", "message"),
    [
        ("CYP2D6", "*1/*999", UnknownAlleleError, "CYP2D6 allele '*999'"),
        ("CYP2D6", "*9x3/*1", UnknownAlleleError, "allele '*9x3'"),
        ("CYP2C9", "*1x2/*1", UnknownAlleleError, "CYP2C9 allele '*1x2'"),
        ("CYP2D6", "*1", DiplotypeFormatError, "two alleles separated by '/'"),
        ("CYP2D6", "*1/*2/*3", DiplotypeFormatError, "two alleles"),
        ("CYP2D6", "*1/", DiplotypeFormatError, "two alleles"),
        ("OPRM1", "*1/*1", UnknownGeneError, "gene 'OPRM1'"),
    ],
)
def test_bad_input_names_the_item(
    gene: str, diplotype: str, error: type[PgxError], message: str
) -> None:
    with pytest.raises(error, match=message.replace("*", r"\*")):
        phenotype(gene, diplotype)


def test_errors_are_value_errors() -> None:
    with pytest.raises(ValueError, match="not in the CPIC allele table"):
        phenotype("CYP2D6", "*1/*999")


def test_to_dict_shape() -> None:
    assert phenotype("CYP2C19", "*2/*1").to_dict() == {
        "gene": "CYP2C19",
        "diplotype": "*1/*2",
        "activity_score": None,
        "phenotype": IM,
    }
