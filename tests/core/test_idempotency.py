"""Idempotency-Key on API writes: a retry gets the first answer and stores nothing twice; the
same key with another request is refused; twenty parallel copies store one row."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.utils import timezone

from painpath.accounts.tokens import issue_token
from painpath.assessments.models import QuestionnaireResponse
from painpath.audit.models import AuditEvent
from painpath.core.models import IdempotencyKey
from painpath.patients.models import Condition

RESPONSES = "/api/v1/questionnaires/responses"
GAD7 = {"instrument": "gad7", "answers": [1, 1, 1, 1, 1, 1, 1]}


def _bearer(user) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_token(user=user, name='idem').secret}"}


def _post(client, url, body, key=None, **headers):
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


@pytest.mark.django_db
def test_a_retry_gets_the_first_answer_and_stores_nothing_twice(world):
    client, auth = Client(), _bearer(world.patient_user)
    first = _post(client, RESPONSES, GAD7, "form-1", **auth)
    again = _post(client, RESPONSES, GAD7, "form-1", **auth)
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert QuestionnaireResponse.objects.count() == 1
    assert AuditEvent.objects.filter(object_type="QuestionnaireResponse").count() == 1
    # without a key each request is its own
    _post(client, RESPONSES, GAD7, **auth)
    assert QuestionnaireResponse.objects.count() == 2


@pytest.mark.django_db
def test_the_same_key_with_another_request_is_refused(world):
    client, auth = Client(), _bearer(world.patient_user)
    assert _post(client, RESPONSES, GAD7, "form-2", **auth).status_code == 201
    other = _post(client, RESPONSES, {**GAD7, "answers": [2] * 7}, "form-2", **auth)
    assert other.status_code == 422
    assert other.json()["error"]["fields"] == [
        {"field": "Idempotency-Key", "message": "Use a new key for a new request."}
    ]
    elsewhere = _post(
        client, f"/api/v1/patients/{world.p1.pk}/conditions", {"display": "x"}, "form-2", **auth
    )
    assert elsewhere.status_code == 422  # same key, another path
    assert QuestionnaireResponse.objects.count() == 1


@pytest.mark.django_db
def test_a_failed_request_releases_its_key(world):
    client, auth = Client(), _bearer(world.patient_user)
    bad = _post(client, RESPONSES, {**GAD7, "answers": [9] * 7}, "form-3", **auth)
    assert bad.status_code == 422
    assert not IdempotencyKey.objects.exists()
    good = _post(client, RESPONSES, GAD7, "form-3", **auth)
    assert good.status_code == 201 and "Idempotent-Replayed" not in good


@pytest.mark.django_db
def test_keys_belong_to_their_user(world):
    client = Client()
    clinician, nurse = _bearer(world.dr_a), _bearer(world.nurse)
    body = {"display": "Knee pain", "icd10_code": "M25.561"}
    url = f"/api/v1/patients/{world.p1.pk}/conditions"
    assert _post(client, url, body, "same", **clinician).status_code == 201
    assert _post(client, url, body, "same", **nurse).status_code == 201
    assert Condition.objects.filter(display="Knee pain").count() == 2


@pytest.mark.django_db
def test_browser_sessions_use_keys_too(world, as_user):
    client = as_user(world.patient_user)
    first = _post(client, RESPONSES, GAD7, "tab-1")
    again = _post(client, RESPONSES, GAD7, "tab-1")
    assert again.content == first.content and again["Idempotent-Replayed"] == "true"
    assert QuestionnaireResponse.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "has space", "é", "x" * 256])
def test_a_malformed_key_is_refused(world, key):
    response = _post(Client(), RESPONSES, GAD7, key, **_bearer(world.patient_user))
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["field"] == "Idempotency-Key"
    assert not QuestionnaireResponse.objects.exists()


@pytest.mark.django_db
def test_keys_expire(world, settings):
    settings.IDEMPOTENCY_KEY_TTL_HOURS = 24
    client, auth = Client(), _bearer(world.patient_user)
    _post(client, RESPONSES, GAD7, "daily", **auth)
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        later = _post(client, RESPONSES, GAD7, "daily", **auth)
    assert later.status_code == 201 and "Idempotent-Replayed" not in later
    assert QuestionnaireResponse.objects.count() == 2
    assert IdempotencyKey.objects.count() == 1  # the expired one was cleared


@pytest.mark.django_db
def test_file_uploads_are_fingerprinted_by_their_content(world):
    client, auth = Client(), _bearer(world.dr_a)
    url = f"/api/v1/genomics/patients/{world.p1.pk}/uploads"

    def upload(text: bytes, key: str):
        csv = SimpleUploadedFile("lab.csv", text, content_type="text/csv")
        return client.post(url, {"file": csv}, HTTP_IDEMPOTENCY_KEY=key, **auth)

    first = upload(b"gene,diplotype\nCYP2C19,*1/*2\n", "lab-1")
    again = upload(b"gene,diplotype\nCYP2C19,*1/*2\n", "lab-1")
    assert 200 <= first.status_code < 300, first.content
    assert again.content == first.content and again["Idempotent-Replayed"] == "true"
    other = upload(b"gene,diplotype\nCYP2C19,*2/*2\n", "lab-1")
    assert other.status_code == 422


@pytest.mark.django_db
def test_the_openapi_schema_documents_the_header(client):
    schema = client.get("/api/v1/openapi.json").json()
    post = schema["paths"]["/api/v1/questionnaires/responses"]["post"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in post["parameters"])
    get = schema["paths"]["/api/v1/questionnaires/responses"]["get"]
    assert all(p["name"] != "Idempotency-Key" for p in get.get("parameters", []))


@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_copies_store_one_row(world):
    if connection.vendor != "postgresql":
        pytest.skip(
            "the in-memory SQLite test database's shared cache refuses concurrent writers "
            "instead of queueing them; run with DATABASE_URL=postgres://..."
        )
    auth = _bearer(world.patient_user)
    start = threading.Barrier(20)
    answers: list[tuple[int, bytes]] = []
    lock = threading.Lock()

    def send() -> None:
        try:
            start.wait()
            response = _post(Client(), RESPONSES, GAD7, "burst-1", **auth)
            with lock:
                answers.append((response.status_code, response.content))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(answers) == 20
    assert {status for status, _ in answers} == {201}
    assert len({body for _, body in answers}) == 1
    assert QuestionnaireResponse.objects.count() == 1
    assert AuditEvent.objects.filter(object_type="QuestionnaireResponse").count() == 1
