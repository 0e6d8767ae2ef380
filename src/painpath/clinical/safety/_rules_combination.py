"""Combination rules: opioid with CNS depressants or gabapentinoids, several opioids, naloxone."""

from __future__ import annotations

from painpath.clinical.safety._alert import Alert, Evidence, make_alert, number
from painpath.clinical.safety._config import RuleSpec
from painpath.clinical.safety._context import RuleContext
from painpath.clinical.safety._rule import rule

__all__: list[str] = []

RELEASE_WORDS = {"ir": "immediate-release", "er_la": "extended-release/long-acting"}
NALOXONE_RISK_CONDITIONS = {
    "overdose_history": "history of overdose",
    "substance_use_disorder_history": "history of substance use disorder",
    "opioid_use_disorder": "opioid use disorder",
    "sleep_disordered_breathing": "sleep-disordered breathing",
}


def _names(ctx: RuleContext, *, cns: bool = False, drug_class: str = "") -> tuple[str, ...]:
    found = {
        r.medication.name
        for r in ctx.current
        if (cns and r.medication.cns_depressant)
        or (drug_class and drug_class in r.medication.classes)
    }
    return tuple(sorted(found))


def _opioid_names(ctx: RuleContext) -> tuple[str, ...]:
    return tuple(sorted({r.medication.name for r in ctx.any_opioids}))


@rule("opioid-with-cns-depressant")
def opioid_with_cns_depressant(ctx: RuleContext, spec: RuleSpec) -> Alert | None:
    """A current opioid (any indication, buprenorphine included) with a benzodiazepine or other
    CNS depressant."""
    others = _names(ctx, cns=True)
    if not ctx.any_opioids or not others:
        return None
    evidence: Evidence = {"opioids": _opioid_names(ctx), "cns_depressants": others}
    return make_alert(spec, evidence, others=others)


@rule("opioid-with-gabapentinoid")
def opioid_with_gabapentinoid(ctx: RuleContext, spec: RuleSpec) -> Alert | None:
    """A current opioid (any indication, buprenorphine included) with gabapentin or pregabalin."""
    others = _names(ctx, drug_class="gabapentinoid")
    if not ctx.any_opioids or not others:
        return None
    evidence: Evidence = {"opioids": _opioid_names(ctx), "gabapentinoids": others}
    return make_alert(spec, evidence, others=others)


@rule("multiple-opioids")
def multiple_opioids(ctx: RuleContext, spec: RuleSpec) -> Alert | None:
    """Two or more current opioid analgesic prescriptions for pain."""
    count = len(ctx.opioids)
    if count < spec.int_param("min_count"):
        return None
    drugs = tuple(
        f"{r.medication.name} ({RELEASE_WORDS[r.prescription.release]})" for r in ctx.opioids
    )
    return make_alert(spec, {"count": count, "opioids": drugs}, count=count, drugs=drugs)


@rule("naloxone-not-prescribed")
def naloxone_not_prescribed(ctx: RuleContext, spec: RuleSpec) -> Alert | None:
    """A current opioid (any indication), an overdose risk factor, and no naloxone on the list."""
    if not ctx.any_opioids:
        return None
    if any("overdose_reversal" in r.medication.classes for r in ctx.current):
        return None
    reasons: list[str] = []
    threshold = spec.int_param("mme_per_day")
    if ctx.prescribed.total_mme_per_day >= threshold:
        # no number in the reason: it names the risk factor, the dose is in the evidence
        reasons.append(f"{threshold} MME/day or more prescribed")
    benzodiazepines = _names(ctx, drug_class="benzodiazepine")
    if benzodiazepines:
        reasons.append("benzodiazepine prescribed: " + ", ".join(benzodiazepines))
    oud_lines = sorted({r.medication.name for r in ctx.oud_opioids})
    if oud_lines:
        reasons.append("medication for opioid use disorder: " + ", ".join(oud_lines))
    reasons.extend(
        label
        for condition, label in NALOXONE_RISK_CONDITIONS.items()
        if condition in ctx.snapshot.conditions
    )
    if not reasons:
        return None
    evidence: Evidence = {
        "reasons": tuple(reasons),
        "prescribed_mme_per_day": number(ctx.prescribed.total_mme_per_day),
        "opioids": _opioid_names(ctx),
    }
    return make_alert(spec, evidence, reasons="; ".join(reasons))
