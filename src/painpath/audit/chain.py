"""The hash chain, as pure functions: how a row's hash is made and how a chain is checked."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

__all__ = ["GENESIS_HASH", "Anchor", "ChainBreak", "ChainRow", "row_hash", "verify_rows"]

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class ChainRow:
    seq: int
    at: datetime
    actor_id: int | None
    actor_label: str
    patient_id: int | None
    action: str
    object_type: str
    object_id: str
    request_id: str
    client_ip: str | None
    detail: dict[str, Any]
    prev_hash: str
    hash: str = ""


def _canonical(row: ChainRow) -> bytes:
    payload = [
        row.seq,
        row.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        row.actor_id,
        row.actor_label,
        row.patient_id,
        row.action,
        row.object_type,
        row.object_id,
        row.request_id,
        row.client_ip,
        row.detail,
        row.prev_hash,
    ]
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def row_hash(row: ChainRow) -> str:
    """SHA-256 over the row's content and the previous row's hash."""
    return hashlib.sha256(_canonical(row)).hexdigest()


@dataclass(frozen=True)
class Anchor:
    """A (seq, hash) pair copied out of the database at some time: a witness the database
    alone cannot rewrite, so rows removed from the end (with the head rewound) are caught."""

    seq: int
    hash: str
    at: str = ""


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    reason: str


def _row_break(row: ChainRow, expected_seq: int, prev: str) -> ChainBreak | None:
    if row.seq != expected_seq:
        return ChainBreak(expected_seq, f"row {expected_seq} is missing")
    if row.prev_hash != prev:
        return ChainBreak(row.seq, "previous-hash link does not match")
    if row_hash(row) != row.hash:
        return ChainBreak(row.seq, "content does not match its hash (row altered)")
    return None


def _anchor_break(row: ChainRow, anchor: Anchor, agreed: int) -> ChainBreak:
    since = f"after row {agreed}, the last anchored row that agrees" if agreed else "from row 1"
    return ChainBreak(
        row.seq,
        f"row {row.seq} differs from the anchor recorded {anchor.at}: the chain was "
        f"rewritten {since}",
    )


def verify_rows(
    rows: Iterable[ChainRow],
    *,
    head_seq: int,
    head_hash: str,
    anchors: Iterable[Anchor] = (),
) -> tuple[int, ChainBreak | None]:
    """Walk rows in sequence order; return how many were checked and the first break, if any.

    Detects an edited row (hash mismatch), a removed row (gap in ``seq`` or a ``prev_hash``
    that no longer matches), removed rows at the end (the head points past the last row) and,
    given anchors recorded earlier, a chain re-hashed from some row onward (reported at the
    first anchored row that disagrees, naming the last one that agrees) and rows removed from
    the end even when the head was rewound to match.
    """
    witnessed: dict[int, list[Anchor]] = {}
    for a in anchors:
        witnessed.setdefault(a.seq, []).append(a)
    expected_seq = 1
    prev = GENESIS_HASH
    checked = 0
    agreed = 0
    for row in rows:
        broken = _row_break(row, expected_seq, prev)
        if broken is not None:
            return checked, broken
        seen = witnessed.get(row.seq, [])
        for anchor in seen:
            if anchor.hash != row.hash:
                return checked, _anchor_break(row, anchor, agreed)
        if seen:
            agreed = row.seq
        prev = row.hash
        expected_seq += 1
        checked += 1
    beyond = [a for seq, group in witnessed.items() if seq > checked for a in group]
    if beyond:
        last = max(beyond, key=lambda a: a.seq)
        return checked, ChainBreak(
            checked + 1,
            f"an anchor recorded {last.at} saw {last.seq} rows but {checked} are present "
            "(rows removed from the end)",
        )
    if head_seq != checked:
        return checked, ChainBreak(
            checked + 1, f"chain head records {head_seq} rows but {checked} are present"
        )
    if head_hash != prev:
        return checked, ChainBreak(checked, "chain head hash does not match the last row")
    return checked, None
