"""File imports (upload -> background job -> summary) and the device pages, with access."""

from __future__ import annotations

import io
import logging
import zipfile
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection
from django.utils import timezone
from tests.interop.wearables.apple_export import write_export

from painpath.devices import imports, services
from painpath.devices.models import DailySummary, ImportJob, Sample, StimDevice
from painpath.interop.wearables import csv_samples

pytestmark = pytest.mark.django_db
PANEL_QUERIES = 7  # savepoint pair + patient, rollups, changes, audit row, check-ins
CSV_HEAD = b"type,unit,value,start,end,source\n"


def upload(client, patient_id: int, name: str, content: bytes, fmt: str = "csv"):
    return client.post(
        f"/devices/patients/{patient_id}/upload/",
        {"format": fmt, "file": SimpleUploadedFile(name, content)},
    )


def test_patient_uploads_apple_export_and_sees_the_summary(world, as_user, var_dir):
    path = write_export(var_dir, minutes=30, zipped=True)
    client = as_user(world.patient_user)
    resp = upload(client, world.p1.pk, "export.zip", path.read_bytes(), "apple_health")
    assert resp.status_code == 302
    job = ImportJob.objects.get(patient=world.p1)
    job = imports.run_import(job_id=job.pk)  # what the worker runs
    assert job.status == "done"
    assert (job.processed, job.new, job.duplicates, job.rejected) == (63, 63, 0, 0)
    assert job.summary["by_type"] == {"heart_rate": 30, "steps": 30, "sleep": 1, "rr_interval": 2}
    assert job.bytes_read == job.size_bytes == path.stat().st_size  # progress ends at 100%
    assert not list((var_dir / "imports").glob("*"))  # the upload is deleted when it ends
    assert imports.run_import(job_id=job.pk).status == "done"  # an ended job is not run again
    # The same file again: every sample is a duplicate, nothing is stored twice.
    upload(client, world.p1.pk, "export.zip", path.read_bytes(), "apple_health")
    again = imports.run_import(job_id=ImportJob.objects.latest("pk").pk)
    assert (again.status, again.new, again.duplicates) == ("done", 0, 63)
    assert Sample.objects.filter(patient=world.p1).count() == 63
    page = client.get("/devices/me/")
    assert page.status_code == 200
    assert b"export.zip" in page.content
    assert b"<progress" in page.content


def test_a_csv_with_bad_rows_lists_reasons(world, as_user, var_dir):
    csv = (
        CSV_HEAD + b"heart_rate,bpm,72,2026-03-01T09:00:00+01:00,,band\n"
        b"heart_rate,bpm,900,2026-03-01T09:01:00+01:00,,band\n"
    )
    upload(as_user(world.dr_a), world.p1.pk, "s.csv", csv)
    job = imports.run_import(job_id=ImportJob.objects.get().pk)
    assert (job.new, job.rejected) == (1, 1)
    assert "value: out of plausible range" in next(iter(job.summary["rejected_reasons"]))


def test_invalid_utf8_fails_the_job_with_a_reason_and_polling_stops(world, as_user, var_dir):
    good = b"heart_rate,bpm,72,2026-03-01T09:00:00+01:00,,band\n"
    client = as_user(world.patient_user)
    upload(client, world.p1.pk, "s.csv", CSV_HEAD + good + b"heart_rate,bpm,7\xff2,x,,band\n")
    job = imports.run_import(job_id=ImportJob.objects.get().pk)
    assert job.status == "failed"
    assert "not UTF-8" in job.error
    rows = client.get(f"/devices/patients/{world.p1.pk}/imports/")
    assert b"hx-trigger" not in rows.content  # nothing left running: the htmx polling ends
    assert b"not UTF-8" in rows.content


def test_a_corrupt_zip_fails_the_job(world, as_user, var_dir):
    data = bytearray(write_export(var_dir, minutes=200, zipped=True).read_bytes())
    middle = len(data) // 2
    data[middle : middle + 200] = bytes(200)  # damage the compressed stream
    assert zipfile.is_zipfile(io.BytesIO(bytes(data)))  # still looks like a zip
    upload(as_user(world.patient_user), world.p1.pk, "export.zip", bytes(data), "apple_health")
    job = imports.run_import(job_id=ImportJob.objects.get().pk)
    assert job.status == "failed"
    assert "damaged" in job.error or "well-formed" in job.error


def test_an_unexpected_error_fails_the_job_and_is_logged(
    world, as_user, var_dir, monkeypatch, caplog
):
    upload(as_user(world.patient_user), world.p1.pk, "s.csv", CSV_HEAD)

    def broken(*args, **kwargs):
        raise DatabaseError("disk I/O error")
        yield  # a generator, like the real readers

    monkeypatch.setattr(csv_samples, "read_csv_samples", broken)
    with caplog.at_level(logging.ERROR, logger="painpath.devices.imports"):
        job = imports.run_import(job_id=ImportJob.objects.get().pk)
    assert job.status == "failed"
    assert "DatabaseError" in job.error and "disk I/O error" in job.error
    assert job.finished_at is not None
    assert any(r.exc_info for r in caplog.records)  # the traceback is in the log
    assert ImportJob.objects.get().status == "failed"


