"""Each bound of the wearable readers, at its edge: the job fails with the limit as its reason
(settings lowered here so the files stay small; the bombs at full size run in
tests/interop/test_upload_bombs.py under a memory limit), and uploads past the size limit are
refused before they are read."""

from __future__ import annotations

import json
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from tests.interop.bombs import APPLE_HEAD, APPLE_RECORD

from painpath.core.context import Actor
from painpath.core.errors import PayloadTooLarge
from painpath.devices import imports
from painpath.devices.models import ImportJob, Sample
from painpath.interop.limits import FileLimits, LimitExceeded
from painpath.interop.wearables.apple_health import read_apple_health
from painpath.interop.wearables.openmhealth import read_openmhealth

pytestmark = pytest.mark.django_db
CSV_HEAD = b"type,unit,value,start,end,source\n"
ROW = b"heart_rate,bpm,72,2026-03-01T09:00:00+01:00,,band\n"


def run(client, patient_id: int, name: str, content: bytes, fmt: str) -> ImportJob:
    resp = client.post(
        f"/devices/patients/{patient_id}/upload/",
        {"format": fmt, "file": SimpleUploadedFile(name, content)},
    )
    assert resp.status_code == 302, resp.content
    return imports.run_import(job_id=ImportJob.objects.latest("pk").pk)


def test_an_upload_over_the_limit_is_refused_at_the_door(world, as_user, var_dir, settings):
    settings.PAINPATH_UPLOAD_MAX_BYTES = 1000
    client = as_user(world.dr_a)
    page = client.post(
        f"/devices/patients/{world.p1.pk}/upload/",
        {"format": "csv", "file": SimpleUploadedFile("s.csv", CSV_HEAD + ROW * 40)},
    )
    assert page.status_code == 413 and b"File too large" in page.content
    api = client.post(
        f"/api/v1/genomics/patients/{world.p1.pk}/uploads",
        {"file": SimpleUploadedFile("lab.csv", b"gene,diplotype\n" + b"CYP2D6,*1/*1\n" * 100)},
    )
    assert api.status_code == 413
    assert api.json()["error"]["code"] == "too_large"
    assert api.json()["error"]["fields"] == [{"field": "file", "message": "At most 1000 bytes."}]
    assert not ImportJob.objects.exists() and not list((var_dir / "imports").glob("*"))
    # A request that is not an upload is not held to it.
    assert (
        client.post(
            f"/api/v1/patients/{world.p1.pk}/stim-devices",
            {"type": "SCS", "make": "M" * 500, "model": "X"},
            content_type="application/json",
        ).status_code
        == 422
    )


def test_the_upload_is_counted_while_it_is_written_too(world, var_dir, settings):
    settings.PAINPATH_UPLOAD_MAX_BYTES = 100
    with pytest.raises(PayloadTooLarge):
        imports.create_import(
            actor=Actor(user=world.patient_user),
            patient_id=world.p1.pk,
            fmt="csv",
            file_name="s.csv",
            chunks=iter([CSV_HEAD, ROW, ROW, ROW]),
        )
    assert not ImportJob.objects.exists() and not list((var_dir / "imports").glob("*"))


def test_a_csv_line_past_the_limit_stops_the_import(world, as_user, var_dir, settings):
    settings.PAINPATH_IMPORT_MAX_LINE_BYTES = 1024
    content = CSV_HEAD + ROW * 3 + b"heart_rate,bpm,72," + b"9" * 2000 + b"\n"
    job = run(as_user(world.patient_user), world.p1.pk, "s.csv", content, "csv")
    assert job.status == "failed"
    assert "a line is longer than 1 KiB" in job.error


def test_an_ndjson_line_past_the_limit_or_too_deep_stops_the_import(
    world, as_user, var_dir, settings
):
    settings.PAINPATH_IMPORT_MAX_LINE_BYTES = 4096
    long = b'{"body": "' + b"x" * 5000 + b'"}\n'
    job = run(as_user(world.patient_user), world.p1.pk, "p.ndjson", long, "open_mhealth")
    assert job.status == "failed" and "a line is longer than 4 KiB" in job.error
    deep = b"[" * 2000 + b"]" * 2000 + b"\n"
    job = run(as_user(world.patient_user), world.p1.pk, "p.ndjson", deep, "open_mhealth")
    assert job.status == "failed" and "line 1 is JSON nested too deeply" in job.error


