"""Which CPIC advice changes a prescription, and how an uncertain call is worded beside it.

The one place for this policy: the safety rule (``pgx_conflict``) and the chart's
pharmacogenomics panel and prescribing check (``painpath.genomics.selectors``) both read it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

from painpath.clinical.pgx._errors import PgxError
from painpath.clinical.pgx.phenotype import PhenotypeResult, phenotype
from painpath.clinical.pgx.recommend import (
    Recommendation,
    drug_guideline,
    known_drugs,
    recommend,
)

__all__ = [
    "ADVICE_STRENGTHS",
    "NOT_VERIFIED",
    "NO_CHANGE_ACTIONS",
    "SHOWN_ALTERNATIVES",
    "PgxFinding",
    "alternative_text",
    "finding_for",
    "first_and_more",
    "gene_summary",
    "is_actionable",
    "uncertainty_note",
]

# A recommendation changes the prescription when CPIC gives advice of this strength ...
ADVICE_STRENGTHS = frozenset({"strong", "moderate", "optional"})
# ... and the advice is not one of these (they leave the prescription as it is).
NO_CHANGE_ACTIONS = frozenset({"use label dose", "no genotype-based action"})
NOT_VERIFIED = "not verified — consult the CPIC guideline"
SHOWN_ALTERNATIVES = 5  # alternatives spelt out in a note; the rest are counted
_T = TypeVar("_T")


def is_actionable(rec: Recommendation) -> bool:
    """A checked CPIC recommendation that changes what is prescribed."""
    return rec.verified and rec.strength in ADVICE_STRENGTHS and rec.action not in NO_CHANGE_ACTIONS


def gene_summary(rec: Recommendation) -> dict[str, dict[str, object]]:
    """Gene -> {"diplotype", "phenotype", "activity_score"} of the results the advice read."""
    return {
        gene: {
            "diplotype": r.diplotype,
            "phenotype": r.phenotype,
            "activity_score": r.activity_score,
        }
        for gene, r in rec.genes.items()
    }


def first_and_more(
    items: Sequence[_T], *, shown: int, more: str, render: Callable[[_T], str] = str
) -> str:
    """The first ``shown`` items rendered and joined, then ``more % n`` for the ``n`` left.

    Only the shown items are rendered (rendering may be costly, e.g. a recommendation each).
    """
    text = ", ".join(render(item) for item in items[:shown])
    left = len(items) - shown
    return f"{text} {more % left}" if left > 0 else text


def alternative_text(
    drug: str, gene: str, alternative: str, results: Mapping[str, PhenotypeResult]
) -> str:
    """'*1/*4 (Intermediate Metabolizer: use label dose)': what CPIC would advise for ``drug``
    if ``gene`` were ``alternative``; the bare diplotype when it cannot be interpreted."""
    try:
        alt = phenotype(gene, alternative)
    except PgxError:
        return alternative
    rec = recommend(drug, {**results, gene: alt})
    return f"{alternative} ({alt.phenotype}: {rec.action})"


def uncertainty_note(
    rec: Recommendation,
    results: Mapping[str, PhenotypeResult],
    uncertain: Mapping[str, Sequence[str]],
    *,
    more: str = "and %d more",
) -> str:
    """Sentences (each led by a space) for every gene the advice read whose call is uncertain.

    ``uncertain`` maps such a gene to the other diplotypes its data fit; each of the first
    ``SHOWN_ALTERNATIVES`` is shown with the advice it would give, the rest counted (``more``).
    Empty when no gene the advice read is uncertain.
    """
    notes = []
    for gene, result in rec.genes.items():
        if gene not in uncertain:
            continue
        alternatives = uncertain[gene]
        if not alternatives:
            notes.append(
                f"Uncertain call: {gene} {result.diplotype} has untested positions; no "
                "alternative the data allow changes the phenotype."
            )
            continue
        listed = first_and_more(
            alternatives,
            shown=SHOWN_ALTERNATIVES,
            more=more,
            render=partial(alternative_text, rec.drug, gene, results=results),
        )
        notes.append(
            f"Uncertain call: {gene} {result.diplotype} ({result.phenotype}) is not certain; the "
            f"data also fit {listed}. Confirm before relying on this recommendation."
        )
    return "".join(f" {n}" for n in notes)


@dataclass(frozen=True)
class PgxFinding:
    """What CPIC says for one drug given the patient's results."""

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
        return drug_guideline(self.drug).label


def finding_for(
    drug: str,
    results: Mapping[str, PhenotypeResult],
    *,
    uncertain: Mapping[str, Sequence[str]],
    more: str = "and %d more",
) -> PgxFinding | None:
    """The finding for ``drug``; None when CPIC has no pharmacogenomic data for it here.

    ``uncertain`` maps a gene whose call is uncertain to its alternatives (see
    :func:`uncertainty_note`). A recommendation no checked CPIC row covers is never advice: it
    says :data:`NOT_VERIFIED`, keeping only CPIC's "testing is informative" sentence.
    """
    name = drug.strip().lower()
    if name not in known_drugs():
        return None
    rec = recommend(name, results)
    note = uncertainty_note(rec, results, uncertain, more=more)
    if not rec.verified:
        missing = "".join(
            sentence + "."
            for sentence in rec.recommendation.split(".")
            if "testing is informative" in sentence
        )
        text = f"{NOT_VERIFIED[0].upper()}{NOT_VERIFIED[1:]}.{missing}{note}"
        return PgxFinding(
            name, gene_summary(rec), "unverified", NOT_VERIFIED, text, rec.source, False
        )
    return PgxFinding(
        name,
        gene_summary(rec),
        rec.strength,
        rec.action,
        rec.recommendation + note,
        rec.source,
        is_actionable(rec),
    )
