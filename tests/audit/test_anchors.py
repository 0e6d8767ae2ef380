"""Anchors: chains named by their id (a copied database keeps its anchors), checkpoints that
place a re-hashed chain at the first row that disagrees, and an honest verdict without any."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.db import connection
from tests.audit.intruder import sql

from painpath.audit import guards
from painpath.audit import services as audit
from painpath.audit.chain import row_hash
from painpath.audit.models import Action, AuditChainHead, AuditEvent
from painpath.cli import main
from painpath.core.context import Actor

pytestmark = pytest.mark.django_db


def _append(n: int) -> None:
    actor = Actor(user=None, label="system:test", client_ip="192.0.2.9")
    entries = [audit.AuditEntry(Action.READ, "Patient", str(i), None, {"i": i}) for i in range(n)]
    audit.record_many(actor, entries)
    audit.seal_pending()


def _rehash_from(first: int) -> None:
    """The careful intruder with the owner's rights: lift the guards, change row ``first``,
    re-hash it and every later row, move the head, put the guards back exactly. The database
    alone now shows an intact chain."""
    with guards.lifted(connection):
        prev = AuditEvent.objects.get(seq=first - 1).hash if first > 1 else "0" * 64
        for event in AuditEvent.objects.filter(seq__gte=first).order_by("seq"):
            object_id = "forged" if event.seq == first else event.object_id
            event.object_id = object_id
            digest = row_hash(event.as_chain_row(seq=event.seq, prev_hash=prev))
            sql(
                "UPDATE audit_auditevent SET object_id = %s, prev_hash = %s, hash = %s "
                "WHERE id = %s",
                [object_id, prev, digest, event.pk],
            )
            prev = digest
        sql("UPDATE audit_auditchainhead SET hash = %s", [prev])


@pytest.mark.parametrize(("first", "reported", "agrees"), [(2000, 2000, 1900), (2050, 2100, 2000)])
def test_a_chain_rehashed_from_a_row_is_reported_at_the_first_checkpoint_past_it(
    capsys, first, reported, agrees
):
    _append(2500)
    assert main(["audit", "anchor"]) == 0
    assert "(25 checkpoints)" in capsys.readouterr().out
    _rehash_from(first)
    assert main(["audit", "verify"]) == 1
    out = capsys.readouterr().out
    assert f"audit chain BROKEN at row {reported}: row {reported} differs from the anchor" in out
    assert f"rewritten after row {agrees}, the last anchored row that agrees" in out


def test_without_anchors_a_rehashed_chain_is_consistent_but_never_passed(capsys):
    _append(2500)
    _rehash_from(2000)
    assert main(["audit", "verify"]) == 3
    out = capsys.readouterr().out
    assert "audit chain consistent but NOT PROVEN: 2,500 rows link up" in out
    assert "no anchor of this chain is in" in out
    assert "could\n  have re-hashed the chain from any row onward or cut rows from its end" in out


def test_anchoring_again_adds_checkpoints_only_for_the_new_rows(settings, capsys):
    _append(250)
    assert main(["audit", "anchor"]) == 0
    _append(300)
    assert main(["audit", "anchor"]) == 0
    first, second = (
        json.loads(line) for line in settings.AUDIT_ANCHOR_FILE.read_text().splitlines()
    )
    assert [seq for seq, _ in first["marks"]] == [100, 200]
    assert [seq for seq, _ in second["marks"]] == [300, 400, 500]
    chain_id = str(AuditChainHead.objects.get().chain_id)
    assert first["chain"] == second["chain"] == chain_id
    assert (second["seq"], second["hash"]) == (550, AuditEvent.objects.get(seq=550).hash)
    _append(5)
    assert main(["audit", "verify"]) == 0
    out = capsys.readouterr().out
    assert "2 anchors checked" in out
    assert "witnesses rows up to #550; rows after it (5) await the next anchor" in out


def test_anchors_of_another_chain_at_this_address_are_a_replaced_chain(settings, capsys):
    _append(3)
    assert main(["audit", "anchor"]) == 0
    line = json.loads(settings.AUDIT_ANCHOR_FILE.read_text())
    line["chain"] = "5d1c0b9e-0000-4000-8000-000000000000"
    settings.AUDIT_ANCHOR_FILE.write_text(json.dumps(line) + "\n")
    assert main(["audit", "verify"]) == 1
    out = capsys.readouterr().out
    assert "the anchor file holds anchors of another chain (5d1c0b9e" in out
    assert "its chain was replaced" in out


def test_lines_recorded_before_chains_had_ids_still_count_here(settings, capsys):
    from painpath.audit.anchors import database_label

    _append(3)
    rows = list(AuditEvent.objects.order_by("seq"))
    legacy = {"database": database_label(), "seq": 3, "hash": rows[2].hash, "first": rows[0].hash}
    settings.AUDIT_ANCHOR_FILE.write_text(json.dumps({**legacy, "at": "2026-01-01"}) + "\n")
    assert main(["audit", "verify"]) == 0
    assert "1 anchors checked" in capsys.readouterr().out
    settings.AUDIT_ANCHOR_FILE.write_text(json.dumps({**legacy, "hash": "ab" * 32}) + "\n")
    assert main(["audit", "verify"]) == 1
    assert "BROKEN at row 3: row 3 differs from the anchor" in capsys.readouterr().out


def test_an_unreadable_anchor_file_is_reported_not_skipped(settings, capsys):
    _append(2)
    settings.AUDIT_ANCHOR_FILE.write_text('{"seq": 2}\n')
    assert main(["audit", "verify"]) == 1
    out = capsys.readouterr().out
    assert f"audit guards BROKEN: {settings.AUDIT_ANCHOR_FILE} line 1 is not an anchor" in out
    assert main(["audit", "anchor"]) == 1
    assert "anchored" not in capsys.readouterr().out


APPEND = textwrap.dedent(
    """
    import django; django.setup()
    from painpath.audit import services as audit
    from painpath.audit.models import Action
    from painpath.core.context import Actor
    for i in range(30):
        audit.record(Actor.system("copy-test"), action=Action.READ, object_type="Patient",
                     object_id=i)
    """
)


def _env(db: Path, anchors: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PAINPATH_ENV": "test",
        "DJANGO_SETTINGS_MODULE": "painpath.settings",
        "DATABASE_URL": f"sqlite:///{db}",
        "PAINPATH_VAR_DIR": str(db.parent),
        "PAINPATH_AUDIT_ANCHOR_FILE": str(anchors),
    }


def _painpath(env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "painpath.cli", *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_copied_database_is_checked_against_its_chains_anchors(tmp_path: Path):
    original, copy, anchors = tmp_path / "a.sqlite3", tmp_path / "copy.sqlite3", tmp_path / "an"
    env = _env(original, anchors)
    assert _painpath(env, "migrate").returncode == 0
    subprocess.run([sys.executable, "-c", APPEND], env=env, check=True, timeout=120)
    assert _painpath(env, "audit", "anchor").returncode == 0
    shutil.copy(original, copy)

    copied = _painpath(_env(copy, anchors), "audit", "verify")
    assert copied.returncode == 0, copied.stdout
    assert "30 rows verified" in copied.stdout and "1 anchors checked" in copied.stdout

    # the copy, cut by its last five rows with the head rewound, is caught by the anchor
    with sqlite3.connect(copy) as db:
        for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'"):
            db.execute(f"DROP TRIGGER {name}")
        db.execute("DELETE FROM audit_auditevent WHERE seq > 25")
        db.execute(
            "UPDATE audit_auditchainhead SET seq = 25, "
            "hash = (SELECT hash FROM audit_auditevent WHERE seq = 25)"
        )
    cut = _painpath(_env(copy, anchors), "audit", "verify")
    assert cut.returncode == 1
    assert "saw 30 rows but 25 are present" in cut.stdout
    assert "trigger audit_auditevent_no_delete is missing" in cut.stdout


def test_the_same_chain_at_another_address_keeps_its_anchors(capsys):
    _append(3)
    assert main(["audit", "anchor"]) == 0
    settings_dict = connection.settings_dict
    original = settings_dict["HOST"]
    settings_dict["HOST"] = "restored-copy.example"  # the same chain at another address
    try:
        assert main(["audit", "verify"]) == 0
    finally:
        settings_dict["HOST"] = original
    assert "1 anchors checked" in capsys.readouterr().out
