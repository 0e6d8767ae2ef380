"""Request bookkeeping shared by every app: idempotency keys and rate-limit hits."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class IdempotencyKey(models.Model):
    """A write request a caller marked with ``Idempotency-Key``, and the answer it got.

    Stored in the same transaction as what the request wrote, so a key is either unused or
    bound to one committed result; a repeat with the same request gets that answer again."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idempotency_keys"
    )
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=500)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the request")
    status_code = models.PositiveSmallIntegerField(default=0)
    content_type = models.CharField(max_length=100, blank=True, default="")
    body = models.BinaryField(default=b"")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_once_per_user")
        ]
        indexes = [models.Index(fields=["user", "created_at"], name="idempotency_key_age")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({self.key})"


class RateLimitHit(models.Model):
    """One counted event (e.g. a password-reset mail asked for) in a rate limit's window.
    ``key`` is a SHA-256 of what is limited (an address, a client), never the value itself."""

    scope = models.CharField(max_length=64)
    key = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["scope", "key", "at"], name="rate_limit_window")]

    def __str__(self) -> str:
        return f"{self.scope} {self.key[:8]} {self.at:%Y-%m-%d %H:%M}"
