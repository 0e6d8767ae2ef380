"""Giving a patient their own sign-in: link an account to the record, or invite by e-mail.

A patient account belongs to exactly one record of its own clinic. An invitation creates the
account without a password and e-mails a one-time link to set one (Django's reset tokens).
"""

from __future__ import annotations

from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from painpath import access
from painpath.accounts.models import Role, User
from painpath.audit import services as audit
from painpath.audit.models import Action
from painpath.core.context import Actor
from painpath.core.errors import Conflict, FieldError, InvalidInput
from painpath.patients.models import Patient

__all__ = ["invite_patient", "link_patient_account"]


def link_patient_account(*, actor: Actor, patient: Patient, user: User) -> Patient:
    """Link ``user`` to ``patient`` (callers have checked the actor may; the CLI is the
    operator). Refuses a non-patient account, another clinic's, or a second link."""
    if user.role != Role.PATIENT:
        raise InvalidInput(
            _("Only a patient account can be linked to a record."),
            fields=[FieldError("role", _("Must be patient."))],
        )
    if user.clinic_id != patient.clinic_id:
        raise InvalidInput(
            _("The account and the record belong to different clinics."),
            fields=[FieldError("clinic", _("Must be the record's clinic."))],
        )
    with transaction.atomic():
        locked = Patient.objects.select_for_update().get(pk=patient.pk)
        if locked.user_id is not None and locked.user_id != user.pk:
            raise Conflict(
                _("This record already has a sign-in account."),
                fields=[FieldError("patient", _("Already linked."))],
            )
        if Patient.objects.filter(user=user).exclude(pk=patient.pk).exists():
            raise Conflict(
                _("That account is linked to another record."),
                fields=[FieldError("username", _("Already linked."))],
            )
        locked.user = user
        locked.save(update_fields=["user", "updated_at"])
        audit.record(
            actor,
            action=Action.UPDATE,
            object_type="Patient",
            object_id=locked.pk,
            patient_id=locked.pk,
            detail={"linked_user": user.username},
        )
    return locked


def invite_patient(
    *, actor: Actor, patient_id: int, username: str, email: str, base_url: str
) -> User:
    """Create the patient's account (no password yet), link it, and e-mail a link to set a
    password. ``base_url`` is where the patient reaches painpath, e.g. https://pain.example.org."""
    from painpath.accounts.services import create_user  # noqa: PLC0415 - avoids an app cycle

    user = access.require_authenticated(actor.user)
    errors: list[FieldError] = []
    try:
        validate_email(email)
    except Exception:
        errors.append(FieldError("email", _("Not an e-mail address.")))
    with transaction.atomic():
        patient = access.get_writable_patient(user, patient_id)
        if errors:
            raise InvalidInput(_("The invitation has invalid fields."), fields=errors)
        if patient.user_id is not None:
            raise Conflict(
                _("This record already has a sign-in account."),
                fields=[FieldError("username", _("Already linked."))],
            )
        account = create_user(
            username=username.strip(),
            password=None,  # none usable until the patient follows the e-mailed link
            role=Role.PATIENT,
            clinic=patient.clinic,
            email=email,
            first_name=patient.given_name,
            last_name=patient.family_name,
            synthetic=patient.synthetic,
        )
        link_patient_account(actor=actor, patient=patient, user=account)
        link = base_url.rstrip("/") + reverse(
            "password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(account.pk)),
                "token": default_token_generator.make_token(account),
            },
        )
        body = render_to_string(
            "patients/invitation_email.txt",
            {"patient": patient, "clinic": patient.clinic, "link": link, "username": account},
        )
        transaction.on_commit(
            lambda: send_mail(_("Your painpath sign-in"), body, None, [email], fail_silently=False)
        )
    return account
