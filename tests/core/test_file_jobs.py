"""The one runner of file import jobs (wearable files and lab files): how an attempt ends."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from painpath.core import file_jobs, jobs
from painpath.devices import imports as device_imports
from painpath.devices.models import ImportJob
from painpath.genomics import imports as lab_imports
from painpath.genomics.models import PgxImportJob

LAB = b"gene,diplotype\nCYP2D6,*4/*4\n"
WEARABLE = b"type,unit,value,start,end,source\nsteps,count,10,2026-03-01T06:00:00+00:00,,band\n"


def staged(directory: Path, content: bytes) -> Path:
    path = directory / "upload-test"
    path.write_bytes(content)
    return path


def lab_job(world, tmp_path) -> PgxImportJob:
    return PgxImportJob.objects.create(
        patient=world.p1,
        created_by=world.dr_a,
        filename="lab.csv",
        kind="csv",
        stored_path=str(staged(tmp_path, LAB)),
        size_bytes=len(LAB),
        heartbeat_at=timezone.now(),
    )


def wearable_job(world, tmp_path) -> ImportJob:
    return ImportJob.objects.create(
        patient=world.p1,
        created_by=world.patient_user,
        format="csv",
        file_name="steps.csv",
        stored_path=str(staged(tmp_path, WEARABLE)),
        size_bytes=len(WEARABLE),
        heartbeat_at=timezone.now(),
    )


# (module, its reading step to break, the job builder)
IMPORTS = {
    "lab file": (lab_imports, "_store", lab_job),
    "wearable file": (device_imports, "_read", wearable_job),
}


def break_reading(monkeypatch, module, step, side_effect=None) -> None:
    def broken(*args, **kwargs):
        if side_effect is not None:
            side_effect()
        raise ValueError("disk said no")

    monkeypatch.setattr(module, step, broken)


def outcome_write_fails_once(monkeypatch) -> list[str]:
    """The first write of a job's outcome raises as a dropped connection would."""
    real, failed = jobs.fenced, []

    class Dropped:
        def update(self, **fields):
            failed.append(fields["status"])
            raise OperationalError("server closed the connection unexpectedly")

    def fenced(model, pk, attempt):
        return real(model, pk, attempt) if failed else _Outcome(real(model, pk, attempt))

    class _Outcome:
        def __init__(self, rows):
            self.rows = rows

        def update(self, **fields):
            if "status" in fields:
                return Dropped().update(**fields)
            return self.rows.update(**fields)  # a heartbeat: left alone

    monkeypatch.setattr(jobs, "fenced", fenced)
    return failed


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", IMPORTS)
def test_a_failure_ends_the_job_with_its_reason_even_when_the_first_write_fails(
    kind, world, tmp_path, settings, monkeypatch
):
    settings.VAR_DIR = tmp_path
    module, step, build = IMPORTS[kind]
    job = build(world, tmp_path)
    break_reading(monkeypatch, module, step)
    failed = outcome_write_fails_once(monkeypatch)
    ended = module.run_import(job_id=job.pk)
    assert failed == ["failed"]  # the first try of the outcome was dropped, then tried again
    assert ended.status == "failed" and ended.finished_at is not None
    assert "unexpected error (ValueError: disk said no)" in ended.error
    assert ended.stored_path == "" and not Path(job.stored_path).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("kind", IMPORTS)
def test_an_attempt_that_loses_its_job_while_failing_writes_nothing(
    kind, world, tmp_path, settings, monkeypatch
):
    settings.VAR_DIR = tmp_path
    module, step, build = IMPORTS[kind]
    job = build(world, tmp_path)

    def taken_over():
        type(job).objects.filter(pk=job.pk).update(attempts=7)  # a newer attempt has it

    break_reading(monkeypatch, module, step, side_effect=taken_over)
    left = module.run_import(job_id=job.pk)
    assert (left.status, left.error, left.attempts) == ("running", "", 7)
    assert Path(job.stored_path).exists()  # the newer attempt still reads it


@pytest.mark.django_db
def test_inside_a_transaction_a_failed_outcome_write_is_not_retried(world, tmp_path, monkeypatch):
    job = lab_job(world, tmp_path)
    attempt = jobs.claim(PgxImportJob, job.pk)
    assert attempt == 1
    failed = outcome_write_fails_once(monkeypatch)
    with pytest.raises(OperationalError), transaction.atomic():
        file_jobs.end(PgxImportJob, job.pk, attempt, error="")
    assert failed == ["done"] and connection.in_atomic_block  # the test's own transaction
    job.refresh_from_db()
    assert job.status == "running"


@pytest.mark.django_db
def test_a_job_another_worker_has_is_not_run(world, tmp_path, monkeypatch):
    job = lab_job(world, tmp_path)
    assert jobs.claim(PgxImportJob, job.pk) == 1
    ran = []
    got, ended = file_jobs.run_attempt(
        PgxImportJob,
        job.pk,
        load=lambda pk: PgxImportJob.objects.get(pk=pk),
        work=lambda j, n: ran.append(n),
        reason=lambda exc, j: str(exc),
        what="test",
    )
    assert (ran, ended, got.attempts) == ([], False, 1)
    assert Path(job.stored_path).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("model", "build"), [(PgxImportJob, lab_job), (ImportJob, wearable_job)])
def test_the_sweep_fails_a_job_after_its_last_attempt_and_deletes_its_upload(
    model, build, world, tmp_path, settings
):
    job = build(world, tmp_path)
    model.objects.filter(pk=job.pk).update(
        status="running",
        attempts=settings.PAINPATH_IMPORT_MAX_ATTEMPTS,
        heartbeat_at=timezone.now() - jobs.lease() * 2,
    )
    counts = file_jobs.sweep(model, directory=tmp_path, enqueue=lambda pk: None, what="import")
    assert counts == {"requeued": 0, "failed": 1, "resent": 0, "files_removed": 0}
    job.refresh_from_db()
    assert job.status == "failed" and "import stopped 3 times" in job.error
    assert job.stored_path == "" and not Path(tmp_path / "upload-test").exists()
