"""Plain words for a prescription line, for messages and evidence a clinician reads."""

from __future__ import annotations

from painpath.clinical.medications import Prescription, load_catalogue

__all__ = ["describe", "frequency_words"]


def _n(value: float) -> str:
    return f"{value:g}"


def frequency_words(line: Prescription) -> str:
    """'3 times a day', 'every 6 hours', 'as needed, up to 4 a day' or 'patch'."""
    if line.is_patch:
        return "patch"
    if line.as_needed:
        return f"as needed, up to {_n(line.max_doses_per_day or 0)} a day"
    if line.times_per_day is not None:
        return f"{_n(line.times_per_day)} times a day"
    return f"every {_n(line.every_hours or 24)} hours"


def describe(line: Prescription) -> str:
    """E.g. 'hydrocodone 10 mg 3 times a day from 2026-06-01' (ER/LA and dates when known)."""
    try:
        name = load_catalogue().find(line.drug).name
    except ValueError:
        name = line.drug
    release = " extended-release/long-acting" if line.release == "er_la" else ""
    text = f"{name}{release} {_n(line.dose)} {line.unit} {frequency_words(line)}"
    if line.start is not None:
        text += f" from {line.start.isoformat()}"
    return text
