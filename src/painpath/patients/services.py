"""Patient records: every read and write goes through here, checked and audited."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from painpath import access
from painpath.accounts.models import Clinic, Role, User, normalize_phone, validate_timezone
from painpath.audit import services as audit
from painpath.audit.models import Action
from painpath.core.context import Actor
from painpath.core.errors import Conflict, FieldError, Forbidden, InvalidInput
from painpath.core.paging import MAX_LIMIT, Page
from painpath.core.signals import announce_patient_data_changed
from painpath.patients.models import CareTeam, Condition, ConditionStatus, Patient, Sex

__all__ = [
    "ConditionData",
    "PatientChanges",
    "PatientData",
    "check_condition",
    "check_conditions",
    "create_patient",
    "get_patient",
    "list_patients",
    "update_patient",
]

MRN_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,31}$")
ICD10CM_PATTERN = re.compile(r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")
SNOMED_PATTERN = re.compile(r"^[1-9][0-9]{5,17}$")
MAX_AGE_YEARS = 125
OBJECT_TYPE = "Patient"


@dataclass(frozen=True)
class ConditionData:
    display: str
    icd10_code: str = ""
    snomed_code: str = ""
    onset_date: date | None = None
    status: str = ConditionStatus.ACTIVE


@dataclass(frozen=True)
class PatientData:
    mrn: str
    given_name: str
    family_name: str
    date_of_birth: date
    sex: str
    timezone: str = ""
    preferred_language: str = ""
    phone: str = ""
    emergency_contact_name: str = ""
    emergency_contact_relationship: str = ""
    emergency_contact_phone: str = ""
    conditions: list[ConditionData] = field(default_factory=list)
    synthetic: bool = False


@dataclass(frozen=True)
class PatientChanges:
    """Fields to change; None leaves a field as it is."""

    mrn: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    date_of_birth: date | None = None
    sex: str | None = None
    timezone: str | None = None
    preferred_language: str | None = None
    phone: str | None = None
    emergency_contact_name: str | None = None
    emergency_contact_relationship: str | None = None
    emergency_contact_phone: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


PHONE_FIELDS = ("phone", "emergency_contact_phone")
TEXT_LIMITS = {"emergency_contact_name": 100, "emergency_contact_relationship": 60}


def _check_contact(values: dict[str, Any], *, country: str) -> list[FieldError]:
    """Phones to E.164 (in place), language and contact text rules."""
    errors: list[FieldError] = []
    for name in PHONE_FIELDS:
        if name in values:
            try:
                values[name] = normalize_phone(values[name], country=country)
            except ValidationError as exc:
                errors.append(FieldError(name, " ".join(exc.messages)))
    for name, limit in TEXT_LIMITS.items():
        if name in values:
            values[name] = " ".join(values[name].split())
            if len(values[name]) > limit:
                errors.append(FieldError(name, _("At most %d characters.") % limit))
    languages = [code for code, _name in settings.LANGUAGES]
    if values.get("preferred_language") and values["preferred_language"] not in languages:
        errors.append(
            FieldError(
                "preferred_language",
                _("Must be one of: %s (or empty for English).") % ", ".join(languages),
            )
        )
    return errors


def _contact_complete(record: dict[str, Any]) -> list[FieldError]:
    """An emergency contact needs both a name and a phone number (relationship optional)."""
    name, phone = record.get("emergency_contact_name"), record.get("emergency_contact_phone")
    relationship = record.get("emergency_contact_relationship")
    errors: list[FieldError] = []
    if (phone or relationship) and not name:
        errors.append(FieldError("emergency_contact_name", _("Give the emergency contact's name.")))
    if (name or relationship) and not phone:
        errors.append(
            FieldError("emergency_contact_phone", _("Give the emergency contact's phone number."))
        )
    return errors


def _check_fields(values: dict[str, Any], *, today: date, country: str = "") -> list[FieldError]:
    errors: list[FieldError] = _check_contact(values, country=country)
    if "mrn" in values and not MRN_PATTERN.match(values["mrn"]):
        errors.append(
            FieldError(
                "mrn", _("1-32 letters, digits or hyphens, starting with a letter or digit.")
            )
        )
    for name in ("given_name", "family_name"):
        if name in values and not values[name].strip():
            errors.append(FieldError(name, _("Must not be empty.")))
        elif name in values and len(values[name]) > 100:
            errors.append(FieldError(name, _("At most 100 characters.")))
    if "date_of_birth" in values:
        dob = values["date_of_birth"]
        if dob > today:
            errors.append(FieldError("date_of_birth", _("Must not be in the future.")))
        elif dob < today - timedelta(days=int(365.25 * MAX_AGE_YEARS)):
            errors.append(
                FieldError("date_of_birth", _("Implies an age over %d years.") % MAX_AGE_YEARS)
            )
    if "sex" in values and values["sex"] not in Sex.values:
        errors.append(FieldError("sex", _("Must be one of: %s.") % ", ".join(Sex.values)))
    if values.get("timezone"):
        try:
            validate_timezone(values["timezone"])
        except Exception:
            errors.append(
                FieldError("timezone", _("Not an IANA time zone name (e.g. Europe/Madrid)."))
            )
    return errors


def check_condition(c: ConditionData, *, today: date, where: str = "") -> list[FieldError]:
    """The rules for one coded diagnosis; field names under ``where`` (e.g. "conditions[0]")
    or bare when it is the only one; a missing code is reported on ``where`` or "code"."""

    def at(name: str) -> str:
        return f"{where}.{name}" if where else name

    errors: list[FieldError] = []
    if not c.display.strip():
        errors.append(FieldError(at("display"), _("Must not be empty.")))
    if not c.icd10_code and not c.snomed_code:
        errors.append(
            FieldError(where or "code", _("Give an ICD-10-CM code, a SNOMED CT id, or both."))
        )
    if c.icd10_code and not ICD10CM_PATTERN.match(c.icd10_code):
        errors.append(FieldError(at("icd10_code"), _("Not an ICD-10-CM code (e.g. M54.50).")))
    if c.snomed_code and not SNOMED_PATTERN.match(c.snomed_code):
        errors.append(FieldError(at("snomed_code"), _("Not a SNOMED CT id (6-18 digits).")))
    if c.onset_date and c.onset_date > today:
        errors.append(FieldError(at("onset_date"), _("Must not be in the future.")))
    if c.status not in ConditionStatus.values:
        errors.append(
            FieldError(at("status"), _("Must be one of: %s.") % ", ".join(ConditionStatus.values))
        )
    return errors


def check_conditions(conditions: list[ConditionData], *, today: date) -> list[FieldError]:
    return [
        e
        for i, c in enumerate(conditions)
        for e in check_condition(c, today=today, where=f"conditions[{i}]")
    ]


def _mrn_taken() -> Conflict:
    return Conflict(
        _("Another patient in this clinic has that medical record number."),
        fields=[FieldError("mrn", _("Already used in this clinic."))],
    )


def _actor_user(actor: Actor) -> User:
    return access.require_authenticated(actor.user)


def list_patients(
    *, actor: Actor, search: str = "", limit: int = 25, offset: int = 0
) -> Page[Patient]:
    """The caller's visible patients, filtered by name or MRN; each one listed is audited."""
    user = _actor_user(actor)
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    patients = access.visible_patients(user)
    for term in search.split()[:5]:
        patients = patients.filter(
            Q(given_name__icontains=term) | Q(family_name__icontains=term) | Q(mrn__iexact=term)
        )
    with transaction.atomic():
        count = patients.count()
        items = list(patients.prefetch_related("conditions", "care_teams")[offset : offset + limit])
        audit.record_many(
            actor,
            [
                audit.AuditEntry(Action.LIST, OBJECT_TYPE, str(p.pk), p.pk, {"search": search})
                for p in items
            ],
        )
    return Page(items=items, count=count, limit=limit, offset=offset)


