"""An import whose worker died is found when its lease runs out: resumed after the last chunk
it committed (stored once, counted right), or failed with the reason after the last attempt.
A worker killed with SIGKILL in a child process, and the lease clock moved with time-machine."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from tests.interop.sandbox import child_env, run_child

from painpath.core import file_jobs, jobs
from painpath.devices import imports
from painpath.devices.models import DailySummary, ImportJob, Sample

pytestmark = pytest.mark.django_db
CSV_HEAD = b"type,unit,value,start,end,source\n"
START = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)


def heart_rates(n: int, start: datetime = START) -> bytes:
    rows = [
        f"heart_rate,bpm,{60 + i % 30},{(start + timedelta(minutes=i)).isoformat()},,band\n"
        for i in range(n)
    ]
    return CSV_HEAD + "".join(rows).encode()


def upload(client, patient_id: int, content: bytes) -> ImportJob:
    client.post(
        f"/devices/patients/{patient_id}/upload/",
        {"format": "csv", "file": SimpleUploadedFile("hr.csv", content)},
    )
    return ImportJob.objects.latest("pk")


class WorkerKilled(BaseException):
    """Stands in for SIGKILL inside the test process: nothing after it runs, no handler
    catches it (it is not an Exception)."""


def test_a_dead_workers_import_is_resumed_after_its_last_committed_chunk(
    world, as_user, var_dir, monkeypatch, run_tasks
):
    monkeypatch.setattr(imports, "IMPORT_CHUNK", 100)
    job = upload(as_user(world.patient_user), world.p1.pk, heart_rates(1000))  # 10 chunks
    flushes = 0
    real_flush = imports._flush

    def dies_after_three(run, chunk):
        nonlocal flushes
        if flushes == 3:
            raise WorkerKilled
        flushes += 1
        real_flush(run, chunk)

    monkeypatch.setattr(imports, "_flush", dies_after_three)
    with pytest.raises(WorkerKilled):
        imports.run_import(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.attempts, job.processed, job.new) == ("running", 1, 300, 300)
    assert Sample.objects.count() == 300  # three chunks committed, with their counts
    monkeypatch.setattr(imports, "_flush", real_flush)

    # Within the lease the job is left alone: its worker may only be slow.
    with time_machine.travel(timezone.now() + timedelta(seconds=60), tick=False):
        assert imports.recover_imports()["requeued"] == 0
    with (
        time_machine.travel(timezone.now() + jobs.lease() + timedelta(seconds=1), tick=False),
        run_tasks(),
    ):
        counts = imports.recover_imports()
    assert counts["requeued"] == 1
    job.refresh_from_db()
    assert (job.status, job.attempts, job.error) == ("done", 2, "")
    # Stored once, and counted as if the file had been read in one go.
    assert (job.processed, job.new, job.duplicates, job.rejected) == (1000, 1000, 0, 0)
    assert job.summary["by_type"] == {"heart_rate": 1000}
    assert Sample.objects.count() == 1000
    # The rollups cover the days of the chunks the dead attempt stored, too.
    assert DailySummary.objects.filter(patient=world.p1, day=date(2026, 3, 1)).exists()
    assert not list((var_dir / "imports").iterdir())


def test_an_import_that_keeps_killing_its_worker_fails_with_the_reason(
    world, as_user, var_dir, settings
):
    job = upload(as_user(world.patient_user), world.p1.pk, heart_rates(10))
    ImportJob.objects.filter(pk=job.pk).update(
        status="running", attempts=settings.PAINPATH_IMPORT_MAX_ATTEMPTS
    )
    with time_machine.travel(timezone.now() + jobs.lease() + timedelta(seconds=1), tick=False):
        counts = imports.recover_imports()
    assert counts["failed"] == 1 and counts["requeued"] == 0
    job.refresh_from_db()
    assert job.status == "failed" and job.finished_at is not None
    assert "stopped 3 times without finishing" in job.error
    assert not Path(job.stored_path or "x").exists() and job.stored_path == ""
    assert not list((var_dir / "imports").iterdir())


def test_a_queued_job_whose_task_was_lost_is_sent_again(world, as_user, var_dir, run_tasks):
    job = upload(as_user(world.patient_user), world.p1.pk, heart_rates(5))  # never run
    with (
        time_machine.travel(timezone.now() + jobs.lease() + timedelta(seconds=1), tick=False),
        run_tasks(),
    ):
        assert imports.recover_imports()["resent"] == 1
    job.refresh_from_db()
    assert (job.status, job.new, job.attempts) == ("done", 5, 1)


def test_an_old_attempt_cannot_write_once_a_newer_one_has_the_job(
    world, as_user, var_dir, monkeypatch
):
    monkeypatch.setattr(imports, "IMPORT_CHUNK", 2)
    job = upload(as_user(world.patient_user), world.p1.pk, heart_rates(6))
    real_flush = imports._flush

    def taken_over(run, chunk):
        # Meanwhile the sweep gave the job to a new attempt (the old worker was only stalled).
        ImportJob.objects.filter(pk=run.job.pk).update(attempts=run.attempt + 1)
        real_flush(run, chunk)

    monkeypatch.setattr(imports, "_flush", taken_over)
    imports.run_import(job_id=job.pk)
    assert not Sample.objects.exists()  # the stale attempt's chunk rolled back
    job.refresh_from_db()
    assert job.status == "running" and job.processed == 0  # left to the newer attempt


def test_uploads_no_job_points_at_are_removed(world, as_user, var_dir):
    job = upload(as_user(world.patient_user), world.p1.pk, heart_rates(5))  # queued: kept
    stray = var_dir / "imports" / "upload-left-behind.csv"
    stray.write_bytes(b"x")
    hour_ago = time.time() - 2 * file_jobs.ORPHAN_AGE_SECONDS
    os.utime(stray, (hour_ago, hour_ago))
    os.utime(job.stored_path, (hour_ago, hour_ago))
    assert imports.recover_imports()["files_removed"] == 1
    assert not stray.exists() and Path(job.stored_path).exists()


def test_a_worker_killed_with_sigkill_is_resumed_by_the_sweep(tmp_path):
    """A real worker process, killed mid-import; the sweep in another process resumes it."""
    db, var = tmp_path / "db.sqlite3", tmp_path / "var"
    run_child(["setup"], child_env(db, var), timeout=600)
    rows = 60_000
    path = tmp_path / "hr.csv"
    path.write_bytes(heart_rates(rows, start=datetime(2026, 1, 1, tzinfo=UTC)))
    worker = subprocess.Popen(  # the import as the worker runs it, in its own process
        [sys.executable, "-m", "tests.interop.sandbox", "run", "devices", "csv", str(path)],
        env=child_env(db, var),
        cwd=Path(__file__).parents[2],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    processed = 0
    try:
        while processed < 20_000 and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.05)
            with sqlite3.connect(db, timeout=30) as conn:
                found = conn.execute("SELECT processed FROM devices_importjob").fetchone()
            processed = found[0] if found else 0
        assert worker.poll() is None, "the import ended before it could be killed"
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(30)
    finally:
        if worker.poll() is None:
            worker.kill()
    with sqlite3.connect(db, timeout=30) as conn:
        status, committed = conn.execute(
            "SELECT status, processed FROM devices_importjob"
        ).fetchone()
        stored = conn.execute("SELECT count(*) FROM devices_sample").fetchone()[0]
    assert status == "running" and 0 < committed < rows and stored == committed
    time.sleep(1.1)  # the sweep below uses a one-second lease: this one has run out
    after = run_child(["recover", "devices"], child_env(db, var, PAINPATH_IMPORT_LEASE_SECONDS="1"))
    assert after["counts"]["requeued"] == 1
    assert (after["status"], after["attempts"], after["error"]) == ("done", 2, "")
    assert (after["processed"], after["new"], after["duplicates"]) == (rows, rows, 0)
    assert after["stored"] == rows  # every row once: nothing lost, nothing doubled
    assert after["files_left"] == 0
