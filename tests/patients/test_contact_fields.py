"""The patient's phone, preferred language and emergency contact: stored in international form,
bad values refused with the field and the rule (nothing written), on the API and the forms;
and the clinic's crisis settings in Django admin."""

from __future__ import annotations

import json

import pytest

from painpath.accounts.models import Clinic, ClinicCrisisInstruction, ClinicCrisisLine
from painpath.patients.models import Patient

pytestmark = pytest.mark.django_db

NEW = {
    "mrn": "C-100",
    "given_name": "Rosalind",
    "family_name": "Franklin",
    "date_of_birth": "1960-07-25",
    "sex": "female",
}


def _send(client, method, url, body):
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def us(world):
    world.clinic_a.country = "US"
    world.clinic_a.save()
    return world


def test_national_numbers_are_read_in_the_clinics_country_and_stored_international(us, as_user):
    body = {
        **NEW,
        "phone": "(201) 555-0123",
        "preferred_language": "es",
        "emergency_contact_name": "  Ray   Franklin ",
        "emergency_contact_relationship": "brother",
        "emergency_contact_phone": "+44 20 7946 0018",
    }
    response = _send(as_user(us.dr_a), "post", "/api/v1/patients", body)
    assert response.status_code == 201, response.json()
    out = response.json()
    assert out["phone"] == "+12015550123"
    assert out["emergency_contact_phone"] == "+442079460018"
    assert out["emergency_contact_name"] == "Ray Franklin"
    assert out["preferred_language"] == "es"
    patient = Patient.objects.get(pk=out["id"])
    assert patient.phone_display == "+1 201-555-0123" and patient.language == "es"


def test_bad_contact_fields_are_named_with_the_rule_and_nothing_is_written(us, as_user):
    body = {
        **NEW,
        "phone": "12345",
        "preferred_language": "fr",
        "emergency_contact_relationship": "sister",
        "emergency_contact_phone": "call her",
    }
    response = _send(as_user(us.dr_a), "post", "/api/v1/patients", body)
    assert response.status_code == 422
    fields = {f["field"]: f["message"] for f in response.json()["error"]["fields"]}
    assert set(fields) == {
        "phone",
        "preferred_language",
        "emergency_contact_phone",
        "emergency_contact_name",
    }
    assert fields["phone"].startswith("Not a valid phone number for US: use a number such as")
    assert fields["preferred_language"] == "Must be one of: en, es (or empty for English)."
    assert fields["emergency_contact_name"] == "Give the emergency contact's name."
    assert not Patient.objects.filter(mrn="C-100").exists()


def test_without_a_country_a_number_needs_the_international_form(world, as_user):
    response = _send(
        as_user(world.dr_a), "post", "/api/v1/patients", {**NEW, "phone": "2015550123"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == [
        {
            "field": "phone",
            "message": "Not a valid phone number: use the international form starting with + "
            "and the country code, e.g. +1 201 555 0123.",
        }
    ]


def test_patch_checks_the_contact_as_a_whole(us, as_user):
    client = as_user(us.dr_a)
    url = f"/api/v1/patients/{us.p2.pk}"
    response = _send(client, "patch", url, {"emergency_contact_name": "Ann Hopper"})
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["field"] == "emergency_contact_phone"
    ok = _send(
        client,
        "patch",
        url,
        {"emergency_contact_name": "Ann Hopper", "emergency_contact_phone": "212 555 0150"},
    )
    assert ok.status_code == 200 and ok.json()["emergency_contact_phone"] == "+12125550150"
    # clearing only the phone would leave a contact that cannot be called
    response = _send(client, "patch", url, {"emergency_contact_phone": ""})
    assert response.status_code == 422
    us.p2.refresh_from_db()
    assert us.p2.emergency_contact_phone == "+12125550150"


def test_the_edit_form_shows_the_error_next_to_the_field(us, as_user):
    client = as_user(us.dr_a)
    page = client.get(f"/patients/{us.p1.pk}/edit/")
    assert 'name="phone"' in page.content.decode() and 'type="tel"' in page.content.decode()
    form = {
        "mrn": us.p1.mrn,
        "given_name": "Ada",
        "family_name": "Lovelace",
        "date_of_birth": "1970-05-17",
        "sex": "female",
        "phone": "555",
    }
    response = client.post(f"/patients/{us.p1.pk}/edit/", form)
    assert response.status_code == 200
    assert "Not a valid phone number for US" in response.content.decode()
    form.update(
        phone="201 555 0123",
        emergency_contact_name="Byron",
        emergency_contact_relationship="father",
        emergency_contact_phone="201 555 0124",
        preferred_language="es",
    )
    assert client.post(f"/patients/{us.p1.pk}/edit/", form).status_code == 302
    us.p1.refresh_from_db()
    assert (us.p1.phone, us.p1.emergency_contact_phone) == ("+12015550123", "+12015550124")
    chart = client.get(f"/patients/{us.p1.pk}/").content.decode()
    assert 'href="tel:+12015550123"' in chart and "Byron (father)" in chart


def test_admin_sets_country_phone_instructions_and_lines(world, as_user):
    client = as_user(world.admin_a)
    url = f"/admin/accounts/clinic/{world.clinic_a.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200 and "Set the country to see its lines." in page.content.decode()
    form = {
        "name": "Clinic A",
        "slug": "clinic-a",
        "timezone": "America/New_York",
        "country": "us",
        "crisis_phone": "212 555 0199",
        "crisis_instructions-TOTAL_FORMS": "1",
        "crisis_instructions-INITIAL_FORMS": "0",
        "crisis_instructions-0-language": "en",
        "crisis_instructions-0-text": "Call us.",
        "crisis_lines-TOTAL_FORMS": "1",
        "crisis_lines-INITIAL_FORMS": "0",
        "crisis_lines-0-kind": "crisis",
        "crisis_lines-0-name": "County line",
        "crisis_lines-0-number": "212 555 0150",
        "crisis_lines-0-replaces": "gb_samaritans",
        "crisis_lines-0-position": "0",
    }
    response = client.post(url, form)
    assert response.status_code == 200  # refused: Samaritans is not a US line
    assert "No line &#x27;gb_samaritans&#x27; for the clinic&#x27;s country" in (
        response.content.decode()
    )
    assert not ClinicCrisisLine.objects.exists()
    form["crisis_lines-0-replaces"] = "us_988"
    response = client.post(url, form)
    assert response.status_code == 302
    clinic = Clinic.objects.get(pk=world.clinic_a.pk)
    assert (clinic.country, clinic.crisis_phone) == ("US", "+12125550199")
    assert ClinicCrisisInstruction.objects.get(clinic=clinic).text == "Call us."
    assert ClinicCrisisLine.objects.get(clinic=clinic).replaces == "us_988"
    assert "us_988: 988 Suicide" in client.get(url).content.decode()


def test_admin_refuses_an_unknown_country_and_a_bad_phone(world, as_user):
    client = as_user(world.admin_a)
    url = f"/admin/accounts/clinic/{world.clinic_a.pk}/change/"
    form = {
        "name": "Clinic A",
        "slug": "clinic-a",
        "timezone": "America/New_York",
        "country": "ZZ",
        "crisis_phone": "999999",
        "crisis_instructions-TOTAL_FORMS": "0",
        "crisis_instructions-INITIAL_FORMS": "0",
        "crisis_lines-TOTAL_FORMS": "0",
        "crisis_lines-INITIAL_FORMS": "0",
    }
    html = client.post(url, form).content.decode()
    assert "ZZ is not an ISO 3166-1 two-letter country code" in html
    world.clinic_a.refresh_from_db()
    assert world.clinic_a.country == ""
