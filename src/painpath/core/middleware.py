"""Request id and client address on every request; each clinic's time zone while it works."""

from __future__ import annotations

import ipaddress
import re
import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from painpath.core.context import new_request_id

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def client_ip(request: HttpRequest) -> str | None:
    """REMOTE_ADDR, or behind a proxy that sets X-Forwarded-For itself (TRUST_X_FORWARDED_FOR)
    the last address in that header: the one the proxy saw. Otherwise the header is the
    client's own claim and is ignored."""
    if settings.TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1].strip()
        try:
            return str(ipaddress.ip_address(forwarded))
        except ValueError:
            pass  # absent or not an address: the connection's own
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    """Accepts a well-formed X-Request-ID from a caller (for tracing), else makes one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID.match(incoming) else new_request_id()
        request.request_id = request_id  # type: ignore[attr-defined]
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


def activate_user_timezone(user: object) -> None:
    """The user's clinic time zone (a patient's own), or the server default."""
    tz_name = (
        getattr(user, "timezone_name", None) if getattr(user, "is_authenticated", False) else None
    )
    if tz_name:
        timezone.activate(zoneinfo.ZoneInfo(tz_name))
    else:
        timezone.deactivate()


class ClinicTimezoneMiddleware:
    """Shows times in the signed-in user's clinic time zone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # API-token callers are known only later, when the API authenticates them; it
        # activates their zone the same way (painpath.core.api.BearerTokenAuth).
        activate_user_timezone(getattr(request, "user", None))
        return self.get_response(request)
