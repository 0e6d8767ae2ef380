"""File imports (upload -> background job -> summary) and the device pages, with access."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from tests.interop.wearables.apple_export import write_export

from painpath.devices import services
from painpath.devices.models import DailySummary, ImportJob, Sample, StimDevice

pytestmark = pytest.mark.django_db
PANEL_QUERIES = 11  # patient, rollups, changes, audit chain (head, insert, update), pain


def test_patient_uploads_apple_export_and_sees_the_summary(world, as_user, tmp_path, settings):
    settings.VAR_DIR = tmp_path
    path = write_export(tmp_path, minutes=30, zipped=True)
    client = as_user(world.patient_user)
    resp = client.post(
        f"/devices/patients/{world.p1.pk}/upload/",
        {"format": "apple_health", "file": SimpleUploadedFile("export.zip", path.read_bytes())},
    )
    assert resp.status_code == 302
    job = ImportJob.objects.get(patient=world.p1)
    job = services.run_import(job_id=job.pk)  # what the worker runs
    assert job.status == "done"
    assert (job.processed, job.new, job.duplicates, job.rejected) == (63, 63, 0, 0)
    assert job.summary["by_type"] == {"heart_rate": 30, "steps": 30, "sleep": 1, "rr_interval": 2}
    again = services.run_import(job_id=job.pk)
    assert (again.new, again.duplicates) == (0, 63)
    assert Sample.objects.filter(patient=world.p1).count() == 63
    page = client.get("/devices/me/")
    assert page.status_code == 200
    assert b"export.zip" in page.content


def test_a_csv_with_bad_rows_lists_reasons(world, as_user, tmp_path, settings):
    settings.VAR_DIR = tmp_path
    csv = (
        b"type,unit,value,start,end,source\n"
        b"heart_rate,bpm,72,2026-03-01T09:00:00+01:00,,band\n"
        b"heart_rate,bpm,900,2026-03-01T09:01:00+01:00,,band\n"
    )
    as_user(world.dr_a).post(
        f"/devices/patients/{world.p1.pk}/upload/",
        {"format": "csv", "file": SimpleUploadedFile("s.csv", csv)},
    )
    job = services.run_import(job_id=ImportJob.objects.get().pk)
    assert (job.new, job.rejected) == (1, 1)
    assert "value: out of plausible range" in next(iter(job.summary["rejected_reasons"]))


def test_upload_denials(world, as_user, tmp_path, settings):
    settings.VAR_DIR = tmp_path
    f = {"format": "csv", "file": SimpleUploadedFile("s.csv", b"x")}
    assert (
        as_user(world.dr_other).post(f"/devices/patients/{world.p1.pk}/upload/", f).status_code
        == 404
    )
    f = {"format": "csv", "file": SimpleUploadedFile("s.csv", b"x")}
    assert (
        as_user(world.patient_user).post(f"/devices/patients/{world.p2.pk}/upload/", f).status_code
        == 404
    )
    assert not ImportJob.objects.exists()


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
    assert b"Timeline: pain, activity, sleep, HRV" in page.content


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
