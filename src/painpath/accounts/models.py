"""Clinics (organisations), users with one role each, and API tokens for integrations."""

from __future__ import annotations

import re
import zoneinfo

import phonenumbers
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# A line a person dials as written on a card: digits in groups, an optional leading +.
SHORT_NUMBER_RE = re.compile(r"^\+?[0-9]+(?:[ -][0-9]+)*$")


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("%(value)s is not an IANA time zone name (e.g. Europe/Madrid)."),
            params={"value": value},
        )


def validate_country(value: str) -> None:
    """An ISO 3166-1 alpha-2 code that the phone-number library knows (e.g. US, GB, ES)."""
    if value and value.strip().upper() not in phonenumbers.SUPPORTED_REGIONS:
        raise ValidationError(
            _("%(value)s is not an ISO 3166-1 two-letter country code (e.g. US, GB, ES)."),
            params={"value": value},
        )


def normalize_phone(value: str, *, country: str = "") -> str:
    """The number in international E.164 form (+12025550143), or a ValidationError that says
    what to type. Without the + prefix it is read as a number of ``country``."""
    raw = value.strip()
    if not raw:
        return ""
    if len(raw) > 32:
        raise ValidationError(gettext("At most 32 characters."))
    region = country or None
    try:
        parsed = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_valid_number(parsed):
        if region:
            message = gettext(
                "Not a valid phone number for %(country)s: use a number such as %(example)s, "
                "or the international form starting with +."
            ) % {"country": country, "example": _example(country)}
        else:
            message = gettext(
                "Not a valid phone number: use the international form starting with + and "
                "the country code, e.g. +1 201 555 0123."
            )
        raise ValidationError(message)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _example(country: str) -> str:
    example = phonenumbers.example_number(country)
    if example is None:
        return "+1 201 555 0123"
    return phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)


def display_phone(value: str) -> str:
    """An E.164 number as people read it (+1 201-555-0123); anything else unchanged."""
    if not value.startswith("+"):
        return value
    try:
        parsed = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return value
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


class Clinic(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    timezone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_timezone]
    )
    country = models.CharField(
        _("country"),
        max_length=2,
        blank=True,
        default="",
        validators=[validate_country],
        help_text=_(
            "ISO 3166-1 two-letter code (e.g. US, GB, ES, MX). Decides which crisis and "
            "emergency lines patients are shown, and how phone numbers without + are read."
        ),
    )
    crisis_phone = models.CharField(
        _("clinic phone for patients in crisis"),
        max_length=32,
        blank=True,
        default="",
        help_text=_("Shown on the crisis panel; stored in international form."),
    )
    synthetic = models.BooleanField(_("synthetic"), default=False)
    created_at = models.DateTimeField(_("created"), default=dj_timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("clinic")
        verbose_name_plural = _("clinics")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.country = self.country.strip().upper()
        try:
            validate_country(self.country)
        except ValidationError as exc:
            raise ValidationError({"country": exc.messages}) from None
        try:
            self.crisis_phone = normalize_phone(self.crisis_phone, country=self.country)
        except ValidationError as exc:
            raise ValidationError({"crisis_phone": exc.messages}) from None


class ClinicCrisisInstruction(models.Model):
    """What the clinic tells a patient in crisis to do, in one language."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="crisis_instructions")
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    text = models.TextField(_("instructions"), max_length=1000)

    class Meta:
        ordering = ["clinic", "language"]
        verbose_name = _("crisis instruction")
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "language"], name="crisis_instruction_one_per_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.clinic} ({self.language})"


class CrisisLineKind(models.TextChoices):
    CRISIS = "crisis", _("crisis line")
    EMERGENCY = "emergency", _("emergency number")


class ClinicCrisisLine(models.Model):
    """A clinic's own crisis or emergency line: added to the lines of its country, or shown
    in place of one of them (``replaces``: that line's id in crisis_lines.toml)."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="crisis_lines")
    kind = models.CharField(
        _("kind"), max_length=12, choices=CrisisLineKind.choices, default=CrisisLineKind.CRISIS
    )
    name = models.CharField(_("name"), max_length=120)
    number = models.CharField(
        _("number"),
        max_length=24,
        help_text=_("As patients dial it, e.g. 116 123 or +1 212 555 0100"),
    )
    how = models.CharField(_("how and when"), max_length=300, blank=True, default="")
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        default="",
        help_text=_("Empty: shown whatever the patient's language."),
    )
    replaces = models.CharField(
        _("replaces"),
        max_length=64,
        blank=True,
        default="",
        help_text=_("The id of a line of the clinic's country to show this one instead of it."),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["clinic", "position", "id"]
        verbose_name = _("clinic crisis line")

    def __str__(self) -> str:
        return f"{self.name} {self.number}"

    def clean(self) -> None:
        from painpath.clinical.crisis_lines import load_crisis_lines  # noqa: PLC0415

        errors: dict[str, str] = {}
        if not SHORT_NUMBER_RE.match(self.number.strip()):
            errors["number"] = gettext(
                "Digits in groups separated by spaces or hyphens, optionally starting with +."
            )
        if self.replaces:
            line = load_crisis_lines().line(self.replaces)
            country = self.clinic.country if self.clinic_id else ""
            if line is None or line.country != country:
                known = [x.id for x in load_crisis_lines().lines if x.country == country]
                errors["replaces"] = gettext(
                    "No line %(id)r for the clinic's country; its lines are: %(known)s."
                ) % {"id": self.replaces, "known": ", ".join(known) or "none"}
        if errors:
            raise ValidationError(errors)


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
