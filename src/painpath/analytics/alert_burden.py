"""Alert burden: how many alerts a clinic's rules raise per patient-week, how many patients
carry a high or urgent open alert, and how fast alerts are acknowledged. Pure, no Django.

Definitions (the report repeats them, so a reader never has to guess):

- Observation window: ``[start, end)``, by default the 28 days before the report is run.
- A patient is observed from ``since`` (their record's creation or their first reported data,
  whichever is earlier) to the end of the window; patient-weeks are the days of that span that
  fall inside the window, divided by 7, summed over patients.
- Alerts raised: alert episodes whose ``raised_at`` falls inside the window (an ongoing
  condition is one episode, however often it is re-evaluated). Grouped by rule and by the
  alert's severity as stored now. Rate = alerts raised / patient-weeks.
- Open now: status "open" (not acknowledged, not resolved) and the condition still holding
  (not cleared) at ``end``. The share of patients with a high or urgent open alert is over
  every patient observed in the window.
- Time to acknowledge: ``acknowledged_at - raised_at`` of the alerts raised in the window that
  were acknowledged (resolving an alert acknowledges it); the median is over those only, and
  the report says how many were and were not acknowledged, so a fast median over a few
  acknowledged alerts cannot hide many ignored ones.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = [
    "HIGH_OR_URGENT",
    "SEVERITY_ORDER",
    "AlertEpisode",
    "BurdenReport",
    "ObservedPatient",
    "RuleRate",
    "measure_burden",
]

SEVERITY_ORDER = ("urgent", "high", "warning", "info")
HIGH_OR_URGENT = frozenset({"high", "urgent"})
_WEEK = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class AlertEpisode:
    """One stored alert, as the burden measure needs it."""

    patient_id: int
    rule_id: str
    title: str
    severity: str
    status: str  # "open", "acknowledged", "resolved" (other states are counted as not open)
    raised_at: datetime
    acknowledged_at: datetime | None = None
    cleared_at: datetime | None = None

    @property
    def open(self) -> bool:
        return self.status == "open" and self.cleared_at is None


@dataclass(frozen=True, slots=True)
class ObservedPatient:
    patient_id: int
    since: datetime  # record created or first reported data, whichever is earlier
    synthetic: bool = False


@dataclass(frozen=True, slots=True)
class RuleRate:
    rule_id: str  # empty in the per-severity rows
    title: str
    severity: str
    alerts: int
    per_patient_week: float | None


@dataclass(frozen=True, slots=True)
class BurdenReport:
    start: datetime
    end: datetime
    patients: int
    synthetic_patients: int
    patient_weeks: float
    alerts_raised: int
    per_patient_week: float | None
    by_rule: tuple[RuleRate, ...]
    by_severity: tuple[RuleRate, ...]
    patients_with_open_high_or_urgent: int
    share_with_open_high_or_urgent: float | None
    open_alerts_now: dict[str, int]  # severity -> open alerts now (raised at any time)
    acknowledged: int
    not_acknowledged: int
    not_acknowledged_still_open: int
    median_minutes_to_acknowledge: float | None

    def to_dict(self) -> dict[str, object]:
        return {
            "window": {"start": self.start.isoformat(), "end": self.end.isoformat()},
            "patients": self.patients,
            "synthetic_patients": self.synthetic_patients,
            "patient_weeks": round(self.patient_weeks, 3),
            "alerts_raised": self.alerts_raised,
            "alerts_per_patient_week": _round(self.per_patient_week),
            "by_rule": [_rate_dict(r) for r in self.by_rule],
            "by_severity": [_rate_dict(r) for r in self.by_severity],
            "patients_with_open_high_or_urgent": self.patients_with_open_high_or_urgent,
            "share_with_open_high_or_urgent": _round(self.share_with_open_high_or_urgent),
            "open_alerts_now": dict(self.open_alerts_now),
            "acknowledgement": {
                "acknowledged": self.acknowledged,
                "not_acknowledged": self.not_acknowledged,
                "not_acknowledged_still_open": self.not_acknowledged_still_open,
                "median_minutes_to_acknowledge": _round(self.median_minutes_to_acknowledge),
            },
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _rate_dict(rate: RuleRate) -> dict[str, object]:
    return {
        "rule_id": rate.rule_id,
        "title": rate.title,
        "severity": rate.severity,
        "alerts": rate.alerts,
        "per_patient_week": _round(rate.per_patient_week),
    }


def _severity_rank(severity: str) -> int:
    return SEVERITY_ORDER.index(severity) if severity in SEVERITY_ORDER else len(SEVERITY_ORDER)


def _observed(patient: ObservedPatient, start: datetime, end: datetime) -> timedelta:
    begin = max(start, patient.since)
    return max(timedelta(0), end - begin)


def measure_burden(
    alerts: Iterable[AlertEpisode],
    patients: Iterable[ObservedPatient],
    *,
    start: datetime,
    end: datetime,
) -> BurdenReport:
    """The burden figures for ``patients`` over ``[start, end)``; ``end`` is "now" for the
    open-alert figures. ``alerts`` may hold more than the window: only the alerts of the given
    patients count, those raised in the window for the rates, all of them for "open now"."""
    if end <= start:
        raise ValueError("the window must end after it starts")
    observed = {p.patient_id: p for p in patients if p.since < end}
    patient_time = sum((_observed(p, start, end) for p in observed.values()), timedelta(0))
    weeks = patient_time / _WEEK
    mine = [a for a in alerts if a.patient_id in observed]
    raised = [a for a in mine if start <= a.raised_at < end]

    def rate(count: int) -> float | None:
        return count / weeks if weeks > 0 else None

    per_rule = Counter((a.rule_id, a.severity) for a in raised)
    titles = {a.rule_id: a.title for a in sorted(raised, key=lambda a: a.raised_at)}
    by_rule = tuple(
        RuleRate(rule, titles[rule], severity, n, rate(n))
        for (rule, severity), n in sorted(
            per_rule.items(), key=lambda kv: (_severity_rank(kv[0][1]), -kv[1], kv[0][0])
        )
    )
    per_severity = Counter(a.severity for a in raised)
    by_severity = tuple(
        RuleRate("", "", severity, per_severity[severity], rate(per_severity[severity]))
        for severity in sorted(per_severity, key=_severity_rank)
    )
    open_now = [a for a in mine if a.open]
    flagged = {a.patient_id for a in open_now if a.severity in HIGH_OR_URGENT}
    acknowledged = [a for a in raised if a.acknowledged_at is not None]
    waits = [(a.acknowledged_at - a.raised_at) / timedelta(minutes=1) for a in acknowledged]  # type: ignore[operator]
    unacknowledged = [a for a in raised if a.acknowledged_at is None]
    return BurdenReport(
        start=start,
        end=end,
        patients=len(observed),
        synthetic_patients=sum(1 for p in observed.values() if p.synthetic),
        patient_weeks=weeks,
        alerts_raised=len(raised),
        per_patient_week=rate(len(raised)),
        by_rule=by_rule,
        by_severity=by_severity,
        patients_with_open_high_or_urgent=len(flagged),
        share_with_open_high_or_urgent=len(flagged) / len(observed) if observed else None,
        open_alerts_now=dict(
            sorted(
                Counter(a.severity for a in open_now).items(), key=lambda kv: _severity_rank(kv[0])
            )
        ),
        acknowledged=len(acknowledged),
        not_acknowledged=len(unacknowledged),
        not_acknowledged_still_open=sum(1 for a in unacknowledged if a.status == "open"),
        median_minutes_to_acknowledge=statistics.median(waits) if waits else None,
    )
