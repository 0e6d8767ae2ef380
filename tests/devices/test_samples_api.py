"""POST /api/v1/patients/{id}/samples: validation, atomicity, idempotency, limits, access."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone
from tests.devices.factories import device_token, hr_samples, step_samples

from painpath.accounts.tokens import issue_token
from painpath.audit.models import AuditEvent
from painpath.devices import services
from painpath.devices.models import DailySummary, DeviceSource, Sample

pytestmark = pytest.mark.django_db


def url(patient_id: int) -> str:
    return f"/api/v1/patients/{patient_id}/samples"


def post(client: Client, patient_id: int, body: object, **extra: str):
    return client.post(url(patient_id), json.dumps(body), content_type="application/json", **extra)


def bearer(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_batch_is_stored_and_resending_it_stores_nothing_new(world):
    secret = device_token(world.patient_user, world.p1)
    body = {
        "source": {"key": "watch-1", "make": "Acme", "model": "W1"},
        "samples": hr_samples(50) + step_samples(30),
    }
    first = post(Client(), world.p1.pk, body, **bearer(secret))
    assert first.status_code == 200, first.content
    assert first.json() == {
        "received": 80,
        "new": 80,
        "duplicates": 0,
        "by_type": {"heart_rate": 50, "steps": 30},
    }
    again = post(Client(), world.p1.pk, body, **bearer(secret))
    assert again.json()["new"] == 0 and again.json()["duplicates"] == 80
    assert Sample.objects.filter(patient=world.p1).count() == 80
    source = DeviceSource.objects.get(patient=world.p1, key="watch-1")
    assert (source.make, source.model) == ("Acme", "W1")
    assert AuditEvent.objects.filter(object_type="SampleBatch", patient_id=world.p1.pk).count() == 2


def test_ndjson_batch_and_duplicates_inside_one_batch(world):
    secret = device_token(world.patient_user, world.p1)
    lines = [dict(s, source="ring") for s in hr_samples(10)]
    lines.append(lines[0])  # sent twice in the same batch
    body = "\n".join(json.dumps(x) for x in lines) + "\n"
    resp = Client().post(
        url(world.p1.pk), body, content_type="application/x-ndjson", **bearer(secret)
    )
    assert resp.status_code == 200, resp.content
    assert resp.json()["new"] == 10 and resp.json()["duplicates"] == 1


@pytest.mark.parametrize(
    ("change", "field", "rule"),
    [
        ({"type": "blood_sugar"}, "type", "must be one of"),
        ({"unit": "bps"}, "unit", "must be bpm"),
        ({"value": 400}, "value", "out of plausible range"),
        ({"value": "fast"}, "value", "finite number"),
        ({"start": "2026-03-02T06:00:00"}, "start", "time zone offset"),
        ({"start": "yesterday"}, "start", "ISO 8601"),
        ({"start": (timezone.now() + timedelta(hours=1)).isoformat()}, "start", "future"),
        ({"end": "2026-03-02T05:00:00+00:00"}, "end", "before start"),
    ],
)
def test_one_bad_sample_rejects_the_whole_batch(world, change, field, rule):
    samples = hr_samples(20)
    samples[7] = {**samples[7], **change}
    resp = post(
        Client(),
        world.p1.pk,
        {"source": {"key": "w"}, "samples": samples},
        **bearer(device_token(world.patient_user, world.p1)),
    )
    assert resp.status_code == 422
    fields = resp.json()["error"]["fields"]
    assert fields[0]["field"] == f"samples[7].{field}"
    assert rule in fields[0]["message"]
    assert not Sample.objects.exists()


def test_steps_faster_than_humanly_possible_and_interval_types_need_an_end(world):
    steps = step_samples(2)
    steps[0]["value"] = 1000  # in one minute
    del steps[1]["end"]
    resp = post(
        Client(),
        world.p1.pk,
        {"source": {"key": "w"}, "samples": steps},
        **bearer(device_token(world.patient_user, world.p1)),
    )
    fields = {f["field"]: f["message"] for f in resp.json()["error"]["fields"]}
    assert "per second" in fields["samples[0].value"]
    assert "required" in fields["samples[1].end"]


def test_oversized_batch_is_413_with_the_limit(world):
    secret = device_token(world.patient_user, world.p1)
    sample = json.dumps(hr_samples(1)[0] | {"source": "w"})
    body = "\n".join([sample] * (services.MAX_BATCH + 1))
    resp = Client().post(
        url(world.p1.pk), body, content_type="application/x-ndjson", **bearer(secret)
    )
    assert resp.status_code == 413
    assert "100000" in resp.json()["error"]["message"]


def test_malformed_json_is_422(world):
    resp = Client().post(
        url(world.p1.pk),
        "{nope",
        content_type="application/json",
        **bearer(device_token(world.patient_user, world.p1)),
    )
    assert resp.status_code == 422
    assert resp.json()["error"]["fields"][0]["field"] == "body"


def test_scoped_token_posts_only_its_patients_samples_and_nothing_else(world):
    secret = device_token(world.patient_user, world.p1)
    assert Client().get("/api/v1/patients", **bearer(secret)).status_code == 401
    assert Client().get(f"/api/v1/patients/{world.p1.pk}", **bearer(secret)).status_code == 401
    other = post(
        Client(), world.p2.pk, {"source": {"key": "w"}, "samples": hr_samples(1)}, **bearer(secret)
    )
    assert other.status_code == 401


def test_unscoped_tokens_and_sessions_follow_the_access_policy(world, as_user):
    body = {"source": {"key": "w"}, "samples": hr_samples(3)}
    plain = issue_token(user=world.patient_user, name="plain").secret
    assert post(Client(), world.p1.pk, body, **bearer(plain)).status_code == 200
    # A clinician can see p1 but does not report the patient's own data: 403.
    assert post(as_user(world.dr_a), world.p1.pk, body).status_code == 403
    # A clinician of another clinic cannot see p1: 404.
    assert post(as_user(world.dr_other), world.p1.pk, body).status_code == 404
    # The patient cannot post for someone else: 404.
    assert post(as_user(world.patient_user), world.p2.pk, body).status_code == 404
    assert post(Client(), world.p1.pk, body).status_code == 401


def test_ndjson_parse_errors_name_the_line(world):
    lines = [json.dumps(dict(s, source="ring")) for s in hr_samples(3)]
    lines.insert(2, "{not json")
    resp = Client().post(
        url(world.p1.pk),
        "\n".join(lines),
        content_type="application/x-ndjson",
        **bearer(device_token(world.patient_user, world.p1)),
    )
    assert resp.status_code == 422
    error = resp.json()["error"]
    assert "Line 3" in error["message"] and error["fields"][0]["field"] == "line 3"
    assert not Sample.objects.exists()


def test_a_non_numeric_patient_id_is_a_clean_error(world):
    scoped = bearer(device_token(world.patient_user, world.p1))
    resp = Client().post(
        "/api/v1/patients/abc/samples", "[]", content_type="application/json", **scoped
    )
    assert resp.status_code == 422  # was a 500 (int("abc") in the token check)
    assert resp.json()["error"]["fields"] == [
        {"field": "patient_id", "message": "Must be a whole number."}
    ]
    plain = bearer(issue_token(user=world.dr_a, name="t").secret)
    resp = Client().get("/api/v1/patients/abc/daily-summaries", **plain)
    assert resp.status_code in {404, 422} and "error" in resp.json()


def test_ingest_queues_a_refresh_of_only_the_touched_days(world, monkeypatch, run_tasks):
    calls: list[list] = []
    original = services.refresh_daily_summaries

    def spy(*, patient_ids, days):
        calls.append([list(patient_ids), sorted(days)])
        return original(patient_ids=patient_ids, days=days)

    monkeypatch.setattr(services, "refresh_daily_summaries", spy)
    secret = device_token(world.patient_user, world.p1)
    body = {"source": {"key": "w"}, "samples": step_samples(30)}  # 06:00-06:30 UTC, 2 March
    with run_tasks():
        assert post(Client(), world.p1.pk, body, **bearer(secret)).status_code == 200
    # 06:00 UTC is 01:00 in New York, the same local day; its night ends at noon that day.
    assert calls == [[[world.p1.pk], [date(2026, 3, 2)]]]
    (summary,) = DailySummary.objects.filter(patient=world.p1)
    assert summary.day == date(2026, 3, 2)
    assert summary.steps == sum(90 + i % 30 for i in range(30))
    with run_tasks():
        post(Client(), world.p1.pk, body, **bearer(secret))  # duplicates only
    assert len(calls) == 1  # nothing new, nothing to refresh


def test_rollups_of_touched_days_are_recomputed(world):
    secret = device_token(world.patient_user, world.p1)
    post(
        Client(),
        world.p1.pk,
        {"source": {"key": "w"}, "samples": step_samples(120)},
        **bearer(secret),
    )
    n = services.refresh_daily_summaries(patient_ids=[world.p1.pk], days=[date(2026, 3, 2)])
    assert n == 1
    summary = DailySummary.objects.get(patient=world.p1)
    assert summary.steps == sum(90 + i % 30 for i in range(120))
    resp = Client().get(
        f"/api/v1/patients/{world.p1.pk}/daily-summaries?start=2026-03-01&end=2026-03-03",
        **bearer(issue_token(user=world.dr_a, name="t").secret),
    )
    assert resp.status_code == 200 and resp.json()[0]["steps"] == summary.steps
    assert (
        Client()
        .get(
            f"/api/v1/patients/{world.p1.pk}/daily-summaries",
            **bearer(issue_token(user=world.dr_other, name="t").secret),
        )
        .status_code
        == 404
    )


@pytest.mark.django_db(transaction=True)
def test_bulk_insert_outside_a_transaction_keeps_every_row_and_skips_duplicates(world):
    # Autocommit must not split COPY from INSERT on PostgreSQL (the staging table empties on
    # commit); on SQLite the same call must behave identically.
    from painpath.devices.bulk import insert_samples

    source = DeviceSource.objects.create(patient=world.p1, key="bulk-test")
    rows = [(world.p1.pk, 1, 1_700_000_000_000 + i * 60_000, 0, source.pk, 60.0) for i in range(50)]
    assert insert_samples(rows) == 50
    assert insert_samples(rows[:10]) == 0
    assert Sample.objects.filter(patient=world.p1).count() == 50
