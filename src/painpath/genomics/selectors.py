"""Read-side of pharmacogenomics for other capabilities (the prescribing check) and the panel.

``pgx_findings`` does NOT check access or write audit rows: the caller (e.g. the prescribing
check's service) has already read the patient under ``painpath.access`` and audits its own read.
Contract (stable): ``pgx_findings(patient_id, drug) -> list[PgxFinding]`` with ``drug`` a
catalogue id of ``painpath.clinical.medications`` (e.g. "codeine", "tramadol", "celecoxib").
An empty list means CPIC has no pharmacogenomic guidance here for that drug.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

from django.db.models import F
from django.utils.translation import gettext as _

from painpath.clinical import pgx
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

NOT_VERIFIED = "not verified — consult the CPIC guideline"
# Actions that leave the prescription as it is (everything else changes it).
_NO_CHANGE_ACTIONS = frozenset({"use label dose", "no genotype-based action"})
_ADVICE_STRENGTHS = frozenset({"strong", "moderate", "optional"})
_SHOWN_ALTERNATIVES = 5  # in finding text; the result row lists every alternative
PANEL_DRUGS: tuple[str, ...] = pgx.known_drugs()
_T = TypeVar("_T")


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

    @property
    def source_label(self) -> str:
        """The drug's CPIC guideline, short, e.g. 'CPIC, Crews 2021 (PMID 33387367)'."""
        return pgx.drug_guideline(self.drug).label


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


def first_and_more(
    items: Sequence[_T], *, shown: int, more: str, render: Callable[[_T], str] = str
) -> str:
    """The first ``shown`` items rendered and joined, then ``more % n`` for the ``n`` left.

    Only the shown items are rendered (rendering may be costly, e.g. a recommendation each).
    """
    text = ", ".join(render(item) for item in items[:shown])
    left = len(items) - shown
    return f"{text} {more % left}" if left > 0 else text


def _alternative_text(
    drug: str, gene: str, alternative: str, results: Mapping[str, pgx.PhenotypeResult]
) -> str:
    try:
        alt = pgx.phenotype(gene, alternative)
    except pgx.PgxError:
        return alternative
    rec = pgx.recommend(drug, {**results, gene: alt})
    return f"{alternative} ({alt.phenotype}: {rec.action})"


def _uncertainty_note(
    drug: str,
    rec: pgx.Recommendation,
    results: Mapping[str, pgx.PhenotypeResult],
    uncertain: Mapping[str, tuple[str, ...]],
) -> str:
    notes = []
    for gene, result in rec.genes.items():
        if gene not in uncertain:
            continue
        alternatives = uncertain[gene]
        if not alternatives:
            notes.append(
                _("Uncertain call: %(gene)s %(dip)s has untested positions; no alternative "
                  "the data allow changes the phenotype.") % {"gene": gene, "dip": result.diplotype}
            )  # fmt: skip
            continue
        listed = first_and_more(
            alternatives,
            shown=_SHOWN_ALTERNATIVES,
            more=_("and %d more (see the result)"),
            render=partial(_alternative_text, drug, gene, results=results),
        )
        notes.append(
            _("Uncertain call: %(gene)s %(dip)s (%(pheno)s) is not certain; the data also fit "
              "%(alts)s. Confirm before relying on this recommendation.")
            % {"gene": gene, "dip": result.diplotype, "pheno": result.phenotype, "alts": listed}
        )  # fmt: skip
    return "".join(f" {n}" for n in notes)


def finding_for(
    drug: str,
    results: Mapping[str, pgx.PhenotypeResult],
    *,
    uncertain: Mapping[str, tuple[str, ...]],
) -> PgxFinding | None:
    """The finding for ``drug``; None when CPIC has no pharmacogenomic data for it here.

    ``uncertain`` maps a gene whose stored call is uncertain to its alternatives; the finding
    text then says so, with what CPIC would advise under each alternative.
    """
    name = drug.strip().lower()
    if name not in PANEL_DRUGS:
        return None
    rec = pgx.recommend(name, results)
    genes: dict[str, dict[str, object]] = {
        g: {"diplotype": r.diplotype, "phenotype": r.phenotype, "activity_score": r.activity_score}
        for g, r in rec.genes.items()
    }
    note = _uncertainty_note(name, rec, results, uncertain)
    if not rec.verified:
        missing = "".join(
            sentence + "."
            for sentence in rec.recommendation.split(".")
            if "testing is informative" in sentence
        )
        return PgxFinding(
            name, genes, "unverified", NOT_VERIFIED,
            f"{NOT_VERIFIED[0].upper()}{NOT_VERIFIED[1:]}.{missing}{note}", rec.source, False,
        )  # fmt: skip
    actionable = rec.strength in _ADVICE_STRENGTHS and rec.action not in _NO_CHANGE_ACTIONS
    return PgxFinding(
        name, genes, rec.strength, rec.action, rec.recommendation + note, rec.source, actionable
    )


def findings_for(rows: Sequence[PgxResult], drugs: Iterable[str]) -> list[PgxFinding]:
    """The finding for each drug CPIC has data for, from the patient's current result rows."""
    results = phenotype_results(rows)
    uncertain = uncertain_alternatives(rows)
    return [f for d in drugs if (f := finding_for(d, results, uncertain=uncertain)) is not None]


def pgx_findings(patient_id: int, drug: str) -> list[PgxFinding]:
    """CPIC findings for prescribing ``drug`` to the patient (see the module docstring)."""
    return findings_for(current_results(patient_id), [drug])
