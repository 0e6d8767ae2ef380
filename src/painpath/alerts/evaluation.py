"""Running the safety rules on stored data: alerts kept in step, the pre-save check, escalation.

``evaluate`` is pure reading (snapshot -> rules -> outcomes); ``evaluate_patient`` stores the
result (new episodes raise alerts routed per clinic; ongoing ones are updated, never
duplicated; vanished ones are marked cleared); ``check_draft`` compares a patient with and
without a drafted prescription; ``escalate_overdue`` hands unacknowledged alerts to the
clinic's second clinician.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from painpath import access
from painpath.accounts.models import User
from painpath.alerts import inputs
from painpath.alerts.links import link_questionnaire_flags
from painpath.alerts.models import (
    SEVERITY_RANK,
    Alert,
    AlertStatus,
    EscalationPolicy,
    PatientSafetyState,
    RoutingRule,
)
from painpath.alerts.snapshot import build_snapshot, snapshot_config
from painpath.audit import services as audit
from painpath.audit.models import Action
from painpath.clinical.medications import Prescription as CorePrescription
from painpath.clinical.medications import load_catalogue
from painpath.clinical.mme import MmeResult
from painpath.clinical.safety import evaluate_all
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
]

PGX_RULE = "pgx_conflict"
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
    pgx: list[inputs.PgxFindingView] = field(default_factory=list)


def _jsonable(value: object) -> object:
    return list(value) if isinstance(value, tuple) else value


def _pgx_sentence(finding: inputs.PgxFindingView) -> str:
    """'codeine (CYP2D6 *4/*4, Poor Metabolizer; CPIC strong): Avoid ...' - the genotype and
    the strength belong next to the advice, so the reader can judge it."""
    genes = ", ".join(
        f"{gene} {g.get('diplotype', '')}, {g.get('phenotype', '')}".strip()
        for gene, g in sorted(finding.genes.items())
    )
    return f"{finding.drug} ({genes}; CPIC {finding.strength}): {finding.recommendation}"


def _pgx_outcomes(
    patient: Patient, drugs: list[str], not_evaluated: dict[str, str]
) -> tuple[list[RuleOutcome], list[inputs.PgxFindingView]]:
    spec = snapshot_config()["pgx_conflict"]
    outcomes: list[RuleOutcome] = []
    shown: list[inputs.PgxFindingView] = []
    for drug in sorted(set(drugs)):
        findings = inputs.pgx_findings(patient.pk, drug)
        if isinstance(findings, inputs.Unavailable):
            not_evaluated[PGX_RULE] = f"not evaluated: no data source ({findings.source})"
            return [], []
        actionable = [f for f in findings if f.actionable]
        shown.extend(actionable)
        if actionable:
            outcomes.append(
                RuleOutcome(
                    rule_id=PGX_RULE,
                    severity=spec["severity"],
                    title=spec["title"],
                    message=" ".join(_pgx_sentence(f) for f in actionable),
                    reference=spec["reference"],
                    sources=tuple(sorted({f.source for f in actionable})),
                    evidence={
                        "drug": drug,
                        "findings": [
                            {"genes": f.genes, "strength": f.strength, "action": f.action}
                            for f in actionable
                        ],
                    },
                    subject=drug,
                )
            )
    return outcomes, shown


def evaluate(
    patient: Patient,
    *,
    on: date | None = None,
    draft: CorePrescription | None = None,
    without_prescription_id: int | None = None,
) -> Evaluation:
    """Run every rule (and the PGx check) on the patient's stored data; stores nothing."""
    built = build_snapshot(
        patient, on=on, draft=draft, without_prescription_id=without_prescription_id
    )
    report = evaluate_all(built.snapshot, on=built.on)
    not_evaluated = dict(built.not_evaluated)
    outcomes = [
        RuleOutcome(
            rule_id=a.rule_id,
            severity=a.severity,
            title=a.title,
            message=a.message,
            reference=a.reference,
            sources=a.sources,
            evidence={k: _jsonable(v) for k, v in a.evidence.items()},
        )
        for a in report.alerts
        if a.rule_id not in not_evaluated
    ]
    drugs = [rx.drug for rx in built.snapshot.prescriptions if rx.is_active(built.on)]
    pgx_outcomes, pgx = _pgx_outcomes(patient, drugs, not_evaluated)
    outcomes.extend(pgx_outcomes)
    outcomes.sort(key=lambda o: (-o.rank, o.rule_id, o.subject))
    return Evaluation(
        on=built.on,
        outcomes=outcomes,
        not_evaluated=not_evaluated,
        not_applied={n.rule_id: n.reason for n in report.not_applied},
        prescribed_mme=report.prescribed_mme,
        taken_mme=report.taken_mme,
        pgx=pgx,
    )


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
    """The patient with the draft vs without it.

    ``triggered`` are the rules the draft itself sets off: newly firing, more severe, a dose
    rule whose MME rises, or a rule whose evidence newly names the drafted drug. A reason is
    needed when one of them is a warning or worse. ``already_open`` hold with or without the
    draft (their alerts are open already); ``cleared`` would stop holding with it.
    """

    before: Evaluation
    after: Evaluation
    triggered: list[RuleOutcome]
    already_open: list[RuleOutcome] = field(default_factory=list)
    cleared: list[RuleOutcome] = field(default_factory=list)

    @property
    def needs_reason(self) -> bool:
        return any(o.rank >= SEVERITY_RANK["warning"] for o in self.triggered)


def _mentions(value: object, name: str) -> bool:
    """Whether ``name`` appears as a word anywhere in the evidence (morphine is not in
    hydromorphone)."""
    if isinstance(value, dict):
        return any(_mentions(v, name) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_mentions(v, name) for v in value)
    return isinstance(value, str) and re.search(rf"\b{re.escape(name)}\b", value) is not None


# A dose rule's evidence carries the daily MME it judged under this key.
DOSE_EVIDENCE = "total_mme_per_day"


def _total(outcome: RuleOutcome) -> float:
    value = outcome.evidence.get(DOSE_EVIDENCE, 0)
    return float(value) if isinstance(value, int | float) else 0.0


def _set_off_by_draft(after: RuleOutcome, before: RuleOutcome | None, drug: str) -> bool:
    if before is None or after.rank > before.rank:
        return True
    if DOSE_EVIDENCE in after.evidence:  # a dose rule: set off if the draft raises the MME
        return _total(after) > _total(before)
    return _mentions(after.evidence, drug) and not _mentions(before.evidence, drug)


def check_draft(
    patient: Patient, draft: CorePrescription, *, replaces_id: int | None = None
) -> DraftCheck:
    on = draft.start
    before = evaluate(patient, on=on)
    after = evaluate(patient, on=on, draft=draft, without_prescription_id=replaces_id)
    previous = {o.key: o for o in before.outcomes}
    drug = load_catalogue().find(draft.drug).name
    triggered: list[RuleOutcome] = []
    already_open: list[RuleOutcome] = []
    for outcome in after.outcomes:
        target = (
            triggered
            if _set_off_by_draft(outcome, previous.get(outcome.key), drug)
            else already_open
        )
        target.append(outcome)
    holding = {o.key for o in after.outcomes}
    cleared = [o for o in before.outcomes if o.key not in holding]
    return DraftCheck(
        before=before,
        after=after,
        triggered=triggered,
        already_open=already_open,
        cleared=cleared,
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
