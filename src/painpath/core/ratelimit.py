"""Sliding-window rate limits kept in the database, so every server process counts together.

``take(scope, value, limit=, window=)`` counts one event for ``value`` (an e-mail address, a
client address) unless ``limit`` events were counted in the last ``window``; then it raises
TooManyRequests with the seconds until one falls out of the window. Only a keyed hash of the
value is stored. Concurrent takes for one value are serialised (SQLite takes its write lock
up front; PostgreSQL takes a transaction-level advisory lock on the hash).
"""

from __future__ import annotations

import math
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from painpath.core.errors import TooManyRequests
from painpath.core.models import RateLimitHit

__all__ = ["take"]


def _digest(scope: str, value: str) -> str:
    return salted_hmac(
        "painpath.core.ratelimit", f"{scope}\0{value}", algorithm="sha256"
    ).hexdigest()


def take(scope: str, value: str, *, limit: int, window: timedelta) -> None:
    key = _digest(scope, value)
    now = timezone.now()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # one taker at a time for this key
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int(key[:15], 16)])
        RateLimitHit.objects.filter(scope=scope, at__lt=now - window).delete()
        recent = list(
            RateLimitHit.objects.filter(scope=scope, key=key, at__gte=now - window)
            .order_by("at")
            .values_list("at", flat=True)[:limit]
        )
        if len(recent) >= limit:
            wait = math.ceil((recent[0] + window - now).total_seconds())
            raise TooManyRequests(
                _("Too many requests; try again in %(minutes)d minutes.")
                % {"minutes": max(1, math.ceil(wait / 60))},
                retry_after=max(1, wait),
            )
        RateLimitHit.objects.create(scope=scope, key=key, at=now)
