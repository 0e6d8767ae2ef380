"""The JSON API under /api/v1/: authentication, one error body, and the routers of each app.

Every failure answers ``{"error": {"code", "message", "fields": [{"field", "message"}]}}``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.utils import check_csrf

from painpath import __version__
from painpath.accounts.models import User
from painpath.accounts.tokens import authenticate_token
from painpath.core.api_input import JsonBodyParser, harden_request_models
from painpath.core.context import Actor
from painpath.core.errors import PainpathError, TooManyRequests
from painpath.core.middleware import activate_user_timezone, client_ip

__all__ = ["actor_of", "api", "error_response", "render_error"]

_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
_STATUS_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    408: "timeout",
    409: "conflict",
    413: "too_large",
    414: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "throttled",
}


def error_response(
    status: int,
    message: str,
    *,
    code: str | None = None,
    fields: list[dict[str, str]] | None = None,
) -> JsonResponse:
    body = {
        "error": {
            "code": code or _STATUS_CODES.get(status, "error"),
            "message": message,
            "fields": fields or [],
        }
    }
    return JsonResponse(body, status=status)


class BearerTokenAuth(HttpBearer):
    """``Authorization: Bearer pp_...`` — a per-user API token for integrations."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = authenticate_token(token)
        if user is not None:
            request.user = user
            activate_user_timezone(user)  # the middleware ran before the token was read
        return user


class SessionCookieAuth(APIKeyCookie):
    """The browser's Django session; unsafe methods must carry the CSRF token."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = getattr(request, "user", None)
        if not isinstance(user, User) or not user.is_authenticated:
            return None
        if request.method not in _SAFE_METHODS and check_csrf(request) is not None:
            raise HttpError(403, _("CSRF check failed: send the X-CSRFToken header."))
        return user


_IDEMPOTENCY_KEY_PARAMETER = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
    "description": (
        "Makes a retry safe: the same request with the same key gets the first answer again "
        "and writes nothing; the same key with another request is 422. Kept 24 hours."
    ),
}


class PainpathAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> Any:
        """The schema, with the Idempotency-Key header (core.idempotency) on every write."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for item in schema["paths"].values():
            for method, operation in item.items():
                if method in {"post", "patch"}:
                    operation.setdefault("parameters", []).append(dict(_IDEMPOTENCY_KEY_PARAMETER))
        return schema


api = PainpathAPI(
    title="painpath API",
    version=f"1 ({__version__})",
    description=(
        "REST API of painpath. Authenticate with a browser session (send X-CSRFToken on "
        "writes) or an API token: `Authorization: Bearer pp_...`. Errors always answer "
        '`{"error": {"code", "message", "fields": [{"field", "message"}]}}`. Writes (POST, '
        "PATCH) take an optional `Idempotency-Key` header that makes retrying them safe."
    ),
    auth=[BearerTokenAuth(), SessionCookieAuth()],
    urls_namespace="api",
    docs_url="/docs",
    parser=JsonBodyParser(),
)


def actor_of(request: HttpRequest) -> Actor:
    return Actor(
        user=request.auth if isinstance(request.auth, User) else None,  # type: ignore[attr-defined]
        request_id=getattr(request, "request_id", ""),
        client_ip=client_ip(request),
    )


def _field_name(loc: list[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "form", "header", "cookie"}:
        parts = parts[1:]
    if len(parts) > 1 and parts[0] == "payload":
        parts = parts[1:]
    return ".".join(parts) or "body"


def render_error(exc: PainpathError) -> JsonResponse:
    response = JsonResponse(exc.body(), status=exc.status)
    if isinstance(exc, TooManyRequests):
        response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(PainpathError)
def _painpath_error(request: HttpRequest, exc: PainpathError) -> HttpResponse:
    return render_error(exc)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields = [
        {"field": _field_name(list(e.get("loc", []))), "message": str(e.get("msg", "invalid"))}
        for e in exc.errors
    ]
    return error_response(422, _("The request has invalid fields."), fields=fields)


@api.exception_handler(AuthenticationError)
def _authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(401, _("Sign in or send an API token (Authorization: Bearer ...)."))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # django-ninja turns any failure of the body parser into a bare 400; the parser's own
    # error (core.api_input) says which field and rule, and may be a 413 or 415.
    if isinstance(exc.__cause__, PainpathError):
        return render_error(exc.__cause__)
    return error_response(exc.status_code, str(exc))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(404, _("Not found."))


@api.exception_handler(PermissionDenied)
def _permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error_response(403, _("Not allowed."))


def _register_routers() -> None:
    # Imported here: the routers import actor_of from this module.
    from painpath.accounts.api import router as accounts_router  # noqa: PLC0415
    from painpath.alerts.api import router as alerts_router  # noqa: PLC0415
    from painpath.assessments.api import fhir_router  # noqa: PLC0415
    from painpath.assessments.api import router as assessments_router  # noqa: PLC0415
    from painpath.devices.api import router as devices_router  # noqa: PLC0415
    from painpath.diary.api import router as diary_router  # noqa: PLC0415
    from painpath.genomics.api import router as genomics_router  # noqa: PLC0415
    from painpath.medications.api import router as medications_router  # noqa: PLC0415
    from painpath.patients.api import router as patients_router  # noqa: PLC0415

    api.add_router("/", accounts_router)
    api.add_router("/patients", patients_router)
    api.add_router("/patients", medications_router)
    api.add_router("/alerts", alerts_router)
    api.add_router("/checkins", diary_router)
    api.add_router("/questionnaires", assessments_router)
    api.add_router("/fhir", fhir_router)
    api.add_router("/genomics", genomics_router)
    api.add_router("/", devices_router)


_register_routers()
harden_request_models(api)
