"""CPIC drug recommendations for a patient's phenotypes, with strength, action and citation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from painpath.clinical.pgx._data import recommendations, secondary_recommendations
from painpath.clinical.pgx._errors import UnknownDrugError
from painpath.clinical.pgx.phenotype import PhenotypeResult

__all__ = ["STRENGTHS", "Recommendation", "known_drugs", "no_action_gene_note", "recommend"]

STRENGTHS = ("strong", "moderate", "optional", "no recommendation", "unverified")
_UNVERIFIED_NOTE = (
    "UNVERIFIED: recommendation text from a secondary copy of CPIC data (pypgx 0.27) not yet "
    "checked against the guideline; CPIC strength not available here. Confirm at cpicpgx.org."
)


@dataclass(frozen=True, slots=True)
class Recommendation:
    """The CLI/API shape of ``pgx recommend``; ``verified`` is False for secondary-copy text."""

    drug: str
    genes: Mapping[str, PhenotypeResult]
    strength: str
    action: str
    recommendation: str
    source: str
    verified: bool = field(default=True)

    def to_dict(self) -> dict[str, Any]:
        return {
            "drug": self.drug,
            "genes": {
                gene: {
                    "diplotype": r.diplotype,
                    "activity_score": r.activity_score,
                    "phenotype": r.phenotype,
                }
                for gene, r in self.genes.items()
            },
            "strength": self.strength,
            "action": self.action,
            "recommendation": self.recommendation,
            "source": self.source,
        }


def known_drugs() -> tuple[str, ...]:
    data = recommendations()
    return tuple(sorted(set(data["drugs"]) | set(data["secondary_drugs"])))


def no_action_gene_note(gene: str) -> str | None:
    """CPIC's explicit 'no genotype-based action' statement for OPRM1/COMT, else None."""
    note: str | None = recommendations()["no_action_genes"].get(gene.strip().upper())
    return note


def _citation(guideline_key: str) -> str:
    g = recommendations()["guidelines"][guideline_key]
    pmid = f" PMID {g['pmid']}." if g["pmid"] else ""
    return f"{g['name']} ({g['year']}). {g['citation']}.{pmid}"


def _drug_spec(drug: str) -> tuple[dict[str, Any] | None, str, list[str]]:
    data = recommendations()
    if drug in data["drugs"]:
        table: dict[str, Any] = data["tables"][data["drugs"][drug]]
        return table, str(table["guideline"]), list(table["genes"])
    if drug in data["secondary_drugs"]:
        spec = data["secondary_drugs"][drug]
        return None, str(spec["guideline"]), list(spec["genes"])
    raise UnknownDrugError(
        f"drug '{drug}': no CPIC recommendation data here (drugs: {', '.join(known_drugs())})"
    )


def _verified_rule(table: dict[str, Any], results: Mapping[str, PhenotypeResult]) -> Any:
    gene = table["genes"][0]
    result = results.get(gene)
    for rule in table["rules"]:
        if rule["phenotype"] == "*":
            return rule
        if result is None or rule["phenotype"] != result.phenotype:
            continue
        scores = rule.get("activity_scores")
        if scores is None or result.activity_score in scores:
            return rule
    return None


def _secondary_rule(
    drug: str, genes: list[str], results: Mapping[str, PhenotypeResult]
) -> dict[str, Any] | None:
    wanted = {g: (results[g].phenotype if g in results else None) for g in genes}
    for row in secondary_recommendations()["rows"]:
        if row["drug"] == drug and row["phenotypes"] == wanted:
            found: dict[str, Any] = row
            return found
    return None


def recommend(drug: str, results: Mapping[str, PhenotypeResult]) -> Recommendation:
    """The CPIC recommendation for ``drug`` given the patient's results keyed by gene.

    A gene the drug needs but without a result gives 'testing is informative', never a
    statement that the drug is fine.
    """
    drug = drug.strip().lower()
    table, guideline, genes = _drug_spec(drug)
    relevant = {g: results[g] for g in genes if g in results}
    citation = _citation(guideline)
    missing = [g for g in genes if g not in results]
    if table is not None and table.get("no_genotype_action"):
        rule = table["rules"][0]
        return Recommendation(
            drug, relevant, rule["strength"], rule["action"], rule["recommendation"], citation
        )
    if missing and len(missing) == len(genes):
        names = " and ".join(missing)
        return Recommendation(
            drug,
            relevant,
            "no recommendation",
            f"test {names} (informative)",
            f"No {names} result on file. {names} testing is informative for {drug}; this is "
            "not a statement that standard dosing is appropriate for this patient.",
            citation,
        )
    rule = _verified_rule(table, results) if table is not None and not missing else None
    if rule is not None:
        source = f"{citation} Verified from: {table['verified_from']}." if table else citation
        return Recommendation(
            drug, relevant, rule["strength"], rule["action"], rule["recommendation"], source
        )
    row = _secondary_rule(drug, genes, results)
    missing_note = "".join(f" No {g} result on file; {g} testing is informative." for g in missing)
    if row is None:
        phenos = ", ".join(f"{g} {r.phenotype}" for g, r in relevant.items())
        return Recommendation(
            drug,
            relevant,
            "unverified",
            "consult guideline",
            f"No verified recommendation in painpath for {drug} with {phenos}; consult the CPIC "
            f"guideline.{missing_note}",
            citation,
            verified=False,
        )
    text = row["recommendation"] or "No recommendation"
    return Recommendation(
        drug,
        relevant,
        "unverified",
        row["action"],
        text + missing_note,
        f"{citation} {_UNVERIFIED_NOTE}",
        verified=False,
    )
