"""Dose rules: daily MME at or above 50 and 90, prescribed and taken; taken above prescribed.

The taken-dose rules look at every day of their look-back window (newest first), so doses
reported late for an earlier day are still judged.
"""

from __future__ import annotations

from datetime import date

from painpath.clinical.mme import MmeResult
from painpath.clinical.safety._alert import Alert, Evidence, make_alert, number
from painpath.clinical.safety._config import RuleSpec
from painpath.clinical.safety._context import RuleContext
from painpath.clinical.safety._describe import describe
from painpath.clinical.safety._rule import rule

__all__: list[str] = []


def _items(result: MmeResult) -> tuple[str, ...]:
    return tuple(f"{item.drug}: {number(item.mme_per_day):g} MME/day" for item in result.items)


def _at_or_above(
    spec: RuleSpec, result: MmeResult, *, day: date, days: tuple[str, ...] | None = None
) -> Alert | None:
    """An alert if ``result`` (the MME of ``day``) reaches the rule's threshold; ``days``
    lists every day of the window that reached it (the taken-dose rules)."""
    threshold = spec.int_param("mme_per_day")
    if result.total_mme_per_day < threshold:
        return None
    evidence: Evidence = {
        "total_mme_per_day": number(result.total_mme_per_day),
        "threshold_mme_per_day": threshold,
        "table": result.table,
        "items": _items(result),
        "day": day.isoformat(),
    }
    if days is not None:
        evidence["days"] = days
    return make_alert(spec, evidence, total=result.total_mme_per_day, day=day.isoformat())


@rule("mme-prescribed-50")
def mme_prescribed_50(ctx: RuleContext, spec: RuleSpec) -> Alert | None:
    """Prescribed daily MME at or above 50."""
    return _at_or_above(spec, ctx.prescribed, day=ctx.on)


@rule("mme-prescribed-90")
def mme_prescribed_90(ctx: RuleContext, spec: RuleSpec) -> Alert | None:
    """Prescribed daily MME at or above 90."""
    return _at_or_above(spec, ctx.prescribed, day=ctx.on)


def _taken_days_at_or_above(ctx: RuleContext, spec: RuleSpec) -> Alert | None:
    """The most recent day of the look-back window whose taken MME reached the threshold."""
    threshold = spec.int_param("mme_per_day")
    window = ctx.taken_window(spec.int_param("lookback_days"))
    hits = [d for d in window if d.taken.total_mme_per_day >= threshold]
    if not hits:
        return None
    days = tuple(d.day.isoformat() for d in hits)
    return _at_or_above(spec, hits[0].taken, day=hits[0].day, days=days)


@rule("mme-taken-50", needs=("doses",))
def mme_taken_50(ctx: RuleContext, spec: RuleSpec) -> Alert | None:
    """MME taken on a day of the look-back window at or above 50."""
    return _taken_days_at_or_above(ctx, spec)


@rule("mme-taken-90", needs=("doses",))
def mme_taken_90(ctx: RuleContext, spec: RuleSpec) -> Alert | None:
    """MME taken on a day of the look-back window at or above 90."""
    return _taken_days_at_or_above(ctx, spec)


@rule("taken-above-prescribed", needs=("doses",))
def taken_above_prescribed(ctx: RuleContext, spec: RuleSpec) -> Alert | None:
    """More MME taken under a prescription on a day of the window than it allowed that day
    (possible overuse). Each dose counts against the prescription it was reported under; a
    taper or dose change allows, on its changeover day, the larger of its two lines."""
    window = ctx.taken_window(spec.int_param("lookback_days"))
    hits = [(d, use) for d in window for use in d.uses if use.over]
    if not hits:
        return None
    latest, use = hits[0]
    name = ctx.catalogue.find(use.drug).name
    in_force = tuple(
        describe(line) for line_id in use.lines_in_force if (line := ctx.history.by_id(line_id))
    )
    evidence: Evidence = {
        "day": latest.day.isoformat(),
        "drug": name,
        "taken_mme": number(use.taken_mme),
        "prescribed_mme_per_day": number(use.allowed_mme_per_day),
        "doses_reported": use.doses,
        "prescriptions_in_force": in_force,
        "table": ctx.table,
        "days": tuple(dict.fromkeys(d.day.isoformat() for d, _ in hits)),
    }
    return make_alert(
        spec,
        evidence,
        day=latest.day.isoformat(),
        taken=use.taken_mme,
        drug=name,
        prescribed=use.allowed_mme_per_day,
    )
