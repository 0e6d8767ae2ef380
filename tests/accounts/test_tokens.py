"""API tokens: shown once, hashed at rest, revocable, expiring; and the API's 401/CSRF rules."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from painpath.accounts.models import ApiToken
from painpath.accounts.tokens import issue_token
from painpath.core.errors import InvalidInput

pytestmark = pytest.mark.django_db


def _bearer(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_token_is_shown_once_and_only_its_hash_is_stored(world, as_user):
    client = as_user(world.dr_a)
    response = client.post(
        "/api/v1/tokens", json.dumps({"name": "EHR bridge"}), content_type="application/json"
    )
    assert response.status_code == 201
    secret = response.json()["token"]
    stored = ApiToken.objects.get(pk=response.json()["id"])
    assert stored.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in json.dumps(list(ApiToken.objects.values()), default=str)
    listed = client.get("/api/v1/tokens").json()
    assert "token" not in listed[0] and listed[0]["name"] == "EHR bridge"


def test_bearer_token_authenticates_without_session_or_csrf(world):
    secret = issue_token(user=world.dr_a, name="t").secret
    client = Client(enforce_csrf_checks=True)
    me = client.get("/api/v1/me", **_bearer(secret))
    assert me.status_code == 200 and me.json()["username"] == "dr_a"
    patch = client.patch(
        f"/api/v1/patients/{world.p1.pk}",
        json.dumps({"given_name": "Augusta"}),
        content_type="application/json",
        **_bearer(secret),
    )
    assert patch.status_code == 200
    assert ApiToken.objects.get().last_used_at is not None


@pytest.mark.parametrize("mangle", ["wrong", "tampered", "revoked", "expired", "inactive"])
def test_unusable_tokens_get_401(world, mangle):
    issued = issue_token(user=world.dr_a, name="t")
    secret = issued.secret
    if mangle == "wrong":
        secret = "pp_nothing_here"
    elif mangle == "tampered":
        secret = secret[:-2] + ("aa" if not secret.endswith("aa") else "bb")
    elif mangle == "revoked":
        ApiToken.objects.update(revoked_at=timezone.now())
    elif mangle == "expired":
        ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    elif mangle == "inactive":
        world.dr_a.is_active = False
        world.dr_a.save()
    response = Client().get("/api/v1/me", **_bearer(secret))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_revoke_through_api_then_token_stops_working(world, as_user):
    issued = issue_token(user=world.dr_a, name="t")
    response = as_user(world.dr_a).delete(f"/api/v1/tokens/{issued.token.pk}")
    assert response.status_code == 200 and response.json()["revoked_at"] is not None
    assert Client().get("/api/v1/me", **_bearer(issued.secret)).status_code == 401


def test_cannot_revoke_someone_elses_token(world, as_user):
    issued = issue_token(user=world.dr_b, name="theirs")
    response = as_user(world.dr_a).delete(f"/api/v1/tokens/{issued.token.pk}")
    assert response.status_code == 404
    assert ApiToken.objects.get(pk=issued.token.pk).revoked_at is None


def test_token_expiry_must_be_in_the_future(world):
    with pytest.raises(InvalidInput) as caught:
        issue_token(user=world.dr_a, name="t", expires_at=timezone.now() - timedelta(days=1))
    assert [f.field for f in caught.value.fields] == ["expires_at"]


def test_no_credentials_is_401_even_for_writes(world):
    client = Client(enforce_csrf_checks=True)
    assert client.get("/api/v1/patients").status_code == 401
    response = client.post("/api/v1/patients", "{}", content_type="application/json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_session_write_without_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.dr_a)
    response = client.patch(
        f"/api/v1/patients/{world.p1.pk}",
        json.dumps({"given_name": "X"}),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["error"]["message"].startswith("CSRF check failed")
    assert client.get("/api/v1/me").status_code == 200  # reads need no token
    client.get("/account/tokens/")  # any page with a form sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    ok = client.patch(
        f"/api/v1/patients/{world.p1.pk}",
        json.dumps({"given_name": "Augusta"}),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert ok.status_code == 200


def test_tokens_page_shows_the_new_secret_once(world, as_user):
    client = as_user(world.nurse)
    response = client.post("/account/tokens/", {"name": "wearable bridge"})
    html = response.content.decode()
    token = ApiToken.objects.get(user=world.nurse)
    assert f"pp_{token.prefix}_" in html and "will not be shown again" in html
    again = client.get("/account/tokens/").content.decode()
    assert "will not be shown again" not in again
    client.post(f"/account/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_me_describes_the_caller(world, as_user):
    body = as_user(world.patient_user).get("/api/v1/me").json()
    assert body["role"] == "patient" and body["patient_id"] == world.p1.pk
    assert body["clinic"]["slug"] == "clinic-a"


def test_a_token_cannot_mint_more_tokens(world):
    # Otherwise a one-hour token could make itself an everlasting, unrevoked child.
    issued = issue_token(
        user=world.dr_a, name="short", expires_at=timezone.now() + timedelta(hours=1)
    )
    response = Client().post(
        "/api/v1/tokens",
        json.dumps({"name": "child"}),
        content_type="application/json",
        **_bearer(issued.secret),
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
    assert ApiToken.objects.count() == 1


def test_expiry_without_a_time_zone_is_a_field_error(world, as_user):
    response = as_user(world.dr_a).post(
        "/api/v1/tokens",
        json.dumps({"name": "naive", "expires_at": "2030-01-01T10:00:00"}),
        content_type="application/json",
    )
    assert response.status_code == 422
    fields = response.json()["error"]["fields"]
    assert fields[0]["field"] == "expires_at" and "time zone" in fields[0]["message"]
    assert not ApiToken.objects.exists()


def test_token_callers_work_in_their_clinics_time_zone(world, monkeypatch):
    # clinic B is in Europe/London; "today" for its token callers is London's, not the server's
    from painpath.accounts import api as accounts_api

    seen: list[str] = []
    original = accounts_api._user

    def spy(request):
        seen.append(timezone.get_current_timezone_name())
        return original(request)

    monkeypatch.setattr(accounts_api, "_user", spy)
    secret = issue_token(user=world.dr_other, name="t").secret
    assert Client().get("/api/v1/me", **_bearer(secret)).status_code == 200
    assert seen == ["Europe/London"]