def _point(i: int) -> dict:
    return {
        "header": {"schema_id": {"name": "heart-rate"}},
        "body": {
            "heart_rate": {"value": 60 + i, "unit": "beats/min"},
            "effective_time_frame": {"date_time": f"2026-03-01T08:{i:02d}:00Z"},
        },
    }


def test_an_open_mhealth_data_point_past_the_limit_stops_the_import(
    world, as_user, var_dir, settings
):
    settings.PAINPATH_IMPORT_MAX_ITEM_BYTES = 1000
    big = _point(1) | {"padding": ["x" * 50] * 30}
    for shape in ([_point(0), big], {"data": [_point(0), big]}):
        job = run(
            as_user(world.patient_user),
            world.p1.pk,
            "p.json",
            json.dumps(shape).encode(),
            "open_mhealth",
        )
        assert job.status == "failed" and "a data point is larger than 1000 bytes" in job.error
    assert not Sample.objects.exists()  # refused before the first point was read
    ok = json.dumps({"data": [_point(0), _point(1)]}).encode()
    assert run(as_user(world.patient_user), world.p1.pk, "p.json", ok, "open_mhealth").new == 2


def test_a_json_string_past_the_token_limit_stops_the_import(world, as_user, var_dir, settings):
    settings.PAINPATH_IMPORT_MAX_JSON_TOKEN_BYTES = 1024
    content = json.dumps([_point(0) | {"note": "y" * 3000}]).encode()
    job = run(as_user(world.patient_user), world.p1.pk, "p.json", content, "open_mhealth")
    assert job.status == "failed" and "a JSON value or gap is longer than 1 KiB" in job.error


def test_xml_nesting_and_element_size_are_bounded(tmp_path):
    deep = APPLE_HEAD + b"<a>" * 100 + b"</a>" * 100 + b"</HealthData>\n"
    (tmp_path / "deep.xml").write_bytes(deep)
    with pytest.raises(LimitExceeded, match="nested deeper than 64"):
        list(read_apple_health(tmp_path / "deep.xml", skipped=Counter()))
    beats = b"".join(
        b'<InstantaneousBeatsPerMinute bpm="60" time="8:00:%02d.00 AM"/>\n' % (i % 60)
        for i in range(2000)
    )
    hrv = (
        APPLE_HEAD
        + b' <Record type="HKQuantityTypeIdentifierHeartRateVariabilitySDNN" sourceName="W"'
        + b' startDate="2026-03-01 08:00:00 +0100" endDate="2026-03-01 08:01:00 +0100">'
        + b"<HeartRateVariabilityMetadataList>\n"
        + beats
        + b"</HeartRateVariabilityMetadataList></Record>\n</HealthData>\n"
    )
    (tmp_path / "hrv.xml").write_bytes(hrv)
    with pytest.raises(LimitExceeded, match=r"one element of export\.xml with its children"):
        list(
            read_apple_health(
                tmp_path / "hrv.xml", skipped=Counter(), limits=FileLimits(max_item_bytes=50_000)
            )
        )
    assert len(list(read_apple_health(tmp_path / "hrv.xml", skipped=Counter()))) == 1999


def test_a_zip_expanding_past_the_absolute_limit_is_refused(tmp_path):
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "apple_health_export/export.xml", APPLE_HEAD + APPLE_RECORD * 20_000 + b"</HealthData>"
        )
    limits = FileLimits(max_expanded_bytes=1024 * 1024)
    with pytest.raises(LimitExceeded, match="at most 1 MiB is read"):
        list(read_apple_health(path, skipped=Counter(), limits=limits))
    assert len(list(read_apple_health(path, skipped=Counter()))) == 20_000


def test_a_whitespace_only_json_file_is_bounded_like_any_gap(tmp_path):
    path = tmp_path / "blank.json"
    path.write_bytes(b"[" + b" " * 5000 + b"]")
    limits = FileLimits(max_json_token_bytes=4096)
    with pytest.raises(LimitExceeded, match="gap is longer than 4 KiB"):
        list(read_openmhealth(path, skipped=Counter(), limits=limits))
    assert list(read_openmhealth(path, skipped=Counter())) == []


def test_the_settings_defaults_are_the_readers_defaults(settings):
    assert imports.file_limits() == FileLimits()
    assert Path(settings.VAR_DIR)  # the upload folder lives under it
