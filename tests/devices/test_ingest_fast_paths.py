"""The ingestion fast paths keep the slow paths' results: the JSON reader (orjson, else the
standard library), rows stored from columns (binary COPY / executemany), retries of large
batches, concurrent duplicate posts, and the touched days of a batch."""

from __future__ import annotations

import json
import re
import threading
from datetime import UTC, date, datetime, timedelta, timezone

import numpy as np
import pytest
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from tests.devices.factories import device_token

from painpath.analytics.daily_summaries import local_days
from painpath.audit.models import AuditEvent
from painpath.core import api as core_api  # noqa: F401 - registers the routers first
from painpath.core.context import Actor
from painpath.devices import api, services
from painpath.devices.bulk import insert_samples
from painpath.devices.models import DeviceSource, Sample
from painpath.interop.wearables.schema import SampleBatch, to_ms, validate_samples

pytestmark = pytest.mark.django_db
BASE = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)

BODIES = [
    b'{"samples": [{"type": "heart_rate", "value": 61.5}], "n": -0}',
    b'{"a": 1, "a": 2}',
    b"[NaN, Infinity, -Infinity]",
    b"[1e400, -1e400]",
    b"[123456789012345678901234567890, 18446744073709551615, -9223372036854775809]",
    b'{"make": 1234567890123456789}',
    b"[0.1, 1.7976931348623157e308, 5e-324, 2.2250738585072011e-308, 1.00000000000000011]",
    b'["\\ud800", "\\u00e9", "\xc3\xa9"]',
    b'\xef\xbb\xbf{"bom": true}',
    '{"utf16": 1}'.encode("utf-16"),
    b"  [1, 2]  \n",
    b"{",
    b"[1,]",
    b"[1] x",
    b"\xff",
    b"",
]


@pytest.mark.parametrize("body", BODIES, ids=range(len(BODIES)))
def test_the_fast_json_reader_gives_what_the_standard_library_gives(body):
    error: Exception | None = None
    try:
        expected = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        error = exc
    if error is not None:  # the same error and message, naming line and column
        with pytest.raises(type(error), match=f"^{re.escape(str(error))}$"):
            api._loads(body)
    else:
        assert repr(api._loads(body)) == repr(expected)  # same values and types (int stays int)


def _post(secret: str, patient_id: int, body: bytes | str, kind: str = "application/json"):
    return Client().post(
        f"/api/v1/patients/{patient_id}/samples",
        body,
        content_type=kind,
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )


def test_nan_and_huge_numbers_still_reach_validation_and_name_the_sample(world):
    secret = device_token(world.patient_user, world.p1)
    body = (
        '{"source": {"key": "w", "make": 123456789012345678901234567890}, "samples": ['
        '{"type": "heart_rate", "unit": "bpm", "value": 60, "start": "2026-03-02T06:00:00Z"},'
        '{"type": "heart_rate", "unit": "bpm", "value": NaN, "start": "2026-03-02T06:01:00Z"},'
        '{"type": "heart_rate", "unit": "bpm", "value": 1e999, "start": "2026-03-02T06:02:00Z"}]}'
    )
    resp = _post(secret, world.p1.pk, body)
    assert resp.status_code == 422
    fields = {f["field"]: f["message"] for f in resp.json()["error"]["fields"]}
    assert set(fields) == {"samples[1].value", "samples[2].value"}
    assert "finite" in fields["samples[1].value"]
    ok = body.replace("NaN", "61").replace("1e999", "62")
    assert _post(secret, world.p1.pk, ok).json()["new"] == 3
    # An integer beyond 64 bits is read exactly (not as a float) wherever it appears.
    assert DeviceSource.objects.get(key="w").make == "123456789012345678901234567890"


def _expected_rows(samples: list[dict], source_ids: dict[str, int]) -> list[tuple]:
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    rows = []
    for s in samples:
        start = datetime.fromisoformat(s["start"])
        end = datetime.fromisoformat(s["end"]) if s.get("end") else start
        code = {"heart_rate": 1, "steps": 3, "sleep": 4}[s["type"]]
        value = (
            ["awake", "light", "deep", "rem", "unknown"].index(s["value"])
            if code == 4
            else s["value"]
        )
        rows.append(
            (
                code,
                (start - epoch) // timedelta(milliseconds=1),
                (end - start) // timedelta(milliseconds=1),
                source_ids[s["source"]],
                float(value),
            )
        )
    return sorted(rows)


def _stored(patient) -> list[tuple]:
    return sorted(
        Sample.objects.filter(patient=patient).values_list(
            "type", "start_ms", "duration_ms", "source_id", "value"
        )
    )


