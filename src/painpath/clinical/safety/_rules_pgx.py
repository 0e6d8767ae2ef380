"""The pharmacogenomic rule: a current drug for which CPIC advises a change for this genotype.

The recommendation itself comes from :mod:`painpath.clinical.pgx` (CPIC data); this rule only
decides which recommendations are findings and words them with the genotype beside the advice.
"""

from __future__ import annotations

from collections.abc import Mapping

from painpath.clinical import pgx
from painpath.clinical.safety._alert import Alert, Evidence, make_alert
from painpath.clinical.safety._config import RuleSpec
from painpath.clinical.safety._context import RuleContext
from painpath.clinical.safety._rule import rule
from painpath.clinical.safety._snapshot import Genotype

__all__ = ["ADVICE_STRENGTHS", "NO_CHANGE_ACTIONS", "is_actionable"]

# A recommendation is a finding when CPIC gives advice of this strength ...
ADVICE_STRENGTHS = frozenset({"strong", "moderate", "optional"})
# ... and the advice changes the prescription.
NO_CHANGE_ACTIONS = frozenset({"use label dose", "no genotype-based action"})
_SHOWN_ALTERNATIVES = 5


def is_actionable(rec: pgx.Recommendation) -> bool:
    """A checked CPIC recommendation that changes what is prescribed."""
    return rec.verified and rec.strength in ADVICE_STRENGTHS and rec.action not in NO_CHANGE_ACTIONS


def _results(genotypes: tuple[Genotype, ...]) -> dict[str, pgx.PhenotypeResult]:
    return {
        g.gene: pgx.PhenotypeResult(g.gene, g.diplotype, g.activity_score, g.phenotype)
        for g in genotypes
    }


def _alternative(
    drug: str, gene: str, alternative: str, results: Mapping[str, pgx.PhenotypeResult]
) -> str:
    try:
        alt = pgx.phenotype(gene, alternative)
    except pgx.PgxError:
        return alternative
    rec = pgx.recommend(drug, {**results, gene: alt})
    return f"{alternative} ({alt.phenotype}: {rec.action})"


def _uncertainty(
    drug: str,
    rec: pgx.Recommendation,
    results: Mapping[str, pgx.PhenotypeResult],
    genotypes: tuple[Genotype, ...],
) -> str:
    notes = []
    for g in genotypes:
        if not g.uncertain or g.gene not in rec.genes:
            continue
        if not g.alternatives:
            notes.append(
                f"Uncertain call: {g.gene} {g.diplotype} has untested positions; no "
                "alternative the data allow changes the phenotype."
            )
            continue
        shown = [
            _alternative(drug, g.gene, a, results) for a in g.alternatives[:_SHOWN_ALTERNATIVES]
        ]
        more = len(g.alternatives) - len(shown)
        listed = ", ".join(shown) + (f" and {more} more" if more > 0 else "")
        notes.append(
            f"Uncertain call: {g.gene} {g.diplotype} ({g.phenotype}) is not certain; the data "
            f"also fit {listed}. Confirm before relying on this recommendation."
        )
    return "".join(f" {n}" for n in notes)


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
    known = set(pgx.known_drugs())
    findings = []
    for drug in sorted({r.medication.id for r in ctx.current} & known):
        rec = pgx.recommend(drug, results)
        if not is_actionable(rec):
            continue
        found: dict[str, object] = {
            "genes": {
                g: {
                    "diplotype": r.diplotype,
                    "phenotype": r.phenotype,
                    "activity_score": r.activity_score,
                }
                for g, r in rec.genes.items()
            },
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
                findings=_sentence(rec) + _uncertainty(drug, rec, results, genotypes),
            )
        )
    return findings
