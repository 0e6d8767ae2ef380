"""`painpath mme`: daily morphine milligram equivalents of a JSON list of opioid items."""

from __future__ import annotations

import argparse
import json
import sys
from decimal import Decimal
from typing import Any

from painpath.cli import CliError
from painpath.clinical.mme import DoseItem, MmeError, MmeResult, compute_mme, table_names

__all__ = ["register", "run"]

_KEYS = ("drug", "dose", "unit", "doses_per_day")
_REQUIRED = ("drug", "dose", "unit")


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add ``painpath mme``."""
    parser = subparsers.add_parser(
        "mme",
        help="daily MME of opioid items read as JSON from standard input",
        description=(
            'Reads a JSON list of {"drug", "dose", "unit": "mg"|"mcg/h", "doses_per_day"} '
            "from standard input (a patch: unit mcg/h, no doses_per_day) and prints the "
            "daily morphine milligram equivalents."
        ),
    )
    parser.add_argument(
        "--factors",
        choices=table_names(),
        default="cdc2022",
        help="conversion factor table (default: cdc2022; cdc2016 is the 2016 fact sheet)",
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.set_defaults(func=run)


def _items(raw: object) -> list[DoseItem]:
    if not isinstance(raw, list):
        raise CliError("input: expected a JSON list of items")
    items = []
    for index, entry in enumerate(raw):
        if not isinstance(entry, dict):
            raise CliError(f"item {index}: expected a JSON object")
        unknown = sorted(set(entry) - set(_KEYS))
        if unknown:
            raise CliError(f"item {index}, field {unknown[0]!r}: unknown field")
        for key in _REQUIRED:
            if key not in entry:
                raise CliError(f"item {index}, field {key!r}: required")
        if entry["unit"] not in ("mg", "mcg/h"):
            raise CliError(
                f"item {index}, field 'unit': must be 'mg' or 'mcg/h', got {entry['unit']!r}"
            )
        items.append(
            DoseItem(
                drug=entry["drug"],
                dose=entry["dose"],
                unit=entry["unit"],
                doses_per_day=entry.get("doses_per_day"),
            )
        )
    return items


def _number(value: Decimal) -> float:
    # Exact, not rounded: a total printed as 50 while thresholds_crossed says 50 was not
    # reached (49.995) would contradict itself. Factors and inputs are short decimals, so
    # the exact value is short too.
    return float(value)


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}"


def as_json(result: MmeResult) -> dict[str, object]:
    """The CLI's JSON contract."""
    return {
        "total_mme_per_day": _number(result.total_mme_per_day),
        "items": [
            {"drug": item.drug, "mme_per_day": _number(item.mme_per_day)} for item in result.items
        ],
        "thresholds_crossed": list(result.thresholds_crossed),
        "excluded": list(result.excluded),
    }


def _text(result: MmeResult) -> str:
    lines = [f"{i.drug}: {_plain(i.mme_per_day)} MME/day" for i in result.items]
    lines.append(f"total: {_plain(result.total_mme_per_day)} MME/day ({result.table})")
    crossed = ", ".join(str(t) for t in result.thresholds_crossed) or "none"
    lines.append(f"thresholds crossed: {crossed}")
    if result.excluded:
        lines.append("excluded (not converted): " + ", ".join(result.excluded))
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Read items from standard input, print the MME result."""
    try:
        raw = json.load(sys.stdin)
    except json.JSONDecodeError as exc:
        raise CliError(f"input: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    try:
        result = compute_mme(_items(raw), table=args.factors)
    except MmeError as exc:
        raise CliError(str(exc)) from None
    if args.json:
        print(json.dumps(as_json(result)))
    else:
        print(_text(result))
    return 0
