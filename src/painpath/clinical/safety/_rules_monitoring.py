"""Monitoring rules: urine drug test and PDMP review for long-term opioids; dose adherence."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from painpath.clinical.safety._alert import Alert, Evidence, make_alert
from painpath.clinical.safety._config import RuleSpec
from painpath.clinical.safety._context import RuleContext
from painpath.clinical.safety._rule import rule

__all__: list[str] = []


def _age(last: date | None, on: date) -> int | None:
    return None if last is None else (on - last).days


@rule("urine-drug-test-overdue")
def urine_drug_test_overdue(ctx: RuleContext, spec: RuleSpec) -> Alert | None:
    """Long-term opioid therapy and no urine drug test within the last 365 days."""
    if not ctx.snapshot.long_term_opioid_therapy:
        return None
    last = ctx.snapshot.last_urine_drug_test
    age, limit = _age(last, ctx.on), spec.int_param("max_age_days")
    if age is not None and age <= limit:
        return None
    evidence: Evidence = {
        "last_urine_drug_test": None if last is None else last.isoformat(),
        "days_since": age,
        "max_age_days": limit,
    }
    return make_alert(spec, evidence, last="never recorded" if last is None else last.isoformat())


@rule("pdmp-review-overdue")
def pdmp_review_overdue(ctx: RuleContext, spec: RuleSpec) -> Alert | None:
    """Long-term opioid therapy and no PDMP review within the clinic's interval."""
    if not ctx.snapshot.long_term_opioid_therapy:
        return None
    interval = ctx.snapshot.pdmp_interval_days or spec.int_param("default_interval_days")
    last = ctx.snapshot.last_pdmp_review
    age = _age(last, ctx.on)
    if age is not None and age <= interval:
        return None
    evidence: Evidence = {
        "last_pdmp_review": None if last is None else last.isoformat(),
        "days_since": age,
        "interval_days": interval,
    }
    return make_alert(
        spec,
        evidence,
        last="never recorded" if last is None else last.isoformat(),
        interval=interval,
    )


@rule("adherence-low")
def adherence_low(ctx: RuleContext, spec: RuleSpec) -> Alert | None:
    """Fewer than 80% of the scheduled doses in the window reported taken."""
    window = spec.int_param("window_days")
    first = ctx.on - timedelta(days=window - 1)
    doses = [d for d in ctx.snapshot.scheduled_doses if first <= d.day <= ctx.on]
    if not doses:
        return None
    taken = sum(1 for d in doses if d.taken)
    ratio = Decimal(taken) / Decimal(len(doses))
    minimum = spec.decimal_param("min_ratio")
    if ratio >= minimum:
        return None
    percent = round(ratio * 100)
    evidence: Evidence = {
        "window_days": window,
        "scheduled": len(doses),
        "taken": taken,
        "ratio": float(round(ratio, 4)),
        "min_ratio": float(minimum),
    }
    return make_alert(
        spec, evidence, window=window, taken=taken, scheduled=len(doses), percent=percent
    )
