"""Patient pages: the same policy as the API, as HTML (404 hides, 403 refuses)."""

from __future__ import annotations

import pytest

from painpath.audit.models import AuditEvent
from painpath.patients.models import Patient

pytestmark = pytest.mark.django_db


def test_clinician_patient_list_shows_exactly_their_patients(world, as_user):
    response = as_user(world.dr_a).get("/patients/")
    html = response.content.decode()
    assert "Lovelace" in html and "Hopper" in html
    assert "Turing" not in html and "Person" not in html
    assert "SYNTHETIC" in html


def test_search_returns_the_rows_fragment_for_htmx(world, as_user):
    response = as_user(world.nurse).get("/patients/", {"q": "turing"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html  # a fragment, swapped into the page
    assert "Turing" in html and "Lovelace" not in html


def test_patient_home_is_their_own_record(world, as_user):
    response = as_user(world.patient_user).get("/", follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == "/patients/me/"
    assert "Hello, Ada" in html and world.p1.mrn in html
    assert AuditEvent.objects.filter(
        patient_id=world.p1.pk, actor=world.patient_user, action="read"
    ).exists()


@pytest.mark.parametrize(
    ("who", "whom"),
    [("dr_a", "p3"), ("dr_a", "p_other"), ("patient_user", "p2"), ("admin_a", "p_other")],
)
def test_denied_chart_is_404(world, as_user, who, whom):
    response = as_user(getattr(world, who)).get(f"/patients/{getattr(world, whom).pk}/")
    assert response.status_code == 404
    assert getattr(world, whom).family_name not in response.content.decode()


def test_patient_cannot_open_or_post_the_edit_form(world, as_user):
    client = as_user(world.patient_user)
    url = f"/patients/{world.p1.pk}/edit/"
    assert client.get(url).status_code == 403
    response = client.post(
        url,
        {
            "mrn": "X1",
            "given_name": "Eve",
            "family_name": "L",
            "date_of_birth": "1970-01-01",
            "sex": "female",
        },
    )
    assert response.status_code == 403
    world.p1.refresh_from_db()
    assert world.p1.given_name == "Ada"


def test_edit_of_invisible_patient_is_404(world, as_user):
    response = as_user(world.dr_a).post(f"/patients/{world.p3.pk}/edit/", {"given_name": "Eve"})
    assert response.status_code == 404


def test_clinician_edits_with_field_errors_shown(world, as_user):
    client = as_user(world.dr_a)
    url = f"/patients/{world.p2.pk}/edit/"
    form = {
        "mrn": world.p1.mrn,
        "given_name": "Grace",
        "family_name": "Hopper",
        "date_of_birth": "1906-12-09",
        "sex": "female",
        "timezone": "",
    }
    response = client.post(url, form)
    assert response.status_code == 200
    assert "Already used in this clinic." in response.content.decode()
    response = client.post(url, {**form, "mrn": "NEW-1"})
    assert response.status_code == 302
    assert Patient.objects.get(pk=world.p2.pk).mrn == "NEW-1"


def test_registration_form_creates_and_redirects(world, as_user):
    response = as_user(world.dr_b).post(
        "/patients/new/",
        {
            "mrn": "NEW-2",
            "given_name": "Katherine",
            "family_name": "Johnson",
            "date_of_birth": "1918-08-26",
            "sex": "female",
            "timezone": "America/Chicago",
        },
    )
    patient = Patient.objects.get(mrn="NEW-2")
    assert response.status_code == 302 and response["Location"] == f"/patients/{patient.pk}/"
    assert list(patient.care_teams.all()) == [world.team_2]


def test_patient_cannot_register_patients(world, as_user):
    assert as_user(world.patient_user).get("/patients/new/").status_code == 403


def test_anonymous_is_sent_to_sign_in(world, client):
    response = client.get(f"/patients/{world.p1.pk}/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
