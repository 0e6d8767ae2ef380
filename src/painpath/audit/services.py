"""Writing audit rows (inside the caller's transaction); checking and anchoring the chain.

``record``/``record_many`` append rows *unsealed*: one INSERT, no lock shared with other
requests. The sealer (painpath.audit.sealing) chains them in order soon after; see its
docstring for why the chain stays complete and ordered, and painpath.audit.verification for
what a check proves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from painpath.audit.anchors import forget_database as forget_anchors
from painpath.audit.models import Action, AuditEvent
from painpath.audit.sealing import SEAL_EVERY, seal_pending
from painpath.audit.verification import VerifyResult, record_anchor, verify_chain
from painpath.core.context import Actor

__all__ = [
    "AuditEntry",
    "VerifyResult",
    "forget_anchors",
    "record",
    "record_anchor",
    "record_many",
    "seal_pending",
    "verify_chain",
]


@dataclass(frozen=True)
class AuditEntry:
    action: Action
    object_type: str
    object_id: str = ""
    patient_id: int | None = None
    detail: dict[str, Any] = field(default_factory=dict)


def record(
    actor: Actor,
    *,
    action: Action,
    object_type: str,
    object_id: object = "",
    patient_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    entry = AuditEntry(action, object_type, str(object_id), patient_id, detail or {})
    return record_many(actor, [entry])[0]


def record_many(actor: Actor, entries: Sequence[AuditEntry]) -> list[AuditEvent]:
    """Append rows, unsealed. Joins the caller's transaction, so a rolled-back change leaves
    no audit row and a failed audit write rolls the change back."""
    if not entries:
        return []
    now = timezone.now()
    actor_id = actor.user.pk if actor.user is not None else None
    label = actor.display
    rows = [
        AuditEvent(
            at=now,
            actor_id=actor_id,
            actor_label=label,
            patient_id=entry.patient_id,
            action=entry.action.value,
            object_type=entry.object_type,
            object_id=entry.object_id,
            request_id=actor.request_id,
            client_ip=actor.client_ip,
            detail=entry.detail,
        )
        for entry in entries
    ]
    AuditEvent.objects.bulk_create(rows)
    if any(row.pk is not None and row.pk % SEAL_EVERY == 0 for row in rows):
        transaction.on_commit(_seal_soon)
    return rows


def _seal_soon() -> None:
    from painpath.audit.tasks import seal_audit_chain  # noqa: PLC0415 - huey at runtime

    seal_audit_chain()