def test_every_field_is_stored_exactly_from_one_source_and_from_several(world):
    secret = device_token(world.patient_user, world.p1)
    one = [
        {
            "type": "heart_rate",
            "unit": "bpm",
            "value": 40 + (i % 2000) / 16,
            "start": (BASE + timedelta(seconds=i, microseconds=1500)).isoformat(),
            "source": "watch",
        }
        for i in range(6000)
    ]
    assert _post(secret, world.p1.pk, json.dumps({"samples": one})).json()["new"] == 6000
    several = [
        {
            "type": kind,
            "unit": unit,
            "value": value,
            "start": (BASE + timedelta(days=1, minutes=i)).astimezone(tz).isoformat(),
            "end": (BASE + timedelta(days=1, minutes=i, seconds=59.5)).isoformat(),
            "source": source,
        }
        for i in range(1300)  # more than one streamed part on PostgreSQL
        for kind, unit, value, source, tz in [
            ("steps", "steps", i % 250, "phone", UTC),
            ("sleep", "stage", ("deep", "rem")[i % 2], "ring", timezone(timedelta(hours=-3.5))),
        ]
    ]
    resp = _post(secret, world.p1.pk, json.dumps({"samples": several}))
    assert resp.json()["new"] == 2600, resp.content
    ids = dict(DeviceSource.objects.filter(patient=world.p1).values_list("key", "pk"))
    assert set(ids) == {"watch", "phone", "ring"}
    assert _stored(world.p1) == _expected_rows(one + several, ids)


def test_a_large_retry_stores_only_the_missing_half(world):
    secret = device_token(world.patient_user, world.p1)
    samples = [
        {
            "type": "heart_rate",
            "unit": "bpm",
            "value": 50 + i % 100,
            "start": (BASE + timedelta(seconds=5 * i)).isoformat(),
        }
        for i in range(8000)
    ]
    first = _post(
        secret, world.p1.pk, json.dumps({"source": {"key": "w"}, "samples": samples[::2]})
    )
    assert first.json()["new"] == 4000
    again = _post(secret, world.p1.pk, json.dumps({"source": {"key": "w"}, "samples": samples}))
    assert (again.json()["new"], again.json()["duplicates"]) == (4000, 4000)
    ids = {"w": DeviceSource.objects.get(patient=world.p1, key="w").pk}
    assert _stored(world.p1) == _expected_rows([s | {"source": "w"} for s in samples], ids)


def test_rows_of_several_patients_in_one_bulk_call(world):
    a = DeviceSource.objects.create(patient=world.p1, key="a")
    b = DeviceSource.objects.create(patient=world.p2, key="b")
    rows = [(world.p1.pk, 1, 1_700_000_000_000 + i, 0, a.pk, 60.0) for i in range(30)]
    rows += [(world.p2.pk, 3, 1_700_000_000_000 + i, 60_000, b.pk, 7.0) for i in range(20)]
    assert insert_samples(rows) == 50
    assert insert_samples(rows) == 0
    assert Sample.objects.filter(patient=world.p1, source=a).count() == 30
    assert list(
        Sample.objects.filter(patient=world.p2).values_list("type", "value").distinct()
    ) == [(3, 7.0)]


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite's IMMEDIATE transactions serialise writers (and the in-memory test "
    "database's shared cache refuses them); the race needs PostgreSQL",
)
@pytest.mark.django_db(transaction=True)
def test_the_same_batch_posted_three_times_at_once_is_stored_once(world):
    records = [
        {
            "type": "heart_rate",
            "unit": "bpm",
            "value": 70,
            "start": (BASE + timedelta(seconds=i)).isoformat(),
        }
        for i in range(5000)
    ]
    results: list[services.IngestResult] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(3)

    def post() -> None:
        try:
            barrier.wait(10)
            results.append(
                services.ingest_samples(
                    actor=Actor(user=world.patient_user),
                    patient_id=world.p1.pk,
                    records=records,
                    source=services.SourceData(key="w"),
                )
            )
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sorted(r.new for r in results) == [0, 0, 5000]
    assert all(r.new + r.duplicates == 5000 for r in results)
    assert Sample.objects.filter(patient=world.p1).count() == 5000


