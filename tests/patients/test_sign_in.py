"""A patient gets their own sign-in: invited by their clinician or administrator by e-mail."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from painpath.accounts.models import User
from painpath.audit.models import AuditEvent

pytestmark = pytest.mark.django_db(transaction=True)  # the e-mail leaves on commit


def test_clinician_invites_the_patient_who_sets_a_password_and_signs_in(world, as_user):
    response = as_user(world.dr_a).post(
        f"/patients/{world.p2.pk}/invite/", {"username": "grace.h", "email": "grace@example.org"}
    )
    assert response.status_code == 302
    account = User.objects.get(username="grace.h")
    assert account.role == "patient" and account.clinic == world.clinic_a
    assert not account.has_usable_password()
    world.p2.refresh_from_db()
    assert world.p2.user == account
    assert AuditEvent.objects.filter(patient_id=world.p2.pk, detail__linked_user="grace.h").exists()
    (message,) = mail.outbox
    assert message.to == ["grace@example.org"] and "grace.h" in message.body
    link = re.search(r"http://testserver(/password/reset/\S+)", message.body).group(1)
    patient = Client()
    form_page = patient.get(link, follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0]
    done = patient.post(
        set_url, {"new_password1": "Sunny-garden-path-7", "new_password2": "Sunny-garden-path-7"}
    )
    assert done.status_code == 302
    account.refresh_from_db()
    assert account.check_password("Sunny-garden-path-7")
    signed_in = Client().post("/login/", {"username": "grace.h", "password": "Sunny-garden-path-7"})
    assert signed_in.status_code == 302 and signed_in.url == "/"


def test_invite_errors_name_the_field_and_create_nothing(world, as_user):
    client = as_user(world.dr_a)
    bad_email = client.post(f"/patients/{world.p2.pk}/invite/", {"username": "g", "email": "no"})
    assert (
        bad_email.status_code == 422 and "Enter a valid email address" in bad_email.content.decode()
    )
    taken = client.post(
        f"/patients/{world.p2.pk}/invite/", {"username": "dr_b", "email": "g@example.org"}
    )
    assert taken.status_code == 422 and "Already taken" in taken.content.decode()
    linked = client.post(
        f"/patients/{world.p1.pk}/invite/", {"username": "again", "email": "a@example.org"}
    )
    assert linked.status_code == 422 and "Already linked" in linked.content.decode()
    assert not User.objects.filter(username__in=["g", "again"]).exists()
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("who", "status"), [("dr_b", 404), ("dr_other", 404), ("patient_user", 404)]
)
def test_invite_follows_the_access_policy(world, as_user, who, status):
    response = as_user(getattr(world, who)).post(
        f"/patients/{world.p2.pk}/invite/", {"username": "sneaky", "email": "s@example.org"}
    )
    assert response.status_code == status
    assert not User.objects.filter(username="sneaky").exists()


def test_chart_offers_the_invitation_only_without_a_sign_in(world, as_user):
    client = as_user(world.dr_a)
    assert "Give the patient a sign-in" in client.get(f"/patients/{world.p2.pk}/").content.decode()
    assert (
        "Give the patient a sign-in" not in client.get(f"/patients/{world.p1.pk}/").content.decode()
    )
