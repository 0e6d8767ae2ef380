"""Maps HL7 genomics-reporting Genotype Observations (FHIR R4, parsed with R4B models) to results.

Shape accepted (genomics-reporting IG, example ``genotype-1a``): an Observation with
``code`` LOINC 84413-4 ("Genotype display name"), ``valueCodeableConcept`` whose coding or text
carries the diplotype as PharmVar writes it ("CYP2C9 *2/*5", or "*2/*5" with the gene given
separately), and a ``component`` with code LOINC 48018-6 ("Gene studied") naming the gene in its
coding display or text. The phenotype is derived here from the diplotype by the CPIC rules
(a lab's own phenotype Observation is not trusted over CPIC's rule and is skipped with a note).

Every Observation must be about the target patient (``subject`` 'Patient/<id>', or an
identifier equal to the patient's MRN) and must have status final, amended or corrected;
anything else refuses the whole request, so nothing is stored.
"""

from __future__ import annotations

import re
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
# FHIR ObservationStatus codes that carry a usable result (others: registered, preliminary,
# cancelled, entered-in-error, unknown).
USABLE_STATUSES = ("final", "amended", "corrected")
_GENE_AND_ALLELES = re.compile(r"^\s*([A-Za-z][A-Za-z0-9-]*)\s*(\*.*)$")  # "CYP2C9*1/*2"


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


def _subject_errors(where: str, obs: Observation, patient_id: int, mrn: str) -> list[FieldError]:
    subject = obs.subject
    field = f"{where}.subject"
    if subject is None:
        return [FieldError(field, _("Required: the patient the result is about (Patient/%d).")
                           % patient_id)]  # fmt: skip
    reference = str(subject.reference or "")
    identifier = subject.identifier.value if subject.identifier is not None else None
    if reference:
        if reference != f"Patient/{patient_id}":
            return [FieldError(field, _("Refers to %(ref)s, not to this patient (Patient/%(id)d).")
                               % {"ref": reference, "id": patient_id})]  # fmt: skip
        return []
    if identifier is not None and str(identifier) == mrn:
        return []
    return [FieldError(field, _("Does not identify this patient (Patient/%d or MRN).")
                       % patient_id)]  # fmt: skip


def _status_errors(where: str, obs: Observation) -> list[FieldError]:
    if obs.status in USABLE_STATUSES:
        return []
    return [FieldError(f"{where}.status",
                       _("Status '%(status)s' cannot be stored; only %(ok)s results are.")
                       % {"status": obs.status, "ok": ", ".join(USABLE_STATUSES)})]  # fmt: skip


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
    written = _GENE_AND_ALLELES.match(value)  # "CYP2C9 *2/*5" or "CYP2C9*2/*5"
    if written:
        first, rest = written.group(1), written.group(2)
        if gene and first.upper() != gene.strip().upper():
            raise InvalidInput(
                _("The Observation names two different genes."),
                fields=[FieldError(f"{where}.valueCodeableConcept",
                                   _("Names %(a)s, but the gene-studied component says %(b)s.")
                                   % {"a": first, "b": gene})],
            )  # fmt: skip
        gene = gene or first
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


def parse_observations(
    payload: dict[str, Any], *, patient_id: int, mrn: str
) -> tuple[list[FhirResult], list[str]]:
    """Results from every Genotype Observation, and notes on Observations skipped.

    ``patient_id``/``mrn`` identify the target patient; an Observation about anyone else, or
    not final/amended/corrected, refuses the whole payload.
    """
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
        problems = _subject_errors(where, obs, patient_id, mrn) + _status_errors(where, obs)
        if problems:
            errors.extend(problems)
            continue
        try:
            results.append(_one(where, obs))
        except InvalidInput as exc:
            errors.extend(exc.fields)
    if errors:
        raise InvalidInput(_("Some Observations cannot be stored."), fields=errors)
    if not results:
        raise InvalidInput(
            _("No genotype Observation found."),
            fields=[FieldError("code", _("Expected LOINC %s (genotype).") % GENOTYPE_CODE)],
        )
    return results, skipped
