"""Questionnaire responses, flags, schedules, reminders: rules, access and contracts."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.core import mail

from painpath.assessments import schedules, selectors, services
from painpath.assessments.models import Flag, QuestionnaireResponse, Reminder, Schedule
from painpath.assessments.schedule import due_status, judge_change, next_due
from painpath.audit.models import AuditEvent
from painpath.clinical.instruments import get_instrument
from painpath.core.context import Actor
from painpath.diary.services import local_today

pytestmark = pytest.mark.django_db

PHQ9_ITEM9 = [1, 1, 1, 1, 1, 0, 0, 0, 2]


def _post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_patient_answers_phq9_and_the_urgent_flag_is_raised(world, as_user):
    response = _post(
        as_user(world.patient_user),
        "/api/v1/questionnaires/responses",
        {"instrument": "phq9", "answers": PHQ9_ITEM9},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["score"], body["band"], body["flags"]) == (7.0, "mild", ["suicidal ideation"])
    assert selectors.open_urgent_flags([world.p1.pk, world.p2.pk]) == {
        world.p1.pk: ["suicidal ideation"]
    }
    assert selectors.latest_item_answer(world.p1.pk, "phq9", "phq9_9")[1] == 2
    assert selectors.score_series(world.p1.pk, "phq9")[0][1] == 7.0
    assert (
        AuditEvent.objects.filter(object_type="QuestionnaireResponse", action="create").count() == 1
    )


def test_reviewing_the_flag_closes_it_and_only_a_clinician_may(world, as_user):
    r = services.submit_response(
        actor=Actor(user=world.patient_user),
        patient_id=world.p1.pk,
        instrument_id="phq9",
        answers=PHQ9_ITEM9,
    )
    flag = Flag.objects.get(response=r)
    assert (
        as_user(world.admin_a).post(f"/questionnaires/flags/{flag.pk}/review/").status_code == 403
    )
    assert as_user(world.dr_b).post(f"/questionnaires/flags/{flag.pk}/review/").status_code == 404
    assert as_user(world.dr_a).post(f"/questionnaires/flags/{flag.pk}/review/").status_code == 302
    assert selectors.open_urgent_flags([world.p1.pk]) == {}


def test_open_urgent_flags_is_one_query(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        selectors.open_urgent_flags([world.p1.pk, world.p2.pk, world.p3.pk])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"instrument": "phq10", "answers": [0]}, "instrument"),
        ({"instrument": "phq9", "answers": [0, 1, 2]}, "answers"),
        ({"instrument": "phq9", "answers": [0, 1, 2, 3, 4, 0, 0, 0, 0]}, "answers"),
    ],
)
def test_bad_answers_are_refused_naming_the_field(world, as_user, body, field):
    response = _post(as_user(world.patient_user), "/api/v1/questionnaires/responses", body)
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["field"] == field
    assert not QuestionnaireResponse.objects.exists()


def test_missing_items_store_an_unscored_response(world):
    r = services.submit_response(
        actor=Actor(user=world.patient_user),
        patient_id=world.p1.pk,
        instrument_id="phq9",
        answers=[1] * 8 + [None],
    )
    assert (r.valid, r.score, r.missing) == (False, None, ["phq9_9"])
    assert selectors.latest_item_answer(world.p1.pk, "phq9", "phq9_9") is None
    assert selectors.score_series(world.p1.pk, "phq9") == []


def test_ort_uses_the_record_sex(world):
    r = services.submit_response(
        actor=Actor(user=world.patient_user),
        patient_id=world.p1.pk,
        instrument_id="ort",
        answers=[1, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    )
    assert r.sex == "female" and r.score is not None


def test_only_the_patient_answers_and_reads_follow_the_care_team(world, as_user):
    url = "/api/v1/questionnaires/responses"
    body = {"patient_id": world.p1.pk, "instrument": "peg", "answers": [5, 5, 5]}
    assert _post(as_user(world.dr_a), url, body).status_code == 403
    assert _post(as_user(world.dr_other), url, body).status_code == 404
    assert (
        _post(as_user(world.patient_user), url, {**body, "patient_id": world.p2.pk}).status_code
        == 404
    )
    assert _post(as_user(world.patient_user), url, body).status_code == 201
    assert as_user(world.nurse).get(f"{url}?patient_id={world.p1.pk}").status_code == 200
    assert as_user(world.dr_b).get(f"{url}?patient_id={world.p1.pk}").status_code == 404
    assert (
        as_user(world.dr_other)
        .get(f"/api/v1/questionnaires/due?patient_id={world.p1.pk}")
        .status_code
        == 404
    )


def test_schedule_is_a_clinical_write(world, as_user):
    body = {"patient_id": world.p1.pk, "instrument": "peg", "every_days": 7}

    def put(c):
        return c.put(
            "/api/v1/questionnaires/schedules",
            json.dumps(body),
            content_type="application/json",
        )

    assert put(as_user(world.patient_user)).status_code == 403
    assert put(as_user(world.admin_a)).status_code == 403
    assert put(as_user(world.dr_b)).status_code == 404
    ok = put(as_user(world.dr_a))
    assert ok.status_code == 200 and ok.json()[0]["status"] == "due"
    bad = {**body, "every_days": 0}
    response = as_user(world.dr_a).put(
        "/api/v1/questionnaires/schedules", json.dumps(bad), content_type="application/json"
    )
    assert (
        response.status_code == 422
        and response.json()["error"]["fields"][0]["field"] == "every_days"
    )


def test_clinic_defaults_are_the_issue_policy(world):
    schedules.apply_clinic_defaults(actor=Actor(user=world.dr_a), patient_id=world.p1.pk)
    got = dict(Schedule.objects.filter(patient=world.p1).values_list("instrument", "every_days"))
    assert got == {"peg": 7, "phq9": 28, "gad7": 28, "startback": None, "ort": None}


def test_due_arithmetic():
    start = date(2026, 1, 1)
    assert next_due(every_days=None, start_date=start, last_answered=None) == start
    assert next_due(every_days=None, start_date=start, last_answered=start) is None
    assert next_due(every_days=7, start_date=start, last_answered=date(2026, 1, 3)) == date(
        2026, 1, 10
    )
    assert due_status(date(2026, 1, 10), today=date(2026, 1, 9), grace_days=3) == "upcoming"
    assert due_status(date(2026, 1, 10), today=date(2026, 1, 13), grace_days=3) == "due"
    assert due_status(date(2026, 1, 10), today=date(2026, 1, 14), grace_days=3) == "overdue"


def test_change_judged_against_the_instruments_thresholds():
    nrs = get_instrument("nrs").change_thresholds
    verdicts = {v.rule: v.met for v in judge_change(nrs, baseline=8, current=6)}
    assert verdicts == {"-30%": False, "-50%": False, "-2 points": True}
    verdicts = {v.rule: v.met for v in judge_change(nrs, baseline=8, current=4)}
    assert verdicts == {"-30%": True, "-50%": True, "-2 points": True}


def test_reminder_lifecycle_sent_opened_answered_and_expired(world, as_user):
    world.patient_user.email = "ada@example.org"
    world.patient_user.save()
    schedules.set_schedule(
        actor=Actor(user=world.dr_a), patient_id=world.p1.pk, instrument_id="peg", every_days=7
    )
    schedules.set_schedule(
        actor=Actor(user=world.dr_a),
        patient_id=world.p2.pk,
        instrument_id="gad7",
        every_days=28,
        start_date=local_today(world.p2) - timedelta(days=20),
    )
    stats = schedules.run_reminders()
    assert stats["sent"] == 1 and len(mail.outbox) == 1  # p2 has no log-in: not sent
    # p2's reminder (due 20 days ago, never answered) is past the policy's expiry at once
    assert stats["expired"] == 1 and Reminder.objects.get(patient=world.p2).status == "expired"
    assert schedules.run_reminders()["sent"] == 0  # idempotent
    reminder = Reminder.objects.get(patient=world.p1)
    assert reminder.status == "sent" and reminder.sent_to == "ada@example.org"
    assert as_user(world.patient_user).get("/questionnaires/answer/peg/").status_code == 200
    reminder.refresh_from_db()
    assert reminder.status == "opened"
    done = as_user(world.patient_user).post(
        "/questionnaires/answer/peg/", {"pain_average": 5, "enjoyment": 5, "general_activity": 5}
    )
    assert done.status_code == 302
    reminder.refresh_from_db()
    assert reminder.status == "answered" and reminder.response is not None
    assert schedules.adherence(world.p1.pk)["peg"].rate == 1.0
    assert schedules.adherence(world.p2.pk)["gad7"].rate == 0.0
