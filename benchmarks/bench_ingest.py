"""Ingestion: samples/s through the real HTTP API vs the database's own bulk load (SQLite, PostgreSQL)."""

from __future__ import annotations

import json
import os
import sqlite3
import statistics
import tempfile
import time
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

BATCH = 10_000
BATCHES = 10
ROUNDS = 5  # API, then both bulk loads, interleaved: a noisy neighbour hits all three alike
PG_ADMIN = os.environ.get("PAINPATH_BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres")
START = datetime(2026, 1, 1, tzinfo=UTC)

Bulk = Callable[[int, int, bool], float]  # (patient id, round, commit each batch) -> rows/s


def _bodies(batches: int = BATCHES, *, first: int = 0) -> list[bytes]:
    bodies = []
    for n in range(first, first + batches):
        samples = [
            {
                "type": "heart_rate",
                "unit": "bpm",
                "value": 60 + i % 40,
                "start": (START + timedelta(seconds=(n * BATCH + i) * 5)).isoformat(),
            }
            for i in range(BATCH)
        ]
        bodies.append(json.dumps({"source": {"key": "bench-watch"}, "samples": samples}).encode())
    return bodies


def _post(url: str, patient_id: int, token: str, body: bytes) -> None:
    req = urllib.request.Request(  # noqa: S310 - loopback only
        f"{url}/api/v1/patients/{patient_id}/samples",
        data=body,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(req, timeout=120) as resp:  # noqa: S310 - loopback only
        assert json.loads(resp.read())["new"] == BATCH


def _api_rate(url: str, patient_id: int, token: str, bodies: list[bytes]) -> float:
    started = time.perf_counter()
    for body in bodies:
        _post(url, patient_id, token, body)
    return BATCH * len(bodies) / (time.perf_counter() - started)


def _rows(patient_id: int, source_id: int) -> list[tuple[int, int, int, int, int, float]]:
    start_ms = int(START.timestamp() * 1000)
    return [
        (patient_id, 1, start_ms + k * 5000, 0, source_id, float(60 + k % 40))
        for k in range(BATCH * BATCHES)
    ]


def _sqlite_bulk(db: Path, patient_id: int, round_: int, commit_each: bool) -> float:
    """executemany in batches, in one transaction or (``commit_each``) committing each batch
    as the API must, with the server's own durability setting (WAL, synchronous=NORMAL: see
    painpath.settings), into a fresh copy of the samples table (its own DDL)."""
    conn = sqlite3.connect(db)
    try:
        conn.execute("PRAGMA synchronous=NORMAL")
        source_id = conn.execute("SELECT id FROM devices_devicesource").fetchone()[0]
        table = f"bench_copy_{'each' if commit_each else 'one'}_{round_}"
        ddl = conn.execute("SELECT sql FROM sqlite_master WHERE name='devices_sample'").fetchone()[
            0
        ]
        conn.execute(ddl.replace('"devices_sample"', table, 1))
        rows = _rows(patient_id, source_id)
        per_commit = BATCH if commit_each else len(rows)
        started = time.perf_counter()
        for lo in range(0, len(rows), per_commit):
            with conn:
                for i in range(lo, lo + per_commit, BATCH):
                    conn.executemany(
                        f"INSERT OR IGNORE INTO {table} VALUES (?, ?, ?, ?, ?, ?)",  # noqa: S608 - constant
                        rows[i : i + BATCH],
                    )
        return len(rows) / (time.perf_counter() - started)
    finally:
        conn.close()


def _pg_bulk(url: str, patient_id: int, round_: int, commit_each: bool) -> float:
    """Binary COPY: one COPY and one commit, or (``commit_each``) one of each per batch, as
    the API must, into a fresh copy of the samples table (its indexes included)."""
    import psycopg

    with psycopg.connect(url) as conn:
        source_id = conn.execute("SELECT id FROM devices_devicesource").fetchone()[0]
        table = f"bench_copy_{'each' if commit_each else 'one'}_{round_}"
        conn.execute(f"CREATE TABLE {table} (LIKE devices_sample INCLUDING ALL)")
        conn.commit()
        rows = _rows(patient_id, source_id)
        cols = "patient_id, type, start_ms, duration_ms, source_id, value"
        per_commit = BATCH if commit_each else len(rows)
        started = time.perf_counter()
        for i in range(0, len(rows), per_commit):
            with (
                conn.cursor() as cur,
                cur.copy(f"COPY {table} ({cols}) FROM STDIN (FORMAT BINARY)") as copy,
            ):
                copy.set_types(["int8", "int2", "int8", "int4", "int8", "float8"])
                for r in rows[i : i + per_commit]:
                    copy.write_row(r)
            conn.commit()
        return len(rows) / (time.perf_counter() - started)


def _measure(label: str, database_url: str, var: Path, bulk: Bulk) -> list[str]:
    from tests.devices.server_process import start_server

    server = start_server(database_url, var, workers=1)
    api: list[float] = []
    one: list[float] = []
    each: list[float] = []
    try:
        # Warm-up: the worker's first requests import and connect; their samples (other
        # times than the measured ones) are not counted.
        for body in _bodies(2, first=ROUNDS * BATCHES):
            _post(server.url, server.patient_id, server.token, body)
        for n in range(ROUNDS):
            bodies = _bodies(first=n * BATCHES)
            api.append(_api_rate(server.url, server.patient_id, server.token, bodies))
            one.append(bulk(server.patient_id, n, False))
            each.append(bulk(server.patient_id, n, True))
    finally:
        server.stop()
    vs_one = [a / b for a, b in zip(api, one, strict=True)]
    vs_each = [a / b for a, b in zip(api, each, strict=True)]
    return [
        f"{label}: API {statistics.median(api):,.0f} samples/s (commits each batch before it "
        "answers)",
        f"  vs bulk load in one transaction: {statistics.median(one):,.0f} rows/s -> ratio "
        f"{statistics.median(vs_one):.0%} (rounds {min(vs_one):.0%}-{max(vs_one):.0%}; "
        "the target: >= 50%)",
        f"  vs bulk load committing each batch: {statistics.median(each):,.0f} rows/s -> ratio "
        f"{statistics.median(vs_each):.0%} (rounds {min(vs_each):.0%}-{max(vs_each):.0%}; "
        "like for like: the API's durability)",
    ]


def run() -> list[str]:
    lines: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        db = Path(tmp) / "ingest.sqlite3"
        lines += _measure(
            "SQLite",
            f"sqlite:///{db}",
            Path(tmp),
            lambda pid, n, commit_each: _sqlite_bulk(db, pid, n, commit_each),
        )
        try:
            import psycopg

            name = f"painpath_bench_ingest_{os.getpid()}"
            with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as admin:
                admin.execute(f'CREATE DATABASE "{name}"')
        except Exception as exc:
            lines.append(f"PostgreSQL: skipped ({type(exc).__name__}: {exc})".splitlines()[0])
            return lines
        url = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
        try:
            lines += _measure(
                "PostgreSQL",
                url,
                Path(tmp),
                lambda pid, n, commit_each: _pg_bulk(url, pid, n, commit_each),
            )
        finally:
            with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    lines.append(
        f"(medians of {ROUNDS} rounds; each round posts {BATCHES} batches of {BATCH:,} heart-rate "
        "samples from one loopback client to 1 worker, then bulk-loads the same rows with the "
        "driver's own executemany / binary COPY; 2 warm-up batches first)"
    )
    return lines
