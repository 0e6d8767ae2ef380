"""API conventions every endpoint shares: the error body, OpenAPI, docs, request ids."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_openapi_schema_lists_the_endpoints(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "painpath API"
    for path in (
        "/api/v1/me",
        "/api/v1/patients",
        "/api/v1/patients/{patient_id}",
        "/api/v1/tokens",
    ):
        assert path in schema["paths"], path
    schemes = schema["components"]["securitySchemes"]
    assert {"BearerTokenAuth", "SessionCookieAuth"} <= set(schemes)


def test_interactive_docs_page(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200 and b"openapi.json" in response.content


def test_unknown_api_path_answers_the_json_error_body(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "not_found", "message": "Not found.", "fields": []}
    }


def test_wrong_method_answers_the_json_error_body(world, as_user):
    response = as_user(world.dr_a).put("/api/v1/me")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_query_parameter_errors_name_the_field(world, as_user):
    response = as_user(world.dr_a).get("/api/v1/patients", {"limit": 0})
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["field"] == "limit"


def test_malformed_json_is_a_clear_error(world, as_user):
    response = as_user(world.dr_a).post(
        "/api/v1/patients", "{not json", content_type="application/json"
    )
    assert response.status_code in {400, 422}
    assert response.json()["error"]["code"] in {"bad_request", "invalid"}


def test_a_request_id_is_made_when_none_or_a_bad_one_is_sent(client):
    response = client.get("/login/", HTTP_X_REQUEST_ID="bad id with spaces")
    assert len(response["X-Request-ID"]) == 32 and " " not in response["X-Request-ID"]
