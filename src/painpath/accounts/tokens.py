"""API tokens: made once and shown once; only a SHA-256 of the secret is kept."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from painpath.accounts.models import ApiToken, User
from painpath.core.errors import FieldError, InvalidInput, NotFound

__all__ = [
    "IssuedToken",
    "authenticate_token",
    "issue_token",
    "revoke_all_tokens",
    "revoke_token",
]

TOKEN_PREFIX = "pp_"  # noqa: S105 - a marker, not a secret


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # the only time the full token exists outside the caller's hands


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(
    *,
    user: User,
    name: str,
    expires_at: datetime | None = None,
    patient_id: int | None = None,
) -> IssuedToken:
    """``patient_id`` scopes the token to posting that patient's device samples only (the
    caller has checked that ``user`` may report for that patient)."""
    name = name.strip()
    errors = []
    if not name or len(name) > 100:
        errors.append(FieldError("name", _("1-100 characters.")))
    if expires_at is not None and timezone.is_naive(expires_at):
        errors.append(
            FieldError("expires_at", _("Give a time zone offset, e.g. 2027-01-31T18:00:00+00:00."))
        )
    elif expires_at is not None and expires_at <= timezone.now():
        errors.append(FieldError("expires_at", _("Must be in the future.")))
    if errors:
        raise InvalidInput(_("The token request has invalid fields."), fields=errors)
    prefix = secrets.token_hex(6)
    secret = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=prefix,
        secret_hash=_digest(secret),
        expires_at=expires_at,
        patient_id=patient_id,
    )
    return IssuedToken(token=token, secret=secret)


def authenticate_token(secret: str, *, scope_patient_id: int | None = None) -> User | None:
    """The active user a presented token belongs to, or None. Records last use.

    A patient-scoped token authenticates only where the caller serves that patient's device
    samples and says so with ``scope_patient_id``; everywhere else it is refused."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    prefix = secret[len(TOKEN_PREFIX) :].split("_", 1)[0]
    try:  # the prefix is unique: get() spares first()'s ORDER BY (a quarter of the look-up)
        token = ApiToken.objects.select_related("user", "user__clinic").get(prefix=prefix)
    except ApiToken.DoesNotExist:
        return None
    if not hmac.compare_digest(token.secret_hash, _digest(secret)):
        return None
    if not token.is_usable or not token.user.is_active:
        return None
    if token.patient_id is not None and token.patient_id != scope_patient_id:
        return None
    now = timezone.now()
    # Touch at most once a minute: a busy integration should not write on every request.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def revoke_token(*, user: User, token_id: int) -> ApiToken:
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(pk=token_id, user=user).first()
        if token is None:
            raise NotFound(_("No such token."))
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
    return token


def revoke_all_tokens(*, user: User) -> int:
    """Ends every usable token of ``user`` (device tokens too), e.g. after a new password.
    Returns how many were revoked."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
