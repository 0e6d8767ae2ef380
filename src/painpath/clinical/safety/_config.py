"""Loads ``data/rules.toml``: rule specs (severity, message, thresholds, sources) and exclusions."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict

__all__ = [
    "Exclusions",
    "RuleSpec",
    "Severity",
    "exclusions",
    "max_lookback_days",
    "rule_spec",
    "rule_specs",
]

Severity = Literal["info", "warning", "high", "urgent"]
SEVERITY_RANK: dict[str, int] = {"info": 0, "warning": 1, "high": 2, "urgent": 3}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _SourceRow(_Strict):
    citation: str
    url: str


class _RuleRow(_Strict):
    severity: Severity
    title: str
    message: str
    opioid_rule: bool
    sources: list[str]
    reference: str
    basis: Literal["published", "clinic-policy"]
    mme_per_day: int | None = None
    min_count: int | None = None
    max_days: int | None = None
    max_age_days: int | None = None
    default_interval_days: int | None = None
    min_ratio: Decimal | None = None
    window_days: int | None = None
    min_score: int | None = None
    recent_days: int | None = None
    baseline_days: int | None = None
    min_increase: Decimal | None = None
    lookback_days: int | None = None


class _ExclusionsRow(_Strict):
    min_age_years: int
    conditions: list[str]
    sources: list[str]


class _RulesFile(_Strict):
    version: str
    sources: dict[str, _SourceRow]
    exclusions: _ExclusionsRow
    rules: dict[str, _RuleRow]


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """The data side of one rule; ``params`` holds its thresholds by name."""

    id: str
    severity: Severity
    title: str
    message: str
    opioid_rule: bool
    sources: tuple[str, ...]
    reference: str
    basis: str
    params: dict[str, int | Decimal]

    def int_param(self, name: str) -> int:
        """An integer threshold (raises KeyError if the data file lacks it)."""
        value = self.params[name]
        if not isinstance(value, int):
            raise TypeError(f"rule {self.id}: parameter {name!r} is not an integer")
        return value

    def decimal_param(self, name: str) -> Decimal:
        """A decimal threshold."""
        return Decimal(self.params[name])


@dataclass(frozen=True, slots=True)
class Exclusions:
    """Who the CDC 2022 guideline does not apply to."""

    min_age_years: int
    conditions: frozenset[str]
    sources: tuple[str, ...]


@cache
def _load() -> tuple[dict[str, RuleSpec], Exclusions]:
    text = (
        resources.files("painpath.clinical.safety").joinpath("data/rules.toml").read_text("utf-8")
    )
    data = _RulesFile.model_validate(tomllib.loads(text))
    specs = {}
    for rule_id, row in data.rules.items():
        missing = [key for key in row.sources if key not in data.sources]
        if missing:
            raise ValueError(f"rule {rule_id}: unknown source(s) {missing}")
        params = {
            name: value
            for name, value in row.model_dump().items()
            if name not in _META and value is not None
        }
        specs[rule_id] = RuleSpec(
            id=rule_id,
            severity=row.severity,
            title=row.title,
            message=row.message,
            opioid_rule=row.opioid_rule,
            sources=tuple(data.sources[key].citation for key in row.sources),
            reference=row.reference,
            basis=row.basis,
            params=params,
        )
    excl = data.exclusions
    return specs, Exclusions(
        min_age_years=excl.min_age_years,
        conditions=frozenset(excl.conditions),
        sources=tuple(data.sources[key].citation for key in excl.sources),
    )


_META = frozenset({"severity", "title", "message", "opioid_rule", "sources", "reference", "basis"})


def rule_specs() -> dict[str, RuleSpec]:
    """All rule specs by id."""
    return dict(_load()[0])


def rule_spec(rule_id: str) -> RuleSpec:
    """The spec of one rule."""
    return _load()[0][rule_id]


def max_lookback_days() -> int:
    """The longest ``lookback_days`` any rule declares (1, day ``on`` alone, if none does)."""
    return max(
        (
            spec.int_param("lookback_days")
            for spec in _load()[0].values()
            if "lookback_days" in spec.params
        ),
        default=1,
    )


def exclusions() -> Exclusions:
    """The CDC 2022 exclusions."""
    return _load()[1]
