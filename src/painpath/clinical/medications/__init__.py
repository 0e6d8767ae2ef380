"""Medication catalogue (RxNorm ingredients, classes, IR vs ER/LA), prescriptions and history."""

from painpath.clinical.medications._catalogue import Catalogue, get_medication, load_catalogue
from painpath.clinical.medications._errors import (
    MedicationError,
    PrescriptionError,
    UnknownMedicationError,
)
from painpath.clinical.medications._history import HistoryError, PrescriptionHistory
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
    "HistoryError",
    "Indication",
    "Medication",
    "MedicationError",
    "Prescription",
    "PrescriptionError",
    "PrescriptionHistory",
    "Release",
    "ResolvedPrescription",
    "Source",
    "UnknownMedicationError",
    "get_medication",
    "load_catalogue",
    "resolve_prescription",
    "validate_new_prescription",
]
