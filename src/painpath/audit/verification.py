"""Checking the audit trail: the guards, the hash chain, its head, the anchors, the unsealed
window; and recording a new anchor.

What a check proves:
- with the guards in place, the database has refused every UPDATE (but sealing), DELETE and
  out-of-chain INSERT since they were installed;
- the sealed rows link up from row 1 to the head, each unchanged since it was sealed relative
  to its neighbours; a row edited, removed or inserted in between breaks a link;
- with anchors, the rows up to the newest anchor are the rows that existed when it was
  recorded: a chain re-hashed from some row onward is caught at the first checkpoint past that
  row, and rows cut from the end at the newest anchor.

What it cannot prove: without anchors, someone able to write to the database (and to drop the
guards) could re-hash the chain from any row onward or cut rows from its end; rows sealed after
the newest anchor have that same exposure until the next one; unsealed rows are protected by
the guards only, not yet by the hash chain.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Max, Min

from painpath.audit import anchors as anchor_file
from painpath.audit import guards
from painpath.audit.chain import GENESIS_HASH, ChainBreak, ChainRow, verify_rows
from painpath.audit.models import AuditChainHead, AuditEvent
from painpath.audit.sealing import ChainHeadMissing, seal_pending

__all__ = ["VerifyResult", "record_anchor", "stored_rows", "verify_chain"]


@dataclass(frozen=True)
class VerifyResult:
    checked: int
    broken: ChainBreak | None
    head_seq: int = 0
    head_hash: str = GENESIS_HASH
    chain_id: str = ""
    anchors: int = 0  # anchor lines of this chain
    anchored_seq: int = 0  # the newest row an anchor witnesses
    anchored_at: str = ""
    sealed_now: int = 0  # rows this check sealed before walking the chain
    unsealed: int = 0  # rows appended but not sealed when the walk ended
    oldest_unsealed_at: datetime | None = None
    problems: tuple[str, ...] = ()  # guards missing or altered, a replaced chain

    @property
    def ok(self) -> bool:
        """Nothing found wrong (which, without anchors, is not yet proof: see ``proven``)."""
        return self.broken is None and not self.problems

    @property
    def proven(self) -> bool:
        """Nothing wrong, and anchors witness the chain (an empty chain needs none)."""
        return self.ok and (self.anchors > 0 or self.head_seq == 0)


def stored_rows(head_seq: int, marks: list[tuple[int, str]] | None = None) -> Iterator[ChainRow]:
    """Sealed rows up to ``head_seq`` in order. Only rows up to the head read first: later
    seals commit with a later head, so the walk needs no lock and holds up no one. Collects a
    checkpoint every ``MARK_EVERY`` rows into ``marks`` when given."""
    events = AuditEvent.objects.filter(seq__gte=1, seq__lte=head_seq).order_by("seq")
    for event in events.iterator(chunk_size=5000):
        row = event.as_chain_row()
        if marks is not None and row.seq % anchor_file.MARK_EVERY == 0:
            marks.append((row.seq, row.hash))
        yield row


def _unsealed() -> tuple[int, datetime | None]:
    pending = AuditEvent.objects.filter(seq__isnull=True)
    count = pending.count()
    return count, pending.aggregate(oldest=Min("at"))["oldest"] if count else None


def _sealed_past_head() -> ChainBreak | None:
    # The sealer moves the head in the same transaction as it seals, so a committed row is
    # never past the committed head: read the rows' end first, the head after it.
    last = AuditEvent.objects.aggregate(last=Max("seq"))["last"] or 0
    head = AuditChainHead.objects.order_by("pk").values_list("seq", flat=True).first() or 0
    if last > head:
        return ChainBreak(head + 1, f"rows up to {last} are sealed past the chain head ({head})")
    return None


def _replaced(others: list[dict[str, Any]]) -> list[str]:
    if not others:
        return []
    newest = max(others, key=lambda line: int(line["seq"]))
    return [
        f"the anchor file holds anchors of another chain ({newest['chain']}, {newest['seq']} "
        f"rows, recorded {newest.get('at', '')}) for this database: its chain was replaced, "
        "or a new database was created at this address (then remove those lines by hand)"
    ]


def _anchors(chain_id: str) -> tuple[anchor_file.AnchorSet, list[str]]:
    """The anchor file's lines for this chain, or the reason it cannot be read."""
    try:
        return anchor_file.anchors_for(chain_id), []
    except anchor_file.AnchorFileError as exc:
        return anchor_file.AnchorSet(), [str(exc)]


def verify_chain(*, seal: bool = True, marks: list[tuple[int, str]] | None = None) -> VerifyResult:
    """Seal what is pending (unless ``seal`` is False), then check everything."""
    problems = guards.problems(connection)
    sealed_now = 0
    if seal:
        with contextlib.suppress(ChainHeadMissing):  # reported below
            sealed_now = seal_pending()
    head = AuditChainHead.objects.order_by("pk").first()
    if head is None:
        unsealed, oldest = _unsealed()
        was_sealed = AuditEvent.objects.filter(seq__isnull=False).exists()
        here, unreadable = _anchors("")  # any line recorded for this database's address
        problems += unreadable
        anchored = here.lines > 0 or bool(here.other_chains)
        broken = ChainBreak(1, "the chain head row is missing") if was_sealed or anchored else None
        return VerifyResult(
            0, broken, unsealed=unsealed, oldest_unsealed_at=oldest, problems=tuple(problems)
        )
    chain_id = str(head.chain_id)
    found, unreadable = _anchors(chain_id)
    problems += unreadable + _replaced(found.other_chains)
    checked, broken = verify_rows(
        stored_rows(head.seq, marks),
        head_seq=head.seq,
        head_hash=head.hash,
        anchors=found.anchors,
    )
    if broken is None:
        broken = _sealed_past_head()
    unsealed, oldest = _unsealed()
    return VerifyResult(
        checked,
        broken,
        head.seq,
        head.hash,
        chain_id,
        found.lines,
        found.newest_seq,
        found.newest_at,
        sealed_now,
        unsealed,
        oldest,
        tuple(problems),
    )


def record_anchor() -> tuple[VerifyResult, dict[str, Any] | None]:
    """Seal and verify, then append the head and the checkpoints since the last anchor to the
    anchor file (copy it to write-once storage too: the file is only as trustworthy as where
    it is kept). Nothing is anchored when anything is wrong."""
    marks: list[tuple[int, str]] = []
    result = verify_chain(marks=marks)
    if not result.ok or result.head_seq == 0:
        return result, None
    upto = anchor_file.anchors_for(result.chain_id).marked_upto
    first = AuditEvent.objects.values_list("hash", flat=True).get(seq=1)
    line = anchor_file.append_anchor(
        chain_id=result.chain_id,
        seq=result.head_seq,
        digest=result.head_hash,
        first=first,
        marks=[(seq, digest) for seq, digest in marks if seq > upto],
    )
    anchored = dataclasses.replace(
        result,
        anchors=result.anchors + 1,
        anchored_seq=result.head_seq,
        anchored_at=str(line["at"]),
    )
    return anchored, line