def get_patient(*, actor: Actor, patient_id: int) -> Patient:
    user = _actor_user(actor)
    with transaction.atomic():
        patient = access.get_readable_patient(user, patient_id)
        audit.record(
            actor,
            action=Action.READ,
            object_type=OBJECT_TYPE,
            object_id=patient.pk,
            patient_id=patient.pk,
        )
    return patient


def _resolve_care_teams(
    user: User, clinic: Clinic, care_team_ids: list[int] | None
) -> list[CareTeam]:
    allowed = access.visible_care_teams(user).filter(clinic=clinic)
    if care_team_ids is None:
        if user.role == Role.CLINICIAN:
            teams = list(allowed[:1])
            if not teams:
                raise Forbidden(_("You are on no care team, so a new patient would be invisible."))
            return teams
        return []
    teams = list(allowed.filter(pk__in=care_team_ids))
    missing = sorted(set(care_team_ids) - {t.pk for t in teams})
    if missing:
        raise InvalidInput(
            _("Unknown care team."),
            fields=[
                FieldError("care_team_ids", _("No care team you may use has id %s.") % m)
                for m in missing
            ],
        )
    return teams


def create_patient(
    *,
    actor: Actor,
    data: PatientData,
    clinic: Clinic | None = None,
    care_team_ids: list[int] | None = None,
) -> Patient:
    user = _actor_user(actor)
    clinic = clinic or user.clinic
    if clinic is None:
        raise InvalidInput(_("Say which clinic."), fields=[FieldError("clinic_id", _("Required."))])
    access.require_can_create_patient(user, clinic)
    today = timezone.localdate()
    values = {k: v for k, v in data.__dict__.items() if k not in {"conditions", "synthetic"}}
    errors = (
        _check_fields(values, today=today, country=clinic.country)
        + _contact_complete(values)
        + check_conditions(data.conditions, today=today)
    )
    if errors:
        raise InvalidInput(_("The patient record has invalid fields."), fields=errors)
    teams = _resolve_care_teams(user, clinic, care_team_ids)
    try:
        with transaction.atomic():
            patient = Patient.objects.create(clinic=clinic, synthetic=data.synthetic, **values)
            Condition.objects.bulk_create(
                [Condition(patient=patient, **c.__dict__) for c in data.conditions]
            )
            if data.conditions:  # bulk_create sends no signal: say so for the safety rules
                announce_patient_data_changed(patient_id=patient.pk, kind="conditions")
            for team in teams:
                team.patients.add(patient)
            audit.record(
                actor,
                action=Action.CREATE,
                object_type=OBJECT_TYPE,
                object_id=patient.pk,
                patient_id=patient.pk,
                detail={"care_teams": [t.pk for t in teams], "conditions": len(data.conditions)},
            )
    except IntegrityError as exc:
        if Patient.objects.filter(clinic=clinic, mrn=data.mrn).exists():
            raise _mrn_taken() from exc
        raise
    return patient


