"""Questionnaire responses, flags, schedules, reminders: rules, access and contracts."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.core import mail
from django.test import override_settings
from tests.factories import UserFactory

from painpath.assessments import schedules, selectors, services
from painpath.assessments.models import Flag, QuestionnaireResponse, Reminder, Schedule
from painpath.assessments.schedule import Measurement, due_status, judge_change, next_due
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
    for answers in (PHQ9_ITEM9, [0] * 8 + [1]):  # two urgent flags for p1, one label
        services.submit_response(
            actor=Actor(user=world.patient_user),
            patient_id=world.p1.pk,
            instrument_id="phq9",
            answers=answers,
        )
    other = UserFactory(username="pat3", clinic=world.clinic_a, role="patient")
    world.p3.user = other
    world.p3.save()
    services.submit_response(
        actor=Actor(user=other), patient_id=world.p3.pk, instrument_id="phq9", answers=PHQ9_ITEM9
    )
    reviewed = Flag.objects.filter(patient=world.p3).get()
    services.review_flag(actor=Actor(user=world.dr_b), flag_id=reviewed.pk)
    services.submit_response(
        actor=Actor(user=other), patient_id=world.p3.pk, instrument_id="phq9", answers=PHQ9_ITEM9
    )
    assert Flag.objects.filter(urgent=True).count() == 4
    with django_assert_num_queries(1):
        found = selectors.open_urgent_flags([world.p1.pk, world.p2.pk, world.p3.pk])
    assert found == {world.p1.pk: ["suicidal ideation"], world.p3.pk: ["suicidal ideation"]}


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


ORT_ANSWERS = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0]
ORT_LAST = get_instrument("ort").item_ids[-1]
ORT_SEX = "ort requires sex 'female' or 'male' (its item weights differ by sex)"


@pytest.mark.parametrize(
    ("record", "body", "error"),
    [
        # The form's sex wins over the record's: the error says what was sent.
        ("female", {"answers": ORT_ANSWERS, "sex": "other"}, ("sex", f"{ORT_SEX}; got 'other'")),
        ("unknown", {"answers": ORT_ANSWERS}, ("sex", ORT_SEX)),
        (
            "female",
            {"answers": ORT_ANSWERS[:9], "sex": "male"},
            (
                "answers",
                f"ort takes 10 answers, got 9 (no answer for item {ORT_LAST}; "
                "leave a position empty for a missing item)",
            ),
        ),
    ],
)
def test_ort_sex_errors_name_the_sex_field(world, as_user, record, body, error):
    world.p1.sex = record
    world.p1.save()
    response = _post(
        as_user(world.patient_user),
        "/api/v1/questionnaires/responses",
        {"instrument": "ort", **body},
    )
    assert response.status_code == 422
    got = response.json()["error"]["fields"][0]
    assert (got["field"], got["message"]) == error
    assert not QuestionnaireResponse.objects.exists()


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
    verdicts = {
        v.rule: v.met for v in judge_change(nrs, baseline=Measurement(8), current=Measurement(6))
    }
    assert verdicts == {"-30%": False, "-50%": False, "-2 points": True}
    verdicts = {
        v.rule: v.met for v in judge_change(nrs, baseline=Measurement(8), current=Measurement(4))
    }
    assert verdicts == {"-30%": True, "-50%": True, "-2 points": True}


def _verdicts(instrument_id, baseline, current):
    return {
        v.rule: v.met
        for v in judge_change(
            get_instrument(instrument_id).change_thresholds, baseline=baseline, current=current
        )
    }


@pytest.mark.parametrize(("after", "met"), [(4.14, True), (4.15, False), (3.0, True), (5.5, False)])
def test_bpi_interference_threshold_is_judged_on_the_interference_subscale(after, met):
    base = Measurement(
        score=6.0, subscales={"severity": 6.0, "interference": 5.14}, band="moderate"
    )
    now = Measurement(
        score=6.0, subscales={"severity": 6.0, "interference": after}, band="moderate"
    )
    # severity did not change at all: only the interference subscale is judged
    assert _verdicts("bpi_sf", base, now) == {"interference -1 points": met}
    assert _verdicts("bpi_sf", base, Measurement(score=6.0, subscales={"severity": 6.0})) == {}


@pytest.mark.parametrize(
    ("before", "after", "met"),
    [
        ((18, "severe"), (25, "moderate"), True),  # +7 and a band move
        ((20, "moderate"), (27, "moderate"), False),  # +7, same band
        ((14, "severe"), (20, "moderate"), False),  # band move, +6 only
        ((34, "mild"), (41, "minimal"), True),
    ],
)
def test_pseq_threshold_needs_seven_points_and_a_band_move(before, after, met):
    base, now = Measurement(before[0], band=before[1]), Measurement(after[0], band=after[1])
    assert _verdicts("pseq", base, now) == {"+7 points and a different band": met}


@pytest.mark.parametrize(
    ("before", "after", "points", "percent"),
    [(40.0, 30.0, True, False), (40.0, 28.0, True, True), (20.0, 14.0, False, True)],
)
def test_odi_minimal_important_change(before, after, points, percent):
    assert _verdicts("odi", Measurement(before), Measurement(after)) == {
        "-10 points": points,
        "-30%": percent,
    }


@pytest.mark.parametrize(("after", "met"), [(10, True), (11, False), (20, False)])
def test_phq9_minimal_clinically_important_difference(after, met):
    assert _verdicts("phq9", Measurement(15), Measurement(after)) == {"-5 points": met}


def test_chart_shows_subscale_and_band_move_verdicts(world, as_user):
    actor = Actor(user=world.patient_user)
    for answers in ([6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6], [6, 6, 6, 6, 4, 4, 4, 4, 4, 4, 4]):
        services.submit_response(
            actor=actor, patient_id=world.p1.pk, instrument_id="bpi_sf", answers=answers
        )
    for answers in ([1] * 10, [3, 2, 2, 2, 2, 2, 2, 2, 2, 2]):  # 10 severe -> 21 moderate
        services.submit_response(
            actor=actor, patient_id=world.p1.pk, instrument_id="pseq", answers=answers
        )
    rows, _ = services.score_history(actor=Actor(user=world.dr_a), patient_id=world.p1.pk)
    judged = {
        r.response.instrument: [(v.rule, v.met) for v in r.verdicts] for r in rows if r.verdicts
    }
    assert judged == {
        "bpi_sf": [("interference -1 points", True)],
        "pseq": [("+7 points and a different band", True)],
    }
    with override_settings(PAINPATH_CHART_PANELS=["painpath.assessments.views.chart_panel"]):
        html = as_user(world.dr_a).get(f"/patients/{world.p1.pk}/").content.decode()
    assert "interference -1 points: minimally important improvement in interference" in html
    assert "+7 points and a different band" in html


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
    assert (
        schedules.overview(actor=Actor(user=world.dr_a), patient_id=world.p1.pk)
        .adherence["peg"]
        .rate
        == 1.0
    )
    assert (
        schedules.overview(actor=Actor(user=world.dr_a), patient_id=world.p2.pk)
        .adherence["gad7"]
        .rate
        == 0.0
    )
