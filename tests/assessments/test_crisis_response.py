"""A patient whose answers signal a risk of self-harm sees the crisis panel next: on the web
page after submitting and in the API response (documented), with the clinic's instructions
and phone and the lines of the clinic's country, in the patient's language; it is audited."""

from __future__ import annotations

import json

import pytest

from painpath.accounts.models import ClinicCrisisInstruction, ClinicCrisisLine
from painpath.assessments.models import Flag
from painpath.audit.models import AuditEvent
from painpath.patients.crisis import crisis_panel

pytestmark = pytest.mark.django_db

ITEM9_ONE = [0, 0, 0, 0, 0, 0, 0, 0, 1]
ITEM9_ZERO = [1, 1, 1, 1, 1, 1, 1, 1, 0]


@pytest.fixture
def us_clinic(world):
    clinic = world.clinic_a
    clinic.country, clinic.crisis_phone = "US", "+12125550199"
    clinic.save()
    ClinicCrisisInstruction.objects.create(
        clinic=clinic, language="en", text="Call our on-call clinician at any hour."
    )
    ClinicCrisisInstruction.objects.create(
        clinic=clinic, language="es", text="Llame a nuestro clínico de guardia."
    )
    return clinic


def _form(answers):
    return {f"phq9_{i + 1}": str(a) for i, a in enumerate(answers)}


def test_web_the_next_page_after_item9_above_0_is_the_crisis_panel(world, us_clinic, as_user):
    client = as_user(world.patient_user)
    response = client.post("/questionnaires/answer/phq9/", _form(ITEM9_ONE))
    assert response.status_code == 302 and "/support/" in response["Location"]
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert 'role="alert"' in html and "You do not have to face this alone" in html
    assert 'href="tel:988"' in html and "988 Suicide &amp; Crisis Lifeline" in html
    assert 'href="tel:911"' in html and 'href="tel:+12125550199"' in html
    assert "+1 212-555-0199" in html and "Call our on-call clinician at any hour." in html
    assert "Thank you: your answers are saved." not in html  # nothing before the panel
    assert html.index("tel:911") < html.index("tel:988") < html.index("Call our on-call")
    shown = AuditEvent.objects.get(object_type="CrisisPanel")
    assert shown.patient_id == world.p1.pk and shown.detail["lines"] == ["us_911", "us_988"]
    flag = Flag.objects.get(patient=world.p1)
    assert flag.crisis and flag.urgent


def test_web_answers_without_risk_get_the_usual_thank_you(world, us_clinic, as_user):
    client = as_user(world.patient_user)
    response = client.post("/questionnaires/answer/phq9/", _form(ITEM9_ZERO), follow=True)
    html = response.content.decode()
    assert "Thank you: your answers are saved." in html and "tel:988" not in html
    assert not AuditEvent.objects.filter(object_type="CrisisPanel").exists()


def test_the_support_page_shows_nothing_for_someone_elses_or_a_calm_response(
    world, us_clinic, as_user
):
    client = as_user(world.patient_user)
    client.post("/questionnaires/answer/phq9/", _form(ITEM9_ZERO))
    calm = world.p1.responses.get()
    response = client.get(f"/questionnaires/responses/{calm.pk}/support/")
    assert response.status_code == 302 and response["Location"].endswith("/questionnaires/")
    clinician = as_user(world.dr_a).get(f"/questionnaires/responses/{calm.pk}/support/")
    assert clinician.status_code == 404  # only the patient's own page
    assert not AuditEvent.objects.filter(object_type="CrisisPanel").exists()


def _api(client, answers):
    return client.post(
        "/api/v1/questionnaires/responses",
        json.dumps({"instrument": "phq9", "answers": answers}),
        content_type="application/json",
    )


