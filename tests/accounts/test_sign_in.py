"""Sign-in, lockout after repeated failures, password change and reset."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _login(client: Client, username: str, password: str):
    return client.post(
        "/login/", {"username": username, "password": password}, REMOTE_ADDR="10.0.0.9"
    )


def test_sign_in_lands_on_role_home(world):
    client = Client()
    response = _login(client, "dr_a", PASSWORD)
    assert response.status_code == 302
    assert client.get("/").headers["Location"] == "/alerts/triage/"


def test_wrong_password_is_refused_without_saying_which_part(world):
    response = _login(Client(), "dr_a", "wrong-password")
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_lockout_after_five_failures_even_with_the_right_password(world, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "dr_a", "wrong-password")
    response = _login(client, "dr_a", PASSWORD)
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # four failures are not enough
    other = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(other, "nurse", "wrong-password")
    assert _login(other, "nurse", PASSWORD).status_code == 302


def test_password_change(world, as_user):
    client = as_user(world.dr_a)
    response = client.post(
        "/password/change/",
        {
            "old_password": PASSWORD,
            "new_password1": "a-much-better-secret",
            "new_password2": "a-much-better-secret",
        },
    )
    assert response.status_code == 302
    world.dr_a.refresh_from_db()
    assert world.dr_a.check_password("a-much-better-secret")


def test_password_reset_by_email_link(world):
    world.dr_a.email = "dr.a@example.org"
    world.dr_a.save()
    client = Client()
    response = client.post("/password/reset/", {"email": "dr.a@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert "Set a new password" in form_page.content.decode()
    post_url = form_page.redirect_chain[-1][0]
    done = client.post(
        post_url, {"new_password1": "reset-secret-2026", "new_password2": "reset-secret-2026"}
    )
    assert done.status_code == 302
    world.dr_a.refresh_from_db()
    assert world.dr_a.check_password("reset-secret-2026")


def test_unknown_email_sends_nothing_but_looks_the_same(world):
    response = Client().post("/password/reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_logout_needs_post(world, as_user):
    client = as_user(world.dr_a)
    assert client.get("/logout/").status_code == 405
    assert client.post("/logout/").status_code == 302
    assert client.get("/patients/").status_code == 302
