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
    "LongTermDefinition",
    "RuleSpec",
    "Severity",
    "TolerantOnlyProduct",
    "exclusions",
    "long_term_definition",
    "max_lookback_days",
    "rule_spec",
    "rule_specs",
    "rule_title",
    "tolerant_only_products",
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
    initiation_window_days: int | None = None
    worse_when: list[Literal["prescribed_mme", "added"]] = []


class _LongTermRow(_Strict):
    min_supply_days: int
    window_days: int
    min_days_in_window: int
    sources: list[str]


class _DefinitionsRow(_Strict):
    long_term_opioid_therapy: _LongTermRow


class _ExclusionsRow(_Strict):
    min_age_years: int
    conditions: list[str]
    sources: list[str]


class _RulesFile(_Strict):
    version: str
    sources: dict[str, _SourceRow]
    definitions: _DefinitionsRow
    exclusions: _ExclusionsRow
    rules: dict[str, _RuleRow]


class _ProductRow(_Strict):
    drug: str
    release: Literal["ir", "er_la"]
    unit: Literal["mg", "mcg/h"] | None = None
    single_dose_above_mg: Decimal | None = None
    daily_dose_above_mg: Decimal | None = None
    description: str
    citation: str
    label: str
    url: str


class _ProductsFile(_Strict):
    version: str
    product: list[_ProductRow]


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
    worse_when: tuple[str, ...] = ()

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


@dataclass(frozen=True, slots=True)
class LongTermDefinition:
    """Long-term opioid therapy, as the monitoring rules read it (see data/rules.toml)."""

    min_supply_days: int
    window_days: int
    min_days_in_window: int
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TolerantOnlyProduct:
    """A product (or its higher doses) labelled for opioid-tolerant patients only."""

    drug: str
    release: str
    unit: str | None
    single_dose_above_mg: Decimal | None
    daily_dose_above_mg: Decimal | None
    description: str
    citation: str


def _text(name: str) -> str:
    return resources.files("painpath.clinical.safety").joinpath(f"data/{name}").read_text("utf-8")


@cache
def _load() -> tuple[dict[str, RuleSpec], Exclusions, LongTermDefinition]:
    data = _RulesFile.model_validate(tomllib.loads(_text("rules.toml")))
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
            worse_when=tuple(row.worse_when),
        )
    excl = data.exclusions
    term = data.definitions.long_term_opioid_therapy
    return (
        specs,
        Exclusions(
            min_age_years=excl.min_age_years,
            conditions=frozenset(excl.conditions),
            sources=tuple(data.sources[key].citation for key in excl.sources),
        ),
        LongTermDefinition(
            min_supply_days=term.min_supply_days,
            window_days=term.window_days,
            min_days_in_window=term.min_days_in_window,
            sources=tuple(data.sources[key].citation for key in term.sources),
        ),
    )


_META = frozenset(
    {"severity", "title", "message", "opioid_rule", "sources", "reference", "basis", "worse_when"}
)


def rule_specs() -> dict[str, RuleSpec]:
    """All rule specs by id."""
    return dict(_load()[0])


def rule_title(rule_id: str) -> str:
    """The rule's title, for text a clinician reads (never the id); a rule no longer in the
    data (an old stored alert or route) is spelt out from its id."""
    spec = _load()[0].get(rule_id)
    return spec.title if spec is not None else rule_id.replace("-", " ").replace("_", " ")


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


def long_term_definition() -> LongTermDefinition:
    """What counts as long-term opioid therapy."""
    return _load()[2]


@cache
def tolerant_only_products() -> tuple[TolerantOnlyProduct, ...]:
    """The products of data/tolerant_only.toml."""
    data = _ProductsFile.model_validate(tomllib.loads(_text("tolerant_only.toml")))
    return tuple(
        TolerantOnlyProduct(
            drug=row.drug,
            release=row.release,
            unit=row.unit,
            single_dose_above_mg=row.single_dose_above_mg,
            daily_dose_above_mg=row.daily_dose_above_mg,
            description=row.description,
            citation=row.citation,
        )
        for row in data.product
    )
