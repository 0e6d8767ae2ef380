"""Patient-reported days and times: not in the future (beyond the clock skew), not before
birth. The rule is shared (painpath.core.plausible); a stimulation sensation uses it too."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from painpath.core.plausible import reported_day_errors, reported_time_errors
from painpath.devices.models import Sensation, StimDevice

NOW = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)
BORN = date(1970, 5, 17)


def _messages(errors) -> list[str]:
    return [e.message for e in errors]


def test_reported_times(settings):
    settings.CLOCK_SKEW_SECONDS = 300
    check = lambda value: _messages(  # noqa: E731
        reported_time_errors(value, field="t", born=BORN, tz_name="UTC", now=NOW)
    )
    assert check(NOW + timedelta(seconds=300)) == []
    assert check(NOW + timedelta(seconds=301)) == ["Must not be in the future."]
    assert check(datetime(1970, 5, 17, tzinfo=UTC)) == []
    assert check(datetime(1970, 5, 16, 23, 59, tzinfo=UTC)) == [
        "Must not be before the patient's date of birth."
    ]
    assert check(datetime(2026, 3, 10, 12, 0)) == [  # noqa: DTZ001 - a naive time on purpose
        "Give a time zone offset, e.g. 2026-01-31T18:00:00+01:00."
    ]


def test_reported_days():
    today = date(2026, 3, 10)
    check = lambda day: _messages(  # noqa: E731
        reported_day_errors(day, field="day", born=BORN, today=today)
    )
    assert check(today) == [] and check(BORN) == []
    assert check(today + timedelta(days=1)) == ["Must not be in the future."]
    assert check(BORN - timedelta(days=1)) == ["Must not be before the patient's date of birth."]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("day", "status"),
    [("1900-01-01", 422), ("1970-05-16", 422), ("1970-05-17", 201), ("2026-03-11", 422)],
)
def test_a_sensation_day_before_birth_is_refused(world, as_user, day, status):
    device = StimDevice.objects.create(patient=world.p1, type="SCS", make="Acme", model="S1")
    body = {"device_id": device.pk, "day": day, "paresthesia_coverage": 50}
    with time_machine.travel(NOW, tick=False):
        response = as_user(world.patient_user).post(
            f"/api/v1/patients/{world.p1.pk}/neuromodulation/sensations",
            json.dumps(body),
            content_type="application/json",
        )
    assert response.status_code == status, response.content
    assert Sensation.objects.exists() == (status == 201)
    if status == 422:
        assert [f["field"] for f in response.json()["error"]["fields"]] == ["day"]
