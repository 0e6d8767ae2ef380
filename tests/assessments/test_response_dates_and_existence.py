"""A questionnaire response's date must be plausible (not in the future beyond the clock skew,
not before the patient's birth), and a response the caller may not see answers exactly like
one that does not exist."""

from __future__ import annotations

import datetime as dt
import json
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from painpath.assessments import schedules, services
from painpath.assessments.models import QuestionnaireResponse, Reminder
from painpath.core.context import Actor
from painpath.interop import fhir

pytestmark = pytest.mark.django_db

# Noon in New York (clinic A's zone); p1 was born on 1970-05-17 (tests/factories.py).
NOW = dt.datetime(2026, 3, 2, 17, 0, tzinfo=dt.UTC)
NEW_YORK = ZoneInfo("America/New_York")  # EDT (UTC-4) on p1's birthday in 1970


def _qr(authored: str) -> dict:
    return {
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "questionnaire": fhir.questionnaire_url("gad7"),
        "authored": authored,
        "item": [{"linkId": f"gad7_{i}", "answer": [{"valueInteger": 1}]} for i in range(1, 8)],
    }


def _post(client, body: dict):
    return client.post(
        "/api/v1/fhir/QuestionnaireResponse", json.dumps(body), content_type="application/json"
    )


def _fields(response) -> dict[str, str]:
    return {f["field"]: f["message"] for f in response.json()["error"]["fields"]}


def test_a_response_dated_2099_is_refused_and_the_schedule_keeps_its_reminders(world, as_user):
    client = as_user(world.patient_user)
    with time_machine.travel(NOW, tick=False):
        schedules.set_schedule(
            actor=Actor(user=world.dr_a),
            patient_id=world.p1.pk,
            instrument_id="gad7",
            every_days=14,
        )
        schedules.run_reminders()
        due_before = schedules.list_due(
            actor=Actor(user=world.patient_user), patient_id=world.p1.pk
        )
        response = _post(client, _qr("2099-01-01T00:00:00+00:00"))
        assert response.status_code == 422
        assert _fields(response) == {"authored": "Must not be in the future."}
        due_after = schedules.list_due(actor=Actor(user=world.patient_user), patient_id=world.p1.pk)
    assert not QuestionnaireResponse.objects.exists()
    assert [(d.due_date, d.status) for d in due_after] == [
        (d.due_date, d.status) for d in due_before
    ]
    assert due_after[0].due_date.year == 2026
    assert not Reminder.objects.filter(status="answered").exists()


@pytest.mark.parametrize(
    ("authored", "accepted"),
    [
        ((NOW + timedelta(minutes=4, seconds=59)).isoformat(), True),  # inside the 5 min skew
        ((NOW + timedelta(minutes=5, seconds=1)).isoformat(), False),
        ("1900-01-01T00:00:00+00:00", False),
        ("1969-12-31T23:59:59+00:00", False),
        # p1's birthday begins at local midnight in New York, 04:00 UTC
        (dt.datetime(1970, 5, 17, 0, 0, tzinfo=NEW_YORK).isoformat(), True),
        (dt.datetime(1970, 5, 16, 23, 59, tzinfo=NEW_YORK).isoformat(), False),
        ("1970-05-17T03:00:00+00:00", False),  # still the 16th in New York
    ],
)
def test_authored_bounds(world, as_user, authored, accepted):
    with time_machine.travel(NOW, tick=False):
        response = _post(as_user(world.patient_user), _qr(authored))
    if accepted:
        assert response.status_code == 201, response.json()
        stored = QuestionnaireResponse.objects.get()
        assert stored.completed_at == dt.datetime.fromisoformat(authored)
    else:
        assert response.status_code == 422
        assert list(_fields(response)) == ["authored"]
        assert not QuestionnaireResponse.objects.exists()


def test_before_birth_says_so(world, as_user):
    with time_machine.travel(NOW, tick=False):
        response = _post(as_user(world.patient_user), _qr("1900-01-01T00:00:00+00:00"))
    assert _fields(response) == {"authored": "Must not be before the patient's date of birth."}


def test_the_clock_skew_is_configurable(world, as_user, settings):
    settings.CLOCK_SKEW_SECONDS = 0
    with time_machine.travel(NOW, tick=False):
        late = _post(as_user(world.patient_user), _qr((NOW + timedelta(seconds=1)).isoformat()))
        on_time = _post(as_user(world.patient_user), _qr(NOW.isoformat()))
    assert late.status_code == 422
    assert on_time.status_code == 201


def test_the_service_refuses_implausible_dates_from_any_caller(world):
    with time_machine.travel(NOW, tick=False), pytest.raises(services.InvalidInput) as caught:
        services.submit_response(
            actor=Actor(user=world.patient_user),
            patient_id=world.p1.pk,
            instrument_id="gad7",
            answers=[1] * 7,
            completed_at=NOW + timedelta(days=1),
        )
    assert [(f.field, f.message) for f in caught.value.fields] == [
        ("completed_at", "Must not be in the future.")
    ]


# --- existence is not revealed -----------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/api/v1/fhir/QuestionnaireResponse/{id}", "/api/v1/fhir/Observation/score-{id}"]
)
@pytest.mark.parametrize("who", ["dr_b", "dr_other", "admin_a_of_b"])
def test_an_invisible_response_answers_like_a_missing_one(world, as_user, url, who):
    response = services.submit_response(
        actor=Actor(user=world.patient_user),
        patient_id=world.p1.pk,
        instrument_id="gad7",
        answers=[1] * 7,
    )
    caller = {
        "dr_b": world.dr_b,  # same clinic, other care team
        "dr_other": world.dr_other,  # other clinic
        "admin_a_of_b": None,
    }[who]
    if caller is None:  # an administrator of clinic B
        from tests.factories import UserFactory

        caller = UserFactory(username="admin_b", clinic=world.clinic_b, role="admin")
    client = as_user(caller)
    hidden = client.get(url.format(id=response.pk))
    missing = client.get(url.format(id=response.pk + 1000))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    assert hidden.json()["error"]["message"] == "No such questionnaire response."
    # and the care team still reads it
    assert as_user(world.dr_a).get(url.format(id=response.pk)).status_code == 200
