"""Audit rows in the database: same transaction as the change, append-only, verifiable."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from painpath.audit import services as audit
from painpath.audit.models import Action, AppendOnlyError, AuditEvent
from painpath.cli import main
from painpath.core.context import Actor
from painpath.patients import services as patients

pytestmark = pytest.mark.django_db


def _disable_update_guard() -> None:
    """What someone with database access could do before editing by hand."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_no_update"
            )
        else:
            cursor.execute("DROP TRIGGER audit_auditevent_no_update")


def test_rolled_back_change_leaves_no_audit_row(world):
    actor = Actor(user=world.dr_a)
    before = AuditEvent.objects.count()

    def change_then_fail() -> None:
        with transaction.atomic():
            patients.update_patient(
                actor=actor,
                patient_id=world.p1.pk,
                changes=patients.PatientChanges(given_name="Zed"),
            )
            raise RuntimeError("the request failed after the change")

    with pytest.raises(RuntimeError):
        change_then_fail()
    assert AuditEvent.objects.count() == before
    world.p1.refresh_from_db()
    assert world.p1.given_name == "Ada"


def test_rows_cannot_be_changed_or_deleted_through_the_orm(world):
    event = audit.record(
        Actor(user=world.dr_a),
        action=Action.READ,
        object_type="Patient",
        object_id=world.p1.pk,
        patient_id=world.p1.pk,
    )
    event.action = "update"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()


def test_database_refuses_update_of_audit_rows(world):
    audit.record(Actor(user=world.dr_a), action=Action.READ, object_type="Patient")
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        AuditEvent.objects.update(action="update")


def test_verify_passes_then_fails_after_hand_edit(world, capsys):
    actor = Actor(user=world.dr_a, client_ip="192.0.2.7")
    for p in (world.p1, world.p2):
        patients.get_patient(actor=actor, patient_id=p.pk)
    assert main(["audit", "verify"]) == 0
    assert "audit chain intact: 2 rows verified" in capsys.readouterr().out

    _disable_update_guard()
    first = AuditEvent.objects.order_by("seq").first()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET patient_id = %s WHERE seq = %s", [world.p3.pk, first.seq]
        )
    assert main(["audit", "verify"]) == 1
    out = capsys.readouterr().out
    assert f"BROKEN at row {first.seq}" in out and "altered" in out


def test_verify_fails_after_a_row_is_deleted_by_hand(world, capsys):
    actor = Actor(user=world.dr_a)
    for p in (world.p1, world.p2, world.p1):
        patients.get_patient(actor=actor, patient_id=p.pk)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE seq = 2")
    assert main(["audit", "verify"]) == 1
    assert "BROKEN at row 2: row 2 is missing" in capsys.readouterr().out


def test_chain_links_rows_across_requests(world, as_user):
    as_user(world.dr_a).get(f"/api/v1/patients/{world.p1.pk}")
    as_user(world.nurse).get(f"/api/v1/patients/{world.p3.pk}")
    first, second = AuditEvent.objects.order_by("seq")[:2]
    assert second.prev_hash == first.hash and second.seq == first.seq + 1
    assert audit.verify_chain().ok


def test_admin_browses_and_filters_their_clinics_audit_log(world, as_user):
    as_user(world.dr_a).get(f"/api/v1/patients/{world.p1.pk}")
    as_user(world.dr_other).get(f"/api/v1/patients/{world.p_other.pk}")
    page = as_user(world.admin_a).get("/audit/", {"actor": "dr_a", "action": "read"})
    html = page.content.decode()
    assert page.status_code == 200
    assert world.p1.mrn in html
    assert world.p_other.mrn not in html  # another clinic's rows are not shown
    unfiltered = as_user(world.admin_a).get("/audit/").content.decode()
    assert world.p_other.mrn not in unfiltered


@pytest.mark.parametrize("who", ["dr_a", "patient_user"])
def test_only_admins_read_the_audit_log(world, as_user, who):
    assert as_user(getattr(world, who)).get("/audit/").status_code == 403
