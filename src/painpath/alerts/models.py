"""Alerts raised by the safety rules, who receives them, escalation, and each patient's state."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _

from painpath.accounts.models import Clinic
from painpath.clinical.safety import rule_title
from painpath.patients.models import Patient


class AlertStatus(models.TextChoices):
    OPEN = "open", _("open")
    ACKNOWLEDGED = "acknowledged", _("acknowledged")
    RESOLVED = "resolved", _("resolved")


class Severity(models.TextChoices):
    INFO = "info", _("info")
    WARNING = "warning", _("warning")
    HIGH = "high", _("high")
    URGENT = "urgent", _("urgent")


SEVERITY_RANK = {"info": 0, "warning": 1, "high": 2, "urgent": 3}
UNRESOLVED = (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED)


class Alert(models.Model):
    """One episode of a rule holding for a patient.

    While the condition keeps holding (``cleared_at`` empty) the same alert is updated, never
    raised twice; once a later evaluation finds it gone, ``cleared_at`` is set, and a new
    episode raises a new alert. ``subject`` tells apart alerts of one rule (the drug for
    ``pgx_conflict``).

    Workflow: open -> acknowledged -> resolved (with a reason). An open alert may be snoozed
    until a time, with a reason: until then it neither ranks the patient in triage nor
    escalates; after it, it is open again. ``opened_at`` is when it last became open (raised,
    or reopened by a new event such as a new answer signalling risk of self-harm); the
    escalation clock runs from it (or from the end of a snooze).
    """

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="alerts")
    rule_id = models.CharField(max_length=64)
    subject = models.CharField(max_length=64, blank=True, default="")
    severity = models.CharField(max_length=8, choices=Severity.choices)
    severity_rank = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    message = models.TextField()
    reference = models.CharField(max_length=300, blank=True)
    sources = models.JSONField(default=list)
    evidence = models.JSONField(default=dict)
    status = models.CharField(
        max_length=12, choices=AlertStatus.choices, default=AlertStatus.OPEN, db_index=True
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    escalated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    escalated_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.TextField(blank=True)
    opened_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When the alert last became open (default: raised)")
    )
    snoozed_until = models.DateTimeField(null=True, blank=True)
    snoozed_at = models.DateTimeField(null=True, blank=True)
    snoozed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    snooze_reason = models.TextField(blank=True)
    last_seen_at = models.DateTimeField(default=dj_timezone.now)
    cleared_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When an evaluation found the condition gone")
    )
    synthetic = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=dj_timezone.now, db_index=True)

    class Meta:
        ordering = ["-severity_rank", "-created_at", "-id"]
        indexes = [models.Index(fields=["patient", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "rule_id", "subject"],
                condition=models.Q(cleared_at__isnull=True),
                name="alert_one_ongoing_episode",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.status})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.opened_at is None:  # a new alert is open from when it was raised
            self.opened_at = self.created_at
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "opened_at"}
        super().save(*args, **kwargs)

    @property
    def is_snoozed(self) -> bool:
        return (
            self.status == AlertStatus.OPEN
            and self.snoozed_until is not None
            and self.snoozed_until > dj_timezone.now()
        )

    @property
    def state(self) -> str:
        """open, snoozed, acknowledged or resolved (a snooze that has passed is open)."""
        return "snoozed" if self.is_snoozed else str(self.status)

    @property
    def needs_attention(self) -> bool:
        """Open, not snoozed, condition still holding: this ranks the patient in triage."""
        return self.status == AlertStatus.OPEN and not self.is_snoozed and self.cleared_at is None


def attention_q(now: datetime) -> models.Q:
    """Alerts that rank a patient as needing attention at ``now``: open, not snoozed (or the
    snooze has passed), condition still holding. Acknowledged ones stay listed, unranked."""
    return models.Q(status=AlertStatus.OPEN, cleared_at__isnull=True) & (
        models.Q(snoozed_until__isnull=True) | models.Q(snoozed_until__lte=now)
    )


class RoutingRule(models.Model):
    """Who in a clinic receives alerts of a rule (empty rule id: every rule)."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="alert_routes")
    rule_id = models.CharField(
        _("rule id"), max_length=64, blank=True, help_text=_("Empty: any rule")
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        ordering = ["clinic", "rule_id", "id"]
        verbose_name = _("alert routing rule")
        constraints = [
            models.UniqueConstraint(fields=["clinic", "rule_id"], name="alert_route_unique"),
        ]

    def __str__(self) -> str:
        rule = rule_title(self.rule_id) if self.rule_id else _("Any rule")
        return f"{rule} -> {self.recipient}"


class EscalationPolicy(models.Model):
    """An open alert not acknowledged after ``after_minutes`` goes to ``escalate_to``."""

    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, related_name="alert_escalation")
    after_minutes = models.PositiveIntegerField(_("escalate after (minutes)"))
    escalate_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("alert escalation policy")
        verbose_name_plural = _("alert escalation policies")

    def __str__(self) -> str:
        return f"{self.clinic}: {self.after_minutes} min -> {self.escalate_to}"


class PatientSafetyState(models.Model):
    """The last data change and the last rule evaluation of a patient (for the triage list)."""

    patient = models.OneToOneField(Patient, on_delete=models.CASCADE, related_name="safety_state")
    last_change_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_change_kind = models.CharField(max_length=32, blank=True)
    evaluated_at = models.DateTimeField(null=True, blank=True)
    not_evaluated = models.JSONField(default=dict, help_text=_("rule id -> why not evaluated"))
    not_applied = models.JSONField(default=dict, help_text=_("rule id -> CDC exclusion"))

    def __str__(self) -> str:
        return f"safety state of patient {self.patient_id}"
