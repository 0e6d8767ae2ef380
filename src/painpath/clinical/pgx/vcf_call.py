"""Calls CYP2C9 and CYP2C19 diplotypes from a GRCh38 VCF using the CPIC allele definitions.

Each named allele is the set of bases it defines; a haplotype matches an allele when every
tested defining position agrees and every non-reference base on the haplotype is one the allele
defines. Unphased heterozygous sites are tried in every phasing; the diplotypes that explain
the most non-reference bases with defined alleles win (ties are alternatives). Absent
positions are "not tested"; a call is uncertain when an allele defined at an untested position
was compatible, or when several diplotypes tie.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from painpath.clinical.pgx._data import allele_definitions
from painpath.clinical.pgx._errors import UnknownAlleleError
from painpath.clinical.pgx._vcf_io import Genotype, read_genotypes
from painpath.clinical.pgx.phenotype import (
    INDETERMINATE,
    allele_sort_key,
    diplotype_sort_key,
    phenotype,
)

__all__ = [
    "CALLABLE_GENES",
    "NOT_TESTED",
    "GeneCall",
    "call_sample",
    "call_vcf",
    "outside_call",
    "wanted_positions",
]

CALLABLE_GENES = ("CYP2C9", "CYP2C19")
NOT_TESTED = "Not tested"  # no defining position of the gene present in the VCF
_MAX_UNPHASED_HETS = 10
_IUPAC = {
    "A": "A", "C": "C", "G": "G", "T": "T", "R": "AG", "Y": "CT", "S": "CG", "W": "AT",
    "K": "GT", "M": "AC", "B": "CGT", "D": "AGT", "H": "ACT", "V": "ACG", "N": "ACGT",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class GeneCall:
    """One gene's call for one sample: the CLI/API shape of ``pgx call``."""

    gene: str
    diplotype: str | None
    alternatives: tuple[str, ...]
    phenotype: str
    activity_score: float | str | None
    missing_positions: tuple[str, ...] = field(default=())
    uncertain: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "diplotype": self.diplotype,
            "alternatives": list(self.alternatives),
            "phenotype": self.phenotype,
            "activity_score": self.activity_score,
            "missing_positions": list(self.missing_positions),
            "uncertain": self.uncertain,
        }


@dataclass(frozen=True, slots=True)
class _Allele:
    name: str
    defined: tuple[tuple[int, frozenset[str]], ...]  # (variant index, accepted bases)
    alt_positions: frozenset[int]  # indices where the allele requires a non-reference base


@dataclass(frozen=True, slots=True)
class _Gene:
    chromosome: str
    positions: tuple[int, ...]
    refs: tuple[str, ...]
    alleles: tuple[_Allele, ...]


def _accepted(base: str) -> frozenset[str]:
    if len(base) == 1 and base.upper() in _IUPAC:
        return frozenset(_IUPAC[base.upper()])
    return frozenset({base})


@cache
def _gene(gene: str) -> _Gene:
    raw = allele_definitions()["genes"][gene]
    refs = tuple(v["ref"] for v in raw["variants"])
    alleles = []
    for named in raw["named_alleles"]:
        defined = tuple((i, _accepted(b)) for i, b in enumerate(named["alleles"]) if b is not None)
        alts = frozenset(i for i, acc in defined if refs[i] not in acc)
        alleles.append(_Allele(named["name"], defined, alts))
    return _Gene(
        raw["chromosome"], tuple(v["position"] for v in raw["variants"]), refs, tuple(alleles)
    )


def wanted_positions() -> dict[tuple[str, int], str]:
    """Every defining position of the callable genes -> its GRCh38 reference bases."""
    out: dict[tuple[str, int], str] = {}
    for name in CALLABLE_GENES:
        g = _gene(name)
        for pos, ref in zip(g.positions, g.refs, strict=True):
            out[(g.chromosome, pos)] = ref
    return out


def _match(gene: _Gene, hap: Sequence[str | None], allele: _Allele) -> tuple[int, int] | None:
    """(non-reference bases explained, untested defining alt positions) or None."""
    score = untested = 0
    for i, accepted in allele.defined:
        base = hap[i]
        if base is None:
            untested += i in allele.alt_positions
        elif base not in accepted:
            return None
        elif base != gene.refs[i]:
            score += 1
    for i, base in enumerate(hap):
        if base is not None and base != gene.refs[i] and i not in allele.alt_positions:
            return None
    return score, untested


