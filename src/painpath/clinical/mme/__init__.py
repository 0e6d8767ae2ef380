"""Morphine milligram equivalents: CDC 2022 factors (CDC 2016 as a named alternative)."""

from painpath.clinical.mme._by_line import LineUse, taken_against_prescribed
from painpath.clinical.mme._calculate import DoseItem, MmeItem, MmeResult, compute_mme
from painpath.clinical.mme._daily import TakenDose, prescribed_mme, taken_mme
from painpath.clinical.mme._data import (
    DoseThreshold,
    DrugLimit,
    FactorTable,
    Limits,
    MethadoneBand,
    TableFactor,
    ToleranceDefinition,
    load_limits,
    load_table,
    load_thresholds,
    load_tolerance,
    table_names,
)
from painpath.clinical.mme._errors import MmeError, MmeInputError, UnknownTableError
from painpath.clinical.mme._tolerance import ToleranceResult, opioid_tolerance

__all__ = [
    "DoseItem",
    "DoseThreshold",
    "DrugLimit",
    "FactorTable",
    "Limits",
    "LineUse",
    "MethadoneBand",
    "MmeError",
    "MmeInputError",
    "MmeItem",
    "MmeResult",
    "TableFactor",
    "TakenDose",
    "ToleranceDefinition",
    "ToleranceResult",
    "UnknownTableError",
    "compute_mme",
    "load_limits",
    "load_table",
    "load_thresholds",
    "load_tolerance",
    "opioid_tolerance",
    "prescribed_mme",
    "table_names",
    "taken_against_prescribed",
    "taken_mme",
]
