"""Pairs a prescription with its catalogue entry and checks they fit together."""

from __future__ import annotations

from dataclasses import dataclass

from painpath.clinical.medications._catalogue import Catalogue, load_catalogue
from painpath.clinical.medications._errors import PrescriptionError
from painpath.clinical.medications._model import Medication
from painpath.clinical.medications._prescription import Prescription

__all__ = ["ResolvedPrescription", "resolve_prescription"]


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