@pytest.mark.parametrize(
    "zone", ["UTC", "Europe/Paris", "Australia/Lord_Howe", "Asia/Kathmandu", "America/St_Johns"]
)
def test_touched_days_are_the_local_days_of_every_start_end_and_sleep_noon(world, zone):
    world.p1.timezone = zone
    records = []
    # Dense minutes across a DST change of each zone's year, plus sparse long intervals.
    for start in (datetime(2026, 3, 28, tzinfo=UTC), datetime(2026, 10, 3, tzinfo=UTC)):
        for i in range(0, 3 * 24 * 60, 7):
            moment = start + timedelta(minutes=i, seconds=i % 60)
            end = moment + timedelta(minutes=(i * 13) % 600)
            records.append(
                {
                    "type": "sleep",
                    "unit": "stage",
                    "value": "light",
                    "start": moment.isoformat(),
                    "end": end.isoformat(),
                }
            )
    batch = validate_samples(records, now=datetime(2026, 11, 1, tzinfo=UTC), default_source="w")
    assert batch.issues == [] and len(batch) == len(records)
    moments = []
    for start, duration in zip(batch.start_ms, batch.duration_ms, strict=True):
        moments += [start, start + duration, start + duration + 43_200_000]
    every = local_days(np.full(len(moments), world.p1.pk), np.asarray(moments), {world.p1.pk: zone})
    expected = {date(1970, 1, 1) + timedelta(days=int(d)) for d in set(every.tolist())}
    assert services.touched_days(world.p1, batch) == expected
    assert len(expected) > 6


@pytest.mark.parametrize("zone", ["Europe/Paris", "Asia/Kolkata"])
def test_touched_days_of_a_batch_spread_over_years(world, zone):
    """Samples far apart in time (not one device's stretch of hours) give the same days."""
    world.p1.timezone = zone
    starts = [datetime(1971, 1, 1, 10, 50, tzinfo=UTC) + timedelta(days=997 * i) for i in range(20)]
    batch = SampleBatch(
        sources=["w"] * 20,
        types=[4] * 20,
        start_ms=[to_ms(s) for s in starts],
        duration_ms=[(i % 5) * 3_600_000 for i in range(20)],
        values=[1.0] * 20,
    )
    moments = []
    for start, duration in zip(batch.start_ms, batch.duration_ms, strict=True):
        moments += [start, start + duration, start + duration + 43_200_000]
    every = local_days(np.full(len(moments), world.p1.pk), np.asarray(moments), {world.p1.pk: zone})
    expected = {date(1970, 1, 1) + timedelta(days=int(d)) for d in set(every.tolist())}
    assert services.touched_days(world.p1, batch) == expected
    assert len(expected) > 30


def test_touched_days_of_a_single_sample(world):
    batch = SampleBatch(
        sources=["w"], types=[1], start_ms=[to_ms(BASE)], duration_ms=[0], values=[60.0]
    )
    world.p1.timezone = "Pacific/Kiritimati"  # UTC+14: 06:00 UTC is the next local day
    assert services.touched_days(world.p1, batch) == {date(2026, 3, 2), date(2026, 3, 3)}


def test_a_changed_device_description_is_stored_and_a_repeated_one_is_not_rewritten(world):
    secret = device_token(world.patient_user, world.p1)
    samples = [
        {"type": "heart_rate", "unit": "bpm", "value": 60, "start": BASE.isoformat()},
    ]

    def post(make: str) -> list[str]:
        body = json.dumps({"source": {"key": "w", "make": make, "model": "M1"}, "samples": samples})
        with CaptureQueriesContext(connection) as queries:
            assert _post(secret, world.p1.pk, body).status_code == 200
        return [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]

    post("Acme")
    assert DeviceSource.objects.values_list("make", "model").get(key="w") == ("Acme", "M1")
    assert not [sql for sql in post("Acme") if "devices_devicesource" in sql]
    assert [sql for sql in post("Acme 2") if "devices_devicesource" in sql]
    assert DeviceSource.objects.values_list("make", "model").get(key="w") == ("Acme 2", "M1")


def test_a_large_batch_with_bad_samples_is_rejected_whole_naming_each(world, monkeypatch):
    secret = device_token(world.patient_user, world.p1)
    samples = [
        {
            "type": "heart_rate",
            "unit": "bpm",
            "value": 60 + i % 50,
            "start": (BASE + timedelta(seconds=i)).isoformat(),
        }
        for i in range(7000)
    ]
    bad = [dict(s) for s in samples]
    bad[3]["value"] = 500
    bad[2600]["unit"] = "count"
    bad[6999]["start"] = "2026-03-02T08:00:00"
    parts: list[int] = []
    validate = services.validate_samples

    def spy(records, **kwargs):
        parts.append(kwargs.get("first_index", 0))
        return validate(records, **kwargs)

    monkeypatch.setattr(services, "validate_samples", spy)
    body = {"source": {"key": "fresh", "make": "Acme"}, "samples": bad}
    resp = _post(secret, world.p1.pk, json.dumps(body))
    assert resp.status_code == 422
    error = resp.json()["error"]
    assert error["message"].startswith("3 of 7000")
    assert [f["field"] for f in error["fields"]] == [
        "samples[3].value",
        "samples[2600].unit",
        "samples[6999].start",
    ]
    # Nothing of it stays: no samples, no new source, no audit row of a stored batch.
    assert not Sample.objects.filter(patient=world.p1).exists()
    assert not DeviceSource.objects.filter(key="fresh").exists()
    assert not AuditEvent.objects.filter(object_type="SampleBatch").exists()
    # PostgreSQL validates a large batch in parts while it inserts; SQLite validates first.
    streamed = connection.vendor == "postgresql"
    assert parts == ([0, 2500, 5000] if streamed else [0])
    body["samples"] = samples
    assert _post(secret, world.p1.pk, json.dumps(body)).json()["new"] == 7000
    ids = {"fresh": DeviceSource.objects.get(key="fresh").pk}
    assert _stored(world.p1) == _expected_rows([s | {"source": "fresh"} for s in samples], ids)
    assert AuditEvent.objects.filter(object_type="SampleBatch").count() == 1


