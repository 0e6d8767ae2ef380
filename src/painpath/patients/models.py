"""A patient belongs to one clinic; care teams link a clinic's clinicians to its patients."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _

from painpath.accounts.models import Clinic, display_phone, validate_timezone


class Sex(models.TextChoices):
    """Administrative sex, with the FHIR R4 AdministrativeGender codes."""

    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class Patient(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="patients")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="patient_record",
        help_text=_("The patient's own log-in, if they have one."),
    )
    mrn = models.CharField(_("medical record number"), max_length=32)
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100)
    date_of_birth = models.DateField(_("date of birth"))
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices)
    timezone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        default="",
        validators=[validate_timezone],
        help_text=_("Decides the patient's local day; empty means the clinic's."),
    )
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=8,
        blank=True,
        default="",
        choices=settings.LANGUAGES,
        help_text=_("The language of what painpath shows the patient; empty means English."),
    )
    # How the care team reaches the patient, and whom to call if they cannot (shown on
    # urgent alerts). Numbers are stored in international E.164 form.
    phone = models.CharField(_("phone"), max_length=32, blank=True, default="")
    emergency_contact_name = models.CharField(
        _("emergency contact"), max_length=100, blank=True, default=""
    )
    emergency_contact_relationship = models.CharField(
        _("emergency contact's relationship"), max_length=60, blank=True, default=""
    )
    emergency_contact_phone = models.CharField(
        _("emergency contact's phone"), max_length=32, blank=True, default=""
    )
    synthetic = models.BooleanField(_("synthetic"), default=False)
    created_at = models.DateTimeField(default=dj_timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["family_name", "given_name", "id"]
        verbose_name = _("patient")
        verbose_name_plural = _("patients")
        constraints = [
            models.UniqueConstraint(fields=["clinic", "mrn"], name="patient_mrn_unique_in_clinic"),
            models.CheckConstraint(
                condition=models.Q(sex__in=[s.value for s in Sex]), name="patient_sex_known"
            ),
        ]
        indexes = [models.Index(fields=["clinic", "family_name"])]

    def __str__(self) -> str:
        return f"{self.family_name}, {self.given_name} ({self.mrn})"

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def timezone_name(self) -> str:
        return self.timezone or self.clinic.timezone

    @property
    def language(self) -> str:
        """The language to show the patient (their preference, else the site default)."""
        return self.preferred_language or settings.LANGUAGE_CODE

    @property
    def phone_display(self) -> str:
        return display_phone(self.phone)

    @property
    def emergency_contact_phone_display(self) -> str:
        return display_phone(self.emergency_contact_phone)

    def age_on(self, day: date) -> int:
        dob = self.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


class ConditionStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    RESOLVED = "resolved", _("Resolved")


class Condition(models.Model):
    """A coded diagnosis: ICD-10-CM and/or SNOMED CT (at least one)."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="conditions")
    display = models.CharField(_("name"), max_length=200)
    icd10_code = models.CharField(_("ICD-10-CM code"), max_length=10, blank=True, default="")
    snomed_code = models.CharField(_("SNOMED CT concept id"), max_length=18, blank=True, default="")
    onset_date = models.DateField(_("onset"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ConditionStatus.choices, default=ConditionStatus.ACTIVE
    )
    created_at = models.DateTimeField(default=dj_timezone.now, editable=False)

    class Meta:
        ordering = ["-status", "display"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(icd10_code="", snomed_code=""), name="condition_has_a_code"
            ),
        ]

    def __str__(self) -> str:
        return self.display


class CareTeam(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="care_teams")
    name = models.CharField(_("name"), max_length=120)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="care_teams",
        blank=True,
        verbose_name=_("clinicians"),
    )
    patients = models.ManyToManyField(
        Patient, related_name="care_teams", blank=True, verbose_name=_("patients")
    )
    synthetic = models.BooleanField(_("synthetic"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("care team")
        verbose_name_plural = _("care teams")
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "name"], name="careteam_name_unique_in_clinic"
            )
        ]

    def __str__(self) -> str:
        return self.name
