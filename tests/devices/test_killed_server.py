"""Kill a real server mid-stream: every batch it acknowledged is stored, whole; a restarted
server takes the same batches again and stores nothing twice. SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import threading
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tests.devices.server_process import Server, restart_server, start_server

BATCH = 2000
EPOCH_MS = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp() * 1000)
COUNT_SQL = "SELECT (start_ms - {e}) / ({b} * 60000), count(*) FROM devices_sample GROUP BY 1"


def children(pid: int) -> list[int]:
    """Process ids whose parent is ``pid`` (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def batch(n: int) -> bytes:
    start = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=n * BATCH)
    samples = [
        {
            "type": "heart_rate",
            "unit": "bpm",
            "value": 70,
            "start": (start + timedelta(minutes=i)).isoformat(),
        }
        for i in range(BATCH)
    ]
    return json.dumps({"source": {"key": "watch"}, "samples": samples}).encode()


def send(server: Server, n: int) -> dict[str, int]:
    req = urllib.request.Request(  # noqa: S310 - loopback only
        f"{server.url}/api/v1/patients/{server.patient_id}/samples",
        data=batch(n),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {server.token}"},
    )
    with urllib.request.urlopen(req, timeout=30) as resp:  # noqa: S310 - loopback only
        return json.loads(resp.read())


@pytest.fixture
def database(tmp_path) -> Iterator[tuple[str, Callable[[], dict[int, int]]]]:
    """(DATABASE_URL, per-batch counts) on a scratch database of the suite's engine."""
    url = os.environ.get("DATABASE_URL", "")
    sql = COUNT_SQL.format(e=EPOCH_MS, b=BATCH)
    if not url.startswith("postgres"):
        db = tmp_path / "kill.sqlite3"

        def sqlite_counts() -> dict[int, int]:
            with sqlite3.connect(db) as conn:
                return dict(conn.execute(sql).fetchall())

        yield f"sqlite:///{db}", sqlite_counts
        return
    psycopg = pytest.importorskip("psycopg")
    name = f"painpath_kill_{os.getpid()}"
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    scratch = url.rsplit("/", 1)[0] + f"/{name}"

    def pg_counts() -> dict[int, int]:
        with psycopg.connect(scratch) as conn:
            return {int(k): int(v) for k, v in conn.execute(sql).fetchall()}

    try:
        yield scratch, pg_counts
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_everything_acknowledged_survives_a_kill_and_a_resend_is_idempotent(tmp_path, database):
    url, counts = database
    server = start_server(url, tmp_path)
    acknowledged: list[int] = []
    errors: list[str] = []

    def client() -> None:
        for n in range(200):
            try:
                body = send(server, n)
            except OSError as exc:
                errors.append(str(exc))
                return
            assert body["new"] == BATCH
            acknowledged.append(n)

    thread = threading.Thread(target=client)
    thread.start()
    try:
        while len(acknowledged) < 5 and thread.is_alive():
            thread.join(0.05)
        # Kill the whole server (master and its workers, by pid) while a batch is in flight.
        for pid in [*children(server.process.pid), server.process.pid]:
            os.kill(pid, signal.SIGKILL)
        thread.join(60)
    finally:
        server.stop()
    assert len(acknowledged) >= 5 and errors, (acknowledged, errors)
    stored = counts()
    assert all(stored.get(n) == BATCH for n in acknowledged)
    assert all(c == BATCH for c in stored.values())  # no half-written batch

    # The device retries everything it sent, including the batch that got no answer.
    sent = range(max(acknowledged) + 2)
    again = restart_server(server)
    try:
        answers = [send(again, n) for n in sent]
    finally:
        again.stop()
    for n, body in zip(sent, answers, strict=True):
        assert body["new"] + body["duplicates"] == BATCH
        if n in acknowledged:
            assert (body["new"], body["duplicates"]) == (0, BATCH)  # stored once, not twice
    after = counts()
    assert after == dict.fromkeys(sent, BATCH)
