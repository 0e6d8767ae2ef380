"""Opioid tolerance by the FDA definition (data/opioid_tolerance.toml), from prescriptions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from painpath.clinical.medications import Catalogue, Prescription, load_catalogue
from painpath.clinical.mme._calculate import MmeResult
from painpath.clinical.mme._daily import prescribed_mme
from painpath.clinical.mme._data import ToleranceDefinition, load_tolerance

__all__ = ["ToleranceResult", "opioid_tolerance"]


@dataclass(frozen=True, slots=True)
class ToleranceResult:
    """Whether the patient was opioid-tolerant on every day of the window before ``before``."""

    tolerant: bool
    window_start: date
    window_end: date
    qualifying_days: int
    lowest_mme_per_day: Decimal


def _qualifies(day: MmeResult, definition: ToleranceDefinition) -> bool:
    """One day: the MME fallback, or any drug at its own daily amount (patch: its rate)."""
    daily: dict[tuple[str, str], Decimal] = {}
    for item in day.items:
        key = (item.drug, item.unit)
        daily[key] = daily.get(key, Decimal(0)) + item.daily_amount
    by_drug = any(
        daily.get((drug, unit), Decimal(0)) >= threshold
        for drug, (threshold, unit) in definition.drug_amounts.items()
    )
    return by_drug or day.total_mme_per_day >= definition.equianalgesic_mme_per_day


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
        day = prescribed_mme(
            opioids,
            on=start + timedelta(days=offset),
            table=definition.table,
            catalogue=catalogue,
        )
        qualifying += _qualifies(day, definition)
        totals.append(day.total_mme_per_day)
    return ToleranceResult(
        tolerant=qualifying == definition.min_days,
        window_start=start,
        window_end=before - timedelta(days=1),
        qualifying_days=qualifying,
        lowest_mme_per_day=min(totals, default=Decimal(0)),
    )
