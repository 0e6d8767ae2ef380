"""Patients over the API: who sees and changes what, the error body, and the audit rows."""

from __future__ import annotations

import json

import pytest

from painpath.audit.models import AuditEvent
from painpath.patients.models import Condition, Patient

pytestmark = pytest.mark.django_db


def _ids(response) -> set[int]:
    return {item["id"] for item in response.json()["items"]}


def _post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def _patch(client, url, body):
    return client.patch(url, json.dumps(body), content_type="application/json")


NEW_PATIENT = {
    "mrn": "MRN-100",
    "given_name": "Rosalind",
    "family_name": "Franklin",
    "date_of_birth": "1960-07-25",
    "sex": "female",
    "conditions": [{"display": "Fibromyalgia", "icd10_code": "M79.7", "snomed_code": "203082005"}],
}


def test_clinician_lists_exactly_their_care_team_patients(world, as_user):
    assert _ids(as_user(world.dr_a).get("/api/v1/patients")) == {world.p1.pk, world.p2.pk}
    assert _ids(as_user(world.dr_b).get("/api/v1/patients")) == {world.p3.pk}
    # on two overlapping teams: the union, each patient once
    response = as_user(world.nurse).get("/api/v1/patients")
    assert _ids(response) == {world.p1.pk, world.p2.pk, world.p3.pk}
    assert response.json()["count"] == 3


def test_patient_sees_only_themself_and_admin_their_clinic(world, as_user):
    assert _ids(as_user(world.patient_user).get("/api/v1/patients")) == {world.p1.pk}
    assert _ids(as_user(world.admin_a).get("/api/v1/patients")) == {
        world.p1.pk,
        world.p2.pk,
        world.p3.pk,
    }


def test_list_is_flagged_synthetic_and_searchable(world, as_user):
    response = as_user(world.nurse).get("/api/v1/patients", {"search": "hopp"})
    items = response.json()["items"]
    assert [i["family_name"] for i in items] == ["Hopper"]
    assert items[0]["synthetic"] is True
    assert items[0]["conditions"][0]["icd10_code"] == "M54.50"
    assert items[0]["timezone"] == "America/New_York"


@pytest.mark.parametrize(
    ("who", "whom"),
    [
        ("dr_a", "p3"),  # same clinic, other team
        ("dr_a", "p_other"),  # other clinic
        ("dr_other", "p1"),
        ("patient_user", "p2"),  # another patient
        ("admin_a", "p_other"),  # admin of another clinic
    ],
)
def test_denied_read_is_404_with_the_error_body(world, as_user, who, whom):
    patient = getattr(world, whom)
    response = as_user(getattr(world, who)).get(f"/api/v1/patients/{patient.pk}")
    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "not_found", "message": "No such patient.", "fields": []}
    }
    # indistinguishable from a record that does not exist
    missing = as_user(getattr(world, who)).get("/api/v1/patients/999999")
    assert missing.json() == response.json()


def test_read_is_audited_with_actor_patient_request_and_address(world, as_user):
    before = AuditEvent.objects.count()
    response = as_user(world.dr_a).get(
        f"/api/v1/patients/{world.p1.pk}",
        HTTP_X_REQUEST_ID="trace-12345678",
        REMOTE_ADDR="10.1.2.3",
    )
    assert response.status_code == 200
    assert response["X-Request-ID"] == "trace-12345678"
    event = AuditEvent.objects.order_by("-seq").first()
    assert AuditEvent.objects.count() == before + 1
    assert (event.actor, event.patient_id, event.action, event.object_type) == (
        world.dr_a,
        world.p1.pk,
        "read",
        "Patient",
    )
    assert (event.request_id, event.client_ip) == ("trace-12345678", "10.1.2.3")


def test_listing_audits_each_patient_shown(world, as_user):
    as_user(world.nurse).get("/api/v1/patients", {"limit": 2})
    rows = AuditEvent.objects.filter(action="list", actor=world.nurse)
    assert rows.count() == 2


def test_denied_read_writes_no_audit_row_for_the_patient(world, as_user):
    as_user(world.dr_a).get(f"/api/v1/patients/{world.p3.pk}")
    assert not AuditEvent.objects.filter(patient_id=world.p3.pk).exists()


def test_clinician_creates_patient_on_their_team(world, as_user):
    response = _post(as_user(world.dr_a), "/api/v1/patients", NEW_PATIENT)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["care_team_ids"] == [world.team_1.pk]
    assert body["clinic_id"] == world.clinic_a.pk
    assert body["synthetic"] is False
    patient = Patient.objects.get(pk=body["id"])
    assert patient.conditions.get().snomed_code == "203082005"
    assert AuditEvent.objects.filter(patient_id=patient.pk, action="create").count() == 1
    # and can read it back
    assert as_user(world.dr_a).get(f"/api/v1/patients/{patient.pk}").status_code == 200


