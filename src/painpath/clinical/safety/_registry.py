"""The registry: runs every rule (or one) on a snapshot, honouring the CDC 2022 exclusions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from painpath.clinical.mme import MmeResult
from painpath.clinical.safety import (  # noqa: F401  (imports register the rules)
    _rules_combination,
    _rules_dose,
    _rules_monitoring,
    _rules_prescribing,
    _rules_wellbeing,
)
from painpath.clinical.safety._alert import Alert, NotApplied
from painpath.clinical.safety._config import SEVERITY_RANK, exclusions, rule_spec, rule_specs
from painpath.clinical.safety._context import RuleContext, build_context
from painpath.clinical.safety._rule import RULE_FUNCTIONS
from painpath.clinical.safety._snapshot import PatientSnapshot

__all__ = ["SafetyReport", "evaluate_all", "evaluate_rule", "exclusion_reason", "rule_ids"]

_missing = sorted(set(rule_specs()) - set(RULE_FUNCTIONS))
if _missing:
    raise RuntimeError(f"rules in data/rules.toml without a function: {_missing}")


@dataclass(frozen=True, slots=True)
class SafetyReport:
    """Alerts (most severe first), rules not applied with why, and the MME they used."""

    on: date
    alerts: tuple[Alert, ...]
    not_applied: tuple[NotApplied, ...]
    prescribed_mme: MmeResult
    taken_mme: MmeResult


def rule_ids() -> tuple[str, ...]:
    """Every registered rule id, in data-file order."""
    return tuple(rule_id for rule_id in rule_specs() if rule_id in RULE_FUNCTIONS)


def exclusion_reason(snapshot: PatientSnapshot) -> str | None:
    """Why the CDC 2022 guideline does not apply to this patient, or ``None``."""
    excl = exclusions()
    reasons = []
    if snapshot.age_years < excl.min_age_years:
        reasons.append(f"age {snapshot.age_years} is under {excl.min_age_years}")
    reasons.extend(sorted(c for c in snapshot.conditions if c in excl.conditions))
    return "; ".join(reasons) or None


def _run(rule_id: str, ctx: RuleContext, excluded_because: str | None) -> Alert | NotApplied | None:
    spec = rule_spec(rule_id)
    if spec.opioid_rule and excluded_because is not None:
        return NotApplied(rule_id=rule_id, reason=f"CDC 2022 exclusion: {excluded_because}")
    return RULE_FUNCTIONS[rule_id](ctx, spec)


def evaluate_rule(
    rule_id: str, snapshot: PatientSnapshot, *, on: date, table: str = "cdc2022"
) -> Alert | NotApplied | None:
    """Run one rule; a :class:`NotApplied` says a CDC exclusion kept it from running."""
    if rule_id not in RULE_FUNCTIONS:
        raise KeyError(f"unknown rule {rule_id!r}")
    ctx = build_context(snapshot, on=on, table=table)
    return _run(rule_id, ctx, exclusion_reason(snapshot))


def evaluate_all(snapshot: PatientSnapshot, *, on: date, table: str = "cdc2022") -> SafetyReport:
    """Run every rule on ``snapshot`` as of day ``on``."""
    ctx = build_context(snapshot, on=on, table=table)
    excluded_because = exclusion_reason(snapshot)
    alerts: list[Alert] = []
    not_applied: list[NotApplied] = []
    for rule_id in rule_ids():
        outcome = _run(rule_id, ctx, excluded_because)
        if isinstance(outcome, Alert):
            alerts.append(outcome)
        elif isinstance(outcome, NotApplied):
            not_applied.append(outcome)
    alerts.sort(key=lambda a: (-SEVERITY_RANK[a.severity], a.rule_id))
    return SafetyReport(
        on=on,
        alerts=tuple(alerts),
        not_applied=tuple(not_applied),
        prescribed_mme=ctx.prescribed,
        taken_mme=ctx.taken,
    )
