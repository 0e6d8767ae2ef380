"""The pharmacogenomic rule: a current drug for which CPIC advises a change for this genotype.

The recommendation, whether it is actionable and the note on an uncertain call come from
:mod:`painpath.clinical.pgx` (CPIC data and ``pgx.advice``, shared with the chart's panel); this
rule words each finding with the genotype beside the advice.
"""

from __future__ import annotations

from painpath.clinical import pgx
from painpath.clinical.safety._alert import Alert, Evidence, make_alert
from painpath.clinical.safety._config import RuleSpec
from painpath.clinical.safety._context import RuleContext
from painpath.clinical.safety._rule import rule
from painpath.clinical.safety._snapshot import Genotype

__all__: list[str] = []


def _results(genotypes: tuple[Genotype, ...]) -> dict[str, pgx.PhenotypeResult]:
    return {
        g.gene: pgx.PhenotypeResult(g.gene, g.diplotype, g.activity_score, g.phenotype)
        for g in genotypes
    }


def _sentence(rec: pgx.Recommendation) -> str:
    """'codeine (CYP2D6 *4/*4, Poor Metabolizer; CPIC strong): Avoid ...': the genotype and the
    strength belong next to the advice, so the reader can judge it."""
    genes = ", ".join(
        f"{gene} {r.diplotype}, {r.phenotype}" for gene, r in sorted(rec.genes.items())
    )
    return f"{rec.drug} ({genes}; CPIC {rec.strength}): {rec.recommendation}"


@rule("pgx_conflict", needs=("genotypes",))
def pgx_conflict(ctx: RuleContext, spec: RuleSpec) -> list[Alert]:
    """One finding per current drug with an actionable CPIC recommendation."""
    genotypes = ctx.snapshot.genotypes
    results = _results(genotypes)
    uncertain = {g.gene: g.alternatives for g in genotypes if g.uncertain}
    known = set(pgx.known_drugs())
    findings = []
    for drug in sorted({r.medication.id for r in ctx.current} & known):
        rec = pgx.recommend(drug, results)
        if not pgx.is_actionable(rec):
            continue
        found: dict[str, object] = {
            "genes": pgx.gene_summary(rec),
            "strength": rec.strength,
            "action": rec.action,
        }
        evidence: Evidence = {"drug": drug, "findings": (found,)}
        findings.append(
            make_alert(
                spec,
                evidence,
                reference=pgx.drug_guideline(drug).label,
                sources=(rec.source,),
                subject=drug,
                findings=_sentence(rec) + pgx.uncertainty_note(rec, results, uncertain),
            )
        )
    return findings
