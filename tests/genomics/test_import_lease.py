"""A lab file job whose worker died (its lease ran out) is run again: it had stored nothing,
since a file's results are stored in one transaction; after the last attempt it fails with
the reason. An attempt that lost its job stores nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from painpath.core import jobs
from painpath.genomics import imports
from painpath.genomics.models import PgxImportJob, PgxResult, PgxUpload

pytestmark = pytest.mark.django_db
LAB = b"gene,diplotype\nCYP2D6,*4/*4\nCYP2C19,*2/*17\n"


def upload(client, patient_id: int) -> PgxImportJob:
    r = client.post(
        f"/api/v1/genomics/patients/{patient_id}/uploads",
        {"file": SimpleUploadedFile("lab.csv", LAB)},
    )
    assert r.status_code == 202, r.content
    return PgxImportJob.objects.get(pk=r.json()["id"])


def later():
    return time_machine.travel(timezone.now() + jobs.lease() + timedelta(seconds=1), tick=False)


@pytest.fixture
def immediate():
    previous, HUEY.immediate = HUEY.immediate, True
    yield
    HUEY.immediate = previous


def test_a_job_whose_worker_died_runs_again_and_stores_once(world, as_user, immediate):
    job = upload(as_user(world.dr_a), world.p1.pk)
    PgxImportJob.objects.filter(pk=job.pk).update(status="running", attempts=1)  # then killed
    with later():
        assert imports.recover_imports()["requeued"] == 1
    job.refresh_from_db()
    assert (job.status, job.attempts, job.error) == ("done", 2, "")
    assert PgxResult.objects.filter(upload=job.upload).count() == 2
    assert PgxUpload.objects.count() == 1
    assert not list(imports.import_dir().iterdir())


def test_after_the_last_attempt_it_fails_with_the_reason(world, as_user, settings):
    job = upload(as_user(world.dr_a), world.p1.pk)
    PgxImportJob.objects.filter(pk=job.pk).update(
        status="running", attempts=settings.PAINPATH_IMPORT_MAX_ATTEMPTS
    )
    with later():
        assert imports.recover_imports()["failed"] == 1
    job.refresh_from_db()
    assert job.status == "failed" and "lab file import stopped 3 times" in job.error
    assert not PgxResult.objects.exists()
    assert not list(imports.import_dir().iterdir())


def test_an_attempt_that_lost_its_job_stores_nothing(world, as_user, monkeypatch):
    job = upload(as_user(world.dr_a), world.p1.pk)
    real = imports.parsing.parse_lab_file

    def meanwhile_taken_over(filename, content):
        PgxImportJob.objects.filter(pk=job.pk).update(attempts=5)  # a newer attempt has it
        return real(filename, content)

    monkeypatch.setattr(imports.parsing, "parse_lab_file", meanwhile_taken_over)
    imports.run_import(job_id=job.pk)
    assert not PgxResult.objects.exists() and not PgxUpload.objects.exists()
    job.refresh_from_db()
    assert job.status == "running"  # left to the newer attempt
