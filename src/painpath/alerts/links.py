"""One event, one workflow: a questionnaire's crisis flag and the alert its rule raises.

A PHQ-9 answer above 0 on item 9 raises a flag on the response (painpath.assessments) and,
on the next evaluation, the urgent alert of the rule ``phq9-item9-positive``. They are one
event, so the alert is the one record of its state: each evaluation links the patient's
not-yet-linked crisis flags to the rule's ongoing alert, and a linked flag shows the alert's
state (open, snoozed, acknowledged, resolved); marking it reviewed acknowledges the alert.

A newly linked flag that no clinician has reviewed is a new event: the alert is (re)opened,
whatever its state, with the escalation clock restarted, so a second answer signalling risk
is never absorbed by an earlier acknowledgement or snooze. Flags reviewed before they could
be linked (the worker had not run yet) count as acknowledging the alert at that review.
Until linked, an unreviewed urgent flag ranks the patient in triage by itself.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime

from painpath.alerts import inputs
from painpath.alerts.models import Alert, AlertStatus
from painpath.audit import services as audit
from painpath.audit.models import Action

logger = logging.getLogger(__name__)

__all__ = ["FLAG_RULES", "link_questionnaire_flags"]

# instrument id -> the rule whose alert answers that instrument's crisis flags
FLAG_RULES: Mapping[str, str] = {"phq9": "phq9-item9-positive"}


def _reopen(alert: Alert, now: datetime) -> dict[str, object]:
    previous = alert.state
    alert.status, alert.opened_at = AlertStatus.OPEN, now
    alert.acknowledged_by, alert.acknowledged_at = None, None
    alert.resolved_by, alert.resolved_at, alert.resolution_note = None, None, ""
    alert.snoozed_until = None
    alert.save(
        update_fields=[
            "status",
            "opened_at",
            "acknowledged_by",
            "acknowledged_at",
            "resolved_by",
            "resolved_at",
            "resolution_note",
            "snoozed_until",
        ]
    )
    return {"reopened": True, "previous": previous}


def link_questionnaire_flags(
    *, patient_id: int, holding: Mapping[str, Alert], now: datetime
) -> list[audit.AuditEntry]:
    """Link the patient's new crisis flags to the alerts in ``holding`` (rule id -> the
    rule's ongoing alert after this evaluation) and keep the alert's state in step; returns
    the audit rows (the caller's transaction records them)."""
    entries: list[audit.AuditEntry] = []
    for instrument, rule_id in FLAG_RULES.items():
        alert = holding.get(rule_id)
        if alert is None:
            continue
        flags = inputs.unlinked_crisis_flags(patient_id, instrument)
        if isinstance(flags, inputs.Unavailable) or not flags:
            continue
        linked = inputs.link_flags([f.id for f in flags], alert.pk)
        if isinstance(linked, inputs.Unavailable):
            continue
        detail: dict[str, object] = {"linked_flags": [f.id for f in flags]}
        unreviewed = [f for f in flags if f.reviewed_at is None]
        if unreviewed and not alert.needs_attention:
            detail.update(_reopen(alert, now))
        elif not unreviewed and alert.status == AlertStatus.OPEN:
            last = max(flags, key=lambda f: f.reviewed_at or now)
            alert.status = AlertStatus.ACKNOWLEDGED
            alert.acknowledged_by_id = last.reviewed_by_id
            alert.acknowledged_at = last.reviewed_at
            alert.save(update_fields=["status", "acknowledged_by", "acknowledged_at"])
            detail.update({"status": alert.status, "acknowledged_by_flag_review": True})
        entries.append(audit.AuditEntry(Action.UPDATE, "Alert", str(alert.pk), patient_id, detail))
    return entries
