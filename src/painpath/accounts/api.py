"""API: who am I, and my API tokens."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from painpath.accounts import tokens
from painpath.accounts.models import ApiToken, User
from painpath.core.api import SessionCookieAuth, actor_of
from painpath.core.errors import Unauthenticated

router = Router(tags=["accounts"])


class ClinicOut(Schema):
    id: int
    name: str
    slug: str
    timezone: str


class MeOut(Schema):
    id: int
    username: str
    first_name: str
    last_name: str
    email: str
    role: str
    profession: str
    clinic: ClinicOut | None
    is_superuser: bool
    synthetic: bool
    patient_id: int | None


class TokenIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    expires_at: datetime | None = None


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


class IssuedTokenOut(TokenOut):
    token: str = Field(description="The secret. Shown this once; store it now.")


def _user(request: HttpRequest) -> User:
    user = actor_of(request).user
    if user is None:  # the router's auth lets no anonymous caller through
        raise Unauthenticated(_("Sign in or send an API token."))
    return user


@router.get("/me", response=MeOut, summary="The signed-in user")
def me(request: HttpRequest) -> MeOut:
    user = _user(request)
    patient = getattr(user, "patient_record", None) if user.is_patient else None
    return MeOut(
        id=user.pk,
        username=user.username,
        first_name=user.first_name,
        last_name=user.last_name,
        email=user.email,
        role=user.role,
        profession=user.profession,
        clinic=ClinicOut.model_validate(user.clinic, from_attributes=True) if user.clinic else None,
        is_superuser=user.is_superuser,
        synthetic=user.synthetic,
        patient_id=patient.pk if patient else None,
    )


def _token_out(token: ApiToken) -> TokenOut:
    return TokenOut.model_validate(token, from_attributes=True)


@router.get("/tokens", response=list[TokenOut], summary="My API tokens (secrets are never shown)")
def list_tokens(request: HttpRequest) -> list[TokenOut]:
    return [_token_out(t) for t in ApiToken.objects.filter(user=_user(request))]


@router.post(
    "/tokens",
    response={201: IssuedTokenOut},
    summary="Issue an API token (signed-in browser session only)",
    # A token must not mint tokens: that would outlive its own expiry and revocation.
    auth=[SessionCookieAuth()],
)
def create_token(request: HttpRequest, payload: TokenIn) -> Status[IssuedTokenOut]:
    issued = tokens.issue_token(
        user=_user(request), name=payload.name, expires_at=payload.expires_at
    )
    out = IssuedTokenOut(**_token_out(issued.token).model_dump(), token=issued.secret)
    return Status(201, out)


@router.delete("/tokens/{token_id}", response=TokenOut, summary="Revoke an API token")
def revoke_token(request: HttpRequest, token_id: int) -> TokenOut:
    return _token_out(tokens.revoke_token(user=_user(request), token_id=token_id))