def test_the_uploader_is_checked_again_when_the_job_runs(world, as_user, var_dir):
    csv = CSV_HEAD + b"heart_rate,bpm,72,2026-03-01T09:00:00+01:00,,band\n"
    assert upload(as_user(world.dr_a), world.p1.pk, "s.csv", csv).status_code == 302
    world.team_1.members.remove(world.dr_a)  # no longer on the patient's care team
    job = imports.run_import(job_id=ImportJob.objects.get().pk)
    assert job.status == "failed" and job.error
    assert not Sample.objects.exists()


def test_one_refresh_per_import_of_only_the_touched_days(
    world, as_user, var_dir, monkeypatch, run_tasks
):
    monkeypatch.setattr(imports, "IMPORT_CHUNK", 2)  # five chunks
    lines = [
        f"steps,count,100,2026-03-0{d}T09:0{m}:00+00:00,2026-03-0{d}T09:0{m + 1}:00+00:00,band\n"
        for d in (2, 4)
        for m in range(5)
    ]
    upload(as_user(world.patient_user), world.p1.pk, "s.csv", CSV_HEAD + "".join(lines).encode())
    calls: list[list[date]] = []
    original = services.refresh_daily_summaries

    def spy(*, patient_ids, days):
        calls.append(sorted(days))
        return original(patient_ids=patient_ids, days=days)

    monkeypatch.setattr(services, "refresh_daily_summaries", spy)
    with run_tasks():
        job = imports.run_import(job_id=ImportJob.objects.get().pk)
    assert job.new == 10
    assert len(calls) == 1  # once for the file, not once per chunk
    # p1's zone is the clinic's (America/New_York): 09:00 UTC is 04:00 local, and 12 hours
    # after the intervals end (a night reaches to noon) is still the same local day.
    assert calls[0] == [date(2026, 3, 2), date(2026, 3, 4)]
    steps = dict(DailySummary.objects.filter(patient=world.p1).values_list("day", "steps"))
    assert steps[date(2026, 3, 2)] == 500 and steps[date(2026, 3, 4)] == 500


def test_upload_denials(world, as_user, var_dir):
    assert upload(as_user(world.dr_other), world.p1.pk, "s.csv", b"x").status_code == 404
    assert upload(as_user(world.patient_user), world.p2.pk, "s.csv", b"x").status_code == 404
    assert upload(as_user(world.admin_a), world.p1.pk, "s.csv", b"x").status_code == 403
    assert not ImportJob.objects.exists()
    assert not list((var_dir / "imports").glob("*"))  # nothing written for a denied upload


@pytest.mark.parametrize("user", ["patient_user", "dr_a"])
def test_a_missing_or_empty_file_is_a_form_error(world, as_user, var_dir, user):
    client = as_user(getattr(world, user))
    missing = client.post(f"/devices/patients/{world.p1.pk}/upload/", {"format": "csv"})
    assert missing.status_code == 422
    assert b"Choose a file to upload." in missing.content
    empty = upload(client, world.p1.pk, "s.csv", b"")
    assert empty.status_code == 422
    assert not ImportJob.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_file_is_written_outside_any_transaction(world, var_dir):
    # SQLite has one writer: writing hundreds of MB inside a transaction would hold the lock.
    from painpath.core.context import Actor

    seen: list[bool] = []

    parts = (CSV_HEAD, b"heart_rate,bpm,72,2026-03-01T09:00:00+01:00,,band\n")

    def chunks():
        for part in parts:
            seen.append(connection.in_atomic_block)
            yield part

    job = imports.create_import(
        actor=Actor(user=world.patient_user),
        patient_id=world.p1.pk,
        fmt="csv",
        file_name="s.csv",
        chunks=chunks(),
    )
    assert seen == [False, False]
    assert job.size_bytes == sum(len(p) for p in parts)
    with open(job.stored_path, "rb") as stored:
        assert stored.read() == b"".join(parts)


def test_clinician_upload_page_is_linked_from_the_chart(world, as_user, var_dir):
    client = as_user(world.dr_a)
    chart = client.get(f"/patients/{world.p1.pk}/")
    assert f"/devices/patients/{world.p1.pk}/upload/".encode() in chart.content
    page = client.get(f"/devices/patients/{world.p1.pk}/upload/")
    assert page.status_code == 200 and b'type="file"' in page.content
    assert (
        as_user(world.dr_other).get(f"/devices/patients/{world.p1.pk}/upload/").status_code == 404
    )


