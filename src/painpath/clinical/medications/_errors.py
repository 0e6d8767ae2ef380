"""Errors of the medication catalogue and prescription model.

MedicationError (ValueError)
├── UnknownMedicationError   a name that is not in the catalogue
└── PrescriptionError        a prescription field that breaks a rule
"""

from __future__ import annotations

__all__ = ["MedicationError", "PrescriptionError", "UnknownMedicationError"]


class MedicationError(ValueError):
    """Base class: bad medication input (maps to HTTP 422)."""


class UnknownMedicationError(MedicationError):
    """The name or id is not in the catalogue."""


class PrescriptionError(MedicationError):
    """A prescription field is missing, of the wrong kind or out of range."""
