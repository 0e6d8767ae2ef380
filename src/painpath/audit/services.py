"""Writing audit rows (inside the caller's transaction) and verifying the chain."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from painpath.audit.chain import GENESIS_HASH, ChainBreak, ChainRow, row_hash, verify_rows
from painpath.audit.models import Action, AuditChainHead, AuditEvent
from painpath.core.context import Actor

__all__ = ["AuditEntry", "VerifyResult", "record", "record_many", "verify_chain"]


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
    """Append rows to the chain. Joins the caller's transaction, so a rolled-back change
    leaves no audit row and a failed audit write rolls the change back."""
    if not entries:
        return []
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(
            pk=1, defaults={"seq": 0, "hash": GENESIS_HASH}
        )
        now = timezone.now()
        user = actor.user
        rows: list[AuditEvent] = []
        seq, prev = head.seq, head.hash
        for entry in entries:
            seq += 1
            chain_row = ChainRow(
                seq=seq,
                at=now,
                actor_id=user.pk if user is not None else None,
                actor_label=actor.display,
                patient_id=entry.patient_id,
                action=entry.action.value,
                object_type=entry.object_type,
                object_id=entry.object_id,
                request_id=actor.request_id,
                client_ip=actor.client_ip,
                detail=entry.detail,
                prev_hash=prev,
            )
            digest = row_hash(chain_row)
            rows.append(
                AuditEvent(
                    seq=seq,
                    at=now,
                    actor_id=chain_row.actor_id,
                    actor_label=chain_row.actor_label,
                    patient_id=entry.patient_id,
                    action=chain_row.action,
                    object_type=entry.object_type,
                    object_id=entry.object_id,
                    request_id=actor.request_id,
                    client_ip=actor.client_ip,
                    detail=entry.detail,
                    prev_hash=prev,
                    hash=digest,
                )
            )
            prev = digest
        AuditEvent.objects.bulk_create(rows)
        AuditChainHead.objects.filter(pk=1).update(seq=seq, hash=prev)
    return rows


@dataclass(frozen=True)
class VerifyResult:
    checked: int
    broken: ChainBreak | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def _stored_rows() -> Iterator[ChainRow]:
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=5000):
        yield event.as_chain_row()


def verify_chain() -> VerifyResult:
    """Check every row against its hash and its predecessor, in one read transaction."""
    with transaction.atomic():
        head = AuditChainHead.objects.filter(pk=1).first()
        head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)
        checked, broken = verify_rows(_stored_rows(), head_seq=head_seq, head_hash=head_hash)
    return VerifyResult(checked=checked, broken=broken)
