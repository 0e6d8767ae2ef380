"""Loads the MME data files: factor tables, dose thresholds, plausibility limits, tolerance."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from painpath.clinical.mme._errors import UnknownTableError

__all__ = [
    "DoseThreshold",
    "DrugLimit",
    "FactorTable",
    "Limits",
    "MethadoneBand",
    "TableFactor",
    "ToleranceDefinition",
    "load_limits",
    "load_table",
    "load_thresholds",
    "load_tolerance",
    "table_names",
]

FactorUnit = Literal["mg", "mcg/h"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _FactorRow(_Strict):
    factor: Decimal
    unit: FactorUnit
    note: str = ""


class _BandRow(_Strict):
    up_to: Decimal
    factor: Decimal


class _TableRow(_Strict):
    title: str
    citation: str
    url: str
    version: str
    verified_against: str
    factors: dict[str, _FactorRow]
    ranged: dict[str, list[_BandRow]] = {}
    excluded: dict[str, str] = {}
    gaps: dict[str, str] = {}


class _FactorsFile(_Strict):
    tables: dict[str, _TableRow]


class _ThresholdRow(_Strict):
    mme_per_day: int
    citation: str


class _ThresholdsFile(_Strict):
    threshold: list[_ThresholdRow]


class _DrugLimitRow(_Strict):
    max_dose_mg: Decimal | None = None
    max_rate_mcg_per_hour: Decimal | None = None


class _LimitsFile(_Strict):
    version: str
    max_doses_per_day: int
    max_item_mme_per_day: int
    drugs: dict[str, _DrugLimitRow]


class _AmountRow(_Strict):
    amount: Decimal
    unit: FactorUnit


class _ToleranceFile(_Strict):
    version: str
    citation: str
    url: str
    min_days: int
    table: str
    equianalgesic_mme_per_day: Decimal
    drugs: dict[str, _AmountRow]


@dataclass(frozen=True, slots=True)
class TableFactor:
    """A fixed factor: MME/day = daily amount in ``unit`` x ``factor``."""

    factor: Decimal
    unit: FactorUnit
    note: str = ""


@dataclass(frozen=True, slots=True)
class MethadoneBand:
    """A dose band: the factor for a total daily dose up to ``up_to`` mg (inclusive)."""

    up_to: Decimal
    factor: Decimal


@dataclass(frozen=True, slots=True)
class FactorTable:
    """One named conversion table with its source."""

    name: str
    title: str
    citation: str
    url: str
    version: str
    factors: dict[str, TableFactor]
    ranged: dict[str, tuple[MethadoneBand, ...]]
    excluded: dict[str, str]
    gaps: dict[str, str]

    def covers(self, drug_id: str) -> bool:
        """Whether the table has a factor (fixed or ranged) for ``drug_id``."""
        return drug_id in self.factors or drug_id in self.ranged


@dataclass(frozen=True, slots=True)
class DoseThreshold:
    """A daily MME value reported as crossed when the total reaches it."""

    mme_per_day: int
    citation: str


@dataclass(frozen=True, slots=True)
class DrugLimit:
    """The ceiling per administration (mg) or patch rate (mcg/h); a drug may be given in
    each unit it has a ceiling for."""

    max_dose_mg: Decimal | None
    max_rate_mcg_per_hour: Decimal | None

    @property
    def units(self) -> tuple[str, ...]:
        """The units the drug may be given in: "mg" and/or "mcg/h"."""
        given = (("mg", self.max_dose_mg), ("mcg/h", self.max_rate_mcg_per_hour))
        return tuple(unit for unit, ceiling in given if ceiling is not None)

    def ceiling(self, unit: str) -> Decimal | None:
        """The ceiling for ``unit`` ("mg": one administration; "mcg/h": a patch rate)."""
        return self.max_dose_mg if unit == "mg" else self.max_rate_mcg_per_hour


@dataclass(frozen=True, slots=True)
class Limits:
    """Plausibility guards for input (see data/limits.toml for the reasoning)."""

    version: str
    max_doses_per_day: int
    max_item_mme_per_day: int
    drugs: dict[str, DrugLimit]


@dataclass(frozen=True, slots=True)
class ToleranceDefinition:
    """The FDA opioid-tolerance thresholds: per-drug daily amounts, the MME fallback (with
    the factor table it is computed with) and the days needed."""

    version: str
    citation: str
    min_days: int
    table: str
    equianalgesic_mme_per_day: Decimal
    drug_amounts: dict[str, tuple[Decimal, str]]


def _read(name: str) -> dict[str, Any]:
    text = resources.files("painpath.clinical.mme").joinpath(f"data/{name}").read_text("utf-8")
    return tomllib.loads(text)


@cache
def _tables() -> dict[str, FactorTable]:
    data = _FactorsFile.model_validate(_read("factors.toml"))
    tables = {}
    for name, row in data.tables.items():
        for drug, bands in row.ranged.items():
            if drug in row.factors or not bands:
                raise ValueError(f"table {name!r}: {drug!r} needs either a factor or bands")
        tables[name] = FactorTable(
            name=name,
            title=row.title,
            citation=row.citation,
            url=row.url,
            version=row.version,
            factors={
                drug: TableFactor(factor=f.factor, unit=f.unit, note=f.note)
                for drug, f in row.factors.items()
            },
            ranged={
                drug: tuple(
                    MethadoneBand(up_to=b.up_to, factor=b.factor)
                    for b in sorted(bands, key=lambda b: b.up_to)
                )
                for drug, bands in row.ranged.items()
            },
            excluded=dict(row.excluded),
            gaps=dict(row.gaps),
        )
    return tables


def table_names() -> tuple[str, ...]:
    """Names of the available factor tables."""
    return tuple(_tables())


def load_table(name: str) -> FactorTable:
    """The factor table called ``name`` (e.g. ``"cdc2022"``)."""
    try:
        return _tables()[name]
    except KeyError:
        raise UnknownTableError(
            f"unknown factor table {name!r}: choose one of {', '.join(table_names())}"
        ) from None


@cache
def load_thresholds() -> tuple[DoseThreshold, ...]:
    """The daily MME thresholds, ascending."""
    data = _ThresholdsFile.model_validate(_read("dose_thresholds.toml"))
    rows = sorted(data.threshold, key=lambda r: r.mme_per_day)
    return tuple(DoseThreshold(mme_per_day=r.mme_per_day, citation=r.citation) for r in rows)


@cache
def load_limits() -> Limits:
    """The plausibility limits."""
    data = _LimitsFile.model_validate(_read("limits.toml"))
    drugs = {}
    for drug, row in data.drugs.items():
        limit = DrugLimit(
            max_dose_mg=row.max_dose_mg, max_rate_mcg_per_hour=row.max_rate_mcg_per_hour
        )
        if not limit.units:
            raise ValueError(f"limits.toml: drug {drug!r} needs a ceiling for at least one unit")
        drugs[drug] = limit
    return Limits(
        version=data.version,
        max_doses_per_day=data.max_doses_per_day,
        max_item_mme_per_day=data.max_item_mme_per_day,
        drugs=drugs,
    )


@cache
def load_tolerance() -> ToleranceDefinition:
    """The opioid-tolerance definition (data/opioid_tolerance.toml, parsed once)."""
    data = _ToleranceFile.model_validate(_read("opioid_tolerance.toml"))
    load_table(data.table)  # an unknown table fails here, not on the first patient
    return ToleranceDefinition(
        version=data.version,
        citation=data.citation,
        min_days=data.min_days,
        table=data.table,
        equianalgesic_mme_per_day=data.equianalgesic_mme_per_day,
        drug_amounts={d: (row.amount, row.unit) for d, row in data.drugs.items()},
    )
