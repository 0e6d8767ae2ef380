"""Rules on mood, pain and engagement: PHQ-9 item 9, pain worsening, missing check-ins."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from painpath.clinical.safety._alert import Alert, Evidence, make_alert, number
from painpath.clinical.safety._config import RuleSpec
from painpath.clinical.safety._context import RuleContext
from painpath.clinical.safety._rule import rule

__all__: list[str] = []


@rule("phq9-item9-positive", needs=("questionnaires",))
def phq9_item9_positive(ctx: RuleContext, spec: RuleSpec) -> Alert | None:
    """The latest PHQ-9 item 9 answer above 0."""
    score, day = ctx.snapshot.phq9_item9, ctx.snapshot.phq9_item9_on
    if score is None or day is None or score < spec.int_param("min_score"):
        return None
    evidence: Evidence = {"phq9_item9": score, "answered_on": day.isoformat()}
    return make_alert(spec, evidence, score=score, day=day.isoformat())


def _mean(scores: list[float]) -> Decimal:
    return sum((Decimal(str(s)) for s in scores), Decimal(0)) / Decimal(len(scores))


@rule("pain-worsening", needs=("checkins",))
def pain_worsening(ctx: RuleContext, spec: RuleSpec) -> Alert | None:
    """The last 7 days' mean pain up by 2 or more over the mean of the 28 days before."""
    recent_days, baseline_days = spec.int_param("recent_days"), spec.int_param("baseline_days")
    recent_start = ctx.on - timedelta(days=recent_days - 1)
    baseline_start = recent_start - timedelta(days=baseline_days)
    recent = [p.score for p in ctx.snapshot.pain_scores if recent_start <= p.day <= ctx.on]
    baseline = [p.score for p in ctx.snapshot.pain_scores if baseline_start <= p.day < recent_start]
    if not recent or not baseline:
        return None
    recent_mean, baseline_mean = _mean(recent), _mean(baseline)
    increase = recent_mean - baseline_mean
    if increase < spec.decimal_param("min_increase"):
        return None
    evidence: Evidence = {
        "recent_mean": number(recent_mean),
        "recent_count": len(recent),
        "baseline_mean": number(baseline_mean),
        "baseline_count": len(baseline),
        "increase": number(increase),
    }
    return make_alert(
        spec,
        evidence,
        recent_days=recent_days,
        baseline_days=baseline_days,
        recent_mean=recent_mean,
        baseline_mean=baseline_mean,
        increase=increase,
    )


@rule("no-checkin", needs=("checkins",))
def no_checkin(ctx: RuleContext, spec: RuleSpec) -> Alert | None:
    """No daily check-in for 3 days or more (or none ever)."""
    last = ctx.snapshot.last_checkin
    limit = spec.int_param("max_days")
    days = None if last is None else (ctx.on - last).days
    if days is not None and days < limit:
        return None
    evidence: Evidence = {
        "last_checkin": None if last is None else last.isoformat(),
        "days_since": days,
        "max_days": limit,
    }
    return make_alert(spec, evidence, last="never" if last is None else last.isoformat())
