"""Prescribing rules: starting an ER/LA opioid (opioid-naive; tolerant-only products), ER/LA
for acute pain, acute courses over 7 days, opioid use disorder without treatment."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from painpath.clinical.medications import Prescription, ResolvedPrescription
from painpath.clinical.mme import opioid_tolerance
from painpath.clinical.safety._alert import Alert, Evidence, make_alert, number
from painpath.clinical.safety._config import RuleSpec, TolerantOnlyProduct, tolerant_only_products
from painpath.clinical.safety._context import RuleContext
from painpath.clinical.safety._rule import rule

__all__ = ["tolerant_only_product"]


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


def tolerant_only_product(resolved: ResolvedPrescription) -> TolerantOnlyProduct | None:
    """The label restriction to opioid-tolerant patients that covers this line, if any."""
    rx = resolved.prescription
    for product in tolerant_only_products():
        if resolved.medication.id != product.drug or rx.release != product.release:
            continue
        if product.unit is not None and rx.unit != product.unit:
            continue
        limits = (product.single_dose_above_mg, product.daily_dose_above_mg)
        if all(limit is None for limit in limits):
            return product
        if rx.unit != "mg":
            continue
        single = Decimal(str(rx.dose))
        daily = single * Decimal(str(rx.administrations_per_day() or 0))
        if (product.single_dose_above_mg is not None and single > product.single_dose_above_mg) or (
            product.daily_dose_above_mg is not None and daily > product.daily_dose_above_mg
        ):
            return product
    return None


def _starts(ctx: RuleContext, spec: RuleSpec) -> list[tuple[ResolvedPrescription, date]]:
    """Current ER/LA pain opioid lines that START therapy, each with its first line and the
    day it started: the first line of its chain of ER/LA lines (a line replacing an ER/LA
    opioid continues it) began within the window, or is a draft starting later."""
    window = spec.int_param("initiation_window_days")

    def er_la_opioid(line: Prescription) -> bool:
        return line.release == "er_la" and ctx.catalogue.find(line.drug).is_opioid_analgesic

    found: dict[int, tuple[ResolvedPrescription, date]] = {}
    for r in ctx.opioids:
        if r.prescription.release != "er_la":
            continue
        first = ctx.history.chain_start(r.prescription, while_=er_la_opioid)
        start = first.start or ctx.on
        if (ctx.on - start).days >= window:
            continue  # established therapy, not a start
        found.setdefault(id(first), (ctx.resolved_line(first), start))
    return list(found.values())


def _opioid_before(ctx: RuleContext, start: date, days: int) -> tuple[str, ...]:
    """Opioid lines (any agonist, any indication) current on a day of the ``days`` before."""
    first, last = start - timedelta(days=days), start - timedelta(days=1)
    return tuple(
        sorted(
            {
                r.medication.name
                for r in ctx.resolved
                if r.medication.is_opioid and r.prescription.overlaps(first, last)
            }
        )
    )


@rule("er-la-opioid-naive")
def er_la_opioid_naive(ctx: RuleContext, spec: RuleSpec) -> Alert | None:
    """An ER/LA opioid started with no opioid current in the window before its start
    (products for opioid-tolerant patients only are judged by er-la-tolerant-only)."""
    window = spec.int_param("initiation_window_days")
    naive = [
        (first, start)
        for first, start in _starts(ctx, spec)
        if tolerant_only_product(first) is None and not _opioid_before(ctx, start, window)
    ]
    if not naive:
        return None
    drugs = tuple(sorted({first.medication.name for first, _ in naive}))
    start = min(day for _, day in naive)
    evidence: Evidence = {
        "er_la_opioids": drugs,
        "started_on": start.isoformat(),
        "no_opioid_in_days_before": window,
    }
    return make_alert(spec, evidence, drug=drugs, start=start.isoformat(), window=window)


@rule("er-la-tolerant-only")
def er_la_tolerant_only(ctx: RuleContext, spec: RuleSpec) -> Alert | None:
    """A product labelled for opioid-tolerant patients only, started when the patient was not
    opioid-tolerant (FDA definition) on every day of the week before."""
    for first, start in _starts(ctx, spec):
        product = tolerant_only_product(first)
        if product is None:
            continue
        tolerance = opioid_tolerance(list(ctx.history), before=start, catalogue=ctx.catalogue)
        if tolerance.tolerant:
            continue
        days = (tolerance.window_end - tolerance.window_start).days + 1
        evidence: Evidence = {
            "drug": first.medication.name,
            "product": product.description,
            "started_on": start.isoformat(),
            "tolerant_days": tolerance.qualifying_days,
            "days_checked": days,
            "lowest_mme_per_day": number(tolerance.lowest_mme_per_day),
        }
        return make_alert(
            spec,
            evidence,
            reference=product.citation,
            drug=first.medication.name,
            product=f"({product.description})",
            days=days,
            start=start.isoformat(),
            qualifying=tolerance.qualifying_days,
            lowest=tolerance.lowest_mme_per_day,
        )
    return None


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
