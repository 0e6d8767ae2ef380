"""Inputs that answered 500 on POST .../samples now answer 422 with the error body naming the
field and the rule, and store nothing: a body of 100,000 nested arrays (JSON and NDJSON),
a source key "\\ud800" (a lone surrogate no database can store), NUL in a source, a sample
starting in 1969 or 1900."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from tests.devices.factories import device_token, hr_samples

from painpath.devices.models import DeviceSource, Sample

pytestmark = pytest.mark.django_db
DEEP = "[" * 100_000 + "]" * 100_000


def send(world, body: str, content_type: str = "application/json"):
    secret = device_token(world.patient_user, world.p1)
    return Client().post(
        f"/api/v1/patients/{world.p1.pk}/samples",
        body,
        content_type=content_type,
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )


def fields_of(resp) -> dict[str, str]:
    assert resp.status_code == 422, resp.content
    error = resp.json()["error"]
    assert error["code"] == "invalid" and error["message"]
    return {f["field"]: f["message"] for f in error["fields"]}


@pytest.mark.parametrize(
    "body",
    [DEEP, '{"samples": ' + DEEP + "}", '{"source": {"key": "w"}, "samples": [' + DEEP + "]}"],
)
def test_deeply_nested_bodies_are_refused(world, body):
    assert fields_of(send(world, body)) == {"body": "JSON nested deeper than 64 levels"}
    assert not Sample.objects.exists()


def test_a_deeply_nested_ndjson_line_is_refused(world):
    line = json.dumps(hr_samples(1)[0] | {"source": "w"})
    fields = fields_of(send(world, f"{line}\n{DEEP}\n", "application/x-ndjson"))
    assert fields == {"line 2": "JSON nested deeper than 64 levels"}
    assert not Sample.objects.exists()


def test_nesting_that_orjson_reads_is_still_refused_by_validation_not_a_crash(world):
    body = "[" * 500 + json.dumps(hr_samples(1)[0]) + "]" * 500
    fields = fields_of(send(world, body))
    assert fields == {"samples[0].sample": "must be a JSON object"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('{"source": {"key": "\\ud800"}, "samples": %s}', "source.key"),
        ('{"source": {"key": "w\\u0000"}, "samples": %s}', "source.key"),
        ('{"source": {"key": "w", "make": "\\udfff"}, "samples": %s}', "source.make"),
        ('{"source": {"key": "w", "model": "%s"}, "samples": %%s}' % ("m" * 101), "source.model"),
    ],
)
def test_a_described_source_that_cannot_be_stored_is_refused(world, body, field):
    fields = fields_of(send(world, body % json.dumps(hr_samples(2))))
    assert list(fields) == [field]
    assert "without control characters or unpaired surrogates" in fields[field]
    assert not Sample.objects.exists() and not DeviceSource.objects.exists()


@pytest.mark.parametrize("source", ["\ud800", "band\x00", "a\nb"])
def test_a_samples_own_source_that_cannot_be_stored_is_refused(world, source):
    samples = [s | {"source": "w"} for s in hr_samples(3)]
    samples[1]["source"] = source
    fields = fields_of(send(world, json.dumps(samples)))  # json.dumps escapes the surrogate
    assert list(fields) == ["samples[1].source"]
    assert not Sample.objects.exists()


@pytest.mark.parametrize(
    "start", ["1969-12-31T23:00:00+00:00", "1900-01-01T00:00:00+00:00", "1999-12-31T23:59:59Z"]
)
def test_samples_before_2000_are_refused(world, start):
    samples = [s | {"source": "w"} for s in hr_samples(3)]
    samples[2]["start"] = start
    fields = fields_of(send(world, json.dumps(samples)))
    assert fields == {"samples[2].start": "must not be before 2000-01-01"}
    assert not Sample.objects.exists()


def test_the_first_moment_of_2000_is_accepted(world):
    sample = hr_samples(1)[0] | {"source": "w", "start": "2000-01-01T00:00:00Z"}
    resp = send(world, json.dumps([sample]))
    assert resp.status_code == 200, resp.content
    assert Sample.objects.count() == 1
