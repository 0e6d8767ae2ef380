"""CPIC drug recommendations for a patient's phenotypes, with strength, action and citation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from painpath.clinical.pgx._data import recommendations, secondary_recommendations
from painpath.clinical.pgx._errors import UnknownDrugError
from painpath.clinical.pgx.phenotype import PhenotypeResult

__all__ = [
    "NO_ACTION_GENES",
    "NO_RESULT",
    "STRENGTHS",
    "Guideline",
    "Recommendation",
    "drug_genes",
    "drug_guideline",
    "known_drugs",
    "no_action_gene_note",
    "no_action_notes_for",
    "recommend",
    "verified_drugs",
]

STRENGTHS = ("strong", "moderate", "optional", "no recommendation", "unverified")
NO_RESULT = "No Result"  # CPIC's lookup word for "no result on file for this gene"
NO_ACTION_GENES = ("OPRM1", "COMT")
_UNVERIFIED_NOTE = (
    "UNVERIFIED: recommendation text from a secondary copy of CPIC data (pypgx 0.27) not yet "
    "checked against the guideline; CPIC strength not available here. Confirm at cpicpgx.org."
)


@dataclass(frozen=True, slots=True)
class Guideline:
    """One CPIC guideline as cited in the UI and reports."""

    key: str
    name: str
    short: str
    citation: str
    pmid: str

    @property
    def label(self) -> str:
        """Short per-drug source, e.g. 'CPIC, Crews 2021 (PMID 33387367)'."""
        return f"CPIC, {self.short} (PMID {self.pmid})"

    @property
    def full(self) -> str:
        return f"{self.name}. {self.citation}. PMID {self.pmid}."


@dataclass(frozen=True, slots=True)
class Recommendation:
    """The CLI/API shape of ``pgx recommend``; ``verified`` is False for secondary-copy text.

    ``notes`` carries CPIC's explicit "no genotype-based action" statements (OPRM1, COMT) for
    the drug's guideline; they are printed and shown beside the recommendation, not in it.
    """

    drug: str
    genes: Mapping[str, PhenotypeResult]
    strength: str
    action: str
    recommendation: str
    source: str
    verified: bool = field(default=True)
    notes: tuple[str, ...] = field(default=())

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


def verified_drugs() -> tuple[str, ...]:
    """Drugs with a table checked against CPIC's data (no secondary-copy fallback)."""
    return tuple(sorted(recommendations()["drugs"]))


def no_action_gene_note(gene: str) -> str | None:
    """CPIC's explicit 'no genotype-based action' statement for OPRM1/COMT, else None."""
    entry = recommendations()["no_action_genes"].get(gene.strip().upper())
    return None if entry is None else str(entry["note"])


def _guideline(key: str) -> Guideline:
    g = recommendations()["guidelines"][key]
    return Guideline(key, g["name"], g["short"], g["citation"], g["pmid"])


def _citation(key: str) -> str:
    g = _guideline(key)
    return (
        f"{g.name} ({recommendations()['guidelines'][key]['year']}). {g.citation}. PMID {g.pmid}."
    )


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


def drug_guideline(drug: str) -> Guideline:
    """The CPIC guideline a drug's recommendations come from."""
    return _guideline(_drug_spec(drug.strip().lower())[1])


def drug_genes(drug: str) -> tuple[str, ...]:
    """The genes CPIC uses for the drug, in the table's order."""
    return tuple(_drug_spec(drug.strip().lower())[2])


def no_action_notes_for(drug: str) -> tuple[str, ...]:
    """CPIC's 'no genotype-based action' notes that belong to the drug's guideline."""
    key = _drug_spec(drug.strip().lower())[1]
    entries = recommendations()["no_action_genes"]
    return tuple(str(e["note"]) for g, e in entries.items() if e["guideline"] == key)


@cache
def _rules(table_key: str) -> tuple[tuple[dict[str, frozenset[str]], dict[str, Any]], ...]:
    """Each rule as (gene -> accepted phenotypes, rule); '*' accepts anything."""
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


def _verified_rule(drug: str, results: Mapping[str, PhenotypeResult]) -> dict[str, Any] | None:
    table_key = recommendations()["drugs"][drug]
    for when, rule in _rules(table_key):
        ok = True
        for gene, accepted in when.items():
            result = results.get(gene)
            pheno = NO_RESULT if result is None else result.phenotype
            if "*" not in accepted and pheno not in accepted:
                ok = False
                break
        if ok and _score_ok(rule, results.get(next(iter(when)))):
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
    statement that the drug is fine; where CPIC has a row for one gene missing (TCAs), that
    row is shown together with the same 'testing is informative' sentence.
    """
    drug = drug.strip().lower()
    table, guideline, genes = _drug_spec(drug)
    relevant = {g: results[g] for g in genes if g in results}
    citation = _citation(guideline)
    notes = no_action_notes_for(drug)
    missing = [g for g in genes if g not in results]
    if table is not None and table.get("no_genotype_action"):
        rule = table["rules"][0]
        return Recommendation(
            drug, relevant, rule["strength"], rule["action"], rule["recommendation"], citation,
            notes=notes,
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
            notes=notes,
        )
    missing_note = "".join(f" No {g} result on file; {g} testing is informative." for g in missing)
    rule = _verified_rule(drug, results) if table is not None else None
    if rule is not None and table is not None:
        return Recommendation(
            drug,
            relevant,
            rule["strength"],
            rule["action"],
            rule["recommendation"] + missing_note,
            f"{citation} Verified from: {table['verified_from']}.",
            notes=notes,
        )
    row = _secondary_rule(drug, genes, results)
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
            notes=notes,
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
        notes=notes,
    )
