"""Background work of the audit trail: sealing appended rows, summing refused requests,
checking and anchoring the chain."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from painpath.audit.denials import summarize_refusals
from painpath.audit.sealing import seal_pending
from painpath.audit.verification import record_anchor

logger = logging.getLogger(__name__)


# No huey lock on the sealers: two that overlap queue on the chain head in the database and
# stay correct, while a lock left behind by a killed worker would stop sealing altogether.
@db_task()  # type: ignore[untyped-decorator]
def seal_audit_chain() -> int:
    """Seal what is pending now (asked for by appends, every ``SEAL_EVERY`` rows)."""
    return seal_pending()


@db_periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]
def seal_audit_chain_every_minute() -> int:
    """Every minute: turn last minutes' refusal counts into rows, then seal every pending row,
    so the unsealed window stays about a minute long while the worker runs."""
    summarize_refusals()
    return seal_pending()


@db_periodic_task(crontab(hour="2", minute="30"))  # type: ignore[untyped-decorator]
def verify_audit_chain_nightly() -> bool:
    """Walk the whole chain every night, so tampering is noticed without anyone asking, and
    anchor the head so rows removed or re-hashed later are caught too."""
    result, line = record_anchor()
    if result.ok:
        logger.info(
            "audit chain intact: %d rows; head #%d %s anchored=%s",
            result.checked,
            result.head_seq,
            result.head_hash,
            line is not None,
        )
        return True
    for problem in result.problems:
        logger.error("audit guards BROKEN: %s", problem)
    if result.broken is not None:
        logger.error("audit chain BROKEN at row %d: %s", result.broken.seq, result.broken.reason)
    return False
