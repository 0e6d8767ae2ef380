"""Diplotype -> activity score -> CPIC phenotype (CYP2D6, CYP2C9) and function pair (CYP2C19)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from painpath.clinical.pgx._data import allele_functions, cyp2c19_function_pairs, phenotype_rules
from painpath.clinical.pgx._errors import (
    DiplotypeFormatError,
    PhenotypeRuleError,
    UnknownAlleleError,
    UnknownGeneError,
)

__all__ = [
    "INDETERMINATE",
    "PHENOTYPE_GENES",
    "ActivityScore",
    "PhenotypeResult",
    "allele_sort_key",
    "diplotype_sort_key",
    "format_activity_score",
    "normalise_gene",
    "parse_diplotype",
    "phenotype",
]

INDETERMINATE = "Indeterminate"
PHENOTYPE_GENES = ("CYP2C19", "CYP2C9", "CYP2D6")
# ASCII spellings accepted for the CPIC '≥' in duplication names (e.g. '*2x>=3' == '*2x≥3').
_ASCII_AT_LEAST = ("x>=", "x≥")
_ALLELE_SORT = re.compile(r"^\*(\d+)(.*)$")


@dataclass(frozen=True, slots=True)
class ActivityScore:
    """A CPIC activity score in quarter units; ``at_least`` when CPIC gives '≥'."""

    quarters: int
    at_least: bool = False

    def __add__(self, other: ActivityScore) -> ActivityScore:
        return ActivityScore(self.quarters + other.quarters, self.at_least or other.at_least)

    @property
    def value(self) -> float:
        return self.quarters / 4


@dataclass(frozen=True, slots=True)
class PhenotypeResult:
    """One gene's interpreted result: the CLI/API shape of ``pgx phenotype``."""

    gene: str
    diplotype: str
    activity_score: float | str | None
    phenotype: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "gene": self.gene,
            "diplotype": self.diplotype,
            "activity_score": self.activity_score,
            "phenotype": self.phenotype,
        }


def normalise_gene(gene: str) -> str:
    """Upper-cases and checks a gene symbol; raises UnknownGeneError otherwise."""
    name = gene.strip().upper()
    if name not in PHENOTYPE_GENES:
        raise UnknownGeneError(
            f"gene '{gene}': not interpreted here (genes: {', '.join(PHENOTYPE_GENES)})"
        )
    return name


def _parse_value(text: str) -> ActivityScore:
    at_least = text.startswith("≥")
    number = float(text.lstrip("≥"))
    return ActivityScore(round(number * 4), at_least)


def format_activity_score(score: ActivityScore) -> float | str:
    """A number, or a string such as '≥4.0' when CPIC's value is a lower bound."""
    if not score.at_least:
        return score.value
    text = f"{score.value:.2f}".rstrip("0")
    return "≥" + (text + "0" if text.endswith(".") else text)


def allele_sort_key(allele: str) -> tuple[int, str]:
    """Orders CPIC allele names by number (*2 before *10), then suffix."""
    match = _ALLELE_SORT.match(allele)
    return (int(match.group(1)), match.group(2)) if match else (10**9, allele)


def diplotype_sort_key(diplotype: str) -> tuple[tuple[int, str], ...]:
    """Orders 'A/B' diplotypes by CPIC allele number (*2 before *10)."""
    return tuple(allele_sort_key(a) for a in diplotype.split("/"))


@cache
def _gene_alleles(gene: str) -> dict[str, dict[str, Any]]:
    alleles: dict[str, dict[str, Any]] = allele_functions()["genes"][gene]["alleles"]
    return alleles


def parse_diplotype(gene: str, diplotype: str) -> tuple[str, str]:
    """Two known allele names in canonical order (either input order gives the same pair)."""
    gene = normalise_gene(gene)
    parts = diplotype.strip().split("/")
    if len(parts) != 2 or not all(p.strip() for p in parts):
        raise DiplotypeFormatError(
            f"diplotype '{diplotype}': must be two alleles separated by '/', e.g. '*1/*4'"
        )
    known = _gene_alleles(gene)
    names: list[str] = []
    for part in parts:
        name = part.strip().replace(*_ASCII_AT_LEAST)
        if name not in known:
            raise UnknownAlleleError(
                f"{gene} allele '{part.strip()}' in '{diplotype}': not in the CPIC allele "
                "table; no phenotype is guessed"
            )
        names.append(name)
    first, second = sorted(names, key=allele_sort_key)
    return first, second


@cache
def _pair_table() -> dict[frozenset[str], str]:
    return {
        frozenset(row["functions"]): row["phenotype"] for row in cyp2c19_function_pairs()["pairs"]
    }


def _score_phenotype(gene: str, score: ActivityScore) -> str:
    rules = phenotype_rules()["genes"][gene]
    if score.at_least:
        at_least: str | None = rules.get("at_least_phenotype")
        if at_least is None:
            raise PhenotypeRuleError(f"{gene}: no CPIC rule for a '≥' activity score")
        return at_least
    for rule in rules["ranges"]:
        if rule["min"] <= score.value <= rule["max"]:
            return str(rule["phenotype"])
    raise PhenotypeRuleError(f"{gene}: activity score {score.value} matches no CPIC rule")


def phenotype(gene: str, diplotype: str) -> PhenotypeResult:
    """CPIC phenotype of a diplotype such as ``phenotype('CYP2D6', '*1/*4')``."""
    gene = normalise_gene(gene)
    first, second = parse_diplotype(gene, diplotype)
    canonical = f"{first}/{second}"
    info = [_gene_alleles(gene)[first], _gene_alleles(gene)[second]]
    method = phenotype_rules()["genes"][gene]["method"]
    if method == "function_pair":
        functions = [str(i["function"]) for i in info]
        pheno = _pair_table().get(frozenset(functions))
        if pheno is None:
            raise PhenotypeRuleError(
                f"{gene} {canonical}: no CPIC rule for functions {functions[0]} + {functions[1]}"
            )
        return PhenotypeResult(gene, canonical, None, pheno)
    values = [i["activity_value"] for i in info]
    if any(v is None for v in values):
        return PhenotypeResult(gene, canonical, None, INDETERMINATE)
    score = _parse_value(values[0]) + _parse_value(values[1])
    return PhenotypeResult(
        gene, canonical, format_activity_score(score), _score_phenotype(gene, score)
    )