def test_neuromodulation_tab_and_api(world, as_user):
    client = as_user(world.dr_a)
    dev = client.post(
        f"/api/v1/patients/{world.p1.pk}/stim-devices",
        {"type": "SCS", "make": "Acme Neuro", "model": "S1", "implant_date": "2026-01-10"},
        content_type="application/json",
    )
    assert dev.status_code == 201, dev.content
    device_id = dev.json()["id"]
    prog = client.post(
        f"/api/v1/patients/{world.p1.pk}/stim-devices/{device_id}/programs",
        {
            "name": "P1",
            "waveform": "burst",
            "frequency_hz": 40,
            "pulse_width_us": 1000,
            "amplitude_ma": 1.5,
            "burst": {"pulses": 5, "intra_burst_hz": 500},
        },
        content_type="application/json",
    )
    assert prog.status_code == 201, prog.content
    change = client.post(
        f"/api/v1/patients/{world.p1.pk}/stim-devices/{device_id}/changes",
        {
            "program_id": prog.json()["id"],
            "changed_at": "2026-02-01T10:00:00+00:00",
            "context": "clinician_visit",
            "reason": "coverage",
        },
        content_type="application/json",
    )
    assert change.status_code == 201, change.content
    page = client.get(f"/devices/patients/{world.p1.pk}/neuromodulation/")
    assert page.status_code == 200 and b"Acme Neuro" in page.content and b"coverage" in page.content
    assert b"pulses 5" in page.content  # burst parameters are shown
    # The patient may read but not make clinical writes; other clinics see nothing.
    assert (
        as_user(world.patient_user)
        .post(
            f"/api/v1/patients/{world.p1.pk}/stim-devices",
            {"type": "SCS", "make": "x", "model": "y"},
            content_type="application/json",
        )
        .status_code
        == 403
    )
    assert (
        as_user(world.dr_other).get(f"/devices/patients/{world.p1.pk}/neuromodulation/").status_code
        == 404
    )
    bad = client.post(
        f"/api/v1/patients/{world.p1.pk}/stim-devices",
        {"type": "XYZ", "make": "x", "model": "y"},
        content_type="application/json",
    )
    assert bad.status_code == 422 and bad.json()["error"]["fields"][0]["field"] == "type"
    assert StimDevice.objects.count() == 1


def test_chart_panel_on_the_patient_chart(world, as_user):
    page = as_user(world.dr_a).get(f"/patients/{world.p1.pk}/")
    assert page.status_code == 200
    assert b"Timeline: pain, function, activity, sleep, HRV" in page.content


def test_timeline_panel_query_count_is_pinned(world, rf, django_assert_num_queries):
    from painpath.devices.views import chart_panel

    request = rf.get("/")
    request.user = world.dr_a
    chart_panel(request, world.p1)  # the first audit row also creates the chain head
    for days in (1, 30):  # the same number of queries however many days have data
        DailySummary.objects.bulk_create(
            [
                DailySummary(patient=world.p1, day=date(2026, 1, 1) + timedelta(days=i), steps=100)
                for i in range(days)
            ],
            ignore_conflicts=True,
        )
        with django_assert_num_queries(PANEL_QUERIES):
            html = chart_panel(request, world.p1)
        assert "devices-timeline" in html or "No device data" in html


def test_timeline_overlays_function_and_names_change_contexts(world, rf):
    import json
    import re

    from painpath.core.context import Actor
    from painpath.devices.models import ChangeContext, ProgramChange, StimProgram
    from painpath.devices.views import chart_panel
    from painpath.diary import services as diary

    diary.save_checkin(
        actor=Actor(user=world.patient_user),
        patient_id=world.p1.pk,
        data=diary.CheckInData(5, 6, activity=7),
    )
    today = diary.local_today(world.p1)
    device = StimDevice.objects.create(patient=world.p1, type="SCS", make="M", model="X")
    program = StimProgram.objects.create(
        device=device,
        name="Tonic A",
        waveform="tonic",
        frequency_hz=50,
        pulse_width_us=300,
        amplitude_ma=3,
    )
    ProgramChange.objects.create(
        device=device,
        program=program,
        changed_at=timezone.now(),
        context=ChangeContext.REMOTE_SESSION,
        reason="coverage",
    )
    request = rf.get("/")
    request.user = world.dr_a
    html = chart_panel(request, world.p1)
    data = json.loads(re.search(r'id="devices-timeline-data"[^>]*>(.*?)</script>', html, re.S)[1])
    assert data["function"][data["labels"].index(today.isoformat())] == 7.0
    assert data["pain"][data["labels"].index(today.isoformat())] == 6.0
    assert f"Tonic A ({ChangeContext.REMOTE_SESSION.label})</li>" in html
