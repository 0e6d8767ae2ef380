"""Opioid tolerance by the FDA definition (data/opioid_tolerance.toml), from prescriptions."""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from importlib import resources

from pydantic import BaseModel, ConfigDict

from painpath.clinical.medications import Catalogue, Prescription, load_catalogue
from painpath.clinical.mme._daily import prescribed_mme
from painpath.clinical.mme._data import FactorUnit

__all__ = ["ToleranceDefinition", "ToleranceResult", "load_tolerance", "opioid_tolerance"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _AmountRow(_Strict):
    amount: Decimal
    unit: FactorUnit


class _ToleranceFile(_Strict):
    version: str
    citation: str
    url: str
    min_days: int
    equianalgesic_mme_per_day: Decimal
    drugs: dict[str, _AmountRow]


@dataclass(frozen=True, slots=True)
class ToleranceDefinition:
    """The thresholds: per-drug daily amounts, the MME fallback and the days needed."""

    version: str
    citation: str
    min_days: int
    equianalgesic_mme_per_day: Decimal
    drug_amounts: dict[str, tuple[Decimal, str]]


@dataclass(frozen=True, slots=True)
class ToleranceResult:
    """Whether the patient was opioid-tolerant on every day of the window before ``before``."""

    tolerant: bool
    window_start: date
    window_end: date
    qualifying_days: int
    lowest_mme_per_day: Decimal


@cache
def load_tolerance() -> ToleranceDefinition:
    """The packaged definition (parsed once)."""
    text = (
        resources.files("painpath.clinical.mme")
        .joinpath("data/opioid_tolerance.toml")
        .read_text("utf-8")
    )
    data = _ToleranceFile.model_validate(tomllib.loads(text))
    return ToleranceDefinition(
        version=data.version,
        citation=data.citation,
        min_days=data.min_days,
        equianalgesic_mme_per_day=data.equianalgesic_mme_per_day,
        drug_amounts={d: (row.amount, row.unit) for d, row in data.drugs.items()},
    )


def _qualifies(
    lines: list[Prescription], definition: ToleranceDefinition, catalogue: Catalogue
) -> tuple[bool, Decimal]:
    """One day: the MME fallback, or any drug at its own daily amount (patch: its rate)."""
    total = prescribed_mme(lines, table="cdc2022", catalogue=catalogue).total_mme_per_day
    daily: dict[tuple[str, str], Decimal] = {}
    for rx in lines:
        key = (catalogue.find(rx.drug).id, rx.unit)
        per_day = rx.administrations_per_day()
        times = Decimal(1) if per_day is None else Decimal(str(per_day))
        daily[key] = daily.get(key, Decimal(0)) + Decimal(str(rx.dose)) * times
    by_drug = any(
        daily.get((drug, unit), Decimal(0)) >= threshold
        for drug, (threshold, unit) in definition.drug_amounts.items()
    )
    return by_drug or total >= definition.equianalgesic_mme_per_day, total


def opioid_tolerance(
    prescriptions: Sequence[Prescription],
    *,
    before: date,
    catalogue: Catalogue | None = None,
) -> ToleranceResult:
    """Tolerance on each of the ``min_days`` days before ``before`` (``before`` excluded).

    Counts scheduled full-agonist opioid lines active on each day (as-needed lines and
    buprenorphine do not count; see the data file for painpath's reading of the FDA text).
    """
    catalogue = catalogue or load_catalogue()
    definition = load_tolerance()
    opioids = [
        rx
        for rx in prescriptions
        if catalogue.find(rx.drug).is_opioid_analgesic and not rx.as_needed
    ]
    start = before - timedelta(days=definition.min_days)
    qualifying = 0
    totals: list[Decimal] = []
    for offset in range(definition.min_days):
        day = start + timedelta(days=offset)
        ok, total = _qualifies([rx for rx in opioids if rx.is_active(day)], definition, catalogue)
        qualifying += ok
        totals.append(total)
    return ToleranceResult(
        tolerant=qualifying == definition.min_days,
        window_start=start,
        window_end=before - timedelta(days=1),
        qualifying_days=qualifying,
        lowest_mme_per_day=min(totals, default=Decimal(0)),
    )
