"""Errors of the MME calculation.

MmeError (ValueError)
├── MmeInputError     an input item breaks a rule (message names item index and field)
└── UnknownTableError  a factor table name that does not exist
"""

from __future__ import annotations

__all__ = ["MmeError", "MmeInputError", "UnknownTableError"]


class MmeError(ValueError):
    """Base class: bad MME input (maps to HTTP 422)."""


class MmeInputError(MmeError):
    """An item is unknown, in the wrong unit, or has an impossible or implausible dose.

    ``index`` is the item's position in the caller's list, ``field`` the offending key.
    """

    def __init__(self, index: int, field: str, reason: str) -> None:
        super().__init__(f"item {index}, field {field!r}: {reason}")
        self.index = index
        self.field = field
        self.reason = reason


class UnknownTableError(MmeError):
    """No factor table of that name."""
