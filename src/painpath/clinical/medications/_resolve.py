"""Pairs a prescription with its catalogue entry and checks they fit together."""

from __future__ import annotations

from dataclasses import dataclass

from painpath.clinical.medications._catalogue import Catalogue, load_catalogue
from painpath.clinical.medications._errors import PrescriptionError
from painpath.clinical.medications._model import Medication
from painpath.clinical.medications._prescription import Prescription

__all__ = ["ResolvedPrescription", "resolve_prescription", "validate_new_prescription"]


@dataclass(frozen=True, slots=True)
class ResolvedPrescription:
    """A prescription with the catalogue information the safety rules read."""

    prescription: Prescription
    medication: Medication


def resolve_prescription(
    prescription: Prescription, *, catalogue: Catalogue | None = None
) -> ResolvedPrescription:
    """Look the drug up; an opioid's ``release`` must be one the catalogue accepts."""
    medication = (catalogue or load_catalogue()).find(prescription.drug)
    if medication.releases and prescription.release not in medication.releases:
        allowed = ", ".join(sorted(medication.releases))
        raise PrescriptionError(
            f"field 'release': {prescription.release!r} is not a catalogued formulation of "
            f"{medication.name} (accepted: {allowed})"
        )
    return ResolvedPrescription(prescription=prescription, medication=medication)


TRANSDERMAL = "transdermal"


def validate_new_prescription(resolved: ResolvedPrescription) -> None:
    """Rules for a prescription being written now (stored history is not re-judged by them).

    An acute-pain opioid must have a duration, or the 7-day rule could never see it; a patch
    (unit mcg/h) is transdermal, so a route left at another value is a data-entry slip.
    """
    rx, medication = resolved.prescription, resolved.medication
    if rx.indication == "acute" and medication.is_opioid and rx.duration_days() is None:
        raise PrescriptionError(
            "field 'days_supply': an opioid for acute pain needs a duration: give "
            "'days_supply' or an 'end' date"
        )
    if rx.is_patch and rx.route.strip().casefold() != TRANSDERMAL:
        raise PrescriptionError(
            f"field 'route': a patch (unit 'mcg/h') is {TRANSDERMAL!r}, got {rx.route!r}"
        )
