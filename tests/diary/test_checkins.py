"""Daily check-in: one per local day, the patient's time zone, validation, access, audit."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import IntegrityError, transaction

from painpath.audit.models import AuditEvent
from painpath.clinical.conditions import is_valid_snomed_id
from painpath.core.context import Actor
from painpath.core.errors import Forbidden, InvalidInput, NotFound
from painpath.diary import selectors, services
from painpath.diary.bodymap import body_map
from painpath.diary.models import CheckIn

pytestmark = pytest.mark.django_db

BODY = {
    "pain_now": 6,
    "pain_average": 5,
    "regions": ["lower_back", "thigh_left"],
    "qualities": ["burning", "aching"],
    "sleep_quality": 4,
    "mood": 6,
    "activity": 3,
    "helped": "heat",
    "worsened": "sitting",
    "note": "long drive",
}


def _post(client, body, **extra):
    return client.post(
        "/api/v1/checkins", json.dumps(body), content_type="application/json", **extra
    )


def test_body_map_has_about_30_regions_each_with_a_valid_snomed_id_and_source():
    bm = body_map()
    assert 28 <= len(bm.regions) <= 40
    assert {r.view for r in bm.regions} == {"front", "back"}
    for region in bm.regions:
        assert is_valid_snomed_id(region.snomed), region.id
        assert region.verified_in in bm.sources, region.id
    for code, _display in bm.laterality.values():
        assert is_valid_snomed_id(code)
    assert len({r.id for r in bm.regions}) == len(bm.regions)


def test_patient_posts_own_checkin_then_edits_it_the_same_day(world, as_user):
    client = as_user(world.patient_user)
    created = _post(client, BODY)
    assert created.status_code == 201, created.json()
    assert created.json()["regions"] == ["lower_back", "thigh_left"]
    changed = _post(client, {**BODY, "pain_average": 2})
    assert changed.status_code == 200
    assert CheckIn.objects.filter(patient=world.p1).count() == 1
    assert CheckIn.objects.get(patient=world.p1).pain_average == 2
    actions = list(
        AuditEvent.objects.filter(object_type="CheckIn")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "update"]


def test_one_checkin_per_patient_per_day_is_a_database_constraint(world):
    CheckIn.objects.create(patient=world.p1, day=date(2026, 1, 5), pain_now=1, pain_average=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        CheckIn.objects.create(patient=world.p1, day=date(2026, 1, 5), pain_now=2, pain_average=2)


def test_scale_out_of_range_is_refused_by_the_database_too(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        CheckIn.objects.create(patient=world.p1, day=date(2026, 1, 6), pain_now=11, pain_average=1)


def test_the_patients_time_zone_decides_the_day(world):
    world.p1.timezone = "Pacific/Auckland"  # UTC+13 in January
    world.p1.save()
    actor = Actor(user=world.patient_user)
    late_utc = datetime(2026, 1, 10, 20, 0, tzinfo=UTC)  # already 11 January in Auckland
    checkin, _ = services.save_checkin(
        actor=actor, patient_id=world.p1.pk, data=services.CheckInData(3, 3), now=late_utc
    )
    assert checkin.day == date(2026, 1, 11)
    world.p1.timezone = "America/Los_Angeles"  # UTC-8: still 10 January there
    world.p1.save()
    checkin, created = services.save_checkin(
        actor=actor, patient_id=world.p1.pk, data=services.CheckInData(4, 4), now=late_utc
    )
    assert created and checkin.day == date(2026, 1, 10)


def test_a_past_day_cannot_be_edited(world, as_user):
    today = services.local_today(world.p1)
    response = _post(as_user(world.patient_user), {**BODY, "day": str(today - timedelta(days=1))})
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["field"] == "day"
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"pain_now": 11}, "pain_now"),
        ({"pain_average": -1}, "pain_average"),
        ({"regions": ["lower_back", "tail"]}, "regions[1]"),
        ({"qualities": ["fizzy"]}, "qualities[0]"),
        ({"mood": "happy"}, "mood"),
        # strict integers: a numeric string, a boolean or a float is not coerced
        ({"pain_now": "5"}, "pain_now"),
        ({"pain_average": True}, "pain_average"),
        ({"sleep_quality": 5.0}, "sleep_quality"),
        ({"activity": False}, "activity"),
        ({"patient_id": "1"}, "patient_id"),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(world, as_user, change, field):
    response = _post(as_user(world.patient_user), {**BODY, **change})
    assert response.status_code == 422
    assert field in [f["field"] for f in response.json()["error"]["fields"]]
    assert not CheckIn.objects.exists()
    assert not AuditEvent.objects.filter(object_type="CheckIn").exists()


def test_only_the_patient_reports_their_checkin(world, as_user):
    # a clinician who can see p1 is refused (403); someone who cannot see p1 gets 404
    assert _post(as_user(world.dr_a), {**BODY, "patient_id": world.p1.pk}).status_code == 403
    assert _post(as_user(world.dr_other), {**BODY, "patient_id": world.p1.pk}).status_code == 404
    assert (
        _post(as_user(world.patient_user), {**BODY, "patient_id": world.p2.pk}).status_code == 404
    )
    assert _post(as_user(world.dr_a), BODY).status_code == 422  # no patient_id, not a patient
    assert not CheckIn.objects.exists()
    with pytest.raises(Forbidden):
        services.save_checkin(
            actor=Actor(user=world.admin_a), patient_id=world.p1.pk, data=services.CheckInData(1, 1)
        )


def test_api_token_and_anonymous(world, client):
    from painpath.accounts.tokens import issue_token

    issued = issue_token(user=world.patient_user, name="phone")
    response = _post(client, BODY, HTTP_AUTHORIZATION=f"Bearer {issued.secret}")
    assert response.status_code == 201
    assert response.json()["patient_id"] == world.p1.pk
    assert _post(client, BODY).status_code == 401


def test_reading_checkins_follows_the_care_team(world, as_user):
    services.save_checkin(
        actor=Actor(user=world.patient_user),
        patient_id=world.p1.pk,
        data=services.CheckInData(5, 4, regions=["neck"]),
    )
    today = services.local_today(world.p1)
    url = f"/api/v1/checkins?patient_id={world.p1.pk}&start={today - timedelta(days=7)}&end={today}"
    ok = as_user(world.nurse).get(url)
    assert ok.status_code == 200 and ok.json()[0]["regions"] == ["neck"]
    assert as_user(world.dr_b).get(url).status_code == 404
    assert as_user(world.dr_other).get(url).status_code == 404
    assert AuditEvent.objects.filter(object_type="CheckIn", action="list").count() == 1
    with pytest.raises(NotFound):
        services.list_checkins(
            actor=Actor(user=world.dr_b), patient_id=world.p1.pk, start=today, end=today
        )
    with pytest.raises(InvalidInput):
        services.list_checkins(
            actor=Actor(user=world.nurse),
            patient_id=world.p1.pk,
            start=today,
            end=today - timedelta(days=1),
        )


def test_selectors_contract(world):
    CheckIn.objects.create(patient=world.p1, day=date(2026, 2, 1), pain_now=7, pain_average=6)
    CheckIn.objects.create(patient=world.p1, day=date(2026, 2, 3), pain_now=3, pain_average=4)
    CheckIn.objects.create(patient=world.p2, day=date(2026, 2, 4), pain_now=3, pain_average=9)
    assert selectors.daily_pain(world.p1.pk, date(2026, 2, 1), date(2026, 2, 3)) == {
        date(2026, 2, 1): 6.0,
        date(2026, 2, 3): 4.0,
    }
    assert selectors.daily_pain(world.p1.pk, date(2026, 2, 2), date(2026, 2, 2)) == {}
    assert selectors.last_checkin_date(world.p1.pk) == date(2026, 2, 3)
    assert selectors.last_checkin_date(world.p3.pk) is None


def test_saving_announces_patient_data_changed(world, django_capture_on_commit_callbacks):
    from painpath.core.signals import patient_data_changed

    seen = []

    def receiver(**kwargs):
        seen.append((kwargs["patient_id"], kwargs["kind"]))

    patient_data_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.save_checkin(
                actor=Actor(user=world.patient_user),
                patient_id=world.p1.pk,
                data=services.CheckInData(2, 2),
            )
    finally:
        patient_data_changed.disconnect(receiver)
    assert seen == [(world.p1.pk, "checkin")]
