"""The API's edge refuses bad input with 4xx and the one error body, for every endpoint:
integers past 64 bits, booleans for ids, lone surrogates and NUL in text, bodies that are not
objects, too deep, too large or not JSON. Nothing is stored by a refused request."""

from __future__ import annotations

import json

import pytest

from painpath.alerts.models import Alert
from painpath.core.api_input import MAX_JSON_DEPTH, check_json_value
from painpath.core.errors import InvalidInput
from painpath.core.paging import MAX_OFFSET
from painpath.patients.models import Patient

pytestmark = pytest.mark.django_db

NEW = {
    "mrn": "MRN-9",
    "given_name": "Rosalind",
    "family_name": "Franklin",
    "date_of_birth": "1960-07-25",
    "sex": "female",
}


def _post(client, url, body, content_type="application/json"):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(url, data, content_type=content_type)


def _fields(response) -> dict[str, str]:
    error = response.json()["error"]
    assert set(error) == {"code", "message", "fields"}
    return {f["field"]: f["message"] for f in error["fields"]}


@pytest.mark.parametrize(
    ("team_ids", "message"),
    [
        ([9223372036854775808], "Must fit in 64 bits"),
        ([-9223372036854775809], "Must fit in 64 bits"),
        ([True], "Input should be a valid integer"),
        (["1"], "Input should be a valid integer"),
        ([1.0], "Input should be a valid integer"),
    ],
)
def test_care_team_ids_must_be_64_bit_json_integers(world, as_user, team_ids, message):
    before = Patient.objects.count()
    response = _post(as_user(world.dr_a), "/api/v1/patients", {**NEW, "care_team_ids": team_ids})
    assert response.status_code == 422
    assert message in _fields(response)["care_team_ids.0"]
    assert Patient.objects.count() == before
    assert not world.team_1.patients.filter(mrn="MRN-9").exists()


def test_the_largest_64_bit_id_is_an_unknown_team_not_a_crash(world, as_user):
    response = _post(as_user(world.dr_a), "/api/v1/patients", {**NEW, "care_team_ids": [2**63 - 1]})
    assert response.status_code == 422
    assert "care_team_ids" in _fields(response)


def test_booleans_for_ids_are_refused_in_every_app(world, as_user):
    """The rule lives at the API edge, not in each schema: an alert reassignment (alerts app)
    and a dose report (medications app) refuse `true` as an id too."""
    alert = Alert.objects.create(
        patient=world.p1, rule_id="r", severity="high", severity_rank=2, title="t", message="m"
    )
    response = _post(
        as_user(world.dr_a), f"/api/v1/alerts/{alert.pk}/reassign", {"assignee_id": True}
    )
    assert response.status_code == 422
    assert _fields(response) == {"assignee_id": "Input should be a valid integer"}
    alert.refresh_from_db()
    assert alert.assignee_id is None
    response = _post(
        as_user(world.patient_user),
        f"/api/v1/patients/{world.p1.pk}/doses",
        {"day": "2026-01-01", "doses": [{"prescription_id": True, "taken": True}]},
    )
    assert response.status_code == 422
    assert "doses.0.prescription_id" in _fields(response)


def test_a_number_where_a_flag_is_expected_is_refused(world, as_user):
    response = as_user(world.dr_a).get("/api/v1/alerts", {"mine": "true"})
    assert response.status_code == 200  # query strings are text: "true" is a flag there
    response = as_user(world.dr_a).put(
        "/api/v1/questionnaires/schedules",
        json.dumps({"patient_id": world.p1.pk, "instrument": "phq9", "active": 1}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert _fields(response) == {"active": "Input should be a valid boolean"}


@pytest.mark.parametrize(
    "offset", ["9223372036854775808", str(2**63 - 1), str(MAX_OFFSET + 1), "99999999999999999999"]
)
def test_alert_offsets_past_the_cap_are_refused(world, as_user, offset):
    response = as_user(world.dr_a).get("/api/v1/alerts", {"offset": offset})
    assert response.status_code == 422
    assert "offset" in _fields(response)
    ok = as_user(world.dr_a).get("/api/v1/alerts", {"offset": str(MAX_OFFSET)})
    assert ok.status_code == 200 and ok.json()["items"] == []


def test_path_ids_past_64_bits_are_refused(world, as_user):
    response = as_user(world.dr_a).get("/api/v1/patients/9223372036854775808")
    assert response.status_code == 422
    assert "patient_id" in _fields(response)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("\ud800", "lone surrogate"),
        ("a\udfffb", "lone surrogate"),
        ("Ro\x00salind", "NUL character"),
    ],
)
def test_bad_text_is_refused_in_typed_fields(world, as_user, text, message):
    body = json.dumps({**NEW, "given_name": text})  # json.dumps escapes it: \ud800, \u0000
    response = _post(as_user(world.dr_a), "/api/v1/patients", body)
    assert response.status_code == 422
    assert message in _fields(response)["given_name"]
    assert not Patient.objects.filter(mrn="MRN-9").exists()


