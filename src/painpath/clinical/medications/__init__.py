"""Medication catalogue (RxNorm ingredients, classes, IR vs ER/LA) and the prescription model."""

from painpath.clinical.medications._catalogue import Catalogue, get_medication, load_catalogue
from painpath.clinical.medications._errors import (
    MedicationError,
    PrescriptionError,
    UnknownMedicationError,
)
from painpath.clinical.medications._model import DrugClass, Medication, Release, Source
from painpath.clinical.medications._prescription import DoseUnit, Indication, Prescription
from painpath.clinical.medications._resolve import (
    ResolvedPrescription,
    resolve_prescription,
    validate_new_prescription,
)

__all__ = [
    "Catalogue",
    "DoseUnit",
    "DrugClass",
    "Indication",
    "Medication",
    "MedicationError",
    "Prescription",
    "PrescriptionError",
    "Release",
    "ResolvedPrescription",
    "Source",
    "UnknownMedicationError",
    "get_medication",
    "load_catalogue",
    "resolve_prescription",
    "validate_new_prescription",
]
