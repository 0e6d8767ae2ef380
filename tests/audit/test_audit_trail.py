"""Audit rows in the database: same transaction as the change, append-only, verifiable."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from tests.audit.intruder import drop_guards

from painpath.audit import services as audit
from painpath.audit.models import Action, AppendOnlyError, AuditEvent
from painpath.cli import main
from painpath.core.context import Actor
from painpath.patients import services as patients

pytestmark = pytest.mark.django_db


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
    assert main(["audit", "anchor"]) == 0
    assert "audit chain intact: 2 rows verified" in capsys.readouterr().out

    drop_guards()
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
    audit.seal_pending()
    drop_guards()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE seq = 2")
    assert main(["audit", "verify"]) == 1
    assert "BROKEN at row 2: row 2 is missing" in capsys.readouterr().out


def test_chain_links_rows_across_requests(world, as_user):
    as_user(world.dr_a).get(f"/api/v1/patients/{world.p1.pk}")
    as_user(world.nurse).get(f"/api/v1/patients/{world.p3.pk}")
    assert audit.seal_pending() == 2
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


def _read_patients(world, n: int) -> None:
    actor = Actor(user=world.dr_a)
    for i in range(n):
        patients.get_patient(actor=actor, patient_id=(world.p1, world.p2)[i % 2].pk)


def test_anchor_then_tail_removal_with_rewound_head_is_caught(world, capsys, settings):
    _read_patients(world, 4)
    assert main(["audit", "anchor"]) == 0
    out = capsys.readouterr().out
    assert "anchored #4" in out and settings.AUDIT_ANCHOR_FILE.exists()
    # someone with database access removes the last two rows and rewinds the head to match
    second = AuditEvent.objects.get(seq=2)
    drop_guards()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE seq > 2")
        cursor.execute("UPDATE audit_auditchainhead SET seq = 2, hash = %s", [second.hash])
    assert main(["audit", "verify"]) == 1
    assert "BROKEN at row 3" in capsys.readouterr().out


def test_emptied_audit_tables_fail_against_an_anchor(world, capsys):
    _read_patients(world, 2)
    assert main(["audit", "anchor"]) == 0
    drop_guards()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent")
        cursor.execute("DELETE FROM audit_auditchainhead")
    assert main(["audit", "verify"]) == 1
    assert "chain head row is missing" in capsys.readouterr().out


def test_removed_head_row_is_caught_without_anchors(world, capsys):
    _read_patients(world, 2)
    audit.seal_pending()
    drop_guards()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditchainhead")
    assert main(["audit", "verify"]) == 1
    assert "chain head row is missing" in capsys.readouterr().out


def test_verify_prints_the_head_so_it_can_be_kept_elsewhere(world, capsys):
    _read_patients(world, 3)
    assert main(["audit", "verify"]) == 3  # consistent, but nothing anchors it yet
    head = AuditEvent.objects.get(seq=3)
    assert f"head #3 {head.hash}" in capsys.readouterr().out


def test_anchors_of_another_chain_elsewhere_are_ignored(world, capsys, settings):
    settings.AUDIT_ANCHOR_FILE.write_text(
        '{"chain": "another", "database": "sqlite::/elsewhere.sqlite3", "seq": 99, '
        '"hash": "ab", "first": "cd", "at": "2026-01-01T00:00:00+00:00", "marks": []}\n'
    )
    _read_patients(world, 2)
    assert main(["audit", "anchor"]) == 0
    assert main(["audit", "verify"]) == 0
    assert "1 anchors checked" in capsys.readouterr().out


def test_verify_ignores_rows_appended_after_it_read_the_head(world):
    # A writer that commits while verify walks the chain must not look like a break.
    from painpath.audit.models import AuditChainHead
    from painpath.audit.verification import stored_rows

    _read_patients(world, 3)
    audit.seal_pending()
    head = AuditChainHead.objects.get()
    _read_patients(world, 2)  # appended and sealed after "verify read the head"
    audit.seal_pending()
    rows = list(stored_rows(head.seq))
    assert [r.seq for r in rows] == [1, 2, 3]


def test_clinic_log_follows_the_patients_clinic_not_the_actors(world, as_user):
    # dr_other read a clinic-B patient, then moved to clinic A: clinic A must not see that row
    as_user(world.dr_other).get(f"/api/v1/patients/{world.p_other.pk}")
    world.dr_other.clinic = world.clinic_a
    world.dr_other.save()
    html = as_user(world.admin_a).get("/audit/").content.decode()
    assert world.p_other.mrn not in html


def test_reading_the_audit_log_is_itself_audited(world, as_user):
    as_user(world.admin_a).get("/audit/", {"action": "read"})
    row = AuditEvent.objects.filter(object_type="AuditEvent").get()
    assert row.actor_id == world.admin_a.pk and row.action == "list"
    assert row.detail["filters"] == {"action": "read"}
