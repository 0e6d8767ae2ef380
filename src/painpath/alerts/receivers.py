"""Reacts to ``patient_data_changed``: note the change, queue the rule evaluation.

Every capability's services send it, coded conditions included (kind "conditions", from
patients.conditions), so a new or resolved diagnosis re-runs the rules at once.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.utils import timezone

from painpath.alerts.models import PatientSafetyState
from painpath.core.signals import patient_data_changed
from painpath.patients.models import Patient


@receiver(patient_data_changed, dispatch_uid="painpath.alerts.evaluate_on_change")
def evaluate_on_change(sender: object, *, patient_id: int, kind: str, **_: Any) -> None:
    if not Patient.objects.filter(pk=patient_id).exists():
        return  # deleted in the meantime: nothing to evaluate
    PatientSafetyState.objects.update_or_create(
        patient_id=patient_id,
        defaults={"last_change_at": timezone.now(), "last_change_kind": kind[:32]},
    )
    from painpath.alerts.tasks import evaluate_patient_task  # noqa: PLC0415  (huey at call)

    evaluate_patient_task(patient_id)
