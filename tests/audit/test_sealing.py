"""Appending without a shared lock; sealing into the chain in order, under concurrency, after
crashes; the unsealed window."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from tests.audit.intruder import drop_guards, sql

from painpath.audit import services as audit
from painpath.audit.models import Action, AuditChainHead, AuditEvent
from painpath.audit.sealing import ChainHeadMissing
from painpath.cli import main
from painpath.core.context import Actor
from painpath.patients import services as patients

pytestmark = pytest.mark.django_db


def _entry(n: int, patient_id: int | None = None) -> audit.AuditEntry:
    return audit.AuditEntry(Action.READ, "Patient", str(n), patient_id)


def test_an_audited_read_appends_one_row_and_touches_no_shared_row(world):
    with CaptureQueriesContext(connection) as queries:
        patients.get_patient(actor=Actor(user=world.dr_a), patient_id=world.p1.pk)
    statements = [q["sql"] for q in queries.captured_queries]
    assert not [s for s in statements if "audit_auditchainhead" in s]
    assert not [s for s in statements if "FOR UPDATE" in s]
    inserts = [s for s in statements if s.startswith("INSERT")]
    assert len(inserts) == 1 and "audit_auditevent" in inserts[0]
    row = AuditEvent.objects.get()
    assert (row.seq, row.prev_hash, row.hash, row.sealed) == (None, "", "", False)


@pytest.mark.django_db(transaction=True)
def test_an_audited_read_does_not_wait_for_a_sealer_holding_the_head(world):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time whatever the audit does")
    audit.record(Actor(user=world.dr_a), action=Action.READ, object_type="Patient")
    audit.seal_pending()
    holding, release = threading.Event(), threading.Event()

    def sealer_mid_batch() -> None:
        try:
            with transaction.atomic():
                AuditChainHead.objects.select_for_update().get()
                holding.set()
                release.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=sealer_mid_batch)
    thread.start()
    try:
        assert holding.wait(10)
        with transaction.atomic():
            sql("SET LOCAL lock_timeout = '2s'")  # an audited read that waited would fail here
            patients.get_patient(actor=Actor(user=world.dr_a), patient_id=world.p1.pk)
    finally:
        release.set()
        thread.join()
    assert AuditEvent.objects.filter(seq__isnull=True).count() == 1


def test_rows_are_sealed_in_id_order_in_batches_and_link_up(world):
    rows = audit.record_many(Actor(user=world.dr_a), [_entry(i) for i in range(7)])
    assert audit.seal_pending(batch=3) == 7
    sealed = list(AuditEvent.objects.order_by("seq"))
    assert [e.pk for e in sealed] == [r.pk for r in rows]
    assert [e.seq for e in sealed] == list(range(1, 8))
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(sealed))
    head = AuditChainHead.objects.get()
    assert (head.seq, head.hash) == (7, sealed[-1].hash)
    assert audit.seal_pending() == 0
    assert audit.verify_chain().ok


def test_a_sealer_that_dies_mid_batch_loses_nothing(world, monkeypatch):
    from painpath.audit import sealing

    audit.record_many(Actor(user=world.dr_a), [_entry(i) for i in range(5)])

    class Killed(Exception):
        pass

    def die(*args, **kwargs):
        raise Killed

    with monkeypatch.context() as patched:
        # dies after its UPDATEs ran, before the head moved and the batch committed
        patched.setattr(sealing.AuditChainHead.objects, "filter", die)
        with pytest.raises(Killed):
            audit.seal_pending()
    assert AuditEvent.objects.filter(seq__isnull=True).count() == 5
    head = AuditChainHead.objects.first()  # none yet if this was the chain's first seal
    assert head is None or head.seq == 0
    assert audit.seal_pending() == 5
    assert audit.verify_chain().ok


def test_unsealed_window_is_reported_then_sealed_by_verify(world, capsys):
    audit.record_many(Actor(user=world.dr_a), [_entry(i) for i in range(4)])
    assert main(["audit", "verify", "--no-seal"]) == 0  # nothing sealed yet: an empty chain
    out = capsys.readouterr().out
    assert "4 rows appended but not yet sealed (the oldest at" in out
    assert "the guards protect them, the chain not yet" in out
    assert main(["audit", "anchor"]) == 0
    out = capsys.readouterr().out
    assert "4 rows verified" in out and "sealed 4 pending rows first" in out
    assert "no row waits to be sealed" in out


def test_the_periodic_task_seals_and_an_append_on_a_round_id_asks_for_a_seal(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    from painpath.audit import tasks

    asked: list[int] = []
    monkeypatch.setattr(audit, "SEAL_EVERY", 3)
    monkeypatch.setattr(audit, "_seal_soon", lambda: asked.append(1))
    with django_capture_on_commit_callbacks(execute=True):
        rows = audit.record_many(Actor(user=world.dr_a), [_entry(i) for i in range(2)])
    round_ids = sum(1 for r in rows if r.pk % 3 == 0)
    assert len(asked) == round_ids
    with django_capture_on_commit_callbacks(execute=True):
        more = audit.record_many(Actor(user=world.dr_a), [_entry(i) for i in range(3)])
    assert len(asked) == round_ids + 1 and any(r.pk % 3 == 0 for r in more)
    assert tasks.seal_audit_chain_every_minute.call_local() == 5
    assert AuditEvent.objects.filter(seq__isnull=True).count() == 0


def test_the_sealer_does_not_start_a_new_chain_when_the_head_was_removed(world, capsys):
    audit.record_many(Actor(user=world.dr_a), [_entry(i) for i in range(2)])
    audit.seal_pending()
    drop_guards()
    sql("DELETE FROM audit_auditchainhead")
    audit.record(Actor(user=world.dr_a), action=Action.READ, object_type="Patient")
    with pytest.raises(ChainHeadMissing):
        audit.seal_pending()
    assert main(["audit", "seal"]) == 1
    assert "chain head row is missing; nothing was sealed" in capsys.readouterr().err
    assert main(["audit", "verify"]) == 1
    assert "BROKEN at row 1: the chain head row is missing" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_rows_committed_out_of_id_order_are_all_sealed(world):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite writers are serialised: ids are always committed in order")
    inserted, release = threading.Event(), threading.Event()
    late: list[int] = []

    def slow_request() -> None:
        try:
            with transaction.atomic():
                late.append(
                    audit.record(Actor.system("slow"), action=Action.READ, object_type="A").pk
                )
                inserted.set()
                release.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=slow_request)
    thread.start()
    assert inserted.wait(10)
    quick = audit.record(Actor.system("quick"), action=Action.READ, object_type="B")
    assert quick.pk > late[0]  # a later id, committed first
    assert audit.seal_pending() == 1
    release.set()
    thread.join()
    assert audit.seal_pending() == 1
    order = list(AuditEvent.objects.order_by("seq").values_list("pk", "seq"))
    assert order == [(quick.pk, 1), (late[0], 2)]
    assert audit.verify_chain().ok


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_and_sealers_keep_one_unbroken_chain(world):
    if connection.vendor != "postgresql":
        pytest.skip("covered for SQLite by the file-database test below")
    errors: list[BaseException] = []
    writing = threading.Event()

    def writer(n: int) -> None:
        try:
            for i in range(30):
                with transaction.atomic():
                    audit.record(
                        Actor(user=world.dr_a, request_id=f"w{n}-{i:02d}"),
                        action=Action.READ,
                        object_type="Patient",
                    )
                    if i % 10 == 9:  # a failed request: its row must not survive
                        transaction.set_rollback(True)
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    def sealer() -> None:
        try:
            while writing.is_set():
                audit.seal_pending(batch=7)
                time.sleep(0.005)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    writing.set()
    sealers = [threading.Thread(target=sealer) for _ in range(2)]
    writers = [threading.Thread(target=writer, args=(n,)) for n in range(3)]
    for t in sealers + writers:
        t.start()
    for t in writers:
        t.join()
    writing.clear()
    for t in sealers:
        t.join()
    assert errors == []
    audit.seal_pending()
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, 82))  # 3 x 27 committed; the 9 rolled back left nothing
    assert audit.verify_chain().ok


APPENDER = textwrap.dedent(
    """
    import sys, django; django.setup()
    from django.db import transaction
    from painpath.audit import services as audit
    from painpath.audit.models import Action
    from painpath.core.context import Actor
    name, n = sys.argv[1], int(sys.argv[2])
    for i in range(n):
        with transaction.atomic():
            audit.record(Actor.system(name), action=Action.READ, object_type="Patient", object_id=i)
            if i % 10 == 9:
                transaction.set_rollback(True)
        if name == "sealer" and i % 5 == 0:
            audit.seal_pending(batch=4)
    """
)


def test_concurrent_processes_on_a_sqlite_file_keep_one_unbroken_chain(tmp_path: Path):
    """Real processes on a file database (WAL, BEGIN IMMEDIATE), as `painpath serve` runs."""
    env = {
        **os.environ,
        "PAINPATH_ENV": "test",
        "DJANGO_SETTINGS_MODULE": "painpath.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path}/audit.sqlite3",
        "PAINPATH_VAR_DIR": str(tmp_path),
        "PAINPATH_AUDIT_ANCHOR_FILE": str(tmp_path / "anchors.jsonl"),
    }
    run = [sys.executable, "-m", "painpath.cli"]
    subprocess.run([*run, "migrate"], env=env, check=True, capture_output=True, timeout=120)
    procs = [
        subprocess.Popen([sys.executable, "-c", APPENDER, name, "40"], env=env)
        for name in ("a", "b", "c", "sealer")
    ]
    assert [p.wait(120) for p in procs] == [0, 0, 0, 0]
    verify = subprocess.run(
        [*run, "audit", "anchor"], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert "144 rows verified" in verify.stdout  # 4 x 36 committed, 4 x 4 rolled back