@pytest.mark.parametrize("reader", ["columns", "general"])
def test_both_json_readers_store_the_same_rows_and_name_the_same_errors(world, monkeypatch, reader):
    """The typed column reader (the usual batch) and the general one (anything else) give
    the same answer, the same stored rows and the same error body."""
    if reader == "general":
        monkeypatch.setattr(api, "read_batch", lambda body: None)
    else:  # make sure the column reader is the one used
        seen = []
        real = api.read_batch
        monkeypatch.setattr(api, "read_batch", lambda body: seen.append(1) or real(body))
    secret = device_token(world.patient_user, world.p1)
    samples = [
        {
            "type": ("heart_rate", "steps", "sleep")[i % 3],
            "unit": ("bpm", "count", "stage")[i % 3],
            "value": (60 + i % 50, i % 90, ("light", "deep", "rem")[i % 7 % 3])[i % 3],
            "start": (BASE + timedelta(seconds=30 * i)).isoformat(),
            **({"end": (BASE + timedelta(seconds=30 * i + 29)).isoformat()} if i % 3 else {}),
            **({"source": "ring"} if i % 5 == 0 else {}),
        }
        for i in range(6000)
    ]
    bad = [dict(s) for s in samples]
    bad[10]["value"], bad[4001]["end"] = -3, "2026-03-02T99:00:00Z"
    body = {"source": {"key": "watch", "model": 7}, "samples": bad}
    refused = _post(secret, world.p1.pk, json.dumps(body))
    assert refused.status_code == 422
    assert [f["field"] for f in refused.json()["error"]["fields"]] == [
        "samples[10].value",
        "samples[4001].end",
    ]
    body["samples"] = samples
    stored = _post(secret, world.p1.pk, json.dumps(body))
    assert stored.json() == {
        "received": 6000,
        "new": 6000,
        "duplicates": 0,
        "by_type": {"heart_rate": 2000, "steps": 2000, "sleep": 2000},
    }
    ids = dict(DeviceSource.objects.filter(patient=world.p1).values_list("key", "pk"))
    assert DeviceSource.objects.get(key="watch").model == "7"
    expected = [s if "source" in s else s | {"source": "watch"} for s in samples]
    assert _stored(world.p1) == _expected_rows(expected, ids)
    if reader == "columns":
        assert seen == [1, 1]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the streamed COPY is PostgreSQL's")
def test_a_streamed_batch_needs_no_savepoint_and_a_retry_starts_again_whole(world, monkeypatch):
    secret = device_token(world.patient_user, world.p1)
    samples = [
        {
            "type": "heart_rate",
            "unit": "bpm",
            "value": 55 + i % 60,
            "start": (BASE + timedelta(seconds=2 * i)).isoformat(),
        }
        for i in range(6000)
    ]
    streamed: list[list[str]] = []
    stream_batch = services._stream_batch

    def spy(*args, **kwargs):
        with CaptureQueriesContext(connection) as captured:
            try:
                return stream_batch(*args, **kwargs)
            finally:
                streamed.append([q["sql"].split()[0].upper() for q in captured.captured_queries])

    monkeypatch.setattr(services, "_stream_batch", spy)
    body = {"source": {"key": "w"}, "samples": samples[:3000]}
    assert _post(secret, world.p1.pk, json.dumps(body)).json()["new"] == 3000
    # The COPY went straight into the request's transaction: no savepoint around it.
    assert len(streamed) == 1 and "SAVEPOINT" not in streamed[0]
    body["samples"] = samples  # half stored already: the conflict-safe path, one transaction
    again = _post(secret, world.p1.pk, json.dumps(body)).json()
    assert (again["new"], again["duplicates"]) == (3000, 3000)
    assert len(streamed) == 2  # the streamed try met the stored half and was rolled back
    assert Sample.objects.filter(patient=world.p1).count() == 6000
    audited = AuditEvent.objects.filter(object_type="SampleBatch").order_by("seq")
    assert [e.detail["new"] for e in audited] == [3000, 3000]  # the aborted try left nothing
