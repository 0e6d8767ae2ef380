"""Helpers for HTML views: the acting user as an Actor."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from painpath.accounts.models import User
from painpath.core.context import Actor
from painpath.core.middleware import client_ip


def web_actor(request: HttpRequest) -> Actor:
    user = request.user if isinstance(request.user, User) else None
    return Actor(
        user=user, request_id=getattr(request, "request_id", ""), client_ip=client_ip(request)
    )


def signed_in_user(request: HttpRequest) -> User:
    """The request's user; views call it after ``login_required`` has let them in."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user
