"""Pure safety rules: one patient's state in, findings with their evidence and citation out.

``evaluate_state`` runs every rule on a :class:`PatientState` document (the CLI, the web pages
and the API all call it); ``check_draft`` compares the state with and without a drafted
prescription. ``evaluate_all`` / ``evaluate_rule`` run on the typed :class:`PatientSnapshot`.
"""

from painpath.clinical.safety._alert import Alert, EvidenceValue, NotApplied, NotEvaluated
from painpath.clinical.safety._config import (
    Exclusions,
    LongTermDefinition,
    RuleSpec,
    Severity,
    TolerantOnlyProduct,
    exclusions,
    long_term_definition,
    max_lookback_days,
    rule_spec,
    rule_specs,
    tolerant_only_products,
)
from painpath.clinical.safety._context import RuleContext, build_context
from painpath.clinical.safety._describe import describe
from painpath.clinical.safety._draft import DRAFT_ID, DraftFinding, DraftReport, check_draft
from painpath.clinical.safety._errors import SafetyError, SnapshotError
from painpath.clinical.safety._registry import (
    INPUT_LABELS,
    SafetyReport,
    evaluate_all,
    evaluate_rule,
    exclusion_reason,
    rule_ids,
)
from painpath.clinical.safety._snapshot import (
    CONDITION_LABELS,
    Condition,
    Genotype,
    Input,
    PainScore,
    PatientSnapshot,
    ReportedDose,
)
from painpath.clinical.safety._state import (
    MAX_STATE_BYTES,
    PatientState,
    StateCheckin,
    StateDose,
    StateError,
    StateGenotype,
    StateMonitoringEvent,
    StatePrescription,
    StateQuestionnaire,
    StateReport,
    evaluate_state,
    finding_json,
    parse_state,
    report_json,
    to_prescription,
    to_snapshot,
)

__all__ = [
    "CONDITION_LABELS",
    "DRAFT_ID",
    "INPUT_LABELS",
    "MAX_STATE_BYTES",
    "Alert",
    "Condition",
    "DraftFinding",
    "DraftReport",
    "EvidenceValue",
    "Exclusions",
    "Genotype",
    "Input",
    "LongTermDefinition",
    "NotApplied",
    "NotEvaluated",
    "PainScore",
    "PatientSnapshot",
    "PatientState",
    "ReportedDose",
    "RuleContext",
    "RuleSpec",
    "SafetyError",
    "SafetyReport",
    "Severity",
    "SnapshotError",
    "StateCheckin",
    "StateDose",
    "StateError",
    "StateGenotype",
    "StateMonitoringEvent",
    "StatePrescription",
    "StateQuestionnaire",
    "StateReport",
    "TolerantOnlyProduct",
    "build_context",
    "check_draft",
    "describe",
    "evaluate_all",
    "evaluate_rule",
    "evaluate_state",
    "exclusion_reason",
    "exclusions",
    "finding_json",
    "long_term_definition",
    "max_lookback_days",
    "parse_state",
    "report_json",
    "rule_ids",
    "rule_spec",
    "rule_specs",
    "to_prescription",
    "to_snapshot",
    "tolerant_only_products",
]
