"""The crisis panel on the FHIR path: a patient app submitting a QuestionnaireResponse whose
answers signal a risk of self-harm gets the panel in the answer to that request (a
Communication beside the score Observation, in a collection Bundle), valid R4 and the same
lines as the JSON API's ``crisis`` field; calm answers get the Observation alone."""

from __future__ import annotations

import json

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.communication import Communication
from tests.assessments.test_crisis_response import ITEM9_ONE, ITEM9_ZERO, us_clinic  # noqa: F401
from tests.interop.test_fhir_forms import _errors

from painpath.audit.models import AuditEvent
from painpath.interop import fhir

pytestmark = pytest.mark.django_db


def _post(client, answers, patient_id):
    body = {
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "questionnaire": fhir.questionnaire_url("phq9"),
        "authored": "2026-03-01T10:00:00+00:00",
        "subject": {"reference": f"Patient/{patient_id}"},
        "item": [
            {"linkId": f"phq9_{i + 1}", "answer": [{"valueInteger": a}]}
            for i, a in enumerate(answers)
        ],
    }
    return client.post(
        "/api/v1/fhir/QuestionnaireResponse", json.dumps(body), content_type="application/json"
    )


def _json_panel(client):
    return client.post(
        "/api/v1/questionnaires/responses",
        json.dumps({"instrument": "phq9", "answers": ITEM9_ONE}),
        content_type="application/json",
    ).json()["crisis"]


def test_item9_above_0_answers_with_the_score_and_the_crisis_panel(world, us_clinic, as_user):  # noqa: F811
    client = as_user(world.patient_user)
    answered = _post(client, ITEM9_ONE, world.p1.pk)
    assert answered.status_code == 201, answered.json()
    bundle = answered.json()
    assert _errors(bundle) == []  # the official R4 JSON schema
    Bundle.model_validate(bundle)  # and the R4B models
    assert bundle["type"] == "collection"
    observation, communication = (e["resource"] for e in bundle["entry"])
    assert observation["resourceType"] == "Observation" and observation["valueQuantity"] == {
        "value": 1
    }
    assert bundle["entry"][1]["fullUrl"].startswith("urn:uuid:")
    Communication.model_validate(communication)
    assert communication["status"] == "completed" and communication["priority"] == "stat"
    assert communication["category"][0]["coding"][0]["code"] == "alert"
    patient = f"Patient/{world.p1.pk}"
    assert communication["subject"] == {"reference": patient}
    assert communication["recipient"] == [{"reference": patient}]
    assert communication["about"] == [{"reference": observation["derivedFrom"][0]["reference"]}]
    assert communication["language"] == "en"

    payload = communication["payload"]
    texts = [p.get("contentString") or p["contentReference"]["display"] for p in payload]
    assert texts[0] == "You do not have to face this alone"
    assert texts[1].startswith("If you might act on these thoughts")
    assert texts[2].startswith("911 Emergency services: If you are in immediate danger")
    assert texts[3].startswith("988 988 Suicide & Crisis Lifeline")
    assert texts[4] == "+1 212-555-0199 Clinic A"
    assert "Your clinic: Clinic A\nCall our on-call clinician at any hour." in texts
    assert texts[-1] == "Your care team can see your answers and has been alerted."

    contained = {r["id"]: r for r in communication["contained"]}
    refs = [p["contentReference"]["reference"] for p in payload if "contentReference" in p]
    assert refs == ["#line-1", "#line-2", "#clinic"]
    assert contained["line-1"]["telecom"][0] == {"system": "phone", "value": "911", "rank": 1}
    assert contained["line-2"]["category"] == [{"text": "crisis"}]
    assert contained["clinic"]["telecom"] == [{"system": "phone", "value": "+12125550199"}]
    assert communication["sender"] == {"reference": "#clinic"}
    div = communication["text"]["div"]
    assert div.index('href="tel:911"') < div.index('href="tel:988"') < div.index("on-call")

    # the same lines, in the same order, as the JSON API gives for the same patient
    json_lines = [(x["number"], x["dial"]) for x in _json_panel(client)["lines"]]
    fhir_lines = []
    for part in payload:
        ref = part.get("contentReference", {})
        if ref.get("reference", "").startswith("#line-"):
            dial = contained[ref["reference"][1:]]["telecom"][0]["value"]
            fhir_lines.append((ref["display"].split(" ")[0], dial))
    assert fhir_lines == json_lines == [("911", "911"), ("988", "988")]
    shown = AuditEvent.objects.filter(object_type="CrisisPanel", patient_id=world.p1.pk)
    assert shown.count() == 2 and shown.first().detail["reason"] == "answers"


def test_the_panel_is_in_the_patients_language(world, us_clinic, as_user):  # noqa: F811
    world.p1.preferred_language = "es"
    world.p1.save()
    bundle = _post(as_user(world.patient_user), ITEM9_ONE, world.p1.pk).json()
    communication = bundle["entry"][1]["resource"]
    assert communication["language"] == "es"
    strings = [p["contentString"] for p in communication["payload"] if "contentString" in p]
    assert strings[0] == "No tiene que pasar por esto solo"
    assert "Su clínica: Clinic A\nLlame a nuestro clínico de guardia." in strings
    assert 'lang="es"' in communication["text"]["div"]


def test_a_country_without_lines_on_file_still_says_call_emergency(world, as_user):
    clinic = world.clinic_a
    clinic.country, clinic.crisis_phone = "FR", ""
    clinic.save()
    bundle = _post(as_user(world.patient_user), ITEM9_ONE, world.p1.pk).json()
    assert _errors(bundle) == []
    communication = bundle["entry"][1]["resource"]
    strings = [p["contentString"] for p in communication["payload"]]  # no line to reference
    assert "If you are in danger now, call your local emergency number." in strings
    assert "We do not have crisis lines on file for your country." in strings
    assert [r["resourceType"] for r in communication["contained"]] == ["Organization"]


def test_calm_answers_get_the_score_alone(world, us_clinic, as_user):  # noqa: F811
    answered = _post(as_user(world.patient_user), ITEM9_ZERO, world.p1.pk)
    assert answered.status_code == 201
    bundle = answered.json()
    assert _errors(bundle) == []
    (entry,) = bundle["entry"]
    assert entry["resource"]["resourceType"] == "Observation"
    assert entry["resource"]["valueQuantity"] == {"value": 8}
    assert not AuditEvent.objects.filter(object_type="CrisisPanel").exists()


def test_the_openapi_operation_says_where_the_panel_is(world, as_user):
    schema = as_user(world.patient_user).get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/fhir/QuestionnaireResponse"]["post"]
    assert "Communication" in operation["description"] and "entry[1]" in operation["description"]