def update_patient(*, actor: Actor, patient_id: int, changes: PatientChanges) -> Patient:
    user = _actor_user(actor)
    values = changes.as_dict()
    with transaction.atomic():
        patient = access.get_writable_patient(user, patient_id)
        errors = _check_fields(values, today=timezone.localdate(), country=patient.clinic.country)
        merged = {name: values.get(name, getattr(patient, name)) for name in TEXT_LIMITS}
        merged["emergency_contact_phone"] = values.get(
            "emergency_contact_phone", patient.emergency_contact_phone
        )
        errors += [e for e in _contact_complete(merged) if e.field not in {x.field for x in errors}]
        if errors:
            raise InvalidInput(_("The patient record has invalid fields."), fields=errors)
        others = Patient.objects.filter(clinic=patient.clinic).exclude(pk=patient.pk)
        if "mrn" in values and others.filter(mrn=values["mrn"]).exists():
            raise _mrn_taken()
        changed = sorted(k for k, v in values.items() if getattr(patient, k) != v)
        for key in changed:
            setattr(patient, key, values[key])
        if changed:
            patient.save(update_fields=[*changed, "updated_at"])
        audit.record(
            actor,
            action=Action.UPDATE,
            object_type=OBJECT_TYPE,
            object_id=patient.pk,
            patient_id=patient.pk,
            detail={"fields": changed},
        )
        if {"date_of_birth", "timezone"} & set(changed):  # age exclusions, local days
            announce_patient_data_changed(patient_id=patient.pk, kind="patient")
    return patient
