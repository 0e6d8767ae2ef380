"""The access policy's clinical and self-report write rules, for every role."""

from __future__ import annotations

import pytest

from painpath import access
from painpath.core.errors import Forbidden, NotFound

pytestmark = pytest.mark.django_db


def test_only_the_patient_writes_their_own_reports(world):
    assert access.get_patient_for_self_report(world.patient_user, world.p1.pk) == world.p1
    for who in (world.dr_a, world.nurse, world.admin_a):
        with pytest.raises(Forbidden):
            access.get_patient_for_self_report(who, world.p1.pk)
    with pytest.raises(NotFound):  # cannot see it: 404, not 403
        access.get_patient_for_self_report(world.patient_user, world.p2.pk)
    with pytest.raises(NotFound):
        access.get_patient_for_self_report(world.dr_other, world.p1.pk)


def test_only_team_clinicians_make_clinical_writes(world):
    assert access.get_patient_for_clinical_write(world.dr_a, world.p1.pk) == world.p1
    assert access.get_patient_for_clinical_write(world.nurse, world.p3.pk) == world.p3
    for who in (world.admin_a, world.patient_user):
        with pytest.raises(Forbidden):
            access.get_patient_for_clinical_write(who, world.p1.pk)
    with pytest.raises(NotFound):
        access.get_patient_for_clinical_write(world.dr_a, world.p3.pk)


@pytest.mark.django_db(transaction=True)
def test_patient_data_changed_is_sent_only_after_commit(world):
    from django.db import transaction

    from painpath.core.signals import announce_patient_data_changed, patient_data_changed

    received: list[tuple[int, str]] = []

    def receiver(sender, patient_id, kind, **kwargs):
        received.append((patient_id, kind))

    patient_data_changed.connect(receiver)
    try:
        with transaction.atomic():
            announce_patient_data_changed(patient_id=world.p1.pk, kind="checkin")
            assert received == []
        assert received == [(world.p1.pk, "checkin")]
        try:
            with transaction.atomic():
                announce_patient_data_changed(patient_id=world.p2.pk, kind="checkin")
                raise RuntimeError
        except RuntimeError:
            pass
        assert received == [(world.p1.pk, "checkin")]
    finally:
        patient_data_changed.disconnect(receiver)
