"""CPIC drug recommendations for a patient's phenotypes, with strength, action and citation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from painpath.clinical.pgx._data import recommendations
from painpath.clinical.pgx._errors import UnknownDrugError
from painpath.clinical.pgx.phenotype import PhenotypeResult

__all__ = [
    "NO_RESULT",
    "STRENGTHS",
    "Guideline",
    "Recommendation",
    "drug_genes",
    "drug_guideline",
    "known_drugs",
    "no_action_gene_note",
    "no_action_genes",
    "no_action_notes_for",
    "recommend",
]

STRENGTHS = ("strong", "moderate", "optional", "no recommendation", "unverified")
NO_RESULT = "No Result"  # CPIC's lookup word for "no result on file for this gene"


@dataclass(frozen=True, slots=True)
class Guideline:
    """One CPIC guideline as cited in the UI and reports."""

    key: str
    name: str
    short: str
    year: int
    reference: str  # the journal reference, e.g. "Crews KR, ... Clin Pharmacol Ther. 2021;..."
    pmid: str

    @property
    def label(self) -> str:
        """Short per-drug source, e.g. 'CPIC, Crews 2021 (PMID 33387367)'."""
        return f"CPIC, {self.short} (PMID {self.pmid})"

    @property
    def full(self) -> str:
        """The guideline in full, as listed under a report."""
        return f"{self.name}. {self.reference}. PMID {self.pmid}."

    @property
    def citation(self) -> str:
        """The dated citation a recommendation's source starts with."""
        return f"{self.name} ({self.year}). {self.reference}. PMID {self.pmid}."


@dataclass(frozen=True, slots=True)
class Recommendation:
    """The CLI/API shape of ``pgx recommend``; ``verified`` is False where no checked CPIC row
    applies (the text then says to consult the guideline).

    ``notes`` maps a gene to CPIC's explicit "no genotype-based action" statement (OPRM1, COMT)
    for the drug's guideline; they are printed and shown beside the recommendation, not in it.
    """

    drug: str
    genes: Mapping[str, PhenotypeResult]
    strength: str
    action: str
    recommendation: str
    source: str
    notes: Mapping[str, str]
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
            "notes": dict(self.notes),
        }


def known_drugs() -> tuple[str, ...]:
    """Every drug with a CPIC table here (each checked against CPIC's data)."""
    return tuple(sorted(recommendations()["drugs"]))


def no_action_genes() -> tuple[str, ...]:
    """Genes for which CPIC gives no genotype-based action (OPRM1, COMT), as the data file says."""
    return tuple(recommendations()["no_action_genes"])


def no_action_gene_note(gene: str) -> str | None:
    """CPIC's explicit 'no genotype-based action' statement for OPRM1/COMT, else None."""
    entry = recommendations()["no_action_genes"].get(gene.strip().upper())
    return None if entry is None else str(entry["note"])


def _guideline(key: str) -> Guideline:
    g = recommendations()["guidelines"][key]
    return Guideline(key, g["name"], g["short"], int(g["year"]), g["citation"], g["pmid"])


def _drug_table(drug: str) -> tuple[str, dict[str, Any]]:
    """The drug's table key and table; an unknown drug is an error naming the known ones."""
    data = recommendations()
    key = data["drugs"].get(drug)
    if key is None:
        raise UnknownDrugError(
            f"drug '{drug}': no CPIC recommendation data here (drugs: {', '.join(known_drugs())})"
        )
    table: dict[str, Any] = data["tables"][key]
    return str(key), table


def drug_guideline(drug: str) -> Guideline:
    """The CPIC guideline a drug's recommendations come from."""
    return _guideline(str(_drug_table(drug.strip().lower())[1]["guideline"]))


def drug_genes(drug: str) -> tuple[str, ...]:
    """The genes CPIC uses for the drug, in the table's order."""
    return tuple(_drug_table(drug.strip().lower())[1]["genes"])


def no_action_notes_for(drug: str) -> dict[str, str]:
    """Gene -> CPIC's 'no genotype-based action' note, for the genes of the drug's guideline."""
    guideline = _drug_table(drug.strip().lower())[1]["guideline"]
    entries = recommendations()["no_action_genes"]
    return {g: str(e["note"]) for g, e in entries.items() if e["guideline"] == guideline}


@cache
def _rules(table_key: str) -> tuple[tuple[dict[str, frozenset[str]], dict[str, Any]], ...]:
    """Each rule as (gene -> accepted phenotypes, rule)."""
    table = recommendations()["tables"][table_key]
    out = []
    for rule in table["rules"]:
        if "when" in rule:
            when = {g: frozenset(p) for g, p in rule["when"].items()}
        else:
            when = {table["genes"][0]: frozenset({rule["phenotype"]})}
        out.append((when, rule))
    return tuple(out)


def _score_ok(rule: dict[str, Any], result: PhenotypeResult | None) -> bool:
    scores = rule.get("activity_scores")
    if scores is None:
        return True
    return result is not None and result.activity_score in scores


def _phenotype_of(results: Mapping[str, PhenotypeResult], gene: str) -> str:
    result = results.get(gene)
    return NO_RESULT if result is None else result.phenotype


def _verified_rule(table_key: str, results: Mapping[str, PhenotypeResult]) -> dict[str, Any] | None:
    for when, rule in _rules(table_key):
        matches = all(_phenotype_of(results, g) in accepted for g, accepted in when.items())
        if matches and _score_ok(rule, results.get(next(iter(when)))):
            return rule
    return None


def recommend(drug: str, results: Mapping[str, PhenotypeResult]) -> Recommendation:
    """The CPIC recommendation for ``drug`` given the patient's results keyed by gene.

    A gene the drug needs but without a result gives 'testing is informative', never a
    statement that the drug is fine; where CPIC has a row for one gene missing (TCAs), that
    row is shown together with the same 'testing is informative' sentence.
    """
    drug = drug.strip().lower()
    table_key, table = _drug_table(drug)
    genes: list[str] = table["genes"]
    relevant = {g: results[g] for g in genes if g in results}
    citation = _guideline(table["guideline"]).citation
    notes = no_action_notes_for(drug)
    missing = [g for g in genes if g not in results]
    if table.get("no_genotype_action"):
        rule = table["rules"][0]
        return Recommendation(
            drug, relevant, rule["strength"], rule["action"], rule["recommendation"], citation,
            notes,
        )  # fmt: skip
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
            notes,
        )
    missing_note = "".join(f" No {g} result on file; {g} testing is informative." for g in missing)
    rule = _verified_rule(table_key, results)
    if rule is None:  # a phenotype (or score) no checked row covers: no advice from painpath
        phenos = ", ".join(f"{g} {r.phenotype}" for g, r in relevant.items())
        return Recommendation(
            drug,
            relevant,
            "unverified",
            "consult guideline",
            f"No verified recommendation in painpath for {drug} with {phenos}; consult the CPIC "
            f"guideline.{missing_note}",
            citation,
            notes,
            verified=False,
        )
    return Recommendation(
        drug,
        relevant,
        rule["strength"],
        rule["action"],
        rule["recommendation"] + missing_note,
        f"{citation} Verified from: {table['verified_from']}.",
        notes,
    )
