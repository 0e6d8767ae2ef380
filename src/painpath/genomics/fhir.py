"""Maps HL7 genomics-reporting Genotype Observations (FHIR R4, parsed with R4B models) to results.

Shape accepted (genomics-reporting IG, example ``genotype-1a``): an Observation with
``code`` LOINC 84413-4 ("Genotype display name"), ``valueCodeableConcept`` whose coding or text
carries the diplotype as PharmVar writes it ("CYP2C9 *2/*5", or "*2/*5" with the gene given
separately), and a ``component`` with code LOINC 48018-6 ("Gene studied") naming the gene in its
coding display or text. The phenotype is derived here from the diplotype by the CPIC rules
(a lab's own phenotype Observation is not trusted over CPIC's rule and is skipped with a note).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext as _
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.observation import Observation
from pydantic import ValidationError

from painpath.core.errors import FieldError, InvalidInput
from painpath.genomics.parsing import GeneResult, interpret

__all__ = ["GENE_STUDIED", "GENOTYPE_CODE", "FhirResult", "parse_observations"]

LOINC = "http://loinc.org"
GENOTYPE_CODE = "84413-4"
GENE_STUDIED = "48018-6"
MAX_OBSERVATIONS = 50


@dataclass(frozen=True)
class FhirResult:
    result: GeneResult
    report_date: date | None
    lab_name: str


def _has_code(concept: CodeableConcept | None, code: str) -> bool:
    return concept is not None and any(
        c.system == LOINC and c.code == code for c in (concept.coding or [])
    )


def _text(concept: CodeableConcept | None) -> str:
    if concept is None:
        return ""
    for coding in concept.coding or []:
        if coding.display or coding.code:
            return str(coding.display or coding.code)
    return str(concept.text or "")


def _observations(payload: dict[str, Any]) -> list[tuple[str, Observation]]:
    kind = payload.get("resourceType")
    try:
        if kind == "Observation":
            return [("observation", Observation.model_validate(payload))]
        if kind == "Bundle":
            bundle = Bundle.model_validate(payload)
            return [
                (f"entry[{i}].resource", Observation.model_validate(e.resource.model_dump()))
                for i, e in enumerate(bundle.entry or [])
                if e.resource is not None and e.resource.get_resource_type() == "Observation"
            ]
    except (ValidationError, ValueError) as exc:
        raise InvalidInput(
            _("Not a valid FHIR R4 resource."), fields=[FieldError("body", str(exc)[:500])]
        ) from exc
    raise InvalidInput(
        _("Send a FHIR Observation or a Bundle of Observations."),
        fields=[FieldError("resourceType", _("Must be Observation or Bundle."))],
    )


def _one(where: str, obs: Observation) -> FhirResult:
    gene = next(
        (
            _text(c.valueCodeableConcept)
            for c in obs.component or []
            if _has_code(c.code, GENE_STUDIED)
        ),
        "",
    )
    value = _text(obs.valueCodeableConcept).strip()
    if " " in value:  # "CYP2C9 *2/*5": the gene is the first word
        first, rest = value.split(" ", 1)
        gene = gene or first
        if first.upper() == gene.upper():
            value = rest.strip()
    if not gene:
        raise InvalidInput(
            _("The Observation does not say which gene."),
            fields=[
                FieldError(
                    f"{where}.component", _("Needs a gene-studied (LOINC 48018-6) component.")
                )
            ],
        )
    if not value:
        raise InvalidInput(
            _("The Observation has no diplotype."),
            fields=[FieldError(f"{where}.valueCodeableConcept", _("Required: the diplotype."))],
        )
    result = interpret(gene, value, field=f"{where}.valueCodeableConcept")
    issued = obs.issued.date() if obs.issued is not None else None
    effective = obs.effectiveDateTime
    report_date = issued or (effective if isinstance(effective, date) else None)
    lab = next((str(p.display) for p in obs.performer or [] if p.display), "")
    return FhirResult(result, report_date, lab)


def parse_observations(payload: dict[str, Any]) -> tuple[list[FhirResult], list[str]]:
    """Results from every Genotype Observation, and notes on Observations skipped."""
    items = _observations(payload)
    if len(items) > MAX_OBSERVATIONS:
        raise InvalidInput(
            _("Too many Observations."),
            fields=[FieldError("entry", _("At most %d per request.") % MAX_OBSERVATIONS)],
        )
    results: list[FhirResult] = []
    skipped: list[str] = []
    errors: list[FieldError] = []
    for where, obs in items:
        if not _has_code(obs.code, GENOTYPE_CODE):
            skipped.append(f"{where}: not a genotype Observation (LOINC {GENOTYPE_CODE})")
            continue
        try:
            results.append(_one(where, obs))
        except InvalidInput as exc:
            errors.extend(exc.fields)
    if errors:
        raise InvalidInput(_("Some Observations cannot be interpreted."), fields=errors)
    if not results:
        raise InvalidInput(
            _("No genotype Observation found."),
            fields=[FieldError("code", _("Expected LOINC %s (genotype).") % GENOTYPE_CODE)],
        )
    return results, skipped
