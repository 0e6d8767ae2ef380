"""The registry: runs every rule (or one) on a snapshot, honouring the CDC 2022 exclusions and
reporting rules whose data source is missing as not evaluated."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from painpath.clinical.mme import MmeResult
from painpath.clinical.safety import (  # noqa: F401  (imports register the rules)
    _rules_combination,
    _rules_dose,
    _rules_monitoring,
    _rules_pgx,
    _rules_prescribing,
    _rules_wellbeing,
)
from painpath.clinical.safety._alert import Alert, NotApplied, NotEvaluated
from painpath.clinical.safety._config import SEVERITY_RANK, exclusions, rule_spec, rule_specs
from painpath.clinical.safety._context import RuleContext, build_context
from painpath.clinical.safety._rule import RULE_FUNCTIONS, RULE_NEEDS
from painpath.clinical.safety._snapshot import CONDITION_LABELS, PatientSnapshot

__all__ = [
    "INPUT_LABELS",
    "SafetyReport",
    "evaluate_all",
    "evaluate_rule",
    "exclusion_reason",
    "rule_ids",
]

_missing = sorted(set(rule_specs()) - set(RULE_FUNCTIONS))
if _missing:
    raise RuntimeError(f"rules in data/rules.toml without a function: {_missing}")

# Words for each input, in "not evaluated" reasons.
INPUT_LABELS = {
    "doses": "doses taken",
    "monitoring": "urine drug tests and PDMP reviews",
    "checkins": "daily check-ins",
    "questionnaires": "questionnaire answers",
    "genotypes": "pharmacogenomic results",
}


@dataclass(frozen=True, slots=True)
class SafetyReport:
    """Alerts (most severe first), rules not applied or not evaluated with why, and MME."""

    on: date
    alerts: tuple[Alert, ...]
    not_applied: tuple[NotApplied, ...]
    prescribed_mme: MmeResult
    taken_mme: MmeResult
    not_evaluated: tuple[NotEvaluated, ...] = ()


def rule_ids() -> tuple[str, ...]:
    """Every registered rule id, in data-file order."""
    return tuple(rule_id for rule_id in rule_specs() if rule_id in RULE_FUNCTIONS)


def exclusion_reason(snapshot: PatientSnapshot) -> str | None:
    """Why the CDC 2022 guideline does not apply to this patient (in words), or ``None``."""
    excl = exclusions()
    reasons = []
    if snapshot.age_years < excl.min_age_years:
        reasons.append(f"age {snapshot.age_years} is under {excl.min_age_years}")
    reasons.extend(CONDITION_LABELS[c] for c in sorted(snapshot.conditions) if c in excl.conditions)
    return "; ".join(reasons) or None


Outcome = Alert | NotApplied | NotEvaluated


def _run(rule_id: str, ctx: RuleContext, excluded_because: str | None) -> list[Outcome]:
    missing = [need for need in RULE_NEEDS[rule_id] if need in ctx.snapshot.missing]
    if missing:
        what = ", ".join(INPUT_LABELS[m] for m in missing)
        return [NotEvaluated(rule_id=rule_id, reason=f"not evaluated: no data source ({what})")]
    spec = rule_spec(rule_id)
    if spec.opioid_rule and excluded_because is not None:
        return [NotApplied(rule_id=rule_id, reason=f"CDC 2022 exclusion: {excluded_because}")]
    result = RULE_FUNCTIONS[rule_id](ctx, spec)
    if result is None:
        return []
    if isinstance(result, Alert):
        return [result]
    return list(result)


def evaluate_rule(
    rule_id: str, snapshot: PatientSnapshot, *, on: date, table: str = "cdc2022"
) -> Alert | NotApplied | NotEvaluated | None:
    """Run one rule; a :class:`NotApplied` says a CDC exclusion kept it from running, a
    :class:`NotEvaluated` that a data source it reads is missing. A rule with several
    findings (pharmacogenomics) gives its first; :func:`evaluate_all` gives them all."""
    if rule_id not in RULE_FUNCTIONS:
        raise KeyError(f"unknown rule {rule_id!r}")
    ctx = build_context(snapshot, on=on, table=table)
    outcomes = _run(rule_id, ctx, exclusion_reason(snapshot))
    return outcomes[0] if outcomes else None


def _sorted(alerts: Sequence[Alert]) -> tuple[Alert, ...]:
    return tuple(sorted(alerts, key=lambda a: (-SEVERITY_RANK[a.severity], a.rule_id, a.subject)))


def evaluate_all(snapshot: PatientSnapshot, *, on: date, table: str = "cdc2022") -> SafetyReport:
    """Run every rule on ``snapshot`` as of day ``on``."""
    ctx = build_context(snapshot, on=on, table=table)
    excluded_because = exclusion_reason(snapshot)
    alerts: list[Alert] = []
    not_applied: list[NotApplied] = []
    not_evaluated: list[NotEvaluated] = []
    for rule_id in rule_ids():
        for outcome in _run(rule_id, ctx, excluded_because):
            if isinstance(outcome, Alert):
                alerts.append(outcome)
            elif isinstance(outcome, NotApplied):
                not_applied.append(outcome)
            else:
                not_evaluated.append(outcome)
    return SafetyReport(
        on=on,
        alerts=_sorted(alerts),
        not_applied=tuple(not_applied),
        prescribed_mme=ctx.prescribed,
        taken_mme=ctx.taken,
        not_evaluated=tuple(not_evaluated),
    )
