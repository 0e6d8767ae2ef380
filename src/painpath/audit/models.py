"""Audit rows (append-only, hash-chained once sealed), the chain head, and refusal counters."""

from __future__ import annotations

import uuid
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
    DENIED = "denied", _("refused")


class AppendOnlyError(RuntimeError):
    pass


class AuditEvent(models.Model):
    """One audited action. Appended unsealed (``seq`` empty) in the caller's transaction; the
    sealer (painpath.audit.sealing) later gives it its place in the chain: ``seq``,
    ``prev_hash`` and ``hash``. Database triggers (painpath.audit.guards) refuse every other
    change, so an unsealed row is as append-only as a sealed one."""

    seq = models.BigIntegerField(unique=True, null=True, editable=False)
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
    prev_hash = models.CharField(max_length=64, blank=True, default="")
    hash = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["patient", "-id"], name="audit_event_patient_idx"),
            models.Index(fields=["actor", "-id"], name="audit_event_actor_idx"),
        ]

    def __str__(self) -> str:
        where = f"#{self.seq}" if self.seq is not None else "(unsealed)"
        return f"{where} {self.actor_label} {self.action} {self.object_type} {self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("audit rows cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit rows cannot be deleted")

    @property
    def sealed(self) -> bool:
        return self.seq is not None

    def as_chain_row(self, *, seq: int | None = None, prev_hash: str | None = None) -> ChainRow:
        """The row as the chain hashes it (``seq``/``prev_hash`` given when sealing it)."""
        position = self.seq if seq is None else seq
        if position is None:
            raise ValueError("an unsealed audit row has no place in the chain yet")
        return ChainRow(
            seq=position,
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
            prev_hash=self.prev_hash if prev_hash is None else prev_hash,
            hash=self.hash if seq is None else "",
        )


class AuditChainHead(models.Model):
    """One row: the chain's id and its last sealed row (seq + hash). The sealer moves it
    forward; triggers refuse moving it back, changing the id or deleting it. Anchors name the
    chain by ``chain_id``, so a copy of the database keeps its anchors."""

    chain_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="audit_chainhead_single_row")
        ]

    def __str__(self) -> str:
        return f"audit chain {self.chain_id} at #{self.seq}"


class RefusalWindow(models.Model):
    """How many requests one caller (user and address) had refused for one reason in one
    minute: the first few become audit rows, the rest are counted here and summed into one
    row when the minute is over. Working state, not the record: rows are removed once
    summarised."""

    key = models.CharField(max_length=200)
    reason = models.CharField(max_length=32)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)
    actor_id = models.BigIntegerField(null=True)
    actor_label = models.CharField(max_length=150)
    client_ip = models.GenericIPAddressField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["key", "reason", "window_start"], name="audit_refusal_window_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.actor_label} {self.reason} x{self.count} from {self.window_start}"
