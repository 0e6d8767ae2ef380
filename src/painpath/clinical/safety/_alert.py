"""Alerts: the output of a rule, carrying the values that triggered it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from painpath.clinical.safety._config import RuleSpec, Severity

__all__ = [
    "Alert",
    "Evidence",
    "EvidenceValue",
    "NotApplied",
    "NotEvaluated",
    "make_alert",
    "number",
]

EvidenceValue = str | int | float | bool | None | tuple[str, ...] | tuple[dict[str, object], ...]
Evidence = dict[str, EvidenceValue]


@dataclass(frozen=True, slots=True)
class Alert:
    """One triggered rule (a finding): severity, plain-language message, citation, evidence.

    ``reference`` is the citation a clinician reads (guideline and recommendation, label,
    CPIC, or the clinic's policy); ``sources`` the full references; ``subject`` tells apart
    findings of one rule about different things (the drug of a pharmacogenomic finding).
    """

    rule_id: str
    severity: Severity
    title: str
    message: str
    reference: str
    sources: tuple[str, ...]
    evidence: Mapping[str, EvidenceValue] = field(default_factory=dict)
    subject: str = ""


@dataclass(frozen=True, slots=True)
class NotApplied:
    """A rule skipped for this patient because of a CDC 2022 exclusion."""

    rule_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class NotEvaluated:
    """A rule that could not run: a data source it reads is missing."""

    rule_id: str
    reason: str


def number(value: Decimal | float | int) -> float:
    """A JSON-friendly number rounded to 2 decimals (display and evidence only)."""
    return float(round(Decimal(str(value)), 2))


def _text(value: object) -> str:
    if isinstance(value, Decimal | float):
        rounded = number(value)
        return f"{rounded:g}" if rounded != int(rounded) else str(int(rounded))
    if isinstance(value, tuple | list):
        return ", ".join(str(v) for v in value)
    return str(value)


def make_alert(
    spec: RuleSpec,
    evidence: Mapping[str, EvidenceValue],
    *,
    reference: str | None = None,
    sources: tuple[str, ...] | None = None,
    subject: str = "",
    **words: object,
) -> Alert:
    """Build an alert from the rule's data: ``words`` fill the message placeholders;
    ``reference``/``sources`` replace the rule's own where a finding has a more exact one."""
    message = spec.message.format(**{key: _text(value) for key, value in words.items()})
    return Alert(
        rule_id=spec.id,
        severity=spec.severity,
        title=spec.title,
        message=message,
        reference=spec.reference if reference is None else reference,
        sources=spec.sources if sources is None else sources,
        evidence=dict(evidence),
        subject=subject,
    )
