"""`painpath alerts burden`: how many alerts the safety rules raise, and how they are handled."""

from __future__ import annotations

import argparse
import json
from typing import Any

from painpath.cli import CliError
from painpath.cli._django import setup_django

DEFINITIONS = {
    "window": "the DAYS days before the command ran",
    "patient_weeks": (
        "for each patient, the days of the window from the earlier of the patient record's "
        "creation and their first reported data (check-in, questionnaire, dose report, "
        "wearable day) to the end of the window, divided by 7, summed over patients"
    ),
    "alerts_raised": (
        "alert episodes first raised inside the window (an ongoing condition is one episode), "
        "by rule and by the alert's severity as stored now"
    ),
    "open": "not acknowledged, not resolved, and the condition still holding now",
    "time_to_acknowledge": (
        "from raising to acknowledgement (resolving acknowledges) of the alerts raised in the "
        "window that were acknowledged; the median is over those only"
    ),
}


def _days(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= value <= 3660:
        raise argparse.ArgumentTypeError(f"{text} must be 1 to 3660")
    return value


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    alerts = subparsers.add_parser("alerts", help="alert figures for the database")
    actions = alerts.add_subparsers(dest="alerts_command", required=True, metavar="ACTION")
    burden = actions.add_parser(
        "burden",
        help="alerts per patient-week by rule and severity, patients with a high or urgent "
        "open alert, time to acknowledge",
    )
    burden.add_argument("--days", type=_days, default=28, help="window length (default 28)")
    burden.add_argument("--clinic", default="", metavar="SLUG", help="one clinic (default all)")
    burden.add_argument("--json", action="store_true", help="print JSON")
    burden.set_defaults(func=run_burden)


def _rate(value: float | None) -> str:
    return "n/a (no patient-time)" if value is None else f"{value:.3f}"


def _print_text(result: Any, days: int) -> None:
    r = result.report
    scope = f"clinic {result.clinic}" if result.clinic else "whole database"
    print(f"Alert burden, {scope}: {r.start:%Y-%m-%d %H:%M} to {r.end:%Y-%m-%d %H:%M} UTC "
          f"({days} days)")  # fmt: skip
    if r.synthetic_patients:
        print(f"SYNTHETIC data: {r.synthetic_patients} of {r.patients} patients are synthetic; "
              "these figures describe no real clinic.")  # fmt: skip
    print(f"Patients observed: {r.patients}, {r.patient_weeks:.1f} patient-weeks")
    print(f"Alerts raised: {r.alerts_raised}, {_rate(r.per_patient_week)} per patient-week")
    for row in r.by_severity:
        print(
            f"  {row.severity:<8} {row.alerts:>5}  {_rate(row.per_patient_week)} per patient-week"
        )
    if r.by_rule:
        print("By rule (severity, alerts, per patient-week, rule, title):")
        for row in r.by_rule:
            print(f"  {row.severity:<8} {row.alerts:>5}  {_rate(row.per_patient_week):>7}  "
                  f"{row.rule_id}  {row.title}")  # fmt: skip
    share = r.share_with_open_high_or_urgent
    share_text = "n/a" if share is None else f"{100 * share:.1f}%"
    print(f"Patients with a high or urgent open alert now: "
          f"{r.patients_with_open_high_or_urgent} of {r.patients} ({share_text})")  # fmt: skip
    now = ", ".join(f"{sev} {n}" for sev, n in r.open_alerts_now.items()) or "none"
    print(f"Open alerts now (raised at any time): {now}")
    median = r.median_minutes_to_acknowledge
    median_text = "n/a (none acknowledged)" if median is None else f"{median:.1f} minutes"
    print(f"Acknowledged: {r.acknowledged} of {r.alerts_raised} raised in the window "
          f"({r.not_acknowledged} not acknowledged, {r.not_acknowledged_still_open} still open); "
          f"median time to acknowledge: {median_text}")  # fmt: skip
    if result.missing_sources:
        print("Not read (app not installed): " + ", ".join(result.missing_sources))
    print("Definitions:")
    for key, text in DEFINITIONS.items():
        print(f"  {key}: {text.replace('DAYS', str(days))}")


def run_burden(args: argparse.Namespace) -> int:
    setup_django()
    from painpath.alerts.burden import UnknownClinic, measure

    try:
        result = measure(days=args.days, clinic_slug=args.clinic)
    except UnknownClinic:
        raise CliError(f"--clinic: no clinic with the slug {args.clinic!r}") from None
    if args.json:
        doc = {
            "scope": {"clinic": result.clinic or None, "days": args.days},
            "synthetic": result.report.synthetic_patients > 0,
            **result.report.to_dict(),
            "sources_not_read": list(result.missing_sources),
            "definitions": {k: v.replace("DAYS", str(args.days)) for k, v in DEFINITIONS.items()},
        }
        print(json.dumps(doc, indent=2))
    else:
        _print_text(result, args.days)
    return 0