def test_bad_text_is_refused_in_free_json_and_keys(world, as_user):
    """The FHIR endpoint takes any JSON object: its text is checked all the same."""
    client = as_user(world.patient_user)
    body = {"resourceType": "QuestionnaireResponse", "item": [{"linkId": "\ud800"}]}
    response = _post(client, "/api/v1/fhir/QuestionnaireResponse", json.dumps(body))
    assert response.status_code == 422
    assert "lone surrogate" in _fields(response)["item.0.linkId"]
    response = _post(client, "/api/v1/fhir/QuestionnaireResponse", '{"a\\u0000": 1}')
    assert response.status_code == 422
    assert "NUL" in _fields(response)["a\x00"]


def test_nul_in_a_query_value_is_refused(world, as_user):
    response = as_user(world.dr_a).get("/api/v1/patients", {"search": "Love\x00lace"})
    assert response.status_code == 422
    assert "NUL" in _fields(response)["search"]


@pytest.mark.parametrize("body", ["[1]", "null", "5", '"text"', "[]"])
def test_patch_bodies_must_be_objects(world, as_user, body):
    client = as_user(world.dr_a)
    response = client.patch(
        f"/api/v1/patients/{world.p1.pk}", body, content_type="application/json"
    )
    assert response.status_code == 422
    assert _fields(response) == {"body": "Must be a JSON object ({...})."}


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"]
)
def test_a_json_endpoint_refuses_other_content_types(world, as_user, content_type):
    response = _post(as_user(world.dr_a), "/api/v1/patients", json.dumps(NEW), content_type)
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"
    assert "Content-Type" in _fields(response)
    assert not Patient.objects.filter(mrn="MRN-9").exists()


def test_json_media_types_with_parameters_or_suffix_are_read(world, as_user):
    client = as_user(world.dr_a)
    ok = _post(client, "/api/v1/patients", json.dumps(NEW), "application/json; charset=utf-8")
    assert ok.status_code == 201
    fhir = _post(
        as_user(world.patient_user),
        "/api/v1/fhir/QuestionnaireResponse",
        "{}",
        "application/fhir+json",
    )
    assert fhir.status_code == 422  # read, then refused for what it lacks (not 415)
    assert fhir.json()["error"]["code"] == "invalid"


def test_deeply_nested_bodies_are_refused(world, as_user):
    client = as_user(world.patient_user)
    deep = "[" * 100_000 + "]" * 100_000
    response = _post(client, "/api/v1/fhir/QuestionnaireResponse", deep)
    assert response.status_code == 422
    assert "Nested deeper" in _fields(response)["body"]
    nested: dict = {}
    for _ in range(MAX_JSON_DEPTH + 5):
        nested = {"a": nested}
    response = _post(client, "/api/v1/fhir/QuestionnaireResponse", {"item": nested})
    assert response.status_code == 422
    assert any("Nested deeper" in m for m in _fields(response).values())


def test_depth_limit_boundary():
    at_limit: object = 1
    for _ in range(MAX_JSON_DEPTH):
        at_limit = [at_limit]
    check_json_value(at_limit)  # exactly MAX_JSON_DEPTH levels: accepted
    with pytest.raises(InvalidInput) as caught:
        check_json_value([at_limit])
    assert caught.value.fields[0].message == f"Nested deeper than {MAX_JSON_DEPTH} levels."


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_non_finite_numbers_are_refused(world, as_user, number):
    client = as_user(world.patient_user)
    body = f'{{"resourceType": "QuestionnaireResponse", "x": {number}}}'
    response = _post(client, "/api/v1/fhir/QuestionnaireResponse", body)
    assert response.status_code == 422
    assert set(_fields(response)) <= {"body", "x"}


def test_bodies_over_the_limit_are_413(world, as_user, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    padded = json.dumps({**NEW, "family_name": "F" * 2000})
    response = _post(as_user(world.dr_a), "/api/v1/patients", padded)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    assert not Patient.objects.filter(mrn="MRN-9").exists()


def test_a_web_form_over_the_limit_is_a_413_page(world, as_user, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = as_user(world.dr_a).post(
        "/account/tokens/", "name=" + "x" * 2000, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413
    assert b"larger than 1000 bytes" in response.content


def test_malformed_json_names_the_position(world, as_user):
    response = _post(as_user(world.dr_a), "/api/v1/patients", '{"mrn": ')
    assert response.status_code == 422
    assert "line 1 column" in _fields(response)["body"]
