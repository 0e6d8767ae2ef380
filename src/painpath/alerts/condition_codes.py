"""Coded diagnoses -> safety-rule conditions, by the code rules in data/snapshot.toml."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from painpath.clinical.conditions import get_condition

__all__ = ["CodeMatcher", "conditions_of", "matchers", "normalise_icd10cm"]


def normalise_icd10cm(code: str) -> str:
    """ICD-10-CM without the dot, upper case ("t40.2x1a" -> "T402X1A")."""
    return code.replace(".", "").strip().upper()


@dataclass(frozen=True)
class CodeMatcher:
    """When an (ICD-10-CM, SNOMED CT) pair counts as one safety-rule condition."""

    condition: str
    icd10cm_codes: frozenset[str]
    icd10cm_prefixes: tuple[str, ...]
    icd10cm_exclude_prefixes: tuple[str, ...]
    icd10cm_sixth_characters: frozenset[str]
    snomed_codes: frozenset[str]

    def matches(self, icd10cm: str, snomed: str) -> bool:
        if snomed and snomed.strip() in self.snomed_codes:
            return True
        code = normalise_icd10cm(icd10cm)
        if not code:
            return False
        if code in self.icd10cm_codes:
            return True
        if not code.startswith(self.icd10cm_prefixes) or code.startswith(
            self.icd10cm_exclude_prefixes
        ):
            return False
        if self.icd10cm_sixth_characters:
            return len(code) >= 6 and code[5] in self.icd10cm_sixth_characters
        return True


def _strings(row: dict[str, Any], key: str) -> list[str]:
    return [str(v) for v in row.get(key, [])]


@cache
def matchers() -> tuple[CodeMatcher, ...]:
    """One matcher per condition of data/snapshot.toml (catalogue codes included)."""
    from painpath.alerts.snapshot import snapshot_config  # noqa: PLC0415  (no import cycle)

    found = []
    for name, row in snapshot_config()["conditions"].items():
        icd, snomed = set(), set(_strings(row, "snomed_codes"))
        if "catalogue_id" in row:
            entry = get_condition(row["catalogue_id"])
            icd.add(normalise_icd10cm(entry.icd10cm_code))
            if entry.snomed_id:
                snomed.add(entry.snomed_id)
        found.append(
            CodeMatcher(
                condition=name,
                icd10cm_codes=frozenset(icd),
                icd10cm_prefixes=tuple(
                    normalise_icd10cm(p) for p in _strings(row, "icd10cm_prefixes")
                ),
                icd10cm_exclude_prefixes=tuple(
                    normalise_icd10cm(p) for p in _strings(row, "icd10cm_exclude_prefixes")
                ),
                icd10cm_sixth_characters=frozenset(_strings(row, "icd10cm_sixth_characters")),
                snomed_codes=frozenset(snomed),
            )
        )
    return tuple(found)


def conditions_of(codes: Iterable[tuple[str, str]]) -> frozenset[Any]:
    """Safety-rule conditions from (icd10, snomed) code pairs of active diagnoses."""
    pairs = list(codes)
    return frozenset(
        m.condition for m in matchers() if any(m.matches(icd, snomed) for icd, snomed in pairs)
    )
