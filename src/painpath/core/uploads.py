"""Uploaded files: refused at the door past the size limit, then streamed to disk counted.

Django streams a multipart body to a temporary file before any view runs (CSRF reads the
form first), so the size is checked from ``Content-Length`` before that: Django never reads
more body than that header announces, and a chunked body without it reads as empty. A
refused upload answers 413 (the JSON error body under ``/api/``, an error page elsewhere).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from painpath.core.errors import FieldError, PayloadTooLarge
from painpath.interop.limits import size_text

__all__ = ["UploadSizeLimitMiddleware", "stage_upload"]


class UploadSizeLimitMiddleware:
    """413 for a multipart request larger than ``PAINPATH_UPLOAD_MAX_BYTES``, before its body
    is read."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (request.content_type or "").startswith("multipart/"):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            limit = settings.PAINPATH_UPLOAD_MAX_BYTES
            if length > limit:
                message = _("The upload is larger than %(max)s; nothing was stored.") % {
                    "max": size_text(limit)
                }
                response: HttpResponse
                if request.path.startswith("/api/"):
                    refused = PayloadTooLarge(
                        message, fields=[FieldError("file", _("At most %s.") % size_text(limit))]
                    )
                    response = JsonResponse(refused.body(), status=refused.status)
                else:
                    response = render(
                        request,
                        "core/error.html",
                        {"title": _("File too large"), "message": message},
                        status=413,
                    )
                response["Content-Length"] = str(len(response.content))
                return response
        return self.get_response(request)


def stage_upload(
    chunks: Iterable[bytes], *, directory: Path, suffix: str, max_bytes: int
) -> tuple[Path, int]:
    """Write an upload to a new file in ``directory``; returns the path and its size.
    Past ``max_bytes`` the partial file is deleted and ``PayloadTooLarge`` raised."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"upload-{uuid.uuid4().hex}{suffix[:10]}"
    size = 0
    try:
        with target.open("wb") as out:
            for chunk in chunks:
                size += len(chunk)
                if size > max_bytes:
                    raise PayloadTooLarge(
                        _("The file is larger than %(max)s; nothing was stored.")
                        % {"max": size_text(max_bytes)},
                        fields=[FieldError("file", _("At most %s.") % size_text(max_bytes))],
                    )
                out.write(chunk)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return target, size
