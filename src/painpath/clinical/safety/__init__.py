"""Pure safety rules: a typed patient snapshot in, alerts with their evidence out."""

from painpath.clinical.safety._alert import Alert, EvidenceValue, NotApplied
from painpath.clinical.safety._config import (
    Exclusions,
    RuleSpec,
    Severity,
    exclusions,
    max_lookback_days,
    rule_spec,
    rule_specs,
)
from painpath.clinical.safety._context import RuleContext, build_context
from painpath.clinical.safety._errors import SafetyError, SnapshotError
from painpath.clinical.safety._registry import (
    SafetyReport,
    evaluate_all,
    evaluate_rule,
    exclusion_reason,
    rule_ids,
)
from painpath.clinical.safety._snapshot import Condition, PainScore, PatientSnapshot, ScheduledDose

__all__ = [
    "Alert",
    "Condition",
    "EvidenceValue",
    "Exclusions",
    "NotApplied",
    "PainScore",
    "PatientSnapshot",
    "RuleContext",
    "RuleSpec",
    "SafetyError",
    "SafetyReport",
    "ScheduledDose",
    "Severity",
    "SnapshotError",
    "build_context",
    "evaluate_all",
    "evaluate_rule",
    "exclusion_reason",
    "exclusions",
    "max_lookback_days",
    "rule_ids",
    "rule_spec",
    "rule_specs",
]
