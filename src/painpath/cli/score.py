"""`painpath score`: score one completed instrument from its answers (no Django, no storage)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from painpath.cli import CliError
from painpath.clinical.instruments import (
    SEXES,
    InstrumentError,
    ScoreResult,
    get_instrument,
    instrument_ids,
    parse_answers,
    score,
)

__all__ = ["register", "run"]


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add the ``score`` command."""
    parser = subparsers.add_parser(
        "score",
        help="score a validated instrument from its answers",
        description=(
            "Score one form. Answers are the option values of the scored items in published "
            "order, comma-separated; leave a position empty for a missing item. "
            f"Instruments: {', '.join(instrument_ids())}."
        ),
    )
    parser.add_argument("instrument", metavar="INSTRUMENT", help="instrument id, e.g. phq9")
    parser.add_argument("--answers", required=True, metavar="A1,A2,...", help="answer values")
    parser.add_argument("--sex", choices=SEXES, help="required for ort")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Score and print; bad input raises :class:`CliError` (one line, exit 2)."""
    try:
        instrument = get_instrument(args.instrument)
        result = score(instrument, parse_answers(instrument, args.answers), sex=args.sex)
    except InstrumentError as exc:
        raise CliError(str(exc)) from exc
    print(json.dumps(result.to_dict()) if args.json else _describe(result))
    return 0


def _describe(result: ScoreResult) -> str:
    if not result.valid:
        lines = [f"{result.instrument}: not scoreable (missing-item rule not met)"]
    else:
        band = f" ({result.band})" if result.band else ""
        lines = [f"{result.instrument}: score {result.score}{band}"]
    if result.subscales:
        parts = ", ".join(f"{name} {value}" for name, value in result.subscales.items())
        lines.append(f"subscales: {parts}")
    if result.flags:
        lines.append(f"flags: {', '.join(result.flags)}")
    if result.missing:
        lines.append(f"missing: {', '.join(result.missing)}")
    return "\n".join(lines)
