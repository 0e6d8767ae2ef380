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


@rule("urine-drug-test-overdue", needs=("monitoring",))
def urine_drug_test_overdue(ctx: RuleContext, spec: RuleSpec) -> Alert | None:
    """Long-term opioid therapy and no urine drug test within the last 365 days."""
    if not ctx.long_term_opioid_therapy:
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


@rule("pdmp-review-overdue", needs=("monitoring",))
def pdmp_review_overdue(ctx: RuleContext, spec: RuleSpec) -> Alert | None:
    """Long-term opioid therapy and no PDMP review within the clinic's interval."""
    if not ctx.long_term_opioid_therapy:
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


def _scheduled(ctx: RuleContext, first: date) -> tuple[int, int]:
    """(scheduled, taken) slots of the scheduled lines current on each day ``first``..``on``.

    A slot with no report counts as missed, except today's, which may still be reported.
    Lines without an id (no report can name them) or without a start (no schedule to count
    from) are left out.
    """
    reported = {(d.prescription, d.day, d.slot): d.taken for d in ctx.snapshot.doses if d.slot}
    scheduled = taken = 0
    for line in ctx.history:
        if line.as_needed or not line.id or line.start is None:
            continue
        slots = line.scheduled_slots()
        day = max(first, line.start)
        while day <= ctx.on:
            if line.is_active(day):
                for slot in range(1, slots + 1):
                    report = reported.get((line.id, day, slot))
                    if report is None and day == ctx.on:
                        continue
                    scheduled += 1
                    taken += bool(report)
            day += timedelta(days=1)
    return scheduled, taken


@rule("adherence-low", needs=("doses",))
def adherence_low(ctx: RuleContext, spec: RuleSpec) -> Alert | None:
    """Fewer than 80% of the scheduled doses in the window reported taken."""
    window = spec.int_param("window_days")
    scheduled, taken = _scheduled(ctx, ctx.on - timedelta(days=window - 1))
    if not scheduled:
        return None
    ratio = Decimal(taken) / Decimal(scheduled)
    minimum = spec.decimal_param("min_ratio")
    if ratio >= minimum:
        return None
    percent = round(ratio * 100)
    evidence: Evidence = {
        "window_days": window,
        "scheduled": scheduled,
        "taken": taken,
        "ratio": float(round(ratio, 4)),
        "min_ratio": float(minimum),
    }
    return make_alert(
        spec, evidence, window=window, taken=taken, scheduled=scheduled, percent=percent
    )
