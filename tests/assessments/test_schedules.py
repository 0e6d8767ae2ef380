"""Schedules over time: occurrences move on after a miss, reminders are created and sent for
each one, adherence counts every miss; only valid responses answer; per-clinic policy."""

from __future__ import annotations

import datetime as dt
import json
from datetime import date, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import override_settings

from painpath.analytics.synth import generate_cohort
from painpath.assessments import schedules, services
from painpath.assessments.models import (
    ClinicDefaultSchedule,
    ClinicQuestionnairePolicy,
    QuestionnaireResponse,
    Reminder,
    Schedule,
)
from painpath.assessments.policy import policy, policy_for
from painpath.assessments.schedule import occurrences
from painpath.core.context import Actor
from painpath.interop import fhir
from painpath.patients.cohort import load_cohort

pytestmark = pytest.mark.django_db

# Noon in New York (clinic A's zone) on Monday 2 March 2026.
T0 = dt.datetime(2026, 3, 2, 17, 0, tzinfo=dt.UTC)
D0 = date(2026, 3, 2)


def _d(offset: int) -> date:
    return D0 + timedelta(days=offset)


# --- the pure occurrence arithmetic ------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "current", "missed"),
    [
        (-1, 0, 0),  # upcoming
        (0, 0, 0),
        (6, 0, 0),
        (7, 7, 1),  # the next occurrence came due: the first one is missed
        (13, 7, 1),
        (14, 14, 2),
        (30, 28, 4),
    ],
)
def test_weekly_occurrences_move_on_after_a_miss(today, current, missed):
    occ = occurrences(
        every_days=7, start_date=D0, last_answered=None, today=_d(today), expiry_days=7
    )
    assert occ.current == _d(current)
    assert occ.missed == tuple(_d(7 * k) for k in range(missed))


@pytest.mark.parametrize(
    ("today", "current", "missed"),
    [(7, 0, 0), (8, 28, 1), (28, 28, 1), (35, 28, 1), (36, 56, 2)],
)
def test_four_weekly_occurrences_expire_before_the_next_is_due(today, current, missed):
    occ = occurrences(
        every_days=28, start_date=D0, last_answered=None, today=_d(today), expiry_days=7
    )
    assert (occ.current, len(occ.missed)) == (_d(current), missed)


def test_occurrences_count_from_the_last_valid_answer_and_intake_stays_due():
    occ = occurrences(every_days=7, start_date=D0, last_answered=_d(3), today=_d(9), expiry_days=7)
    assert (occ.current, occ.missed) == (_d(10), ())
    intake = occurrences(
        every_days=None, start_date=D0, last_answered=None, today=_d(40), expiry_days=7
    )
    assert (intake.current, intake.missed) == (D0, ())
    done = occurrences(
        every_days=None, start_date=D0, last_answered=_d(1), today=_d(40), expiry_days=7
    )
    assert done.current is None


@pytest.mark.parametrize(("today", "expired"), [(0, False), (7, False), (8, True), (40, True)])
def test_an_unanswered_intake_occurrence_expires_after_the_expiry_and_stays_current(today, expired):
    occ = occurrences(
        every_days=None, start_date=D0, last_answered=None, today=_d(today), expiry_days=7
    )
    assert (occ.current, occ.missed, occ.expired) == (D0, (), expired)


@pytest.mark.parametrize("today", [-1, 0, 7, 8, 14, 30])
def test_a_recurring_current_occurrence_is_never_expired(today):
    # Past the expiry a recurring schedule moves on to the next occurrence instead.
    for every in (7, 28):
        occ = occurrences(
            every_days=every, start_date=D0, last_answered=None, today=_d(today), expiry_days=7
        )
        assert occ.expired is False


# --- reminders over several weeks ------------------------------------------------------


def _reminders(patient) -> list[tuple[date, str]]:
    return list(
        Reminder.objects.filter(patient=patient)
        .order_by("due_date")
        .values_list("due_date", "status")
    )


