"""Check-in page, the patient home and clinician chart sections, and the demo loaders."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import override_settings

from painpath.analytics.synth import generate_cohort
from painpath.assessments import selectors as assessment_selectors
from painpath.assessments.models import QuestionnaireResponse, Reminder
from painpath.core.context import Actor
from painpath.diary import services
from painpath.diary.models import CheckIn
from painpath.patients.cohort import load_cohort

pytestmark = pytest.mark.django_db

QUERIES = 34  # page + 3 sections (due list and adherence in one), each with its access check and audit row
MY_LOADERS = ["painpath.diary.cohort.load_demo", "painpath.assessments.cohort.load_demo"]


def test_checkin_page_works_without_js_as_checkboxes(world, as_user):
    client = as_user(world.patient_user)
    page = client.get("/diary/checkin/")
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('role="checkbox"') == 33  # every SVG region is a named control
    assert 'name="regions" value="lower_back"' in html
    saved = client.post(
        "/diary/checkin/",
        {
            "pain_now": 6,
            "pain_average": 5,
            "regions": ["lower_back", "knee_left"],
            "qualities": ["burning"],
            "mood": 4,
        },
    )
    assert saved.status_code == 302
    assert CheckIn.objects.get(patient=world.p1).regions == ["knee_left", "lower_back"]
    bad = client.post("/diary/checkin/", {"pain_now": 12, "pain_average": 5})
    assert bad.status_code == 200 and "errorlist" in bad.content.decode()


def test_checkin_page_is_for_patients_only(world, as_user, client):
    assert as_user(world.dr_a).get("/diary/checkin/").status_code == 404
    assert client.get("/diary/checkin/").status_code == 302  # to sign-in


def test_patient_home_shows_checkin_status_and_due_questionnaires(world, as_user):
    html = as_user(world.patient_user).get("/patients/me/").content.decode()
    assert "Not done yet today." in html and "Questionnaires to answer" in html
    services.save_checkin(
        actor=Actor(user=world.patient_user),
        patient_id=world.p1.pk,
        data=services.CheckInData(3, 4),
    )
    html = as_user(world.patient_user).get("/patients/me/").content.decode()
    assert "Done: average pain 4/10." in html


def test_chart_shows_trends_heatmap_scores_and_flag_with_pinned_queries(
    world, as_user, django_assert_num_queries
):
    actor = Actor(user=world.patient_user)
    services.save_checkin(
        actor=actor,
        patient_id=world.p1.pk,
        data=services.CheckInData(6, 6, regions=["lower_back"], mood=3),
    )
    from painpath.assessments.services import submit_response

    for answers in ([2, 2, 2, 2, 2, 2, 2, 2, 0], [1, 1, 1, 1, 1, 1, 0, 0, 1]):
        submit_response(actor=actor, patient_id=world.p1.pk, instrument_id="phq9", answers=answers)
    client = as_user(world.dr_a)
    mine = [
        "painpath.assessments.views.chart_panel",
        "painpath.diary.views.trends_panel",
        "painpath.diary.views.heatmap_panel",
    ]
    with override_settings(PAINPATH_CHART_PANELS=mine), django_assert_num_queries(QUERIES):
        html = client.get(f"/patients/{world.p1.pk}/").content.decode()
    # more data, same number of queries (no N+1)
    submit_response(actor=actor, patient_id=world.p1.pk, instrument_id="peg", answers=[5, 5, 5])
    with override_settings(PAINPATH_CHART_PANELS=mine), django_assert_num_queries(QUERIES):
        client.get(f"/patients/{world.p1.pk}/")
    assert "URGENT" in html and "suicidal ideation" in html
    assert "moderately severe" in html and "baseline" in html
    assert 'id="trend-data"' in html and "Lower back: 1" in html
    assert as_user(world.dr_b).get(f"/patients/{world.p1.pk}/").status_code == 404


def test_demo_loaders_store_months_of_data_and_flag_a_few_patients():
    # Loading time is measured in benchmarks/, not asserted here.
    cohort = generate_cohort(n_patients=60, seed=7, as_of=date(2026, 6, 30))
    with override_settings(PAINPATH_DEMO_LOADERS=MY_LOADERS):
        stored = load_cohort(cohort, password="x" * 12)
    assert CheckIn.objects.filter(synthetic=True).count() > 60 * 120 * 0.3
    assert QuestionnaireResponse.objects.filter(synthetic=True).count() > 500
    assert Reminder.objects.filter(status="expired").exists()
    assert Reminder.objects.filter(status="answered").exists()
    flagged = assessment_selectors.open_urgent_flags([p.pk for p in stored.patients.values()])
    assert 1 <= len(flagged) <= 3
