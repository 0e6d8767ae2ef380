"""Writing audit rows (inside the caller's transaction); checking and anchoring the chain.

``record``/``record_many`` append rows *unsealed*: one INSERT, no lock shared with other
requests. The sealer (painpath.audit.sealing) chains them in order soon after; see its
docstring for why the chain stays complete and ordered, and painpath.audit.verification for
what a check proves.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
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


_COLUMNS = (
    "at",
    "actor_id",
    "actor_label",
    "patient_id",
    "action",
    "object_type",
    "object_id",
    "request_id",
    "client_ip",
    "detail",
)
_ROWS_PER_INSERT = 500  # well under SQLite's limit on parameters per statement


@functools.lru_cache(maxsize=8)
def _insert_sql(rows: int) -> str:
    values = "(" + ", ".join(["%s"] * len(_COLUMNS)) + ", '', '')"
    return (
        f"INSERT INTO audit_auditevent ({', '.join(_COLUMNS)}, prev_hash, hash) "  # noqa: S608
        f"VALUES {', '.join([values] * rows)} RETURNING id"
    )


def record_many(actor: Actor, entries: Sequence[AuditEntry]) -> list[AuditEvent]:
    """Append rows, unsealed. Joins the caller's transaction, so a rolled-back change leaves
    no audit row and a failed audit write rolls the change back.

    One INSERT statement per 500 rows, written without the ORM's per-object machinery: this
    runs inside every audited request (values still go through each field's own conversion
    for the database in use)."""
    if not entries:
        return []
    now = timezone.now()
    actor_id = actor.user.pk if actor.user is not None else None
    label = actor.display
    # Only these three need converting for the database; the others are plain str/int.
    meta = AuditEvent._meta
    at = meta.get_field("at").get_db_prep_value(now, connection)
    address = meta.get_field("client_ip").get_db_prep_value(actor.client_ip, connection)
    detail = meta.get_field("detail")
    params = [
        (
            at,
            actor_id,
            label,
            entry.patient_id,
            entry.action.value,
            entry.object_type,
            entry.object_id,
            actor.request_id,
            address,
            detail.get_db_prep_value(entry.detail, connection),
        )
        for entry in entries
    ]
    ids: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(params), _ROWS_PER_INSERT):
            chunk = params[start : start + _ROWS_PER_INSERT]
            cursor.execute(_insert_sql(len(chunk)), [value for row in chunk for value in row])
            ids += [pk for (pk,) in cursor.fetchall()]
    rows = [
        AuditEvent(
            id=pk,
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
        for pk, entry in zip(ids, entries, strict=True)
    ]
    for row in rows:
        row._state.adding = False
        row._state.db = connection.alias
    if any(row.pk % SEAL_EVERY == 0 for row in rows):
        transaction.on_commit(_seal_soon)
    return rows


def _seal_soon() -> None:
    from painpath.audit.tasks import seal_audit_chain  # noqa: PLC0415 - huey at runtime

    seal_audit_chain()
