"""Measurement in a real browser: a patient on a phone does the daily check-in (body map by
click and by keyboard) and a due questionnaire; a clinician sees trends, bands and the flag."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from tests.factories import PASSWORD
from tests.ui.conftest import screenshot, sign_in

from painpath.assessments import schedules
from painpath.assessments.services import submit_response
from painpath.core.context import Actor
from painpath.diary.models import CheckIn

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def ui_world(request):
    return request.getfixturevalue("world")


def test_patient_checks_in_and_answers_a_due_questionnaire_on_a_phone(ui_world, phone_page):
    w = ui_world
    schedules.set_schedule(
        actor=Actor(user=w.dr_a), patient_id=w.p1.pk, instrument_id="peg", every_days=7
    )
    page = phone_page
    sign_in(page, "pat1", PASSWORD)
    expect(page.get_by_text("Not done yet today.")).to_be_visible()
    page.get_by_role("link", name="Do today's check-in").click()
    page.locator('input[name="pain_now"][value="6"]').check()
    page.locator('input[name="pain_average"][value="5"]').check()
    back = page.get_by_role("checkbox", name="Lower back", exact=True)
    expect(back).to_be_visible()  # the SVG map is shown once the script runs
    back.click()
    expect(back).to_have_attribute("aria-checked", "true")
    knee = page.get_by_role("checkbox", name="Left knee", exact=True)
    knee.focus()
    page.keyboard.press("Space")
    expect(knee).to_have_attribute("aria-checked", "true")
    page.get_by_label("Burning").check()
    page.locator('input[name="mood"][value="4"]').check()
    screenshot(page, "measurement-checkin-phone")
    page.get_by_role("button", name="Save check-in").click()
    expect(page.get_by_text("Today's check-in is saved.")).to_be_visible()
    assert CheckIn.objects.get(patient=w.p1).regions == ["knee_left", "lower_back"]
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.get_by_role("link", name="Questionnaires", exact=True).click()
    page.get_by_role("link", name=re.compile("^PEG three-item scale")).click()
    for fieldset in page.locator("fieldset.q-item").all():
        fieldset.locator("input[type=radio]").nth(5).check()
    screenshot(page, "measurement-questionnaire-phone")
    page.get_by_role("button", name="Send answers").click()
    expect(page.get_by_text("Thank you: your answers are saved.")).to_be_visible()
    assert page.console_errors == []


def test_clinician_sees_trends_bands_and_the_urgent_flag(ui_world, desktop_page):
    w = ui_world
    actor = Actor(user=w.patient_user)
    from painpath.diary import services as diary

    diary.save_checkin(
        actor=actor,
        patient_id=w.p1.pk,
        data=diary.CheckInData(7, 6, regions=["lower_back"], mood=3, activity=4),
    )
    submit_response(
        actor=actor, patient_id=w.p1.pk, instrument_id="phq9", answers=[2, 2, 2, 2, 2, 2, 2, 2, 0]
    )
    submit_response(
        actor=actor, patient_id=w.p1.pk, instrument_id="phq9", answers=[1, 1, 1, 1, 1, 1, 0, 0, 1]
    )
    page = desktop_page
    sign_in(page, "dr_a", PASSWORD)
    page.goto(page.base_url + f"/patients/{w.p1.pk}/")
    expect(page.get_by_text("URGENT:")).to_be_visible()
    expect(page.get_by_text("moderately severe").first).to_be_visible()
    expect(page.locator("#trend-chart")).to_be_visible()
    # Chart.js styles the canvas once it has drawn on it
    page.wait_for_function("() => document.getElementById('trend-chart').style.display === 'block'")
    screenshot(page, "measurement-clinician-chart")
    assert page.console_errors == []