def _best(gene: _Gene, hap: Sequence[str | None]) -> tuple[int, list[str], bool]:
    """Best score, the alleles reaching it, and whether any compatible allele was untested."""
    found = [(m, a.name) for a in gene.alleles if (m := _match(gene, hap, a)) is not None]
    if not found:
        return -1, [], False
    top = max((score, -untested) for (score, untested), _ in found)
    best = [name for (score, untested), name in found if (score, -untested) == top]
    return top[0], best, any(untested > 0 for (_, untested), _ in found)


def _phasings(
    gts: Sequence[Genotype | None],
) -> list[tuple[list[str | None], list[str | None]]]:
    flips = [i for i, g in enumerate(gts) if g and not g.phased and g.alleles[0] != g.alleles[1]]
    out = []
    for mask in itertools.product((False, True), repeat=max(len(flips) - 1, 0)):
        flipped = set(itertools.compress(flips[1:], mask))
        h1: list[str | None] = []
        h2: list[str | None] = []
        for i, g in enumerate(gts):
            if g is None:
                h1.append(None)
                h2.append(None)
            else:
                a, b = g.alleles[::-1] if i in flipped else g.alleles
                h1.append(a)
                h2.append(b)
        out.append((h1, h2))
    return out


def call_sample(gene_name: str, genotypes: Mapping[tuple[str, int], Genotype]) -> GeneCall:
    """Calls one gene for one sample from its genotypes keyed by (chrom, position)."""
    gene = _gene(gene_name)
    gts = [genotypes.get((gene.chromosome, p)) for p in gene.positions]
    missing = tuple(f"{gene.chromosome}:{p}" for p, g in zip(gene.positions, gts, strict=True)
                    if g is None)  # fmt: skip
    if all(g is None for g in gts):
        return GeneCall(gene_name, None, (), NOT_TESTED, None, missing, True)
    n_unphased = sum(1 for g in gts if g and not g.phased and g.alleles[0] != g.alleles[1])
    best_total, uncertain = -1, False
    combos: set[str] = set()
    if n_unphased <= _MAX_UNPHASED_HETS:
        for h1, h2 in _phasings(gts):
            s1, a1, u1 = _best(gene, h1)
            s2, a2, u2 = _best(gene, h2)
            if not a1 or not a2 or s1 + s2 < best_total:
                continue
            if s1 + s2 > best_total:
                best_total, combos, uncertain = s1 + s2, set(), False  # better phasing
            uncertain = uncertain or u1 or u2
            combos |= {"/".join(sorted((x, y), key=allele_sort_key)) for x in a1 for y in a2}
    if not combos:
        return GeneCall(gene_name, None, (), INDETERMINATE, None, missing, True)
    ordered = sorted(combos, key=diplotype_sort_key)
    try:
        result = phenotype(gene_name, ordered[0])
        pheno, score = result.phenotype, result.activity_score
    except UnknownAlleleError:  # defined allele without a CPIC function assignment
        pheno, score = INDETERMINATE, None
    return GeneCall(
        gene_name,
        ordered[0],
        tuple(ordered[1:]),
        pheno,
        score,
        missing,
        uncertain or len(ordered) > 1,
    )


def outside_call(gene: str, diplotype: str) -> GeneCall:
    """A lab's diplotype (e.g. CYP2D6 '*2x2/*41'), interpreted but not called here."""
    result = phenotype(gene, diplotype)
    return GeneCall(result.gene, result.diplotype, (), result.phenotype, result.activity_score)


def call_vcf(path: Path, sample: str | None = None) -> dict[str, dict[str, GeneCall]]:
    """Calls CYP2C9 and CYP2C19 for every sample (or ``sample``) in a GRCh38 VCF."""
    data = read_genotypes(path, wanted_positions(), sample)
    return {s: {g: call_sample(g, data.calls[s]) for g in CALLABLE_GENES} for s in data.samples}
