"""Refused requests in the audit trail, at most a few rows per caller and minute.

A refusal is a request the access policy turned down (403; a 404 from a view, which the
policy also gives for a record the caller may not see, so as not to reveal that it exists) or
an API token that did not authenticate (401 with credentials presented). Each becomes a
``denied`` row, up to ``AUDIT_REFUSALS_PER_MINUTE`` per caller (user and address) and reason
in a minute; the rest are counted, and once the minute is over (``summarize_refusals``, every
minute in the worker) one more row records how many were suppressed. A flood of refused
requests so costs one counter update each, not one audit row each.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from painpath.accounts.models import User
from painpath.audit.models import Action, RefusalWindow
from painpath.audit.services import record
from painpath.core.context import Actor
from painpath.core.middleware import client_ip

__all__ = ["RefusedRequestAuditMiddleware", "record_refusal", "summarize_refusals"]

REASONS = {401: "token_refused", 403: "forbidden", 404: "not_found"}
OBJECT_TYPE = "Request"
_SETTLE = timedelta(minutes=2)  # a minute is summed once no request can still count in it

_COUNT_SQL = (
    "INSERT INTO audit_refusalwindow "
    "(key, reason, window_start, count, actor_id, actor_label, client_ip) "
    "VALUES (%s, %s, %s, 1, %s, %s, %s) "
    "ON CONFLICT (key, reason, window_start) "
    "DO UPDATE SET count = audit_refusalwindow.count + 1 RETURNING count"
)


def _limit() -> int:
    return int(getattr(settings, "AUDIT_REFUSALS_PER_MINUTE", 10))


def _minute(at: datetime) -> datetime:
    return at.replace(second=0, microsecond=0)


def _count(actor: Actor, reason: str, window: datetime) -> int:
    user_id = actor.user.pk if actor.user is not None else None
    key = f"{user_id if user_id is not None else '-'}|{actor.client_ip or '-'}"
    params = [
        key,
        reason,
        connection.ops.adapt_datetimefield_value(window),
        user_id,
        actor.display,
        actor.client_ip,
    ]
    with connection.cursor() as cursor:
        cursor.execute(_COUNT_SQL, params)
        return int(cursor.fetchone()[0])


def record_refusal(actor: Actor, *, status: int, detail: dict[str, object]) -> bool:
    """Count one refused request; audit it unless this caller passed the minute's limit.
    Returns whether a row was written."""
    reason = REASONS.get(status, "refused")
    now = timezone.now()
    with transaction.atomic():
        nth = _count(actor, reason, _minute(now))
        if nth > _limit():
            return False
        record(
            actor,
            action=Action.DENIED,
            object_type=OBJECT_TYPE,
            detail={"status": status, "reason": reason, **detail, "nth_this_minute": nth},
        )
    return True


def summarize_refusals(*, now: datetime | None = None) -> int:
    """One row per caller, reason and past minute whose refusals passed the limit, saying how
    many were not written; drops the finished counters. Returns how many rows it wrote."""
    cutoff = _minute(now or timezone.now()) - _SETTLE
    limit = _limit()
    written = 0
    with transaction.atomic():
        finished = RefusalWindow.objects.select_for_update().filter(window_start__lte=cutoff)
        done = list(finished.order_by("window_start", "pk"))
        users = User.objects.in_bulk([w.actor_id for w in done if w.actor_id is not None])
        for window in done:
            if window.count <= limit:
                continue
            actor = Actor(
                user=users.get(window.actor_id) if window.actor_id is not None else None,
                client_ip=window.client_ip,
                label=window.actor_label,
            )
            record(
                actor,
                action=Action.DENIED,
                object_type=OBJECT_TYPE,
                detail={
                    "reason": window.reason,
                    "suppressed": window.count - limit,
                    "minute_from": window.window_start.isoformat(),
                    "limit_per_minute": limit,
                },
            )
            written += 1
        RefusalWindow.objects.filter(pk__in=[w.pk for w in done]).delete()
    return written


def _message(response: HttpResponse) -> str:
    if not response.get("Content-Type", "").startswith("application/json"):
        return ""
    try:
        body = json.loads(response.content[:4096])
        return str(body["error"]["message"])[:200]
    except (ValueError, KeyError, TypeError):
        return ""


def _is_refusal(request: HttpRequest, status: int) -> bool:
    if status == 403:
        return True
    if status == 404:  # from a view (a record not there or not visible), not an unknown URL
        return getattr(request, "resolver_match", None) is not None
    return status == 401 and "Authorization" in request.headers


class RefusedRequestAuditMiddleware:
    """Audits refused requests as they leave (API and pages alike); place it after the
    authentication middleware so the caller is known."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code in REASONS and _is_refusal(request, response.status_code):
            user = getattr(request, "user", None)
            actor = Actor(
                user=user if isinstance(user, User) and user.is_authenticated else None,
                request_id=getattr(request, "request_id", ""),
                client_ip=client_ip(request),
                label="anonymous",
            )
            record_refusal(
                actor,
                status=response.status_code,
                detail={
                    "method": request.method or "",
                    "path": request.path[:200],
                    "message": _message(response),
                },
            )
        return response