def test_patient_may_not_create_or_update(world, as_user):
    client = as_user(world.patient_user)
    created = _post(client, "/api/v1/patients", NEW_PATIENT)
    assert created.status_code == 403
    assert created.json()["error"]["code"] == "forbidden"
    updated = _patch(client, f"/api/v1/patients/{world.p1.pk}", {"given_name": "X"})
    assert updated.status_code == 403
    assert updated.json()["error"]["code"] == "forbidden"
    world.p1.refresh_from_db()
    assert world.p1.given_name == "Ada"


def test_write_to_invisible_patient_is_404(world, as_user):
    response = _patch(as_user(world.dr_a), f"/api/v1/patients/{world.p3.pk}", {"given_name": "X"})
    assert response.status_code == 404
    world.p3.refresh_from_db()
    assert world.p3.given_name == "Alan"


def test_update_changes_fields_and_audits_their_names(world, as_user):
    response = _patch(
        as_user(world.dr_a),
        f"/api/v1/patients/{world.p2.pk}",
        {"family_name": "Hopper-Murray", "timezone": "America/Chicago"},
    )
    assert response.status_code == 200
    assert response.json()["family_name"] == "Hopper-Murray"
    event = AuditEvent.objects.filter(patient_id=world.p2.pk, action="update").get()
    assert event.detail == {"fields": ["family_name", "timezone"]}


def test_bad_fields_are_named_and_nothing_is_written(world, as_user):
    body = {
        **NEW_PATIENT,
        "mrn": "bad mrn!",
        "date_of_birth": "2999-01-01",
        "sex": "x",
        "timezone": "Mars/Olympus",
        "conditions": [{"display": "Back pain", "icd10_code": "54.5"}],
    }
    response = _post(as_user(world.dr_a), "/api/v1/patients", body)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert {f["field"] for f in error["fields"]} == {
        "mrn",
        "date_of_birth",
        "sex",
        "timezone",
        "conditions[0].icd10_code",
    }
    assert not Patient.objects.filter(family_name="Franklin").exists()
    assert not Condition.objects.filter(display="Back pain").exists()


def test_type_errors_use_the_same_error_body(world, as_user):
    response = _post(
        as_user(world.dr_a), "/api/v1/patients", {**NEW_PATIENT, "date_of_birth": "soon"}
    )
    assert response.status_code == 422
    fields = response.json()["error"]["fields"]
    assert [f["field"] for f in fields] == ["date_of_birth"]


def test_duplicate_mrn_in_clinic_is_a_conflict_but_other_clinic_is_fine(world, as_user):
    response = _post(as_user(world.dr_a), "/api/v1/patients", {**NEW_PATIENT, "mrn": world.p2.mrn})
    assert response.status_code == 409
    assert response.json()["error"]["fields"] == [
        {"field": "mrn", "message": "Already used in this clinic."}
    ]
    other = _post(as_user(world.dr_other), "/api/v1/patients", {**NEW_PATIENT, "mrn": world.p2.mrn})
    assert other.status_code == 201


def test_clinician_cannot_put_patient_on_a_team_they_are_not_on(world, as_user):
    body = {**NEW_PATIENT, "care_team_ids": [world.team_2.pk]}
    response = _post(as_user(world.dr_a), "/api/v1/patients", body)
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["field"] == "care_team_ids"
    assert not Patient.objects.filter(mrn="MRN-100").exists()


def test_admin_may_not_register_into_another_clinic(world, as_user):
    body = {**NEW_PATIENT, "clinic_id": world.clinic_b.pk}
    response = _post(as_user(world.admin_a), "/api/v1/patients", body)
    assert response.status_code == 403


def test_patient_list_query_count_does_not_grow_with_the_panel(
    world, as_user, django_assert_num_queries
):
    client = as_user(world.admin_a)
    client.get("/api/v1/patients")  # warm the session
    with django_assert_num_queries(10) as small:
        client.get("/api/v1/patients")
    from tests.factories import ConditionFactory, PatientFactory

    for _ in range(15):
        ConditionFactory(patient=PatientFactory(clinic=world.clinic_a))
    with django_assert_num_queries(10) as large:
        assert client.get("/api/v1/patients").json()["count"] == 18
    assert len(large.captured_queries) == len(small.captured_queries)


def test_absurd_offsets_are_refused_or_capped_not_a_server_error(world, as_user):
    client = as_user(world.dr_a)
    api = client.get("/api/v1/patients", {"offset": "39509812666994331222016"})
    assert api.status_code == 422
    assert api.json()["error"]["fields"][0]["field"] == "offset"
    page = client.get("/patients/", {"offset": "39509812666994331222016"})
    assert page.status_code == 200
    log = as_user(world.admin_a).get("/audit/", {"offset": "99999999999999999999999"})
    assert log.status_code == 200
