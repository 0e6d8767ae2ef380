"""Prescriptions, doses the patient reports taking, monitoring events, per-clinic settings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _

from painpath.accounts.models import Clinic
from painpath.clinical.medications import Prescription as CorePrescription
from painpath.patients.models import Patient


class Unit(models.TextChoices):
    MG = "mg", _("mg per dose")
    MCG_H = "mcg/h", _("mcg/h (patch)")


class Release(models.TextChoices):
    IR = "ir", _("immediate-release")
    ER_LA = "er_la", _("extended-release / long-acting")


class Indication(models.TextChoices):
    ACUTE = "acute", _("acute pain")
    CHRONIC = "chronic", _("chronic pain")
    OUD = "oud", _("opioid use disorder")


class RxStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    TAPERING = "tapering", _("tapering")
    REPLACED = "replaced", _("replaced by a new dose")
    STOPPED = "stopped", _("stopped")


LIVE_STATUSES = (RxStatus.ACTIVE, RxStatus.TAPERING)


class Prescription(models.Model):
    """One prescription line; a taper step replaces the line before it (``replaces``)."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="prescriptions")
    drug = models.CharField(_("drug"), max_length=64, help_text=_("Catalogue id"))
    dose = models.DecimalField(_("dose"), max_digits=9, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=8, choices=Unit.choices, default=Unit.MG)
    times_per_day = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    every_hours = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    as_needed = models.BooleanField(_("as needed"), default=False)
    max_doses_per_day = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    release = models.CharField(max_length=8, choices=Release.choices, default=Release.IR)
    route = models.CharField(_("route"), max_length=32, default="oral")
    start = models.DateField(_("start"))
    end = models.DateField(_("end"), null=True, blank=True)
    days_supply = models.PositiveIntegerField(_("days' supply"), null=True, blank=True)
    indication = models.CharField(max_length=8, choices=Indication.choices)
    prescriber = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=RxStatus.choices, default=RxStatus.ACTIVE, db_index=True
    )
    replaces = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by"
    )
    override_reason = models.TextField(_("reason for prescribing over the warnings"), blank=True)
    warnings = models.JSONField(
        default=list,
        blank=True,
        help_text=_("Rule ids the pre-save check raised (for the API and the audit log)"),
    )
    stopped_on = models.DateField(
        null=True,
        blank=True,
        help_text=_(
            "The day the line stopped (stopped, or its replacement started): not current from "
            "that day; doses reported under it that day still count against it."
        ),
    )
    stop_reason = models.TextField(_("reason for stopping"), blank=True)
    stopped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    stop_confirmed_at = models.DateTimeField(
        _("stop confirmed at"), null=True, blank=True, help_text=_("When the stop was confirmed")
    )
    synthetic = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=dj_timezone.now, editable=False)

    class Meta:
        ordering = ["-start", "-id"]
        indexes = [models.Index(fields=["patient", "status"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(dose__gt=0), name="rx_dose_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.drug} {self.dose.normalize():f} {self.unit}"


class DoseReport(models.Model):
    """A dose the patient reports: a scheduled dose taken or skipped, or an as-needed dose."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="dose_reports")
    prescription = models.ForeignKey(
        Prescription, on_delete=models.CASCADE, related_name="dose_reports"
    )
    day = models.DateField(help_text=_("The patient's local day"))
    slot = models.PositiveSmallIntegerField(
        default=0, help_text=_("Scheduled dose number that day (1..n); 0 for as-needed")
    )
    taken = models.BooleanField(default=True)
    taken_at = models.DateTimeField(null=True, blank=True)
    synthetic = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=dj_timezone.now, editable=False)

    class Meta:
        ordering = ["day", "slot", "taken_at"]
        indexes = [models.Index(fields=["patient", "day"])]
        constraints = [
            models.UniqueConstraint(
                fields=["prescription", "day", "slot"],
                condition=models.Q(slot__gt=0),
                name="dose_one_report_per_scheduled_slot",
            ),
            models.CheckConstraint(
                condition=models.Q(taken=False) | models.Q(taken_at__isnull=False),
                name="dose_taken_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} slot {self.slot}: {'taken' if self.taken else 'skipped'}"


class EventKind(models.TextChoices):
    URINE_DRUG_TEST = "urine_drug_test", _("urine drug test")
    PDMP_REVIEW = "pdmp_review", _("PDMP review")


class MonitoringEvent(models.Model):
    """A urine drug test or a prescription-monitoring (PDMP) review, as recorded."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="monitoring_events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    on = models.DateField()
    note = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    synthetic = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=dj_timezone.now, editable=False)

    class Meta:
        ordering = ["-on", "-id"]
        indexes = [models.Index(fields=["patient", "kind", "on"])]

    def __str__(self) -> str:
        return f"{self.kind} on {self.on}"


class ClinicMedicationSettings(models.Model):
    """Per-clinic medication-safety settings (none: the defaults in the rules data file)."""

    clinic = models.OneToOneField(
        Clinic, on_delete=models.CASCADE, related_name="medication_settings"
    )
    pdmp_interval_days = models.PositiveIntegerField(
        _("PDMP review interval (days)"),
        null=True,
        blank=True,
        help_text=_("Empty: the default of the safety rules data file."),
    )

    class Meta:
        verbose_name = _("clinic medication settings")
        verbose_name_plural = _("clinic medication settings")

    def __str__(self) -> str:
        return str(self.clinic)


def _number(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def as_core(rx: Prescription) -> CorePrescription:
    """The stored line as the clinical core's Prescription (raises PrescriptionError). Its
    stop and replacement are not applied: :func:`painpath.alerts.snapshot.prescription_rows`
    gives the history the core links."""
    return CorePrescription(
        drug=rx.drug,
        dose=float(rx.dose),
        unit=rx.unit,  # type: ignore[arg-type]
        times_per_day=_number(rx.times_per_day),
        every_hours=_number(rx.every_hours),
        as_needed=rx.as_needed,
        max_doses_per_day=_number(rx.max_doses_per_day),
        release=rx.release,  # type: ignore[arg-type]
        route=rx.route,
        start=rx.start,
        end=rx.end,
        days_supply=rx.days_supply,
        indication=rx.indication,  # type: ignore[arg-type]
        prescriber=str(rx.prescriber_id or ""),
        id=str(rx.pk),
    )


def scheduled_slots(rx: Prescription) -> int:
    """Numbered doses a day of a scheduled line (0 for as-needed; a patch: 1, "worn")."""
    return as_core(rx).scheduled_slots()
