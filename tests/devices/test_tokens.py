"""The patient's device tokens: shown once in the response (never kept in the session),
listed, revocable."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from tests.devices.factories import hr_samples

from painpath.accounts.models import ApiToken
from painpath.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _secret(html: bytes) -> str:
    start = html.index(b'<code class="device-token">') + len(b'<code class="device-token">')
    return html[start : html.index(b"</code>", start)].decode()


def test_token_is_shown_once_in_the_response_and_not_stored_in_the_session(world, as_user):
    client = as_user(world.patient_user)
    resp = client.post("/devices/me/token/", {"name": "My watch"})
    assert resp.status_code == 200
    secret = _secret(resp.content)
    assert secret.startswith("pp_")
    assert resp["Cache-Control"] == "no-store"
    assert all(secret not in str(v) for v in client.session.values())
    again = client.get("/devices/me/")
    assert secret.encode() not in again.content  # shown once
    token = ApiToken.objects.get(user=world.patient_user)
    assert token.patient_id == world.p1.pk and token.name == "My watch"
    assert f"pp_{token.prefix}".encode() in again.content  # listed by its prefix
    assert AuditEvent.objects.filter(object_type="ApiToken", action="create").count() == 1


def test_revoked_token_can_no_longer_post(world, as_user):
    client = as_user(world.patient_user)
    secret = _secret(client.post("/devices/me/token/", {"name": "Ring"}).content)
    body = json.dumps({"source": {"key": "ring"}, "samples": hr_samples(2)})
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    url = f"/api/v1/patients/{world.p1.pk}/samples"
    assert Client().post(url, body, content_type="application/json", **auth).status_code == 200
    token = ApiToken.objects.get(user=world.patient_user)
    assert client.post(f"/devices/me/tokens/{token.pk}/revoke/").status_code == 302
    assert Client().post(url, body, content_type="application/json", **auth).status_code == 401
    page = client.get("/devices/me/")
    assert b"revoked" in page.content


def test_token_name_is_validated_and_others_tokens_cannot_be_revoked(world, as_user):
    client = as_user(world.patient_user)
    resp = client.post("/devices/me/token/", {"name": ""})
    assert resp.status_code == 422 and b'class="device-token"' not in resp.content
    assert not ApiToken.objects.exists()
    other = ApiToken.objects.create(user=world.dr_a, name="x", prefix="abc", secret_hash="0" * 64)
    assert client.post(f"/devices/me/tokens/{other.pk}/revoke/").status_code == 404
    other.refresh_from_db()
    assert other.revoked_at is None
