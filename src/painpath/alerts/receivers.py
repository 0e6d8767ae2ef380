"""Reacts to ``patient_data_changed``: queue the rule evaluation, and nothing else.

Every capability's services send it, coded conditions included (kind "conditions", from
patients.conditions), so a new or resolved diagnosis re-runs the rules at once. The receiver
runs after the data's commit, before the request answers, so it only enqueues: the task notes
the change (time and kind, for the triage list) and evaluates in the worker. A write here
would be one more transaction (and on PostgreSQL one more WAL flush) in every data request.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.utils import timezone

from painpath.core.signals import patient_data_changed


@receiver(patient_data_changed, dispatch_uid="painpath.alerts.evaluate_on_change")
def evaluate_on_change(sender: object, *, patient_id: int, kind: str, **_: Any) -> None:
    from painpath.alerts.tasks import evaluate_patient_task  # noqa: PLC0415  (huey at call)

    evaluate_patient_task(patient_id, changed_at=timezone.now().isoformat(), kind=kind[:32])