def test_api_response_carries_the_crisis_panel_in_the_patients_language(world, us_clinic, as_user):
    world.p1.preferred_language = "es"
    world.p1.save()
    response = _api(as_user(world.patient_user), ITEM9_ONE)
    assert response.status_code == 201, response.json()
    crisis = response.json()["crisis"]
    assert crisis["language"] == "es" and crisis["country"] == "US"
    assert crisis["texts"]["heading"] == "No tiene que pasar por esto solo"
    assert crisis["clinic"] == {
        "name": "Clinic A",
        "phone": "+12125550199",
        "instructions": "Llame a nuestro clínico de guardia.",
        "instructions_language": "es",
    }
    lines = crisis["lines"]
    assert [(x["kind"], x["number"], x["dial"]) for x in lines] == [
        ("emergency", "911", "911"),
        ("crisis", "988", "988"),
    ]
    assert lines[1]["name"] == "Línea 988 de Prevención del Suicidio y Crisis"
    assert lines[1]["source_url"].startswith("https://") and lines[1]["checked"] == "2026-12-04"
    assert crisis["lines_on_file"] is True


def test_api_without_risk_has_no_panel_and_the_field_is_documented(world, us_clinic, as_user):
    client = as_user(world.patient_user)
    assert _api(client, ITEM9_ZERO).json()["crisis"] is None
    schema = client.get("/api/v1/openapi.json").json()
    submitted = schema["components"]["schemas"]["SubmittedResponseOut"]["properties"]["crisis"]
    assert "risk of self-harm" in submitted["description"]
    panel = schema["components"]["schemas"]["CrisisPanelOut"]["properties"]
    assert {"texts", "clinic", "lines", "lines_on_file"} <= set(panel)


def test_uk_clinic_gets_the_uk_lines_and_a_clinic_replacement(world, as_user):
    clinic = world.clinic_a
    clinic.country = "GB"
    clinic.save()
    ClinicCrisisLine.objects.create(
        clinic=clinic,
        kind="crisis",
        name="Our crisis team",
        number="020 7946 0001",
        replaces="gb_nhs_111",
    )
    crisis = _api(as_user(world.patient_user), ITEM9_ONE).json()["crisis"]
    assert [(x["number"], x["from_clinic"]) for x in crisis["lines"]] == [
        ("999", False),
        ("116 123", False),
        ("020 7946 0001", True),
    ]
    assert crisis["lines"][2]["dial"] == "02079460001"


def test_a_country_with_no_lines_still_shows_the_clinic_and_the_generic_text(
    world, as_user, caplog
):
    clinic = world.clinic_a
    clinic.country, clinic.crisis_phone = "FR", "+33142000000"
    clinic.save()
    with caplog.at_level("WARNING", logger="painpath.patients.crisis"):
        crisis = _api(as_user(world.patient_user), ITEM9_ONE).json()["crisis"]
    assert crisis["lines"] == [] and crisis["lines_on_file"] is False
    assert crisis["clinic"]["phone"] == "+33142000000"
    assert crisis["texts"]["generic_emergency"].startswith("If you are in danger now")
    assert "no crisis lines on file for country FR" in caplog.text
    page = as_user(world.patient_user).get(
        f"/questionnaires/responses/{world.p1.responses.first().pk}/support/"
    )
    html = page.content.decode()
    assert "call your local emergency number" in html and "tel:+33142000000" in html


def test_no_country_set_is_logged_as_an_error(world, caplog) -> None:
    with caplog.at_level("ERROR", logger="painpath.patients.crisis"):
        panel = crisis_panel(world.p1)
    assert panel.lines == [] and not panel.lines_on_file
    assert "has no country set" in caplog.text
    assert "neither crisis instructions nor a crisis phone" in caplog.text


def test_instructions_fall_back_to_english_then_any(world, us_clinic) -> None:
    world.p1.preferred_language = "es"
    ClinicCrisisInstruction.objects.filter(language="es").delete()
    panel = crisis_panel(world.p1)
    assert (panel.instructions, panel.instructions_language) == (
        "Call our on-call clinician at any hour.",
        "en",
    )
    assert panel.texts["heading"] == "No tiene que pasar por esto solo"  # painpath's own text
