"""Audit rows (append-only, hash-chained) and the single chain-head row that orders them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from painpath.audit.chain import ChainRow


class Action(models.TextChoices):
    READ = "read", _("read")
    LIST = "list", _("listed")
    CREATE = "create", _("created")
    UPDATE = "update", _("updated")
    DELETE = "delete", _("deleted")
    EXPORT = "export", _("exported")


class AppendOnlyError(RuntimeError):
    pass


class AuditEvent(models.Model):
    seq = models.BigIntegerField(unique=True, editable=False)
    at = models.DateTimeField(db_index=True)
    # Plain references without database constraints: the audit row must outlive what it
    # names, and a cascade would rewrite (and so break) the chain.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    actor_label = models.CharField(max_length=150)
    patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    action = models.CharField(max_length=16, choices=Action.choices)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64, blank=True, default="")
    request_id = models.CharField(max_length=64)
    client_ip = models.GenericIPAddressField(null=True)
    detail = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-seq"]
        indexes = [
            models.Index(fields=["patient", "-seq"]),
            models.Index(fields=["actor", "-seq"]),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.actor_label} {self.action} {self.object_type} {self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("audit rows cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit rows cannot be deleted")

    def as_chain_row(self) -> ChainRow:
        return ChainRow(
            seq=self.seq,
            at=self.at,
            actor_id=self.actor_id,
            actor_label=self.actor_label,
            patient_id=self.patient_id,
            action=self.action,
            object_type=self.object_type,
            object_id=self.object_id,
            request_id=self.request_id,
            client_ip=self.client_ip,
            detail=self.detail,
            prev_hash=self.prev_hash,
            hash=self.hash,
        )


class AuditChainHead(models.Model):
    """One row (pk=1): the last sequence number and hash. Locking it serialises appends."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"audit chain head at #{self.seq}"