def test_reminders_continue_after_a_miss_and_adherence_counts_each_miss(world):
    world.patient_user.email = "ada@example.org"
    world.patient_user.save()
    patient_actor = Actor(user=world.patient_user)
    with time_machine.travel(T0, tick=False) as traveller:
        schedules.set_schedule(
            actor=Actor(user=world.dr_a), patient_id=world.p1.pk, instrument_id="peg", every_days=7
        )
        for day in range(36):
            if day == 10:  # an incomplete PEG (no score) does not answer the reminder
                partial = services.submit_response(
                    actor=patient_actor,
                    patient_id=world.p1.pk,
                    instrument_id="peg",
                    answers=[5, None, 5],
                )
                assert partial.valid is False
            if day == 15:
                services.submit_response(
                    actor=patient_actor,
                    patient_id=world.p1.pk,
                    instrument_id="peg",
                    answers=[5, 5, 5],
                )
            schedules.run_reminders()
            schedules.run_reminders()  # idempotent within the hour
            if day == 12:
                due = schedules.list_due(actor=patient_actor, patient_id=world.p1.pk)
                assert (due[0].due_date, due[0].status) == (_d(7), "overdue")
            traveller.shift(timedelta(days=1))
    assert _reminders(world.p1) == [
        (_d(0), "expired"),
        (_d(7), "expired"),  # the partial form on day 10 did not answer it
        (_d(14), "answered"),  # answered on day 15
        (_d(22), "expired"),  # next occurrence counts from the answer: 15 + 7
        (_d(29), "sent"),
    ]
    assert len(mail.outbox) == 5  # each occurrence was sent once
    assert [m.to for m in mail.outbox] == [["ada@example.org"]] * 5
    adherence = schedules.overview(actor=Actor(user=world.dr_a), patient_id=world.p1.pk).adherence[
        "peg"
    ]
    assert (adherence.answered, adherence.expired, adherence.open) == (1, 3, 1)
    assert adherence.rate == 0.25


def test_occurrences_missed_while_the_task_did_not_run_are_each_counted(world):
    with time_machine.travel(T0, tick=False):
        schedules.set_schedule(
            actor=Actor(user=world.dr_a),
            patient_id=world.p2.pk,
            instrument_id="peg",
            every_days=7,
            start_date=_d(-15),
        )
        stats = schedules.run_reminders()
    assert _reminders(world.p2) == [
        (_d(-15), "expired"),
        (_d(-8), "expired"),
        (_d(-1), "scheduled"),  # p2 has no log-in e-mail: kept, with a note, not sent
    ]
    assert stats == {"scheduled": 3, "sent": 0, "expired": 2}
    assert (
        schedules.overview(actor=Actor(user=world.dr_a), patient_id=world.p2.pk)
        .adherence["peg"]
        .expired
        == 2
    )


def test_an_intake_questionnaire_expires_once_and_stays_overdue(world):
    with time_machine.travel(T0, tick=False):
        schedules.set_schedule(
            actor=Actor(user=world.dr_a),
            patient_id=world.p2.pk,
            instrument_id="ort",
            every_days=None,
            start_date=_d(-10),
        )
        schedules.run_reminders()
        schedules.run_reminders()
        due = schedules.list_due(actor=Actor(user=world.dr_a), patient_id=world.p2.pk)
    assert _reminders(world.p2) == [(_d(-10), "expired")]
    assert (due[0].due_date, due[0].status) == (_d(-10), "overdue")


def test_stopping_a_schedule_expires_its_open_reminder(world):
    world.patient_user.email = "ada@example.org"
    world.patient_user.save()
    with time_machine.travel(T0, tick=False):
        kwargs = {"actor": Actor(user=world.dr_a), "patient_id": world.p1.pk}
        schedules.set_schedule(**kwargs, instrument_id="phq9", every_days=28)
        schedules.run_reminders()
        assert _reminders(world.p1) == [(D0, "sent")]
        schedules.set_schedule(**kwargs, instrument_id="phq9", every_days=28, active=False)
        schedules.run_reminders()
    reminder = Reminder.objects.get(patient=world.p1)
    assert (reminder.status, reminder.note) == ("expired", "schedule stopped or changed")


