"""Errors raised by the instrument registry, scoring and text overlays.

Exception tree (every class is a ``ValueError`` so callers can map it to HTTP 422)::

    InstrumentError
     +-- UnknownInstrumentError   no instrument with that id
     +-- AnswerError              an answer set breaks a rule (count, range, type, sex)
     +-- DefinitionError          a shipped data file is malformed
     +-- TextOverlayError         a clinic's licensed-wording overlay is malformed
"""

from __future__ import annotations

from typing import Literal

__all__ = [
    "AnswerError",
    "DefinitionError",
    "InstrumentError",
    "TextOverlayError",
    "UnknownInstrumentError",
]


class InstrumentError(ValueError):
    """Base class of every error raised by :mod:`painpath.clinical.instruments`."""


class UnknownInstrumentError(InstrumentError):
    """No instrument is registered under the requested id."""


class AnswerError(InstrumentError):
    """The answers given cannot be scored as submitted (the message names the item).

    ``field`` names the input that broke the rule: ``"answers"`` (count, type, range) or
    ``"sex"`` (an instrument weighted by sex without 'female' or 'male')."""

    def __init__(self, message: str, *, field: Literal["answers", "sex"] = "answers") -> None:
        super().__init__(message)
        self.field = field


class DefinitionError(InstrumentError):
    """An instrument data file does not match the expected structure."""


class TextOverlayError(InstrumentError):
    """A licensed-wording overlay file does not match its instrument."""
