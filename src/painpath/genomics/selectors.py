"""Read-side of pharmacogenomics for other capabilities (the prescribing check) and the panel.

``pgx_findings`` does NOT check access or write audit rows: the caller (e.g. the prescribing
check's service) has already read the patient under ``painpath.access`` and audits its own read.
Contract (stable): ``pgx_findings(patient_id, drug) -> list[PgxFinding]`` with ``drug`` a
catalogue id of ``painpath.clinical.medications`` (e.g. "codeine", "tramadol", "celecoxib").
An empty list means CPIC has no pharmacogenomic guidance here for that drug.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from painpath.clinical import pgx
from painpath.genomics.models import PgxResult

__all__ = [
    "NOT_VERIFIED",
    "PANEL_DRUGS",
    "PgxFinding",
    "current_results",
    "finding_for",
    "pgx_findings",
    "phenotype_results",
]

NOT_VERIFIED = "not verified — consult the CPIC guideline"
# Actions that leave the prescription as it is (everything else changes it).
_NO_CHANGE_ACTIONS = frozenset({"use label dose", "no genotype-based action"})
_ADVICE_STRENGTHS = frozenset({"strong", "moderate", "optional"})
PANEL_DRUGS: tuple[str, ...] = pgx.known_drugs()


@dataclass(frozen=True)
class PgxFinding:
    """What CPIC says for one drug given the patient's stored results."""

    drug: str
    genes: dict[str, dict[str, object]]  # gene -> {"diplotype", "phenotype", "activity_score"}
    strength: str
    action: str
    recommendation: str
    source: str
    actionable: bool


def current_results(patient_id: int) -> list[PgxResult]:
    """The latest stored result per gene (one query), in gene order."""
    latest: dict[str, PgxResult] = {}
    rows = (
        PgxResult.objects.filter(patient_id=patient_id)
        .select_related("entered_by")
        .order_by("gene", "-entered_at", "-id")
    )
    for row in rows:
        latest.setdefault(row.gene, row)
    return list(latest.values())


def phenotype_results(rows: Iterable[PgxResult]) -> dict[str, pgx.PhenotypeResult]:
    return {
        r.gene: pgx.PhenotypeResult(r.gene, r.diplotype, r.score_value, r.phenotype) for r in rows
    }


def finding_for(drug: str, results: Mapping[str, pgx.PhenotypeResult]) -> PgxFinding | None:
    """The finding for ``drug``; None when CPIC has no pharmacogenomic data for it here."""
    name = drug.strip().lower()
    if name not in PANEL_DRUGS:
        return None
    rec = pgx.recommend(name, results)
    genes: dict[str, dict[str, object]] = {
        g: {"diplotype": r.diplotype, "phenotype": r.phenotype, "activity_score": r.activity_score}
        for g, r in rec.genes.items()
    }
    if not rec.verified:
        missing = "".join(
            sentence + "."
            for sentence in rec.recommendation.split(".")
            if "testing is informative" in sentence
        )
        return PgxFinding(
            name, genes, "unverified", NOT_VERIFIED,
            f"{NOT_VERIFIED[0].upper()}{NOT_VERIFIED[1:]}.{missing}", rec.source, False,
        )  # fmt: skip
    actionable = rec.strength in _ADVICE_STRENGTHS and rec.action not in _NO_CHANGE_ACTIONS
    return PgxFinding(
        name, genes, rec.strength, rec.action, rec.recommendation, rec.source, actionable
    )


def pgx_findings(patient_id: int, drug: str) -> list[PgxFinding]:
    """CPIC findings for prescribing ``drug`` to the patient (see the module docstring)."""
    finding = finding_for(drug, phenotype_results(current_results(patient_id)))
    return [] if finding is None else [finding]
