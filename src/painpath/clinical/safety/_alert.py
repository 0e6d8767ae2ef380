"""Alerts: the output of a rule, carrying the values that triggered it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from painpath.clinical.safety._config import RuleSpec, Severity

__all__ = ["Alert", "Evidence", "EvidenceValue", "NotApplied", "make_alert", "number"]

EvidenceValue = str | int | float | bool | None | tuple[str, ...]
Evidence = dict[str, EvidenceValue]


@dataclass(frozen=True, slots=True)
class Alert:
    """One triggered rule: id, severity, plain-language message, source and evidence."""

    rule_id: str
    severity: Severity
    title: str
    message: str
    reference: str
    sources: tuple[str, ...]
    evidence: Mapping[str, EvidenceValue] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class NotApplied:
    """A rule skipped for this patient because of a CDC 2022 exclusion."""

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


def make_alert(spec: RuleSpec, evidence: Mapping[str, EvidenceValue], **words: object) -> Alert:
    """Build an alert from the rule's data: ``words`` fill the message placeholders."""
    message = spec.message.format(**{key: _text(value) for key, value in words.items()})
    return Alert(
        rule_id=spec.id,
        severity=spec.severity,
        title=spec.title,
        message=message,
        reference=spec.reference,
        sources=spec.sources,
        evidence=dict(evidence),
    )
