"""Error pages: JSON under /api/, HTML elsewhere; domain errors raised in HTML views."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from painpath.core.api import error_response
from painpath.core.errors import PainpathError


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _page(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    return render(request, "core/error.html", {"title": title, "message": message}, status=status)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return error_response(404, _("Not found."))
    return _page(request, 404, _("Not found"), _("There is nothing here, or you may not see it."))


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return error_response(403, _("Not allowed."))
    return _page(request, 403, _("Not allowed"), str(exception) if exception else "")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):  # Django's "400" for a body past the limit
        message = _("The request body is larger than %d bytes.") % (
            settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
        )
        if _is_api(request):
            return error_response(413, message)
        return _page(request, 413, _("Too large"), message)
    if _is_api(request):
        return error_response(400, _("Bad request."))
    return _page(request, 400, _("Bad request"), "")


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return error_response(500, _("Internal error; it has been logged."), code="internal")
    return _page(request, 500, _("Something went wrong"), _("The error has been logged."))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    if _is_api(request):
        return error_response(403, _("CSRF check failed: send the X-CSRFToken header."))
    return _page(request, 403, _("Form expired"), _("Reload the page and try again."))


class DomainErrorMiddleware:
    """Renders a PainpathError raised by an HTML view as an error page with its status."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, PainpathError) or _is_api(request):
            return None
        titles = {404: _("Not found"), 403: _("Not allowed"), 401: _("Please sign in")}
        title = titles.get(exception.status, _("Not possible"))
        return _page(request, exception.status, title, exception.message)


class ApiErrorBodyMiddleware:
    """Gives non-JSON failures under /api/ (e.g. Django's 405) the one error body."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            _is_api(request)
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            messages = {
                404: _("No such API endpoint."),
                405: _("This endpoint does not accept that method."),
                413: _("The request body is too large."),
            }
            message = messages.get(response.status_code, response.reason_phrase)
            replacement = error_response(response.status_code, str(message))
            if "Allow" in response:
                replacement["Allow"] = response["Allow"]
            return replacement
        return response
