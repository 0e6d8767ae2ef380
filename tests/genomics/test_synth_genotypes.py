"""The SYNTHETIC genotype assignment: deterministic, CPIC-valid, some actionable."""

from __future__ import annotations

from datetime import date

from painpath.analytics.synth_genotypes import DEMO_PROFILES, assign_genotypes
from painpath.clinical import pgx


def test_deterministic_and_valid():
    mrns = [f"SYN-{i:04d}" for i in range(60)]
    a = assign_genotypes(mrns, seed=7, as_of=date(2026, 1, 1))
    assert a == assign_genotypes(mrns, seed=7, as_of=date(2026, 1, 1))
    phenos = {(g.gene, pgx.phenotype(g.gene, g.diplotype).phenotype) for g in a}
    assert ("CYP2D6", "Poor Metabolizer") in phenos
    assert ("CYP2D6", "Ultrarapid Metabolizer") in phenos
    assert ("CYP2C9", "Poor Metabolizer") in phenos
    assert 20 <= len({g.mrn for g in a}) < 60  # some patients have no result
    assert all(g.gene != "CYP2D6" or g.outside_call for g in a)
    assert len(DEMO_PROFILES) >= 4
