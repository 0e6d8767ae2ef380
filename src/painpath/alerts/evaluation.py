"""Running the safety rules on stored data: alerts kept in step, the pre-save check, escalation.

``evaluate`` is pure reading (stored records -> PatientState -> the core's ``evaluate_state``
-> outcomes); ``evaluate_patient`` stores the result (new episodes raise alerts routed per
clinic; ongoing ones are updated, never duplicated; vanished ones are marked cleared);
``check_draft`` runs the core's ``check_draft`` (the patient with and without a drafted
prescription); ``escalate_overdue`` hands unacknowledged alerts to the clinic's second
clinician.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from painpath import access
from painpath.accounts.models import User
from painpath.alerts.links import link_questionnaire_flags
from painpath.alerts.models import (
    SEVERITY_RANK,
    Alert,
    AlertStatus,
    EscalationPolicy,
    PatientSafetyState,
    RoutingRule,
)
from painpath.alerts.snapshot import build_state
from painpath.audit import services as audit
from painpath.audit.models import Action
from painpath.clinical.medications import Prescription as CorePrescription
from painpath.clinical.mme import MmeResult
from painpath.clinical.safety import Alert as Finding
from painpath.clinical.safety import SafetyReport, evaluate_state, rule_title
from painpath.clinical.safety import check_draft as core_check_draft
from painpath.core.context import Actor
from painpath.patients.models import Patient

logger = logging.getLogger(__name__)

__all__ = [
    "DraftCheck",
    "Evaluation",
    "RuleOutcome",
    "check_draft",
    "escalate_overdue",
    "evaluate",
    "evaluate_patient",
    "route",
    "rule_title",
]

SYSTEM = Actor.system("safety-rules")


@dataclass(frozen=True)
class RuleOutcome:
    rule_id: str
    severity: str
    title: str
    message: str
    reference: str
    sources: tuple[str, ...]
    evidence: dict[str, Any]
    subject: str = ""
    change: str = ""  # pre-save check: what the draft changed ("MME/day prescribed 45 -> 105")

    @property
    def key(self) -> tuple[str, str]:
        return (self.rule_id, self.subject)

    @property
    def rank(self) -> int:
        return SEVERITY_RANK[self.severity]


@dataclass(frozen=True)
class Evaluation:
    on: date
    outcomes: list[RuleOutcome]
    not_evaluated: dict[str, str]
    not_applied: dict[str, str]
    prescribed_mme: MmeResult
    taken_mme: MmeResult

    @property
    def not_evaluated_titles(self) -> list[tuple[str, str]]:
        """(title, reason) of each rule not evaluated, for the page."""
        return [(rule_title(r), why) for r, why in self.not_evaluated.items()]

    @property
    def not_applied_titles(self) -> list[tuple[str, str]]:
        """(title, reason) of each rule not applied, for the page."""
        return [(rule_title(r), why) for r, why in self.not_applied.items()]


def _jsonable(value: object) -> object:
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def _outcome(finding: Finding, change: str = "") -> RuleOutcome:
    return RuleOutcome(
        rule_id=finding.rule_id,
        severity=finding.severity,
        title=finding.title,
        message=finding.message,
        reference=finding.reference,
        sources=finding.sources,
        evidence={k: _jsonable(v) for k, v in finding.evidence.items()},
        subject=finding.subject,
        change=change,
    )


def _evaluation(report: SafetyReport, unavailable: dict[str, str]) -> Evaluation:
    if unavailable:
        logger.error(
            "safety rules: data source(s) missing for %s; the rules that read them are NOT "
            "evaluated",
            ", ".join(f"{k} ({v})" for k, v in sorted(unavailable.items())),
        )
    return Evaluation(
        on=report.on,
        outcomes=[_outcome(a) for a in report.alerts],
        not_evaluated={n.rule_id: n.reason for n in report.not_evaluated},
        not_applied={n.rule_id: n.reason for n in report.not_applied},
        prescribed_mme=report.prescribed_mme,
        taken_mme=report.taken_mme,
    )


def evaluate(patient: Patient, *, on: date | None = None) -> Evaluation:
    """Run every rule on the patient's stored data (the core's ``evaluate_state``); stores
    nothing."""
    built = build_state(patient, on=on)
    return _evaluation(evaluate_state(built.state, on=built.on).report, built.unavailable)


def route(patient: Patient, rule_id: str) -> User | None:
    """The clinic's recipient for ``rule_id`` (exact rule first, then the catch-all), if they
    may see the patient; otherwise nobody (the whole care team sees unassigned alerts)."""
    routes = {
        r.rule_id: r.recipient
        for r in RoutingRule.objects.filter(
            clinic_id=patient.clinic_id, rule_id__in=[rule_id, ""]
        ).select_related("recipient")
    }
    recipient = routes.get(rule_id) or routes.get("")
    if recipient is None:
        return None
    if not access.visible_patients(recipient).filter(pk=patient.pk).exists():
        logger.warning(
            "routing: %s may not see patient %s; alert left unassigned", recipient, patient.pk
        )
        return None
    return recipient


def evaluate_patient(*, patient_id: int, actor: Actor = SYSTEM) -> Evaluation:
    """Evaluate and store: one transaction with its audit rows."""
    now = timezone.now()
    with transaction.atomic():
        patient = Patient.objects.select_related("clinic").get(pk=patient_id)
        result = evaluate(patient)
        ongoing = {
            (a.rule_id, a.subject): a
            for a in Alert.objects.select_for_update().filter(
                patient=patient, cleared_at__isnull=True
            )
        }
        entries: list[audit.AuditEntry] = []
        seen: set[tuple[str, str]] = set()
        holding: dict[str, Alert] = {}  # rule id -> its alert, for questionnaire flag links
        for outcome in result.outcomes:
            seen.add(outcome.key)
            alert = ongoing.get(outcome.key)
            if alert is not None:
                holding[outcome.rule_id] = alert
                alert.evidence, alert.last_seen_at = outcome.evidence, now
                alert.severity, alert.severity_rank = outcome.severity, outcome.rank
                alert.message = outcome.message
                alert.save(
                    update_fields=[
                        "evidence",
                        "last_seen_at",
                        "severity",
                        "severity_rank",
                        "message",
                    ]
                )
                continue
            alert = Alert.objects.create(
                patient=patient,
                rule_id=outcome.rule_id,
                subject=outcome.subject,
                severity=outcome.severity,
                severity_rank=outcome.rank,
                title=outcome.title,
                message=outcome.message,
                reference=outcome.reference,
                sources=list(outcome.sources),
                evidence=outcome.evidence,
                assignee=route(patient, outcome.rule_id),
                synthetic=patient.synthetic,
                created_at=now,
                last_seen_at=now,
            )
            holding[outcome.rule_id] = alert
            entries.append(
                audit.AuditEntry(
                    Action.CREATE,
                    "Alert",
                    str(alert.pk),
                    patient.pk,
                    {"rule_id": alert.rule_id, "assignee": alert.assignee_id},
                )
            )
        entries += link_questionnaire_flags(patient_id=patient.pk, holding=holding, now=now)
        kept_unknown = set(result.not_evaluated)
        for key, alert in ongoing.items():
            if key in seen or alert.rule_id in kept_unknown:
                continue  # still holding, or unknown because a data source is missing
            alert.cleared_at = now
            alert.save(update_fields=["cleared_at"])
            entries.append(
                audit.AuditEntry(
                    Action.UPDATE, "Alert", str(alert.pk), patient.pk, {"cleared": True}
                )
            )
        PatientSafetyState.objects.update_or_create(
            patient=patient,
            defaults={
                "evaluated_at": now,
                "not_evaluated": result.not_evaluated,
                "not_applied": result.not_applied,
            },
        )
        audit.record_many(actor, entries)
    return result


@dataclass(frozen=True)
class DraftCheck:
    """The patient with the draft vs without it (the core's ``check_draft``).

    ``triggered`` are the findings the draft sets off: new with it, or made worse by it, each
    with ``change`` saying what changed. A reason is needed when one of them is a warning or
    worse. ``already_open`` hold with or without the draft and are not made worse;
    ``cleared`` would stop holding with it.
    """

    before: Evaluation
    after: Evaluation
    triggered: list[RuleOutcome]
    already_open: list[RuleOutcome] = field(default_factory=list)
    cleared: list[RuleOutcome] = field(default_factory=list)

    @property
    def needs_reason(self) -> bool:
        return any(o.rank >= SEVERITY_RANK["warning"] for o in self.triggered)


def check_draft(
    patient: Patient, draft: CorePrescription, *, replaces_id: int | None = None
) -> DraftCheck:
    """What saving ``draft`` (replacing the stored line ``replaces_id``) would set off."""
    built = build_state(patient)
    if replaces_id is not None:
        draft = dataclasses.replace(draft, replaces=str(replaces_id))
    report = core_check_draft(built.state, draft)
    return DraftCheck(
        before=_evaluation(report.before, built.unavailable),
        after=_evaluation(report.after, {}),
        triggered=[_outcome(f.alert, f.change) for f in report.new],
        already_open=[_outcome(a) for a in report.unchanged],
        cleared=[_outcome(a) for a in report.cleared],
    )


def escalate_overdue(*, now: datetime | None = None, actor: Actor = SYSTEM) -> int:
    """Escalate alerts left open past their clinic's limit; returns how many.

    The limit runs from when the alert last became open (raised, or reopened by a new event)
    or, for a snoozed one, from the end of the snooze; each opening is escalated once. An
    acknowledged alert is not escalated, nor one still snoozed, nor one whose condition has
    cleared (``cleared_at``: it stays open until a clinician resolves it), nor one whose
    assignee is the escalation clinician (escalation must reach a second person).
    """
    now = now or timezone.now()
    count = 0
    for policy in EscalationPolicy.objects.select_related("escalate_to"):
        cutoff = now - timedelta(minutes=policy.after_minutes)
        visible = set(access.visible_patients(policy.escalate_to).values_list("pk", flat=True))
        with transaction.atomic():
            due = Alert.objects.filter(
                Q(opened_at__lte=cutoff) | Q(opened_at__isnull=True, created_at__lte=cutoff),
                Q(escalated_at__isnull=True) | Q(escalated_at__lt=F("opened_at")),
                Q(snoozed_until__isnull=True) | Q(snoozed_until__lte=cutoff),
                patient__clinic_id=policy.clinic_id,
                status=AlertStatus.OPEN,
                cleared_at__isnull=True,
            )
            # the escalation clinician's own alerts are neither locked nor escalated; they are
            # logged once per run, as a count
            own = due.filter(assignee_id=policy.escalate_to_id).count()
            if own:
                logger.error(
                    "escalation: %d overdue alert(s) of clinic %s are assigned to %s, the "
                    "clinic's escalation clinician; NOT escalated (configure a different one)",
                    own,
                    policy.clinic_id,
                    policy.escalate_to,
                )
            overdue = list(due.exclude(assignee_id=policy.escalate_to_id).select_for_update())
            entries = []
            for alert in overdue:
                if alert.patient_id not in visible:
                    logger.error(
                        "escalation: %s may not see patient %s; alert %s NOT escalated",
                        policy.escalate_to,
                        alert.patient_id,
                        alert.pk,
                    )
                    continue
                alert.escalated_to, alert.escalated_at = policy.escalate_to, now
                alert.save(update_fields=["escalated_to", "escalated_at"])
                entries.append(
                    audit.AuditEntry(
                        Action.UPDATE,
                        "Alert",
                        str(alert.pk),
                        alert.patient_id,
                        {"escalated_to": policy.escalate_to.pk},
                    )
                )
            audit.record_many(actor, entries)
            count += len(entries)
    return count
