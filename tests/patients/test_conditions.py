"""Diagnoses after registration: added and resolved through the API and the edit page,
validated, audited, refused by the access policy, and announced for safety re-evaluation."""

from __future__ import annotations

import json

import pytest

from painpath.audit.models import AuditEvent
from painpath.core.signals import patient_data_changed
from painpath.patients.models import Condition

pytestmark = pytest.mark.django_db(transaction=True)  # announcements fire on commit


@pytest.fixture
def announced():
    seen: list[tuple[int, str]] = []

    def listener(sender, *, patient_id, kind, **_):
        seen.append((patient_id, kind))

    patient_data_changed.connect(listener, dispatch_uid="test-conditions")
    yield seen
    patient_data_changed.disconnect(dispatch_uid="test-conditions")


def _post(client, patient_id, body):
    return client.post(
        f"/api/v1/patients/{patient_id}/conditions",
        json.dumps(body),
        content_type="application/json",
    )


def test_clinician_adds_and_resolves_a_diagnosis_through_the_api(world, as_user, announced):
    client = as_user(world.dr_a)
    created = _post(
        client,
        world.p1.pk,
        {"display": "Sickle-cell disease", "icd10_code": "D57.1", "snomed_code": "417357006"},
    )
    assert created.status_code == 201, created.content
    cid = created.json()["id"]
    assert Condition.objects.get(pk=cid).patient_id == world.p1.pk
    resolved = client.patch(
        f"/api/v1/patients/{world.p1.pk}/conditions/{cid}",
        json.dumps({"status": "resolved"}),
        content_type="application/json",
    )
    assert resolved.status_code == 200 and resolved.json()["status"] == "resolved"
    actions = list(
        AuditEvent.objects.filter(object_type="Condition").values_list("action", flat=True)
    )
    assert sorted(actions) == ["create", "update"]
    assert announced == [(world.p1.pk, "conditions"), (world.p1.pk, "conditions")]


def test_bad_codes_name_the_field_and_store_nothing(world, as_user):
    response = _post(as_user(world.dr_a), world.p1.pk, {"display": "Back", "icd10_code": "54.5"})
    assert response.status_code == 422
    assert [f["field"] for f in response.json()["error"]["fields"]] == ["icd10_code"]
    nocode = _post(as_user(world.dr_a), world.p1.pk, {"display": "Back"})
    assert nocode.status_code == 422
    assert nocode.json()["error"]["fields"][0]["field"] == "code"
    assert Condition.objects.filter(patient=world.p1).count() == 1  # the factory's one


def test_unknown_status_is_a_field_error(world, as_user):
    cid = world.p1.conditions.get().pk
    response = as_user(world.dr_a).patch(
        f"/api/v1/patients/{world.p1.pk}/conditions/{cid}",
        json.dumps({"status": "gone"}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["field"] == "status"


@pytest.mark.parametrize(
    ("who", "patient", "status"),
    [
        ("dr_b", "p1", 404),  # other care team: not revealed
        ("dr_other", "p1", 404),  # other clinic
        ("patient_user", "p1", 403),  # the patient reads but does not code diagnoses
        ("patient_user", "p2", 404),
    ],
)
def test_access_policy_on_condition_writes(world, as_user, who, patient, status):
    body = {"display": "Fibromyalgia", "icd10_code": "M79.7"}
    response = _post(as_user(getattr(world, who)), getattr(world, patient).pk, body)
    assert response.status_code == status
    assert (
        not Condition.objects.filter(display="Fibromyalgia", icd10_code="M79.7")
        .exclude(patient__in=[world.p1, world.p2, world.p3, world.p_other])
        .exists()
    )
    assert Condition.objects.filter(patient=getattr(world, patient)).count() == 1


def test_condition_of_another_patient_is_not_found(world, as_user):
    other = world.p2.conditions.get().pk
    response = as_user(world.dr_a).patch(
        f"/api/v1/patients/{world.p1.pk}/conditions/{other}",
        json.dumps({"status": "resolved"}),
        content_type="application/json",
    )
    assert response.status_code == 404
    assert Condition.objects.get(pk=other).status == "active"


def test_edit_page_adds_and_resolves(world, as_user):
    client = as_user(world.dr_a)
    page = client.get(f"/patients/{world.p1.pk}/edit/")
    assert "Add a diagnosis" in page.content.decode()
    bad = client.post(
        f"/patients/{world.p1.pk}/conditions/",
        {"display": "X", "icd10_code": "bad", "status": "active"},
    )
    assert bad.status_code == 422 and "Not an ICD-10-CM code" in bad.content.decode()
    ok = client.post(
        f"/patients/{world.p1.pk}/conditions/",
        {"display": "Knee osteoarthritis", "icd10_code": "M17.11", "status": "active"},
    )
    assert ok.status_code == 302
    knee = Condition.objects.get(patient=world.p1, icd10_code="M17.11")
    client.post(f"/patients/{world.p1.pk}/conditions/{knee.pk}/status/", {"status": "resolved"})
    knee.refresh_from_db()
    assert knee.status == "resolved"
    denied = as_user(world.dr_b).post(
        f"/patients/{world.p1.pk}/conditions/",
        {"display": "Y", "icd10_code": "M17.11", "status": "active"},
    )
    assert denied.status_code == 404
