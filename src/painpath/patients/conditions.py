"""A patient's coded diagnoses after registration: add one, mark it resolved or active again.

Diagnoses decide safety rules (CDC exclusions, opioid use disorder, overdose history), so every
change is audited and announced for re-evaluation.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from painpath import access
from painpath.audit import services as audit
from painpath.audit.models import Action
from painpath.core.context import Actor
from painpath.core.errors import FieldError, InvalidInput, NotFound
from painpath.core.signals import announce_patient_data_changed
from painpath.patients.models import Condition, ConditionStatus
from painpath.patients.services import ConditionData, check_condition

__all__ = ["add_condition", "set_condition_status"]

OBJECT_TYPE = "Condition"


def add_condition(*, actor: Actor, patient_id: int, data: ConditionData) -> Condition:
    user = access.require_authenticated(actor.user)
    errors = check_condition(data, today=timezone.localdate())
    with transaction.atomic():
        patient = access.get_writable_patient(user, patient_id)
        if errors:
            raise InvalidInput(_("The condition has invalid fields."), fields=errors)
        condition = Condition.objects.create(patient=patient, **data.__dict__)
        audit.record(
            actor,
            action=Action.CREATE,
            object_type=OBJECT_TYPE,
            object_id=condition.pk,
            patient_id=patient.pk,
            detail={"icd10": data.icd10_code, "snomed": data.snomed_code, "status": data.status},
        )
        announce_patient_data_changed(patient_id=patient.pk, kind="conditions")
    return condition


def set_condition_status(
    *, actor: Actor, patient_id: int, condition_id: int, status: str
) -> Condition:
    user = access.require_authenticated(actor.user)
    if status not in ConditionStatus.values:
        raise InvalidInput(
            _("Unknown condition status."),
            fields=[
                FieldError("status", _("Must be one of: %s.") % ", ".join(ConditionStatus.values))
            ],
        )
    with transaction.atomic():
        patient = access.get_writable_patient(user, patient_id)
        condition = Condition.objects.filter(patient=patient, pk=condition_id).first()
        if condition is None:
            raise NotFound(_("No such condition for this patient."))
        before = condition.status
        if before != status:
            condition.status = status
            condition.save(update_fields=["status"])
        audit.record(
            actor,
            action=Action.UPDATE,
            object_type=OBJECT_TYPE,
            object_id=condition.pk,
            patient_id=patient.pk,
            detail={"status": [before, status]},
        )
        announce_patient_data_changed(patient_id=patient.pk, kind="conditions")
    return condition
