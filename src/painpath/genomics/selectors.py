"""Read-side of pharmacogenomics for other capabilities (the prescribing check) and the panel.

``pgx_findings`` does NOT check access or write audit rows: the caller (e.g. the prescribing
check's service) has already read the patient under ``painpath.access`` and audits its own read.
Contract (stable): ``pgx_findings(patient_id, drug) -> list[PgxFinding]`` with ``drug`` a
catalogue id of ``painpath.clinical.medications`` (e.g. "codeine", "tramadol", "celecoxib").
An empty list means CPIC has no pharmacogenomic guidance here for that drug. Which advice is
actionable and how an uncertain call is worded is ``painpath.clinical.pgx``'s policy
(``pgx.advice``), shared with the safety rule; this module only reads the stored results.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from django.db.models import F
from django.utils.translation import gettext as _

from painpath.clinical import pgx
from painpath.clinical.pgx import NOT_VERIFIED, PgxFinding, first_and_more
from painpath.genomics.models import PgxResult

__all__ = [
    "NOT_VERIFIED",
    "PANEL_DRUGS",
    "PgxFinding",
    "current_results",
    "finding_for",
    "findings_for",
    "first_and_more",
    "pgx_findings",
    "phenotype_results",
    "uncertain_alternatives",
]

PANEL_DRUGS: tuple[str, ...] = pgx.known_drugs()


def current_results(patient_id: int) -> list[PgxResult]:
    """The latest result per gene (one query), in gene order.

    Latest means the most recent lab report date (a result without one counts as older than
    any dated result), then the most recently entered: an old report entered today must not
    replace a newer report entered earlier.
    """
    latest: dict[str, PgxResult] = {}
    rows = (
        PgxResult.objects.filter(patient_id=patient_id)
        .select_related("entered_by")
        .order_by("gene", F("report_date").desc(nulls_last=True), "-entered_at", "-id")
    )
    for row in rows:
        latest.setdefault(row.gene, row)
    return list(latest.values())


def phenotype_results(rows: Iterable[PgxResult]) -> dict[str, pgx.PhenotypeResult]:
    return {
        r.gene: pgx.PhenotypeResult(r.gene, r.diplotype, r.score_value, r.phenotype) for r in rows
    }


def uncertain_alternatives(rows: Iterable[PgxResult]) -> dict[str, tuple[str, ...]]:
    """Gene -> the alternative diplotypes of each uncertain stored call (VCF calls)."""
    return {r.gene: tuple(r.alternatives) for r in rows if r.uncertain}


def finding_for(
    drug: str,
    results: Mapping[str, pgx.PhenotypeResult],
    *,
    uncertain: Mapping[str, tuple[str, ...]],
) -> PgxFinding | None:
    """``pgx.finding_for``; the alternatives not spelt out point to the stored result."""
    return pgx.finding_for(
        drug, results, uncertain=uncertain, more=_("and %d more (see the result)")
    )


def findings_for(rows: Sequence[PgxResult], drugs: Iterable[str]) -> list[PgxFinding]:
    """The finding for each drug CPIC has data for, from the patient's current result rows."""
    results = phenotype_results(rows)
    uncertain = uncertain_alternatives(rows)
    return [f for d in drugs if (f := finding_for(d, results, uncertain=uncertain)) is not None]


def pgx_findings(patient_id: int, drug: str) -> list[PgxFinding]:
    """CPIC findings for prescribing ``drug`` to the patient (see the module docstring)."""
    return findings_for(current_results(patient_id), [drug])
