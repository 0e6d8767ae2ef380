"""Creating users and clinics (used by the CLI, the demo loader and the admin)."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from painpath.accounts.models import Clinic, Profession, Role, User
from painpath.core.errors import Conflict, FieldError, InvalidInput

__all__ = ["create_user"]


def create_user(
    *,
    username: str,
    password: str | None,
    role: str,
    clinic: Clinic | None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    profession: str = "",
    synthetic: bool = False,
    superuser: bool = False,
    check_password: bool = True,
) -> User:
    errors: list[FieldError] = []
    if role not in Role.values:
        errors.append(FieldError("role", _("Must be one of: %s.") % ", ".join(Role.values)))
    if profession and profession not in Profession.values:
        errors.append(FieldError("profession", _("Unknown profession.")))
    if clinic is None and not superuser:
        errors.append(FieldError("clinic", _("Every user except a superuser belongs to a clinic.")))
    if not username.strip():
        errors.append(FieldError("username", _("Must not be empty.")))
    if check_password and password is not None:
        try:
            validate_password(password, User(username=username, email=email))
        except ValidationError as exc:
            errors.extend(FieldError("password", str(m)) for m in exc.messages)
    if errors:
        raise InvalidInput(_("The user has invalid fields."), fields=errors)
    if User.objects.filter(username=username).exists():
        raise Conflict(
            _("That user name is taken."), fields=[FieldError("username", _("Already taken."))]
        )
    with transaction.atomic():
        user = User(
            username=username,
            email=email,
            first_name=first_name,
            last_name=last_name,
            role=role,
            clinic=clinic,
            profession=profession,
            synthetic=synthetic,
            is_staff=superuser or role == Role.ADMIN,
            is_superuser=superuser,
        )
        user.set_password(password)
        user.save()
    return user
