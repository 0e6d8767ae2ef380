"""Calls CYP2C9 and CYP2C19 diplotypes from a GRCh38 VCF using the CPIC allele definitions.

Each named allele is the set of bases it accepts at its defining positions (an IUPAC code, e.g.
CYP2C19*4's Y at 94761900, accepts every base it stands for). A haplotype matches an allele when
every tested defining position carries an accepted base and every non-reference base on the
haplotype is one the allele defines. Unphased heterozygous sites are tried in every phasing.
Absent positions are "not tested".

When several diplotypes fit, they are ranked as PharmCAT ranks them (``DiplotypeMatcher`` and
``NamedAllele.scoreForSample`` in PharmGKB/PharmCAT): a diplotype scores the number of defining
positions of its two alleles that the sample has data for (the most specific definitions win),
less one for each IUPAC position of an allele where its haplotype carries the reference base;
over the phasings that give the diplotype, the best score counts. Ties on that score are broken
by the fewest untested positions where an allele needs a non-reference base (painpath's
addition: PharmCAT reports such ties as equal), then by allele number. The best is the call.
Listed as alternatives: the diplotypes with the same score, every other diplotype that fits
without untested positions (another phasing of unphased genotypes), and those that need
untested positions when their phenotype differs. The call is uncertain whenever anything else
fits or a needed position is untested.
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
    accepted: Mapping[int, frozenset[str]]  # variant index -> bases the allele accepts there
    alt_positions: frozenset[int]  # indices where the allele requires a non-reference base
    wobbles: frozenset[int]  # indices defined by an IUPAC code (more than one base accepted)


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
        accepted = {i: _accepted(b) for i, b in enumerate(named["alleles"]) if b is not None}
        alts = frozenset(i for i, acc in accepted.items() if refs[i] not in acc)
        wobbles = frozenset(i for i, acc in accepted.items() if len(acc) > 1)
        alleles.append(_Allele(named["name"], accepted, alts, wobbles))
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


def _match(hap: Sequence[str | None], nonref: Sequence[int], allele: _Allele) -> int | None:
    """Untested positions where the allele needs a non-reference base; None if incompatible."""
    if any(i not in allele.accepted for i in nonref):
        return None  # a non-reference base the allele does not define
    untested = 0
    for i, accepted in allele.accepted.items():
        base = hap[i]
        if base is None:
            untested += i in allele.alt_positions
        elif base not in accepted:
            return None
    return untested


def _compatible(gene: _Gene, hap: Sequence[str | None]) -> dict[str, int]:
    """Every allele compatible with the haplotype -> its untested defining alt positions."""
    nonref = [i for i, b in enumerate(hap) if b is not None and b != gene.refs[i]]
    return {a.name: m for a in gene.alleles if (m := _match(hap, nonref, a)) is not None}


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


def _phenotype_key(gene_name: str, diplotype: str) -> tuple[str, float | str | None]:
    try:
        result = phenotype(gene_name, diplotype)
    except UnknownAlleleError:  # defined allele without a CPIC function assignment
        return INDETERMINATE, None
    return result.phenotype, result.activity_score


@dataclass(frozen=True, slots=True, order=True)
class _Fit:
    """How well one diplotype explains the sample; greater is better."""

    score: int  # PharmCAT's score: tested defining positions of both alleles, less wobbles at ref
    supported: int  # minus the untested positions where an allele needs a non-reference base


def _score(gene: _Gene, allele: _Allele, haps: Sequence[Sequence[str | None]]) -> int:
    """PharmCAT's score of one allele: its defining positions with data, less one per IUPAC
    position where every haplotype it explains carries the reference base."""
    tested = [i for i in allele.accepted if haps[0][i] is not None]
    at_ref = sum(
        1 for i in tested if i in allele.wobbles and all(h[i] == gene.refs[i] for h in haps)
    )
    return len(tested) - at_ref


def _candidates(gene: _Gene, gts: Sequence[Genotype | None]) -> dict[str, _Fit]:
    """Compatible diplotype -> its best fit over every phasing."""
    out: dict[str, _Fit] = {}
    by_name = {a.name: a for a in gene.alleles}
    # No haplotype cache: the first unphased het is never flipped, so no two phasings share a
    # haplotype (a cache would only save h2 == h1 of a sample without unphased hets).
    for h1, h2 in _phasings(gts):
        c1, c2 = _compatible(gene, h1), _compatible(gene, h2)
        for (a, ua), (b, ub) in itertools.product(c1.items(), c2.items()):
            if a == b:  # the same allele on both chromosomes: each scores its own haplotype
                score = _score(gene, by_name[a], [h1]) + _score(gene, by_name[b], [h2])
            else:  # as PharmCAT: an allele that fits both haplotypes is scored on both
                score = _score(gene, by_name[a], [h for h, c in ((h1, c1), (h2, c2)) if a in c])
                score += _score(gene, by_name[b], [h for h, c in ((h1, c1), (h2, c2)) if b in c])
            fit = _Fit(score, -(ua + ub))
            key = "/".join(sorted((a, b), key=allele_sort_key))
            if key not in out or fit > out[key]:
                out[key] = fit
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
    candidates = _candidates(gene, gts) if n_unphased <= _MAX_UNPHASED_HETS else {}
    if not candidates:
        return GeneCall(gene_name, None, (), INDETERMINATE, None, missing, True)
    ranked = sorted(candidates, key=lambda d: (-candidates[d].score, -candidates[d].supported,
                                               diplotype_sort_key(d)))  # fmt: skip
    best = ranked[0]
    top = candidates[best]
    pheno, score = _phenotype_key(gene_name, best)
    # listed: equal scores; every other full fit (another phasing of the same genotypes); and
    # fits that need untested positions when their phenotype differs (there can be many)
    alternatives = tuple(
        d for d in ranked[1:]
        if candidates[d].score == top.score
        or candidates[d].supported == 0
        or _phenotype_key(gene_name, d) != (pheno, score)
    )  # fmt: skip
    # uncertain whenever the data allow another diplotype, even one with the same phenotype
    uncertain = len(candidates) > 1 or top.supported < 0
    return GeneCall(gene_name, best, alternatives, pheno, score, missing, uncertain)


def outside_call(gene: str, diplotype: str) -> GeneCall:
    """A lab's diplotype (e.g. CYP2D6 '*2x2/*41'), interpreted but not called here."""
    result = phenotype(gene, diplotype)
    return GeneCall(result.gene, result.diplotype, (), result.phenotype, result.activity_score)


def call_vcf(path: Path, sample: str | None = None) -> dict[str, dict[str, GeneCall]]:
    """Calls CYP2C9 and CYP2C19 for every sample (or ``sample``) in a GRCh38 VCF."""
    data = read_genotypes(path, wanted_positions(), sample)
    return {s: {g: call_sample(g, data.calls[s]) for g in CALLABLE_GENES} for s in data.samples}
