"""Questionnaire responses (scored), per-patient schedules, reminders and raised flags."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _

from painpath.accounts.models import Clinic
from painpath.clinical.instruments import instrument_ids
from painpath.patients.models import Patient

MAX_EVERY_DAYS = 366  # the longest interval a schedule or clinic default may set (a year)


class Source(models.TextChoices):
    WEB = "web", _("web form")
    API = "api", _("API")
    FHIR = "fhir", _("FHIR QuestionnaireResponse")
    DEMO = "demo", _("synthetic demo")


class QuestionnaireResponse(models.Model):
    """One completed form and its score, exactly as painpath.clinical.instruments returned it."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="responses")
    instrument = models.CharField(_("instrument"), max_length=32)
    instrument_version = models.CharField(max_length=300, blank=True, default="")
    answers = models.JSONField(_("answers"), help_text=_("Option values in published order"))
    sex = models.CharField(max_length=8, blank=True, default="")
    score = models.FloatField(_("score"), null=True)
    band = models.CharField(_("band"), max_length=40, blank=True, default="")
    subscales = models.JSONField(default=dict)
    flags = models.JSONField(default=list)
    valid = models.BooleanField(default=True)
    missing = models.JSONField(default=list)
    completed_at = models.DateTimeField(_("completed"), default=dj_timezone.now)
    day = models.DateField(_("local day"))
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.WEB)
    synthetic = models.BooleanField(default=False)

    class Meta:
        ordering = ["patient", "-completed_at"]
        indexes = [models.Index(fields=["patient", "instrument", "completed_at"])]

    def __str__(self) -> str:
        return f"{self.instrument} {self.patient_id} {self.day}"


