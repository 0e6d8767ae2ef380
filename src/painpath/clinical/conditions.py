"""Condition catalogue: pain conditions and comorbidities with ICD-10-CM and SNOMED CT codes."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Final

__all__ = [
    "CATEGORIES",
    "ConditionCatalogue",
    "ConditionCode",
    "ConditionDataError",
    "ConditionSource",
    "UnknownConditionError",
    "get_condition",
    "is_valid_icd10cm_format",
    "is_valid_snomed_concept_id",
    "is_valid_snomed_id",
    "load_conditions",
    "parse_catalogue",
    "verhoeff_is_valid",
]

CATEGORIES: Final = frozenset({"pain_condition", "cdc_exclusion", "comorbidity"})

_ID_RE: Final = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
# Letter, digit, letter-or-digit (e.g. M1A, C7A), then an optional dot and 1-4 characters
# (4th-7th characters, including the placeholder X): M54.50, T40.2X1A, F32.A.
_ICD10CM_RE: Final = re.compile(r"^[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?$")

# Verhoeff check digit tables (Verhoeff 1969; as used by SNOMED CT identifiers):
# _D is the multiplication table of the dihedral group D5, _P the position permutations.
_D: Final = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 2, 3, 4, 0, 6, 7, 8, 9, 5),
    (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7),
    (4, 0, 1, 2, 3, 9, 5, 6, 7, 8),
    (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2),
    (7, 6, 5, 9, 8, 2, 1, 0, 4, 3),
    (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)
_P: Final = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 5, 7, 6, 2, 8, 3, 0, 9, 4),
    (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7),
    (9, 4, 5, 3, 1, 2, 6, 8, 7, 0),
    (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5),
    (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)

# SNOMED CT partition identifiers: 0x = short format (International), 1x = long format
# (extension with a 7-digit namespace); x0 concept, x1 description, x2 relationship.
_PARTITIONS: Final = frozenset({"00", "01", "02", "10", "11", "12"})
_CONCEPT_PARTITIONS: Final = frozenset({"00", "10"})
_SCTID_MIN_LEN: Final = 6
_SCTID_MAX_LEN: Final = 18
_LONG_FORMAT_MIN_LEN: Final = 11  # item (>=1) + namespace (7) + partition (2) + check (1)


class ConditionDataError(ValueError):
    """The condition data file breaks a rule (names the entry and the rule)."""


class UnknownConditionError(ValueError):
    """No condition with the requested id exists in the catalogue."""


@dataclass(frozen=True, slots=True)
class ConditionSource:
    """One source document cited by the catalogue."""

    id: str
    citation: str
    url: str


@dataclass(frozen=True, slots=True)
class ConditionCode:
    """One condition with its codes and where each was verified."""

    id: str
    display_name: str
    category: str
    icd10cm_code: str
    icd10cm_title: str
    icd10cm_verified_in: str
    snomed_id: str | None
    snomed_term: str | None
    snomed_verified_in: str | None
    sources: tuple[str, ...]
    note: str


@dataclass(frozen=True, slots=True)
class ConditionCatalogue:
    """The loaded catalogue: editions of the code systems, sources and conditions."""

    catalogue_version: str
    last_verified: str
    icd10cm_edition: str
    icd10cm_verification: str
    snomed_edition: str
    snomed_verification: str
    sources: tuple[ConditionSource, ...]
    conditions: tuple[ConditionCode, ...]

    def ids(self) -> tuple[str, ...]:
        """Condition ids in file order."""
        return tuple(c.id for c in self.conditions)

    def in_category(self, category: str) -> tuple[ConditionCode, ...]:
        """Conditions of one category, in file order."""
        return tuple(c for c in self.conditions if c.category == category)


def verhoeff_is_valid(digits: str) -> bool:
    """True if the digit string (check digit last) passes the Verhoeff check."""
    if not digits or not digits.isascii() or not digits.isdigit():
        return False
    check = 0
    for position, char in enumerate(reversed(digits)):
        check = _D[check][_P[position % 8][int(char)]]
    return check == 0


def is_valid_snomed_id(sctid: str) -> bool:
    """True if `sctid` has SNOMED CT identifier structure: 6-18 digits, no leading zero,
    a known partition identifier, a namespace when in long format, and a Verhoeff check digit."""
    if not isinstance(sctid, str) or not sctid.isascii() or not sctid.isdigit():
        return False
    if not _SCTID_MIN_LEN <= len(sctid) <= _SCTID_MAX_LEN or sctid.startswith("0"):
        return False
    partition = sctid[-3:-1]
    if partition not in _PARTITIONS:
        return False
    if partition.startswith("1") and len(sctid) < _LONG_FORMAT_MIN_LEN:
        return False
    return verhoeff_is_valid(sctid)


def is_valid_snomed_concept_id(sctid: str) -> bool:
    """True if `sctid` is a structurally valid SNOMED CT identifier of a concept."""
    return is_valid_snomed_id(sctid) and sctid[-3:-1] in _CONCEPT_PARTITIONS


def is_valid_icd10cm_format(code: str) -> bool:
    """True if `code` has ICD-10-CM shape (e.g. M54.50, T40.2X1A); says nothing of existence."""
    return isinstance(code, str) and _ICD10CM_RE.fullmatch(code) is not None


@cache
def load_conditions() -> ConditionCatalogue:
    """Load and validate the packaged condition catalogue (cached)."""
    text = resources.files("painpath.clinical").joinpath("data/conditions.toml").read_text("utf-8")
    return parse_catalogue(tomllib.loads(text))


def get_condition(condition_id: str) -> ConditionCode:
    """The condition with this id; UnknownConditionError names the id and the known ids."""
    for condition in load_conditions().conditions:
        if condition.id == condition_id:
            return condition
    known = ", ".join(load_conditions().ids())
    raise UnknownConditionError(f"condition id {condition_id!r} is unknown; known ids: {known}")


def parse_catalogue(data: dict[str, Any]) -> ConditionCatalogue:
    """Build a validated catalogue from parsed TOML data."""
    header = _table(data, "catalogue", "file")
    sources = tuple(_parse_source(s, i) for i, s in enumerate(_list(data, "sources", "file")))
    source_ids = {s.id for s in sources}
    conditions: list[ConditionCode] = []
    seen: set[str] = set()
    for index, raw in enumerate(_list(data, "conditions", "file")):
        condition = _parse_condition(raw, index, source_ids)
        if condition.id in seen:
            raise ConditionDataError(f"conditions[{index}].id {condition.id!r}: must be unique")
        seen.add(condition.id)
        conditions.append(condition)
    return ConditionCatalogue(
        catalogue_version=_str(header, "catalogue_version", "catalogue"),
        last_verified=_str(header, "last_verified", "catalogue"),
        icd10cm_edition=_str(header, "icd10cm_edition", "catalogue"),
        icd10cm_verification=_str(header, "icd10cm_verification", "catalogue"),
        snomed_edition=_str(header, "snomed_edition", "catalogue"),
        snomed_verification=_str(header, "snomed_verification", "catalogue"),
        sources=sources,
        conditions=tuple(conditions),
    )


def _parse_source(raw: Any, index: int) -> ConditionSource:
    where = f"sources[{index}]"
    table = _as_table(raw, where)
    return ConditionSource(
        id=_str(table, "id", where),
        citation=_str(table, "citation", where),
        url=_str(table, "url", where, allow_empty=True),
    )


def _parse_condition(raw: Any, index: int, source_ids: set[str]) -> ConditionCode:
    where = f"conditions[{index}]"
    table = _as_table(raw, where)
    condition_id = _str(table, "id", where)
    where = f"condition {condition_id!r}"
    if not _ID_RE.fullmatch(condition_id):
        raise ConditionDataError(f"{where}: id must be snake_case")
    category = _str(table, "category", where)
    if category not in CATEGORIES:
        raise ConditionDataError(f"{where}: category {category!r} not in {sorted(CATEGORIES)}")
    icd_code = _str(table, "icd10cm_code", where)
    if not is_valid_icd10cm_format(icd_code):
        raise ConditionDataError(f"{where}: icd10cm_code {icd_code!r} is not ICD-10-CM format")
    snomed_id, snomed_term, snomed_where = _parse_snomed(table, where)
    sources = table.get("sources")
    if not isinstance(sources, list) or not sources or not all(isinstance(s, str) for s in sources):
        raise ConditionDataError(f"{where}: sources must be a non-empty list of source ids")
    unknown = [s for s in sources if s not in source_ids]
    if unknown:
        raise ConditionDataError(f"{where}: sources {unknown} are not declared in [[sources]]")
    return ConditionCode(
        id=condition_id,
        display_name=_str(table, "display_name", where),
        category=category,
        icd10cm_code=icd_code,
        icd10cm_title=_str(table, "icd10cm_title", where),
        icd10cm_verified_in=_str(table, "icd10cm_verified_in", where),
        snomed_id=snomed_id,
        snomed_term=snomed_term,
        snomed_verified_in=snomed_where,
        sources=tuple(sources),
        note=_str(table, "note", where, allow_empty=True),
    )


def _parse_snomed(table: dict[str, Any], where: str) -> tuple[str | None, str | None, str | None]:
    keys = ("snomed_id", "snomed_term", "snomed_verified_in")
    present = [k for k in keys if k in table]
    if not present:
        return None, None, None
    if len(present) != len(keys):
        missing = [k for k in keys if k not in table]
        raise ConditionDataError(f"{where}: {missing} missing; give all SNOMED CT fields or none")
    sctid = _str(table, "snomed_id", where)
    if not is_valid_snomed_concept_id(sctid):
        raise ConditionDataError(
            f"{where}: snomed_id {sctid!r} fails the SNOMED CT concept id check "
            "(length, partition or Verhoeff check digit)"
        )
    return sctid, _str(table, "snomed_term", where), _str(table, "snomed_verified_in", where)


def _table(data: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    return _as_table(data.get(key), f"{where}: [{key}]")


def _list(data: dict[str, Any], key: str, where: str) -> list[Any]:
    value = data.get(key)
    if not isinstance(value, list) or not value:
        raise ConditionDataError(f"{where}: [[{key}]] must be a non-empty array of tables")
    return value


def _as_table(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConditionDataError(f"{where}: must be a table")
    return value


def _str(table: dict[str, Any], key: str, where: str, *, allow_empty: bool = False) -> str:
    value = table.get(key)
    if not isinstance(value, str) or (not allow_empty and not value.strip()):
        rule = "a string" if allow_empty else "a non-empty string"
        raise ConditionDataError(f"{where}: {key} must be {rule}")
    return value