def test_only_a_valid_response_counts_as_last_answered(world):
    actor = Actor(user=world.patient_user)
    with time_machine.travel(T0, tick=False):
        schedules.set_schedule(
            actor=Actor(user=world.dr_a),
            patient_id=world.p1.pk,
            instrument_id="phq9",
            every_days=28,
        )
        services.submit_response(
            actor=actor, patient_id=world.p1.pk, instrument_id="phq9", answers=[1] * 8 + [None]
        )
        due = schedules.list_due(actor=actor, patient_id=world.p1.pk)[0]
        assert (due.last_answered, due.status) == (None, "due")
        services.submit_response(
            actor=actor, patient_id=world.p1.pk, instrument_id="phq9", answers=[1] * 9
        )
        due = schedules.list_due(actor=actor, patient_id=world.p1.pk)[0]
    assert (due.last_answered, due.due_date, due.status) == (D0, _d(28), "upcoming")


# --- empty forms are refused ---------------------------------------------------------


def _post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_an_empty_form_is_refused_everywhere_and_nothing_is_stored(world, as_user):
    client = as_user(world.patient_user)
    api = _post(
        client, "/api/v1/questionnaires/responses", {"instrument": "peg", "answers": [None] * 3}
    )
    assert api.status_code == 422
    assert api.json()["error"]["fields"][0]["field"] == "answers"
    assert "No question was answered" in api.json()["error"]["fields"][0]["message"]
    empty_fhir = {
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "questionnaire": fhir.questionnaire_url("phq9"),
        "item": [{"linkId": f"phq9_{i}"} for i in range(1, 10)],
    }
    response = _post(client, "/api/v1/fhir/QuestionnaireResponse", empty_fhir)
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["field"] == "item"
    web = client.post("/questionnaires/answer/peg/", {})
    assert web.status_code == 422
    assert "No question was answered" in web.content.decode()
    assert not QuestionnaireResponse.objects.exists()


# --- bad input on the web forms and the API ------------------------------------------------


def test_web_form_refuses_a_non_numeric_answer_naming_the_item(world, as_user):
    page = as_user(world.patient_user).post(
        "/questionnaires/answer/peg/",
        {"pain_average": "abc", "enjoyment": "5", "general_activity": "5"},
    )
    html = page.content.decode()
    assert page.status_code == 422
    label = services.instrument_or_invalid("peg").item("pain_average").label
    assert f"{label}: &#x27;abc&#x27; is not one of the answers." in html
    assert not QuestionnaireResponse.objects.exists()


@pytest.mark.parametrize("value", ["7a", "+7", "\u0667", "7.5"])
def test_schedule_form_refuses_a_bad_interval(world, as_user, value):
    url = f"/questionnaires/patients/{world.p1.pk}/schedule/"
    page = as_user(world.dr_a).post(url, {"instrument": "peg", "every_days": value})
    assert page.status_code == 422
    assert "is not a whole number of days" in page.content.decode()
    assert not Schedule.objects.exists()
    ok = as_user(world.dr_a).post(url, {"instrument": "peg", "every_days": " 7 "})
    assert ok.status_code == 302
    assert Schedule.objects.get().every_days == 7
    intake = as_user(world.dr_a).post(url, {"instrument": "ort", "every_days": ""})
    assert intake.status_code == 302
    assert Schedule.objects.get(instrument="ort").every_days is None


@pytest.mark.parametrize(
    ("answers", "field"), [(["5", 5, 5], "answers.0"), ([5, True, 5], "answers.1")]
)
def test_api_answers_are_strict_integers(world, as_user, answers, field):
    response = _post(
        as_user(world.patient_user),
        "/api/v1/questionnaires/responses",
        {"instrument": "peg", "answers": answers},
    )
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["field"] == field
    assert not QuestionnaireResponse.objects.exists()


