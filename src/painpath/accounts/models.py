"""Clinics (organisations), users with one role each, and API tokens for integrations."""

from __future__ import annotations

import zoneinfo

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("%(value)s is not an IANA time zone name (e.g. Europe/Madrid)."),
            params={"value": value},
        )


class Clinic(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    timezone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_timezone]
    )
    synthetic = models.BooleanField(_("synthetic"), default=False)
    created_at = models.DateTimeField(_("created"), default=dj_timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("clinic")
        verbose_name_plural = _("clinics")

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    PATIENT = "patient", _("Patient")
    CLINICIAN = "clinician", _("Clinician")
    ADMIN = "admin", _("Administrator")


class Profession(models.TextChoices):
    NONE = "", _("—")
    PHYSICIAN = "physician", _("Pain physician")
    NURSE = "nurse", _("Nurse")
    PSYCHOLOGIST = "psychologist", _("Psychologist")
    PHYSIOTHERAPIST = "physiotherapist", _("Physiotherapist")
    PHARMACIST = "pharmacist", _("Pharmacist")


class User(AbstractUser):
    """A person who signs in. ``clinic`` is empty only for platform-wide superusers."""

    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    clinic = models.ForeignKey(
        Clinic, on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    profession = models.CharField(
        _("profession"), max_length=32, choices=Profession.choices, blank=True, default=""
    )
    synthetic = models.BooleanField(_("synthetic"), default=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=[r.value for r in Role]), name="user_role_known"
            ),
        ]

    @property
    def timezone_name(self) -> str | None:
        return self.clinic.timezone if self.clinic_id and self.clinic else None

    @property
    def is_patient(self) -> bool:
        return self.role == Role.PATIENT

    @property
    def is_clinician(self) -> bool:
        return self.role == Role.CLINICIAN

    @property
    def is_clinic_admin(self) -> bool:
        return self.role == Role.ADMIN


class ApiToken(models.Model):
    """A per-user token for integrations. Only a SHA-256 of the secret is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(default=dj_timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("If set, the token may only post this patient's device samples."),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > dj_timezone.now()
