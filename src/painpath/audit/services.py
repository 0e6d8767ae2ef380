"""Writing audit rows (inside the caller's transaction) and verifying the chain."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from painpath.audit.chain import (
    GENESIS_HASH,
    Anchor,
    ChainBreak,
    ChainRow,
    row_hash,
    verify_rows,
)
from painpath.audit.models import Action, AuditChainHead, AuditEvent
from painpath.core.context import Actor

__all__ = [
    "AuditEntry",
    "VerifyResult",
    "forget_anchors",
    "read_anchors",
    "record",
    "record_anchor",
    "record_many",
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
    head_seq: int = 0
    head_hash: str = GENESIS_HASH
    anchors: int = 0

    @property
    def ok(self) -> bool:
        return self.broken is None


def _database_label() -> str:
    db = connection.settings_dict
    return f"{connection.vendor}:{db.get('HOST') or ''}:{db.get('PORT') or ''}/{db['NAME']}"


def _anchor_file() -> Path:
    return Path(settings.AUDIT_ANCHOR_FILE)


def _anchor_lines() -> list[dict[str, Any]]:
    path = _anchor_file()
    if not path.exists():
        return []
    lines = []
    for text in path.read_text(encoding="utf-8").splitlines():
        if text.strip():
            lines.append(json.loads(text))
    return lines


def _this_database_lines() -> list[dict[str, Any]]:
    label = _database_label()
    return [line for line in _anchor_lines() if line.get("database") == label]


def read_anchors() -> list[Anchor]:
    """Anchors recorded for this database. Each line witnesses its head row and the chain's
    first row, so an emptied or replaced chain is caught as well as a truncated one."""
    return [
        anchor
        for line in _this_database_lines()
        for anchor in (
            Anchor(seq=int(line["seq"]), hash=str(line["hash"]), at=line["at"]),
            Anchor(seq=1, hash=str(line["first"]), at=line["at"]),
        )
    ]


def forget_anchors() -> int:
    """Drop this database's anchors (only when a new, empty database replaces an old one at
    the same address, e.g. the demo's SQLite file); returns how many lines were dropped."""
    label = _database_label()
    lines = _anchor_lines()
    keep = [line for line in lines if line.get("database") != label]
    if len(keep) != len(lines):
        _anchor_file().write_text(
            "".join(json.dumps(line) + "\n" for line in keep), encoding="utf-8"
        )
    return len(lines) - len(keep)


def _stored_rows(head_seq: int) -> Iterator[ChainRow]:
    # Only rows up to the head read first: later appends commit with a later head, so the
    # walk needs no lock and never holds up writers (every audited read is also a write).
    events = AuditEvent.objects.filter(seq__lte=head_seq).order_by("seq")
    for event in events.iterator(chunk_size=5000):
        yield event.as_chain_row()


def verify_chain() -> VerifyResult:
    """Check every row against its hash, its predecessor, the head and the anchors."""
    lines = len(_this_database_lines())
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is None:
        if AuditEvent.objects.exists() or lines:
            return VerifyResult(0, ChainBreak(1, "the chain head row is missing"))
        return VerifyResult(0, None)
    checked, broken = verify_rows(
        _stored_rows(head.seq), head_seq=head.seq, head_hash=head.hash, anchors=read_anchors()
    )
    return VerifyResult(checked, broken, head.seq, head.hash, lines)


def record_anchor() -> tuple[VerifyResult, dict[str, Any] | None]:
    """Verify, then append the head to the anchor file (copy it to write-once storage too:
    the file is only as trustworthy as where it is kept). Nothing is anchored when broken."""
    result = verify_chain()
    if not result.ok or result.head_seq == 0:
        return result, None
    first = AuditEvent.objects.get(seq=1).hash
    line = {
        "database": _database_label(),
        "seq": result.head_seq,
        "hash": result.head_hash,
        "first": first,
        "at": timezone.now().isoformat(timespec="seconds"),
    }
    path = _anchor_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as out:
        out.write(json.dumps(line) + "\n")
    return result, line
