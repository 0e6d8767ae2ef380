"""The sealer: gives appended audit rows their place in the hash chain, in batches, off the
request path.

Why: an audited read used to lock the single chain head to number and hash its row, so every
audited request in the system waited for the one before it. Now a request only INSERTs its
row, unsealed (``seq`` empty), in its own transaction; no lock is shared between requests.

How the chain stays complete, ordered and tamper-evident:

- **Which rows**: each row says itself whether it is sealed (``seq IS NULL`` until then), so
  the sealer takes every *committed* unsealed row, in id order. It does not infer
  completeness from id ranges: on PostgreSQL ids come from a sequence before commit, so rows
  commit out of id order and a range sealed "up to id N" would skip a row with a smaller id
  that commits later. Here such a row is simply still unsealed and goes into the next batch;
  no safe-horizon guess is needed. A rolled-back transaction leaves no row (its id is a
  harmless gap: ids are not part of the chain).
- **Order**: the chain's order is the order of sealing (``seq`` 1, 2, 3...), which follows
  commit order batch by batch and id order within a batch; ``at`` keeps when each action
  happened.
- **One sealer at a time**: a batch runs in one transaction that first locks the head row
  (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite's write lock, taken at BEGIN IMMEDIATE,
  does the same). A second sealer waits, then sees the first one's rows as sealed. The
  trigger ``audit_auditevent_seal_only`` also refuses any seal that is not the very next
  position after the last sealed row, so even a faulty sealer cannot fork or reorder the
  chain.
- **Nothing lost**: sealing only fills in ``seq``/``prev_hash``/``hash`` of rows already
  committed; if the sealer dies, its batch rolls back and the rows stay unsealed for the next
  run. Until sealed, a row is protected by the triggers (no UPDATE but sealing, no DELETE),
  not yet by the hash chain: that is the *unsealed window*, which ``audit verify`` reports.
- **Bounded window**: the worker seals every minute, and an append whose id is a multiple of
  ``SEAL_EVERY`` asks for a seal as soon as it commits; ``audit verify`` and ``audit anchor``
  seal what is pending before they check.

Each row's hash covers its content as read back from the database (so the value the sealer
hashed is exactly what ``verify`` reads later, whatever the database normalised).
"""

from __future__ import annotations

from django.db import DatabaseError, connection, transaction
from django.db.models import Max

from painpath.audit.chain import GENESIS_HASH, row_hash
from painpath.audit.models import AuditChainHead, AuditEvent

__all__ = ["SEAL_BATCH", "SEAL_EVERY", "ChainHeadMissing", "seal_pending"]

HEAD_ID = 1  # the head is a single row (a check constraint allows no other id)
SEAL_BATCH = 500  # rows per transaction: short enough that SQLite writers hardly wait
SEAL_EVERY = 1000  # an append crossing a multiple of this many ids asks for a seal

_SEAL_SQL = (
    "UPDATE audit_auditevent SET seq = %s, prev_hash = %s, hash = %s WHERE id = %s AND seq IS NULL"
)


class ChainHeadMissing(RuntimeError):
    """Rows were sealed once but the head that records the chain's end is gone."""


def _locked_head() -> AuditChainHead:
    heads = AuditChainHead.objects.select_for_update()
    head = heads.filter(pk=HEAD_ID).first()
    if head is not None:
        return head
    if AuditEvent.objects.filter(seq__isnull=False).exists():
        raise ChainHeadMissing("the chain head row is missing")
    # First seal of a new chain. Two sealers may race here: the row's fixed id lets only one
    # insert win (the other waits for it, then fails and reads the winner's row).
    try:
        with transaction.atomic():
            AuditChainHead.objects.create(pk=HEAD_ID, seq=0, hash=GENESIS_HASH)
    except DatabaseError:
        pass
    return heads.get(pk=HEAD_ID)


def _seal_batch(limit: int, last_id: int) -> int:
    with transaction.atomic():
        head = _locked_head()
        unsealed = AuditEvent.objects.filter(seq__isnull=True, id__lte=last_id)
        pending = list(unsealed.order_by("id")[:limit])
        if not pending:
            return 0
        seq, prev = head.seq, head.hash
        updates = []
        for event in pending:
            seq += 1
            digest = row_hash(event.as_chain_row(seq=seq, prev_hash=prev))
            updates.append((seq, prev, digest, event.pk))
            prev = digest
        with connection.cursor() as cursor:
            cursor.executemany(_SEAL_SQL, updates)
        AuditChainHead.objects.filter(pk=head.pk).update(seq=seq, hash=prev)
    return len(pending)


def seal_pending(*, batch: int = SEAL_BATCH) -> int:
    """Seal the rows committed unsealed when it starts (and any that commit meanwhile with a
    smaller id), oldest id first, ``batch`` rows per transaction; returns how many. Stops
    even under a steady stream of appends. Raises ChainHeadMissing when the head was removed
    (nothing is sealed then: ``audit verify`` reports the break)."""
    last_id = AuditEvent.objects.filter(seq__isnull=True).aggregate(last=Max("id"))["last"]
    if last_id is None:
        return 0
    sealed = 0
    while True:
        done = _seal_batch(batch, last_id)
        sealed += done
        if done < batch:
            return sealed
