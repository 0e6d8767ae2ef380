"""The database's own guards on the audit tables (SQLite and PostgreSQL), and verify's check
that they are in place."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from tests.audit.intruder import sql

from painpath.audit import services as audit
from painpath.audit.chain import GENESIS_HASH
from painpath.audit.models import Action, AuditChainHead, AuditEvent
from painpath.cli import main
from painpath.core.context import Actor

pytestmark = pytest.mark.django_db


def _append(world, n: int = 1) -> list[AuditEvent]:
    actor = Actor(user=world.dr_a, client_ip="192.0.2.1")
    return audit.record_many(
        actor,
        [audit.AuditEntry(Action.READ, "Patient", str(i), world.p1.pk) for i in range(n)],
    )


def _refused(
    statement: str, params: list[object] | None = None, match: str = "append-only|chain head"
) -> None:
    with pytest.raises(DatabaseError, match=match), transaction.atomic():
        sql(statement, params)


def test_rows_cannot_be_deleted_sealed_or_not(world):
    _append(world, 3)
    audit.seal_pending()
    _append(world, 2)  # unsealed
    _refused("DELETE FROM audit_auditevent WHERE seq = 3", match="cannot be deleted")
    _refused("DELETE FROM audit_auditevent WHERE seq IS NULL", match="cannot be deleted")
    _refused("DELETE FROM audit_auditevent", match="cannot be deleted")
    assert AuditEvent.objects.count() == 5


def test_table_cannot_be_truncated_on_postgresql(world):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no TRUNCATE; its DELETE without WHERE is refused above")
    _append(world)
    _refused("TRUNCATE audit_auditevent", match="cannot be deleted")
    _refused("TRUNCATE audit_auditchainhead", match="cannot be deleted")


def test_a_row_cannot_be_inserted_with_a_place_in_the_chain(world):
    _append(world)
    audit.seal_pending()
    head = AuditChainHead.objects.get()
    insert = (
        "INSERT INTO audit_auditevent (seq, at, actor_label, action, object_type, object_id, "
        "request_id, detail, prev_hash, hash) "
        "VALUES (%s, '2026-01-01 00:00:00', 'x', 'read', 'Patient', '', 'r', '{}', %s, %s)"
    )
    _refused(insert, [2, head.hash, "f" * 64], match="arrives unsealed")
    _refused(insert.replace("(seq, ", "(").replace("VALUES (%s, ", "VALUES ("), ["", "f" * 64])
    assert AuditEvent.objects.count() == 1


def test_an_unsealed_row_cannot_be_changed(world):
    (event,) = _append(world)
    _refused(
        "UPDATE audit_auditevent SET patient_id = %s WHERE id = %s",
        [world.p2.pk, event.pk],
        match="sealed once, unchanged",
    )
    # nor sealed with other content
    _refused(
        "UPDATE audit_auditevent SET seq = 1, prev_hash = %s, hash = %s, action = 'update' "
        "WHERE id = %s",
        [GENESIS_HASH, "a" * 64, event.pk],
        match="sealed once",
    )
    assert AuditEvent.objects.get().patient_id == world.p1.pk


def test_a_seal_must_extend_the_chain_at_its_end(world):
    _append(world, 2)
    audit.seal_pending()
    second = AuditEvent.objects.get(seq=2)
    (event,) = _append(world)
    seal = "UPDATE audit_auditevent SET seq = %s, prev_hash = %s, hash = %s WHERE id = %s"
    _refused(seal, [4, second.hash, "a" * 64, event.pk], match="end of the chain")  # a gap
    _refused(seal, [2, second.prev_hash, "a" * 64, event.pk])  # a fork at row 2
    _refused(seal, [3, GENESIS_HASH, "a" * 64, event.pk])  # not linked to row 2
    _refused(seal, [3, second.hash, "short", event.pk])
    with transaction.atomic():
        sql(seal, [3, second.hash, "a" * 64, event.pk])  # the next place: allowed
    # the trigger cannot recompute SHA-256, and a seal by hand leaves the head behind: both
    # are verify's to find
    broken = audit.verify_chain(seal=False).broken
    assert broken.seq == 3 and "sealed past the chain head" in broken.reason


def test_a_sealed_row_never_changes(world):
    _append(world)
    audit.seal_pending()
    row = AuditEvent.objects.get()
    _refused("UPDATE audit_auditevent SET seq = NULL WHERE id = %s", [row.pk])
    _refused("UPDATE audit_auditevent SET hash = %s WHERE id = %s", ["b" * 64, row.pk])
    _refused("UPDATE audit_auditevent SET action = 'update' WHERE id = %s", [row.pk])


def test_the_chain_head_only_moves_forward_to_the_last_row(world):
    _append(world, 3)
    audit.seal_pending()
    head = AuditChainHead.objects.get()
    second = AuditEvent.objects.get(seq=2)
    _refused("DELETE FROM audit_auditchainhead", match="cannot be deleted")
    _refused(
        "UPDATE audit_auditchainhead SET seq = 2, hash = %s",
        [second.hash],
        match="only moves forward",
    )
    _refused("UPDATE audit_auditchainhead SET hash = %s", ["c" * 64], match="only moves forward")
    new_id = (
        "0" * 31 + "1" if connection.vendor == "sqlite" else "00000000-0000-0000-0000-000000000001"
    )
    _refused("UPDATE audit_auditchainhead SET chain_id = %s", [new_id], match="only moves forward")
    _refused(
        "INSERT INTO audit_auditchainhead (chain_id, seq, hash) VALUES (%s, 0, %s)",
        [new_id, GENESIS_HASH],
        match="created once",
    )
    assert AuditChainHead.objects.get() == head
    assert (head.seq, head.hash) == (3, AuditEvent.objects.get(seq=3).hash)


def test_verify_reports_a_dropped_guard(world, capsys):
    _append(world)
    name = "audit_auditevent_no_delete"
    sql(f"DROP TRIGGER {name}" + (" ON audit_auditevent" if connection.vendor != "sqlite" else ""))
    assert main(["audit", "verify"]) == 1
    out = capsys.readouterr().out
    assert f"audit guards BROKEN: trigger {name} is missing" in out


def test_verify_reports_a_guard_rewritten_to_let_everything_through(world, capsys):
    _append(world)
    if connection.vendor == "sqlite":
        sql("DROP TRIGGER audit_auditevent_no_delete")
        sql(
            "CREATE TRIGGER audit_auditevent_no_delete BEFORE DELETE ON audit_auditevent "
            "FOR EACH ROW WHEN 0 BEGIN SELECT RAISE(ABORT, 'no'); END"
        )
        expected = "trigger audit_auditevent_no_delete was altered"
    else:
        sql(
            "CREATE OR REPLACE FUNCTION audit_auditevent_guard() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$"
        )
        expected = "function audit_auditevent_guard was altered"
    assert main(["audit", "verify"]) == 1
    assert f"audit guards BROKEN: {expected}" in capsys.readouterr().out


def test_verify_reports_a_disabled_guard_on_postgresql(world, capsys):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite triggers cannot be disabled, only dropped (tested above)")
    _append(world)
    sql("ALTER TABLE audit_auditchainhead DISABLE TRIGGER audit_chainhead_forward_only")
    assert main(["audit", "verify"]) == 1
    assert "trigger audit_chainhead_forward_only is disabled" in capsys.readouterr().out


def test_lifting_the_guards_for_flush_restores_them_exactly(world):
    from painpath.audit import guards

    with guards.lifted(connection):
        assert guards.problems(connection)  # really lifted
        _append(world)
        sql("DELETE FROM audit_auditevent")
    assert guards.problems(connection) == []
    _append(world)
    _refused("DELETE FROM audit_auditevent", match="cannot be deleted")
