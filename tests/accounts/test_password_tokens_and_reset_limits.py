"""A new password (changed or reset) ends the user's API tokens unless they keep them; reset
mail is limited per address and per client, without revealing which addresses exist."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone
from tests.factories import PASSWORD

from painpath.accounts.models import ApiToken
from painpath.accounts.tokens import authenticate_token, issue_token

pytestmark = pytest.mark.django_db

NEW = "a-much-better-secret"


def _api_status(secret: str) -> int:
    return Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code


def _change(client, **extra):
    return client.post(
        "/password/change/",
        {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW, **extra},
    )


def test_a_password_change_revokes_the_users_tokens(world, as_user):
    mine = issue_token(user=world.patient_user, name="script").secret
    device = issue_token(user=world.patient_user, name="watch", patient_id=world.p1.pk).secret
    theirs = issue_token(user=world.dr_a, name="other").secret
    assert _api_status(mine) == 200
    assert _change(as_user(world.patient_user)).status_code == 302
    assert _api_status(mine) == 401
    assert authenticate_token(device, scope_patient_id=world.p1.pk) is None
    assert _api_status(theirs) == 200  # another user's tokens are untouched
    assert ApiToken.objects.filter(user=world.patient_user, revoked_at__isnull=True).count() == 0


def test_a_password_change_can_keep_the_tokens(world, as_user):
    mine = issue_token(user=world.dr_a, name="script").secret
    assert _change(as_user(world.dr_a), keep_api_tokens="on").status_code == 302
    world.dr_a.refresh_from_db()
    assert world.dr_a.check_password(NEW)
    assert _api_status(mine) == 200


def test_a_refused_password_change_revokes_nothing(world, as_user):
    mine = issue_token(user=world.dr_a, name="script").secret
    page = as_user(world.dr_a).post(
        "/password/change/",
        {"old_password": "wrong", "new_password1": NEW, "new_password2": NEW},
    )
    assert page.status_code == 200
    assert _api_status(mine) == 200


def test_the_change_form_offers_the_choice(world, as_user):
    page = as_user(world.dr_a).get("/password/change/").content.decode()
    assert 'name="keep_api_tokens"' in page
    assert "Keep my API and device tokens working" in page


def _reset(world, *, keep: bool) -> str:
    world.dr_a.email = "dr.a@example.org"
    world.dr_a.save()
    secret = issue_token(user=world.dr_a, name="script").secret
    client = Client()
    client.post("/password/reset/", {"email": "dr.a@example.org"})
    link = re.search(r"http://testserver(/password/reset/\S+/)", mail.outbox[-1].body).group(1)
    form_page = client.get(link, follow=True)
    assert 'name="keep_api_tokens"' in form_page.content.decode()
    data = {"new_password1": "reset-secret-2026", "new_password2": "reset-secret-2026"}
    if keep:
        data["keep_api_tokens"] = "on"
    done = client.post(form_page.redirect_chain[-1][0], data)
    assert done.status_code == 302
    return secret


def test_a_password_reset_revokes_the_tokens(world):
    assert _api_status(_reset(world, keep=False)) == 401


def test_a_password_reset_can_keep_the_tokens(world):
    assert _api_status(_reset(world, keep=True)) == 200


# --- reset mail limits ---------------------------------------------------------------------


def _ask(address: str, ip: str = "10.0.0.1"):
    return Client().post("/password/reset/", {"email": address}, REMOTE_ADDR=ip)


def test_reset_mail_is_limited_per_address(world, settings):
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 3
    world.dr_a.email = "dr.a@example.org"
    world.dr_a.save()
    answers = [_ask("dr.a@example.org", ip=f"10.0.0.{i}").status_code for i in range(1, 16)]
    assert answers == [302] * 3 + [429] * 12
    assert len(mail.outbox) == 3
    refused = _ask("DR.A@example.org ", ip="10.0.0.99")  # the same address, written otherwise
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 3500
    assert "Too many requests; try again in 60 minutes." in refused.content.decode()
    assert _ask("nurse@example.org").status_code == 302  # another address is not affected
    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        assert _ask("dr.a@example.org").status_code == 302
    assert len(mail.outbox) == 4


def test_reset_requests_are_limited_per_client(world, settings):
    settings.PASSWORD_RESET_LIMIT_PER_CLIENT = 10
    answers = [_ask(f"user{i}@example.org", ip="10.9.9.9").status_code for i in range(12)]
    assert answers == [302] * 10 + [429] * 2
    assert _ask("someone@example.org", ip="10.9.9.8").status_code == 302


def test_the_limit_does_not_reveal_which_addresses_exist(world, settings):
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 2
    world.dr_a.email = "dr.a@example.org"
    world.dr_a.save()
    known = [_ask("dr.a@example.org", ip=f"10.1.0.{i}").status_code for i in range(3)]
    unknown = [_ask("nobody@example.org", ip=f"10.2.0.{i}").status_code for i in range(3)]
    assert known == unknown == [302, 302, 429]


def test_behind_a_trusted_proxy_each_client_has_its_own_limit(world, settings):
    settings.PASSWORD_RESET_LIMIT_PER_CLIENT = 2
    settings.TRUST_X_FORWARDED_FOR = True

    def via_proxy(address: str, forwarded: str):
        return Client().post(
            "/password/reset/",
            {"email": address},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=forwarded,
        )

    assert [via_proxy(f"a{i}@example.org", "203.0.113.7").status_code for i in range(3)] == [
        302,
        302,
        429,
    ]
    assert via_proxy("b@example.org", "spoofed, 203.0.113.8").status_code == 302
    # a value that is no address counts as the proxy itself
    assert via_proxy("c@example.org", "not-an-ip").status_code == 302
    assert via_proxy("d@example.org", "").status_code == 302
    assert via_proxy("e@example.org", "garbage").status_code == 429
