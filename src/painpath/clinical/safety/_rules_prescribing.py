"""Prescribing rules: ER/LA for opioid-naive or acute pain; acute courses over 7 days; OUD care."""

from __future__ import annotations

from painpath.clinical.safety._alert import Alert, Evidence, make_alert
from painpath.clinical.safety._config import RuleSpec
from painpath.clinical.safety._context import RuleContext
from painpath.clinical.safety._rule import rule

__all__: list[str] = []


def _er_la(ctx: RuleContext, *, acute_only: bool) -> tuple[str, ...]:
    return tuple(
        sorted(
            {
                r.medication.name
                for r in ctx.opioids
                if r.prescription.release == "er_la"
                and (not acute_only or r.prescription.indication == "acute")
            }
        )
    )


@rule("er-la-opioid-naive")
def er_la_opioid_naive(ctx: RuleContext, spec: RuleSpec) -> Alert | None:
    """An ER/LA opioid for a patient recorded as opioid-naive."""
    drugs = _er_la(ctx, acute_only=False)
    if not ctx.snapshot.opioid_naive or not drugs:
        return None
    return make_alert(spec, {"er_la_opioids": drugs, "opioid_naive": True}, drug=drugs)


@rule("er-la-acute-pain")
def er_la_acute_pain(ctx: RuleContext, spec: RuleSpec) -> Alert | None:
    """An ER/LA opioid prescribed with the indication acute pain."""
    drugs = _er_la(ctx, acute_only=True)
    if not drugs:
        return None
    return make_alert(spec, {"er_la_opioids": drugs, "indication": "acute"}, drug=drugs)


@rule("acute-opioid-over-7-days")
def acute_opioid_over_7_days(ctx: RuleContext, spec: RuleSpec) -> Alert | None:
    """An acute-pain opioid prescription covering more days than the limit, or with no end
    at all (new prescriptions must give a duration; older open-ended lines count as over)."""
    limit = spec.int_param("max_days")
    long_courses: list[tuple[str, int | None]] = [
        (r.medication.name, days)
        for r in ctx.opioids
        if r.prescription.indication == "acute"
        and ((days := r.prescription.duration_days()) is None or days > limit)
    ]
    if not long_courses:
        return None
    name, days = max(long_courses, key=lambda c: float("inf") if c[1] is None else c[1])

    def text(d: int | None) -> str:
        return "no end date or days' supply" if d is None else f"{d} days"

    evidence: Evidence = {
        "prescriptions": tuple(f"{n}: {text(d)}" for n, d in long_courses),
        "max_days": limit,
    }
    return make_alert(spec, evidence, drug=name, duration=text(days))


@rule("oud-without-treatment")
def oud_without_treatment(ctx: RuleContext, spec: RuleSpec) -> Alert | None:
    """An opioid use disorder diagnosis without buprenorphine, methadone for OUD or naltrexone."""
    if "opioid_use_disorder" not in ctx.snapshot.conditions:
        return None
    for r in ctx.current:
        if "oud_medication" not in r.medication.classes:
            continue
        if r.medication.id != "methadone" or r.prescription.for_oud:
            return None
    return make_alert(spec, {"opioid_use_disorder": True, "oud_medications": ()})
