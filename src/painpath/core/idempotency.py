"""``Idempotency-Key`` on API writes: a retried request is answered, not done again.

A caller sends ``Idempotency-Key: <1-255 visible ASCII characters>`` (a UUID is usual) on a
POST or PATCH under /api/. The first request runs in one transaction with the key, a
fingerprint of the request (method, path, query, content type, body) and, if it succeeds,
its answer; a repeat of the same request with the same key gets that answer again (with
``Idempotent-Replayed: true``) and writes nothing. The same key with another request is 422.
Requests racing with one key wait for the first to commit (the database's unique index on
the key), then get its answer: twenty parallel copies store one row. A failed request (any
status outside 2xx) releases its key, so it may be retried. Keys are kept per user for
``IDEMPOTENCY_KEY_TTL_HOURS`` (24 by default).

Device sample batches are idempotent by their natural key (source, type, start, end): a
patient-scoped device token is not a sign-in here, so the header changes nothing there.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.utils import check_csrf

from painpath.accounts.models import User
from painpath.accounts.tokens import authenticate_token
from painpath.core.api import error_response
from painpath.core.models import IdempotencyKey

__all__ = ["HEADER", "IdempotencyMiddleware"]

HEADER = "Idempotency-Key"
_METHODS = {"POST", "PATCH"}
_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


def _caller(request: HttpRequest) -> User | None:
    """Who the API will take the request to be from (it checks again itself)."""
    authorization = request.headers.get("Authorization", "")
    if authorization.lower().startswith("bearer "):
        return authenticate_token(authorization[7:].strip())
    user = getattr(request, "user", None)
    if isinstance(user, User) and user.is_authenticated and check_csrf(request) is None:
        return user
    return None


def _fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    media = request.META.get("CONTENT_TYPE", "").split(";", 1)[0].strip().lower()
    for part in (request.method or "", request.path, request.META.get("QUERY_STRING", ""), media):
        digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
    if media == "multipart/form-data":  # files were streamed to disk, not kept in memory
        for name, values in sorted(request.POST.lists()):
            digest.update(f"{name}={values!r}\0".encode("utf-8", "surrogateescape"))
        for name, files in sorted(request.FILES.lists()):
            for upload in files:
                digest.update(f"{name}:{upload.name}:{upload.size}\0".encode())
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
    else:
        digest.update(request.body)
    return digest.hexdigest()


def _too_large_to_hold(request: HttpRequest) -> bool:
    if request.META.get("CONTENT_TYPE", "").lower().startswith("multipart/form-data"):
        return False
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return limit is not None and length > limit


def _replay(stored: IdempotencyKey) -> HttpResponse:
    response = HttpResponse(
        bytes(stored.body), status=stored.status_code, content_type=stored.content_type
    )
    response["Idempotent-Replayed"] = "true"
    return response


class IdempotencyMiddleware:
    """Applies ``Idempotency-Key`` to API writes (see the module docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get(HEADER)
        if key is None or request.method not in _METHODS or not request.path.startswith("/api/"):
            return self.get_response(request)
        if not _KEY.match(key):
            return error_response(
                422,
                _("The Idempotency-Key header is not valid."),
                fields=[{"field": HEADER, "message": _("1 to 255 visible ASCII characters.")}],
            )
        user = _caller(request)
        if user is None:  # the API answers 401 (or a device token's own endpoint serves it)
            return self.get_response(request)
        if _too_large_to_hold(request):  # JSON endpoints answer 413; sample batches have
            return self.get_response(request)  # their natural key and stream their body
        return self._once(request, user, key, _fingerprint(request))

    def _once(self, request: HttpRequest, user: User, key: str, fingerprint: str) -> HttpResponse:
        cutoff = timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)
        with transaction.atomic():
            IdempotencyKey.objects.filter(user=user, created_at__lt=cutoff).delete()
            try:
                with transaction.atomic():
                    record = IdempotencyKey.objects.create(
                        user=user,
                        key=key,
                        method=request.method or "",
                        path=request.path[:500],
                        fingerprint=fingerprint,
                    )
            except IntegrityError:  # used before: by now committed (a racer waited for it)
                stored = IdempotencyKey.objects.get(user=user, key=key)
                if stored.fingerprint != fingerprint:
                    return error_response(
                        422,
                        _("This Idempotency-Key was used for a different request."),
                        fields=[
                            {"field": HEADER, "message": _("Use a new key for a new request.")}
                        ],
                    )
                return _replay(stored)
            response = self.get_response(request)
            if 200 <= response.status_code < 300 and not response.streaming:
                record.status_code = response.status_code
                record.content_type = response.get("Content-Type", "")[:100]
                record.body = response.content
                record.save(update_fields=["status_code", "content_type", "body"])
            else:  # nothing to replay: the key may be used again
                record.delete()
        return response