@pytest.mark.parametrize("every", ["7", True, 7.5])
def test_api_schedule_interval_is_a_strict_integer(world, as_user, every):
    response = as_user(world.dr_a).put(
        "/api/v1/questionnaires/schedules",
        json.dumps({"patient_id": world.p1.pk, "instrument": "peg", "every_days": every}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["field"] == "every_days"
    assert not Schedule.objects.exists()


# --- access on the due lists and pages ------------------------------------------------


def _schedule_everyone(world):
    for patient, doctor in ((world.p1, world.dr_a), (world.p2, world.dr_a), (world.p3, world.dr_b)):
        schedules.set_schedule(
            actor=Actor(user=doctor), patient_id=patient.pk, instrument_id="peg", every_days=7
        )
    schedules.set_schedule(
        actor=Actor(user=world.dr_other),
        patient_id=world.p_other.pk,
        instrument_id="peg",
        every_days=7,
    )


def test_due_api_without_patient_id_lists_only_visible_patients(world, as_user):
    _schedule_everyone(world)

    def ids(user):
        response = as_user(user).get("/api/v1/questionnaires/due")
        assert response.status_code == 200
        return {row["patient_id"] for row in response.json()}

    assert ids(world.dr_a) == {world.p1.pk, world.p2.pk}
    assert ids(world.dr_b) == {world.p3.pk}
    assert ids(world.nurse) == {world.p1.pk, world.p2.pk, world.p3.pk}
    assert ids(world.dr_other) == {world.p_other.pk}
    assert ids(world.patient_user) == {world.p1.pk}
    assert (
        as_user(world.dr_other)
        .get(f"/api/v1/questionnaires/due?patient_id={world.p1.pk}")
        .status_code
        == 404
    )


def test_due_page_shows_only_visible_patients_and_sends_patients_to_their_own(world, as_user):
    _schedule_everyone(world)
    page = as_user(world.dr_b).get("/questionnaires/due/").content.decode()
    assert world.p3.family_name in page
    assert world.p1.family_name not in page and world.p_other.family_name not in page
    other = as_user(world.dr_other).get("/questionnaires/due/").content.decode()
    assert world.p_other.family_name in other and world.p1.family_name not in other
    mine = as_user(world.patient_user).get("/questionnaires/due/")
    assert mine.status_code == 302 and mine.url == "/questionnaires/"


def test_schedule_page_is_for_the_care_teams_clinicians(world, as_user):
    url = f"/questionnaires/patients/{world.p1.pk}/schedule/"
    assert as_user(world.patient_user).get(url).status_code == 403
    assert as_user(world.admin_a).get(url).status_code == 403
    assert as_user(world.dr_b).get(url).status_code == 404  # other team
    assert as_user(world.dr_other).get(url).status_code == 404  # other clinic
    assert (
        as_user(world.dr_b).post(url, {"instrument": "peg", "every_days": "7"}).status_code == 404
    )
    assert not Schedule.objects.exists()
    assert as_user(world.dr_a).get(url).status_code == 200


def test_a_clinician_cannot_use_the_answer_page(world, as_user):
    assert as_user(world.dr_a).get("/questionnaires/answer/peg/").status_code == 404
    posted = as_user(world.dr_a).post(
        "/questionnaires/answer/peg/", {"pain_average": 5, "enjoyment": 5, "general_activity": 5}
    )
    assert posted.status_code == 404
    assert not QuestionnaireResponse.objects.exists()


# --- the patient's time zone decides the local day ------------------------------------


@pytest.mark.parametrize(
    ("zone", "day"),
    [("Asia/Tokyo", date(2026, 3, 11)), ("America/Los_Angeles", date(2026, 3, 10))],
)
def test_the_patients_time_zone_decides_a_responses_day(world, zone, day):
    world.p1.timezone = zone
    world.p1.save()
    at = dt.datetime(2026, 3, 10, 20, 30, tzinfo=dt.UTC)  # 05:30 next day Tokyo, 13:30 LA
    with time_machine.travel(at, tick=False):
        web = services.submit_response(
            actor=Actor(user=world.patient_user),
            patient_id=world.p1.pk,
            instrument_id="nrs",
            answers=[4],
        )
    fhir_time = services.submit_response(
        actor=Actor(user=world.patient_user),
        patient_id=world.p1.pk,
        instrument_id="nrs",
        answers=[4],
        completed_at=at,
    )
    assert web.day == fhir_time.day == day


# --- per-clinic policy ---------------------------------------------------------------


def test_clinic_policy_overrides_the_file_and_other_clinics_keep_it(world):
    own = ClinicQuestionnairePolicy.objects.create(
        clinic=world.clinic_a, grace_days=1, reminder_expiry_days=3, own_defaults=True
    )
    ClinicDefaultSchedule.objects.create(policy=own, instrument="nrs", every_days=1)
    ClinicDefaultSchedule.objects.create(policy=own, instrument="ort", every_days=None)
    a, b = policy_for(world.clinic_a.pk), policy_for(world.clinic_b.pk)
    assert (a.grace_days, a.reminder_expiry_days) == (1, 3)
    assert a.version.startswith(f"{policy().version} + the clinic's policy of ")
    assert set(a.defaults) == {("nrs", 1), ("ort", None)}
    assert a.urgent_labels == policy().urgent_labels
    assert b == policy()
    schedules.apply_clinic_defaults(actor=Actor(user=world.dr_a), patient_id=world.p1.pk)
    got = dict(Schedule.objects.filter(patient=world.p1).values_list("instrument", "every_days"))
    assert got == {"nrs": 1, "ort": None}
    schedules.apply_clinic_defaults(actor=Actor(user=world.dr_other), patient_id=world.p_other.pk)
    got = dict(
        Schedule.objects.filter(patient=world.p_other).values_list("instrument", "every_days")
    )
    assert got == dict(policy().defaults)


def test_schedule_page_shows_the_policy_in_force_and_adherence(world, as_user):
    ClinicQuestionnairePolicy.objects.create(clinic=world.clinic_a, reminder_expiry_days=2)
    with time_machine.travel(T0, tick=False):
        schedules.set_schedule(
            actor=Actor(user=world.dr_a),
            patient_id=world.p1.pk,
            instrument_id="peg",
            every_days=7,
            start_date=_d(-3),
        )
        schedules.run_reminders()  # 3 days late > 2: the reminder expired
        html = as_user(world.dr_a).get(f"/questionnaires/patients/{world.p1.pk}/schedule/")
    html = html.content.decode()
    assert "reminders expire after 2 days" in html and "overdue more than 3 days" in html
    assert "overridden by the clinic&#x27;s own policy" in html
    assert "peg 0/1" in html  # answered / answered + expired
    other = as_user(world.dr_other).get(f"/questionnaires/patients/{world.p_other.pk}/schedule/")
    assert "reminders expire after 7 days" in other.content.decode()


def test_clinic_policy_grace_and_expiry_drive_due_status_and_reminders(world):
    ClinicQuestionnairePolicy.objects.create(
        clinic=world.clinic_a, grace_days=1, reminder_expiry_days=2
    )
    with time_machine.travel(T0, tick=False):
        schedules.set_schedule(
            actor=Actor(user=world.dr_a),
            patient_id=world.p2.pk,
            instrument_id="phq9",
            every_days=28,
            start_date=_d(-2),
        )
        due = schedules.list_due(actor=Actor(user=world.dr_a), patient_id=world.p2.pk)[0]
        assert due.status == "overdue"  # 2 days late > 1 day grace (the file says 3)
        schedules.run_reminders()
        assert _reminders(world.p2) == [(_d(-2), "scheduled")]  # 2 days: not yet expired
    with time_machine.travel(T0 + timedelta(days=1), tick=False):
        schedules.run_reminders()
    assert _reminders(world.p2) == [(_d(-2), "expired")]


def test_a_clinic_default_names_a_known_instrument_and_a_valid_interval(world):
    own = ClinicQuestionnairePolicy.objects.create(clinic=world.clinic_a)
    bad = ClinicDefaultSchedule(policy=own, instrument="phq10", every_days=400)
    with pytest.raises(ValidationError) as caught:
        bad.full_clean()
    assert "phq10" in caught.value.message_dict["instrument"][0]
    bad.instrument = "phq9"
    with pytest.raises(ValidationError) as caught:
        bad.full_clean()
    assert "instrument" not in caught.value.message_dict
    assert caught.value.message_dict["every_days"] == [
        "1 to 366 days, or empty for once at intake."
    ]


def test_clinic_admin_edits_their_clinics_policy_in_admin(world, as_user):
    ClinicQuestionnairePolicy.objects.create(clinic=world.clinic_b, grace_days=9)
    client = as_user(world.admin_a)
    form = client.get("/admin/assessments/clinicquestionnairepolicy/add/")
    assert form.status_code == 200 and "PHQ-9" in form.content.decode()
    response = client.post(
        "/admin/assessments/clinicquestionnairepolicy/add/",
        {
            "grace_days": "2",
            "reminder_expiry_days": "5",
            "own_defaults": "on",
            "defaults-TOTAL_FORMS": "2",
            "defaults-INITIAL_FORMS": "0",
            "defaults-MIN_NUM_FORMS": "0",
            "defaults-MAX_NUM_FORMS": "1000",
            "defaults-0-instrument": "peg",
            "defaults-0-every_days": "14",
            "defaults-1-instrument": "startback",
            "defaults-1-every_days": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    saved = ClinicQuestionnairePolicy.objects.get(clinic=world.clinic_a)
    assert (saved.grace_days, saved.reminder_expiry_days) == (2, 5)
    assert policy_for(world.clinic_a.pk).defaults == (("peg", 14), ("startback", None))
    listing = client.get("/admin/assessments/clinicquestionnairepolicy/").content.decode()
    assert "Clinic A" in listing and "Clinic B" not in listing
    other = ClinicQuestionnairePolicy.objects.get(clinic=world.clinic_b)
    # Outside the administrator's queryset: Django admin's "does not exist" redirect.
    hidden = client.get(f"/admin/assessments/clinicquestionnairepolicy/{other.pk}/change/")
    assert (hidden.status_code, hidden.url) == (302, "/admin/")
    assert client.get("/admin/assessments/clinicquestionnairepolicy/add/").status_code == 403
    assert (
        as_user(world.dr_a).get("/admin/assessments/clinicquestionnairepolicy/").status_code == 302
    )


# --- the demo cohort's reminders are what the reminder task would have left --------------


def short_expiry_at_the_main_clinic(cohort, *, stored) -> None:
    """A demo loader run before the questionnaires': the main clinic's own policy."""
    ClinicQuestionnairePolicy.objects.create(clinic=stored.clinics["main"], reminder_expiry_days=2)


DEMO_LOADERS = [
    "tests.assessments.test_schedules.short_expiry_at_the_main_clinic",
    "painpath.assessments.cohort.load_demo",
]


def test_the_first_reminder_run_after_the_demo_changes_nothing():
    as_of = date(2026, 6, 30)
    cohort = generate_cohort(n_patients=12, seed=3, as_of=as_of)
    with override_settings(PAINPATH_DEMO_LOADERS=DEMO_LOADERS):
        load_cohort(cohort, password="x" * 12)
    laid = set(Reminder.objects.values_list("schedule_id", "due_date", "status"))
    assert {status for *_, status in laid} == {"answered", "expired", "sent"}
    # Noon UTC: the cohort's last day in New York and London alike.
    with time_machine.travel(dt.datetime.combine(as_of, dt.time(12), tzinfo=dt.UTC)):
        stats = schedules.run_reminders()
    assert not Reminder.objects.filter(note="schedule stopped or changed").exists()
    assert stats == {"scheduled": 0, "sent": 0, "expired": 0}
    assert set(Reminder.objects.values_list("schedule_id", "due_date", "status")) == laid
