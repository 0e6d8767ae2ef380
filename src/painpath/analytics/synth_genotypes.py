"""SYNTHETIC pharmacogenomic results for the demo cohort, deterministic by seed.

What it generates: for some synthetic patients, lab-style diplotypes for CYP2D6 (as an outside
call), CYP2C9 and CYP2C19, each with a made-up lab name and report date. Nothing here describes
a real person, and every row is stored with ``synthetic=True``.

NOT population frequencies. Realistic demo genotypes would be drawn from published population
allele/diplotype frequencies (e.g. CPIC frequency tables). No such table could be verified from
the sources available to this project when this was written, and painpath never invents a
clinical fact, so this module uses a clearly labelled FIXED ASSIGNMENT instead: a short list of
demonstration diplotype sets (``DEMO_PROFILES``), chosen so the demo shows normal, actionable
(CYP2D6 poor and ultrarapid metabolizers, CYP2C9 *3/*3 and *1/*3) and Indeterminate-free
results. A seeded shuffle decides which patient gets which profile; about a third of the
patients get no result, so the panel also shows "testing is informative". The share of each
phenotype in the demo is therefore an illustration, NOT an epidemiological estimate.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

__all__ = ["DEMO_PROFILES", "SynthGenotype", "assign_genotypes"]

FREQUENCY_SOURCE = "none verified: fixed demonstration assignment (see module docstring)"

# Each profile: ((gene, diplotype), ...). Diplotypes use CPIC allele names only.
DEMO_PROFILES: tuple[tuple[tuple[str, str], ...], ...] = (
    (("CYP2D6", "*4/*4"), ("CYP2C9", "*1/*1"), ("CYP2C19", "*1/*1")),  # CYP2D6 poor
    (("CYP2D6", "*1/*1x2"), ("CYP2C9", "*1/*2"), ("CYP2C19", "*1/*17")),  # CYP2D6 ultrarapid
    (("CYP2D6", "*1/*1"), ("CYP2C9", "*3/*3"), ("CYP2C19", "*1/*2")),  # CYP2C9 poor
    (("CYP2D6", "*1/*4"), ("CYP2C9", "*1/*3"), ("CYP2C19", "*2/*2")),  # CYP2C9 AS 1.0
    (("CYP2D6", "*1/*2"), ("CYP2C9", "*1/*1"), ("CYP2C19", "*1/*1")),  # normal
    (("CYP2D6", "*1/*41"), ("CYP2C9", "*1/*1"), ("CYP2C19", "*17/*17")),
)
_LABS = ("Synthetic Reference Lab", "Demo Genomics Lab (synthetic)")


@dataclass(frozen=True)
class SynthGenotype:
    mrn: str
    gene: str
    diplotype: str
    lab_name: str
    report_date: date
    outside_call: bool  # CYP2D6 is always a lab's call (not callable from SNVs here)


def assign_genotypes(mrns: list[str], *, seed: int, as_of: date) -> list[SynthGenotype]:
    """Genotypes for about two thirds of ``mrns`` (sorted for determinism)."""
    rng = random.Random(seed * 7919 + 5)  # noqa: S311 - synthetic demo data, not security
    ordered = sorted(mrns)
    rng.shuffle(ordered)
    chosen = ordered[: max(len(DEMO_PROFILES), (2 * len(ordered)) // 3)]
    out: list[SynthGenotype] = []
    for i, mrn in enumerate(chosen):
        profile = DEMO_PROFILES[i % len(DEMO_PROFILES)]
        lab = _LABS[i % len(_LABS)]
        reported = as_of - timedelta(days=rng.randint(14, 400))
        out.extend(
            SynthGenotype(mrn, gene, dip, lab, reported, gene == "CYP2D6") for gene, dip in profile
        )
    return out
