"""Daily MME: per item and total, with thresholds crossed and drugs excluded."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from painpath.clinical.medications import Catalogue, Medication, MedicationError, load_catalogue
from painpath.clinical.mme._data import (
    FactorTable,
    Limits,
    load_limits,
    load_table,
    load_thresholds,
)
from painpath.clinical.mme._errors import MmeInputError

__all__ = ["DoseItem", "MmeItem", "MmeResult", "compute_mme"]


@dataclass(frozen=True, slots=True)
class DoseItem:
    """One opioid line: ``dose`` per administration (mg) x ``doses_per_day``, or a patch rate.

    A transdermal patch has ``unit="mcg/h"`` and no ``doses_per_day``.
    """

    drug: str
    dose: float
    unit: str = "mg"
    doses_per_day: float | None = None


@dataclass(frozen=True, slots=True)
class MmeItem:
    """The result for one item."""

    drug: str
    daily_amount: Decimal
    unit: str
    factor: Decimal
    mme_per_day: Decimal


@dataclass(frozen=True, slots=True)
class MmeResult:
    """Total daily MME, the items it sums, thresholds reached and drugs not converted."""

    table: str
    total_mme_per_day: Decimal
    items: tuple[MmeItem, ...]
    thresholds_crossed: tuple[int, ...]
    excluded: tuple[str, ...]


def _error(index: int, field: str, message: str) -> MmeInputError:
    return MmeInputError(index, field, message)


def _number(value: object, index: int, field: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _error(index, field, f"must be a number, got {value!r}")
    if not math.isfinite(value):
        raise _error(index, field, f"must be a finite number, got {value!r}")
    if value <= 0:
        raise _error(index, field, f"must be greater than 0, got {value!r}")
    return Decimal(str(value))


def _medication(item: DoseItem, index: int, catalogue: Catalogue) -> Medication:
    if not isinstance(item.drug, str):
        raise _error(index, "drug", f"must be a drug name, got {item.drug!r}")
    try:
        return catalogue.find(item.drug)
    except MedicationError as exc:
        raise _error(index, "drug", str(exc)) from None


def _checked_dose(item: DoseItem, index: int, drug: str, unit: str, limits: Limits) -> Decimal:
    """The dose (or patch rate), positive and under the drug's engineering ceiling."""
    dose = _number(item.dose, index, "dose")
    limit = limits.drugs.get(drug)
    ceiling = limit.ceiling(unit) if limit is not None else None
    if ceiling is not None and dose > ceiling:
        what = "in one administration" if unit == "mg" else "as a patch rate"
        raise _error(
            index,
            "dose",
            f"{item.dose} {unit} {what} is above painpath's plausibility limit of "
            f"{ceiling.normalize():f} {unit} for {drug} (a data-entry guard against unit "
            "slips, not a clinical maximum; see mme/data/limits.toml)",
        )
    return dose


def _daily_amount(item: DoseItem, index: int, unit: str, dose: Decimal, max_doses: int) -> Decimal:
    if unit == "mcg/h":
        if item.doses_per_day is not None:
            raise _error(index, "doses_per_day", "a patch (unit 'mcg/h') has no doses_per_day")
        return dose
    if item.doses_per_day is None:
        raise _error(index, "doses_per_day", "required when the unit is 'mg'")
    per_day = _number(item.doses_per_day, index, "doses_per_day")
    if per_day > max_doses:
        raise _error(
            index,
            "doses_per_day",
            f"{item.doses_per_day} administrations a day is above the plausibility limit of "
            f"{max_doses} (see mme/data/limits.toml)",
        )
    return dose * per_day


def _unit_error(item: DoseItem, index: int, medication: Medication, allowed: str) -> MmeInputError:
    return _error(index, "unit", f"{item.unit!r} does not fit {medication.name}: {allowed}")


