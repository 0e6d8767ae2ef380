"""`painpath safety evaluate`: every safety rule on one patient's state document (pure core)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from painpath.cli import CliError
from painpath.clinical.safety import (
    MAX_STATE_BYTES,
    SafetyError,
    StateReport,
    evaluate_state,
    parse_state,
    report_json,
)

__all__ = ["register", "run_evaluate"]


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add ``painpath safety evaluate``."""
    safety = subparsers.add_parser("safety", help="medication and opioid safety rules")
    sub = safety.add_subparsers(dest="safety_command", required=True, metavar="ACTION")
    evaluate = sub.add_parser(
        "evaluate",
        help="evaluate every rule on a patient-state JSON document read from standard input",
        description=(
            "Reads one patient's state (as-of time, time zone, prescriptions, doses taken, "
            "conditions, check-ins, questionnaire answers, monitoring events, genotypes; see "
            "the README) from standard input and prints the findings and the rules not "
            "evaluated for missing data."
        ),
    )
    evaluate.add_argument("--json", action="store_true", help="print the result as JSON")
    evaluate.set_defaults(func=run_evaluate)


def _text(result: StateReport) -> str:
    report = result.report
    lines = [
        f"as of {result.as_of.isoformat()} (day {report.on.isoformat()}): "
        f"{len(report.alerts)} finding(s); MME/day prescribed "
        f"{float(report.prescribed_mme.total_mme_per_day):g}, taken "
        f"{float(report.taken_mme.total_mme_per_day):g}"
    ]
    for alert in report.alerts:
        subject = f" ({alert.subject})" if alert.subject else ""
        lines.append(f"{alert.severity.upper()}: {alert.title}{subject}")
        lines.append(f"  {alert.message}")
        lines.append(f"  Source: {alert.reference}")
    lines.extend(f"{n.rule_id}: {n.reason}" for n in report.not_evaluated)
    lines.extend(f"{n.rule_id}: not applied: {n.reason}" for n in report.not_applied)
    return "\n".join(lines)


def run_evaluate(args: argparse.Namespace) -> int:
    """Read the document from standard input (at most MAX_STATE_BYTES characters), print the
    result."""
    raw = sys.stdin.read(MAX_STATE_BYTES + 1)
    try:
        result = evaluate_state(parse_state(raw))
    except SafetyError as exc:
        raise CliError(str(exc)) from None
    if args.json:
        print(json.dumps(report_json(result), ensure_ascii=False))
    else:
        print(_text(result))
    return 0
