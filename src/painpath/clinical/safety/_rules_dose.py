"""Dose rules: daily MME at or above 50 and 90, prescribed and taken; taken above prescribed."""

from __future__ import annotations

from painpath.clinical.mme import MmeResult
from painpath.clinical.safety._alert import Alert, Evidence, make_alert, number
from painpath.clinical.safety._config import RuleSpec
from painpath.clinical.safety._context import RuleContext
from painpath.clinical.safety._rule import rule

__all__: list[str] = []


def _items(result: MmeResult) -> tuple[str, ...]:
    return tuple(f"{item.drug}: {number(item.mme_per_day):g} MME/day" for item in result.items)


def _at_or_above(ctx: RuleContext, spec: RuleSpec, result: MmeResult) -> Alert | None:
    threshold = spec.int_param("mme_per_day")
    if result.total_mme_per_day < threshold:
        return None
    evidence: Evidence = {
        "total_mme_per_day": number(result.total_mme_per_day),
        "threshold_mme_per_day": threshold,
        "table": result.table,
        "items": _items(result),
        "day": ctx.on.isoformat(),
    }
    return make_alert(spec, evidence, total=result.total_mme_per_day, day=ctx.on.isoformat())


@rule("mme-prescribed-50")
def mme_prescribed_50(ctx: RuleContext, spec: RuleSpec) -> Alert | None:
    """Prescribed daily MME at or above 50."""
    return _at_or_above(ctx, spec, ctx.prescribed)


@rule("mme-prescribed-90")
def mme_prescribed_90(ctx: RuleContext, spec: RuleSpec) -> Alert | None:
    """Prescribed daily MME at or above 90."""
    return _at_or_above(ctx, spec, ctx.prescribed)


@rule("mme-taken-50")
def mme_taken_50(ctx: RuleContext, spec: RuleSpec) -> Alert | None:
    """MME actually taken on the evaluation day at or above 50."""
    return _at_or_above(ctx, spec, ctx.taken)


@rule("mme-taken-90")
def mme_taken_90(ctx: RuleContext, spec: RuleSpec) -> Alert | None:
    """MME actually taken on the evaluation day at or above 90."""
    return _at_or_above(ctx, spec, ctx.taken)


@rule("taken-above-prescribed")
def taken_above_prescribed(ctx: RuleContext, spec: RuleSpec) -> Alert | None:
    """More MME taken on the day than prescribed per day (possible overuse)."""
    taken, prescribed = ctx.taken.total_mme_per_day, ctx.prescribed.total_mme_per_day
    if taken <= prescribed:
        return None
    evidence: Evidence = {
        "day": ctx.on.isoformat(),
        "taken_mme": number(taken),
        "prescribed_mme_per_day": number(prescribed),
        "table": ctx.table,
        "taken_items": _items(ctx.taken),
    }
    return make_alert(spec, evidence, day=ctx.on.isoformat(), taken=taken, prescribed=prescribed)