class Schedule(models.Model):
    """How often a patient is asked to answer an instrument (None = once, at intake)."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="schedules")
    instrument = models.CharField(_("instrument"), max_length=32)
    every_days = models.PositiveSmallIntegerField(_("every (days)"), null=True, blank=True)
    start_date = models.DateField(_("from"))
    active = models.BooleanField(_("active"), default=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    updated_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        ordering = ["patient", "instrument"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "instrument"], name="schedule_one_per_instrument"
            ),
            models.CheckConstraint(
                condition=Q(every_days__isnull=True) | Q(every_days__gte=1),
                name="schedule_every_days_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument} every {self.every_days or 'intake'}"


class ReminderStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("scheduled")
    SENT = "sent", _("sent")
    OPENED = "opened", _("opened")
    ANSWERED = "answered", _("answered")
    EXPIRED = "expired", _("expired")


OPEN_REMINDER_STATES = (ReminderStatus.SCHEDULED, ReminderStatus.SENT, ReminderStatus.OPENED)


class Reminder(models.Model):
    """One reminder for one due date, with its whole lifecycle."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="reminders")
    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="reminders")
    instrument = models.CharField(max_length=32)
    due_date = models.DateField()
    status = models.CharField(
        max_length=10, choices=ReminderStatus.choices, default=ReminderStatus.SCHEDULED
    )
    scheduled_at = models.DateTimeField(default=dj_timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    expired_at = models.DateTimeField(null=True, blank=True)
    channel = models.CharField(max_length=16, blank=True, default="")
    sent_to = models.CharField(max_length=254, blank=True, default="")
    subject = models.CharField(max_length=200, blank=True, default="")
    note = models.CharField(max_length=200, blank=True, default="")
    response = models.ForeignKey(
        QuestionnaireResponse, on_delete=models.SET_NULL, null=True, blank=True
    )
    synthetic = models.BooleanField(default=False)

    class Meta:
        ordering = ["-due_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "due_date"], name="reminder_one_per_due_date"
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument} {self.due_date} {self.status}"


class Flag(models.Model):
    """A flag a response raised (e.g. PHQ-9 item 9 > 0).

    A flag its safety rule answers with an alert is linked to that alert (``alert``), which is
    then the one record of its state (painpath.alerts.links): open, snoozed, acknowledged,
    resolved. Until linked, or for a flag no rule answers, ``reviewed_at`` is its state: open
    until a clinician reviews it. ``crisis`` (from the instrument data) marks a risk of
    self-harm: the patient was shown the crisis panel."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="flags")
    response = models.ForeignKey(QuestionnaireResponse, on_delete=models.CASCADE)
    instrument = models.CharField(max_length=32)
    label = models.CharField(max_length=100)
    urgent = models.BooleanField(default=False)
    crisis = models.BooleanField(default=False)
    raised_at = models.DateTimeField(default=dj_timezone.now)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    alert = models.ForeignKey(
        "alerts.Alert",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="flags",
        help_text=_("The alert that carries this flag's state"),
    )
    synthetic = models.BooleanField(default=False)

    class Meta:
        ordering = ["-raised_at"]
        indexes = [models.Index(fields=["patient", "urgent", "reviewed_at"])]

    def __str__(self) -> str:
        return f"{self.label} ({self.instrument})"

    @property
    def state(self) -> str:
        """The linked alert's state, else open or reviewed."""
        if self.alert is not None:
            return self.alert.state
        return "reviewed" if self.reviewed_at is not None else "open"

    @property
    def is_open(self) -> bool:
        return self.state in {"open", "snoozed"}


class ClinicQuestionnairePolicy(models.Model):
    """A clinic's own questionnaire policy. Empty fields fall back to painpath's defaults
    (assessments/data/policy.toml); so do the default schedules unless ``own_defaults``."""

    clinic = models.OneToOneField(
        Clinic, on_delete=models.CASCADE, related_name="questionnaire_policy"
    )
    grace_days = models.PositiveSmallIntegerField(
        _("grace (days)"),
        null=True,
        blank=True,
        help_text=_("Days after the due date before a questionnaire is overdue; empty: default."),
    )
    reminder_expiry_days = models.PositiveSmallIntegerField(
        _("reminder expiry (days)"),
        null=True,
        blank=True,
        help_text=_(
            "Days after the due date before an unanswered reminder expires; empty: default."
        ),
    )
    own_defaults = models.BooleanField(
        _("use this clinic's default schedules"),
        default=False,
        help_text=_(
            "If set, new patients get the default schedules listed below (none if the "
            "list is empty) instead of painpath's."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("clinic questionnaire policy")
        verbose_name_plural = _("clinic questionnaire policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(reminder_expiry_days__isnull=True) | Q(reminder_expiry_days__gte=1),
                name="clinic_policy_expiry_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.clinic}"


class ClinicDefaultSchedule(models.Model):
    """One default schedule of a clinic's policy (every_days empty = once, at intake)."""

    policy = models.ForeignKey(
        ClinicQuestionnairePolicy, on_delete=models.CASCADE, related_name="defaults"
    )
    instrument = models.CharField(_("instrument"), max_length=32)
    every_days = models.PositiveSmallIntegerField(
        _("every (days)"), null=True, blank=True, help_text=_("Empty: once, at intake.")
    )

    class Meta:
        ordering = ["policy", "instrument"]
        verbose_name = _("default schedule")
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "instrument"], name="clinic_default_one_per_instrument"
            ),
            models.CheckConstraint(
                condition=Q(every_days__isnull=True)
                | (Q(every_days__gte=1) & Q(every_days__lte=MAX_EVERY_DAYS)),
                name="clinic_default_every_days_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument} every {self.every_days or 'intake'}"

    def clean(self) -> None:
        if self.instrument not in instrument_ids():
            raise ValidationError(
                {"instrument": _("No instrument with id %(id)r.") % {"id": self.instrument}}
            )
        if self.every_days is not None and not 1 <= self.every_days <= MAX_EVERY_DAYS:
            rule = _("1 to %(max)d days, or empty for once at intake.") % {"max": MAX_EVERY_DAYS}
            raise ValidationError({"every_days": rule})
