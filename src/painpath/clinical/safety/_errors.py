"""Errors of the safety rules.

SafetyError (ValueError)
└── SnapshotError   a snapshot field breaks a rule (message names the field)
"""

from __future__ import annotations

__all__ = ["SafetyError", "SnapshotError"]


class SafetyError(ValueError):
    """Base class: bad input to the safety rules (maps to HTTP 422)."""


class SnapshotError(SafetyError):
    """A patient snapshot field is missing, of the wrong kind or out of range."""
