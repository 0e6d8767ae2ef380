"""Kill a real server mid-stream: every batch it acknowledged is stored, whole."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import threading
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tests.devices.server_process import start_server

BATCH = 2000


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


@pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="the kill test runs against its own SQLite file (PostgreSQL commits the same way)",
)
def test_everything_acknowledged_survives_a_kill(tmp_path):
    db = tmp_path / "kill.sqlite3"
    server = start_server(f"sqlite:///{db}", tmp_path)
    acknowledged: list[int] = []
    errors: list[str] = []

    def client() -> None:
        for n in range(200):
            req = urllib.request.Request(  # noqa: S310 - loopback only
                f"{server.url}/api/v1/patients/{server.patient_id}/samples",
                data=batch(n),
                headers={
                    "Content-Type": "application/json",
                    "Authorization": f"Bearer {server.token}",
                },
            )
            try:
                with urllib.request.urlopen(req, timeout=30) as resp:  # noqa: S310 - loopback
                    body = json.loads(resp.read())
                    assert body["new"] == BATCH
                    acknowledged.append(n)
            except OSError as exc:
                errors.append(str(exc))
                return

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
    with sqlite3.connect(db) as conn:
        stored = conn.execute("SELECT count(*) FROM devices_sample").fetchone()[0]
        per_batch = conn.execute(
            "SELECT (start_ms - ?) / (? * 60000), count(*) FROM devices_sample GROUP BY 1",
            (int(datetime(2026, 1, 1, tzinfo=UTC).timestamp() * 1000), BATCH),
        ).fetchall()
    assert stored >= len(acknowledged) * BATCH
    counts = dict(per_batch)
    assert all(counts.get(n) == BATCH for n in acknowledged)
    assert all(c == BATCH for c in counts.values())  # no half-written batch