def _check_excluded(item: DoseItem, index: int, medication: Medication, limits: Limits) -> None:
    """A drug the table does not convert still gets unit, frequency and ceiling checks (every
    excluded drug has a limits.toml entry; a test holds the data files to that)."""
    units = limits.drugs[medication.id].units
    if item.unit not in units:
        raise _unit_error(
            item, index, medication, f"{medication.name} is given in {' or '.join(units)}"
        )
    dose = _checked_dose(item, index, medication.id, item.unit, limits)
    _daily_amount(item, index, item.unit, dose, limits.max_doses_per_day)


def _methadone_factor(table: FactorTable, total_mg: Decimal, index: int) -> Decimal:
    for band in table.ranged["methadone"]:
        if total_mg <= band.up_to:
            return band.factor
    top = table.ranged["methadone"][-1].up_to
    gap = table.gaps.get("methadone")
    raise _error(
        index,
        "dose",
        f"total methadone {total_mg.normalize():f} mg/day is above the highest band "
        f"({top} mg/day) of table {table.name}, which gives no factor there"
        + (f": {gap}" if gap else ""),
    )


def compute_mme(
    items: Sequence[DoseItem], *, table: str = "cdc2022", catalogue: Catalogue | None = None
) -> MmeResult:
    """Daily MME of ``items`` with the named factor table (never mixed).

    Raises :class:`MmeInputError` naming the item index and field for an unknown drug, a
    non-opioid, a drug the table has no factor for, a unit that does not fit the drug, and
    zero, negative, non-finite or implausible values.
    """
    factors = load_table(table)
    limits = load_limits()
    catalogue = catalogue or load_catalogue()
    excluded: list[str] = []
    pending: list[tuple[int, Medication, Decimal, str]] = []
    for index, item in enumerate(items):
        medication = _medication(item, index, catalogue)
        if medication.id in factors.excluded:
            _check_excluded(item, index, medication, limits)
            excluded.append(medication.id)
            continue
        if not medication.is_opioid_analgesic:
            raise _error(
                index, "drug", f"{medication.name} is not an opioid analgesic; MME is for opioids"
            )
        if not factors.covers(medication.id):
            gap = factors.gaps.get(medication.id)
            raise _error(
                index,
                "drug",
                f"table {table} has no conversion factor for {medication.name}"
                + (f": {gap}" if gap else ""),
            )
        fixed = factors.factors.get(medication.id)
        unit: str = fixed.unit if fixed is not None else "mg"
        if item.unit != unit:
            note = f" ({fixed.note})" if fixed is not None and fixed.note else ""
            raise _error(
                index,
                "unit",
                f"{item.unit!r} does not fit {medication.name}: table {table} converts "
                f"{medication.name}{note} per {unit}",
            )
        dose = _checked_dose(item, index, medication.id, unit, limits)
        amount = _daily_amount(item, index, unit, dose, limits.max_doses_per_day)
        pending.append((index, medication, amount, unit))

    methadone_mg = sum((a for _, m, a, _ in pending if m.id in factors.ranged), Decimal(0))
    results: list[MmeItem] = []
    for index, medication, amount, unit in pending:
        fixed_factor = factors.factors.get(medication.id)
        factor = (
            fixed_factor.factor
            if fixed_factor is not None
            else _methadone_factor(factors, methadone_mg, index)
        )
        mme = amount * factor
        if mme > limits.max_item_mme_per_day:
            raise _error(
                index,
                "dose",
                f"{mme.normalize():f} MME/day for this item is above the plausibility limit of "
                f"{limits.max_item_mme_per_day} MME/day (check the dose and its unit)",
            )
        results.append(
            MmeItem(
                drug=medication.id, daily_amount=amount, unit=unit, factor=factor, mme_per_day=mme
            )
        )
    total = sum((r.mme_per_day for r in results), Decimal(0))
    crossed = tuple(t.mme_per_day for t in load_thresholds() if total >= t.mme_per_day)
    return MmeResult(
        table=table,
        total_mme_per_day=total,
        items=tuple(results),
        thresholds_crossed=crossed,
        excluded=tuple(excluded),
    )
