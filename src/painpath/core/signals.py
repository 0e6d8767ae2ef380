"""Signals between capabilities, so an app can react to another's data without importing it.

``patient_data_changed`` is sent *after commit* (use ``transaction.on_commit``) by every service
that changes data safety rules or summaries read, with ``patient_id`` and ``kind`` (e.g.
"checkin", "questionnaire", "prescription", "dose", "samples", "pgx_result"). Receivers enqueue
background work (rule evaluation, feature refresh); they never run heavy work inline.
"""

from __future__ import annotations

from django.db import transaction
from django.dispatch import Signal

__all__ = ["announce_patient_data_changed", "patient_data_changed"]

patient_data_changed = Signal()


def announce_patient_data_changed(*, patient_id: int, kind: str) -> None:
    """Send ``patient_data_changed`` once the current transaction commits."""
    transaction.on_commit(
        lambda: patient_data_changed.send(sender=None, patient_id=patient_id, kind=kind)
    )
