"""In a real browser: a patient on a phone answers PHQ-9 item 9 = 1 and sees the crisis panel
at once, numbers on screen without scrolling; after one worker cycle the clinician sees the
urgent alert with the phone and emergency contact; acknowledging updates triage at once;
snoozing takes an alert out of the ranking."""

from __future__ import annotations

import pytest
from huey.contrib.djhuey import HUEY
from playwright.sync_api import expect
from tests.factories import PASSWORD
from tests.ui.conftest import PHONE, screenshot, sign_in

from painpath.accounts.models import ClinicCrisisInstruction
from painpath.alerts.evaluation import evaluate_patient
from painpath.alerts.models import Alert
from painpath.assessments.services import submit_response
from painpath.core.context import Actor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RULE = "phq9-item9-positive"


@pytest.fixture
def ui_world(request):
    world = request.getfixturevalue("world")
    clinic = world.clinic_a
    clinic.country, clinic.crisis_phone = "US", "+12125550199"
    clinic.save()
    ClinicCrisisInstruction.objects.create(
        clinic=clinic, language="en", text="Call our on-call clinician at any hour."
    )
    p1 = world.p1
    p1.phone = "+12015550123"
    p1.emergency_contact_name, p1.emergency_contact_relationship = "Byron Lovelace", "father"
    p1.emergency_contact_phone = "+12015550124"
    p1.save()
    HUEY.flush()  # this process's in-memory queue starts empty
    yield world
    HUEY.flush()


def run_worker_cycle() -> int:
    """What one pass of `painpath worker` does: run every queued task; returns how many."""
    count = 0
    while (task := HUEY.dequeue()) is not None:
        HUEY.execute(task)
        count += 1
    return count


def _in_viewport(locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]


def test_patient_sees_the_crisis_panel_at_once_and_the_clinician_the_urgent_alert(
    ui_world, phone_page, desktop_page
):
    w, page = ui_world, phone_page
    sign_in(page, "pat1", PASSWORD)
    page.goto(page.base_url + "/questionnaires/answer/phq9/")
    for item in range(1, 9):
        page.locator(f'input[name="phq9_{item}"][value="0"]').check()
    page.locator('input[name="phq9_9"][value="1"]').check()
    page.get_by_role("button", name="Send answers").click()
    panel = page.get_by_role("alert")
    expect(panel).to_contain_text("You do not have to face this alone")
    assert page.evaluate("() => window.scrollY") == 0  # nothing to scroll past first
    for number, name in (
        ("911", "Emergency services"),
        ("988", "988 Suicide & Crisis Lifeline"),
        ("+1 212-555-0199", "Clinic A"),
    ):
        call = panel.get_by_role("link", name=f"{number} {name}")
        expect(call).to_be_visible()
        assert _in_viewport(call), f"{number} is not on screen without scrolling"
    assert page.locator('a[href="tel:988"]').count() == 1
    expect(panel).to_contain_text("Call our on-call clinician at any hour.")
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(page, "crisis-panel-phone")
    assert page.console_errors == []

    assert not Alert.objects.filter(rule_id=RULE).exists()  # the worker has not run yet
    assert run_worker_cycle() >= 1
    alert = Alert.objects.get(patient=w.p1, rule_id=RULE)
    assert alert.severity == "urgent" and alert.status == "open"

    clinician = desktop_page
    sign_in(clinician, "dr_a", PASSWORD)
    row = clinician.locator(f"#triage-{w.p1.pk}")
    expect(row.locator(".sev-label")).to_have_text("urgent")
    expect(row).to_contain_text("PHQ-9 item 9 above 0")
    expect(row.get_by_role("link", name="+1 201-555-0123")).to_be_visible()
    clinician.goto(f"{clinician.base_url}/alerts/{alert.pk}/")
    reach = clinician.locator("section", has=clinician.get_by_role("heading", name="Reach"))
    expect(reach.get_by_role("link", name="+1 201-555-0123")).to_have_attribute(
        "href", "tel:+12015550123"
    )
    expect(reach).to_contain_text("Byron Lovelace (father)")
    expect(reach.get_by_role("link", name="+1 201-555-0124")).to_be_visible()
    screenshot(clinician, "crisis-alert-clinician")
    assert clinician.console_errors == []


def _crisis_alert(world) -> Alert:
    submit_response(
        actor=Actor(user=world.patient_user),
        patient_id=world.p1.pk,
        instrument_id="phq9",
        answers=[0] * 8 + [2],
    )
    evaluate_patient(patient_id=world.p1.pk)
    return Alert.objects.get(patient=world.p1, rule_id=RULE)


def test_acknowledging_updates_triage_and_the_chart_at_once(ui_world, desktop_page):
    w, page = ui_world, desktop_page
    alert = _crisis_alert(w)
    sign_in(page, "dr_a", PASSWORD)
    row = page.locator(f"#triage-{w.p1.pk}")
    expect(page.locator(".triage-row").first).to_have_id(f"triage-{w.p1.pk}")
    expect(row.locator(".sev-label")).to_have_text("urgent")
    row.get_by_role("button", name="Acknowledge").click()  # htmx: the row is swapped in place
    expect(row.locator(".sev-label")).not_to_have_text("urgent")
    expect(row).to_contain_text("1 acknowledged")
    assert page.url.endswith("/alerts/triage/")  # no page load: swapped in place
    alert.refresh_from_db()
    assert alert.status == "acknowledged" and alert.acknowledged_by == w.dr_a
    page.reload()
    expect(page.locator(f"#triage-{w.p1.pk} .sev-label")).not_to_have_text("urgent")
    page.goto(f"{page.base_url}/patients/{w.p1.pk}/")
    panel = page.locator("#alerts-panel")
    expect(panel.get_by_test_id("alert-counts")).to_have_text(
        "1 open · 0 snoozed · 1 acknowledged · 0 condition cleared"
    )
    expect(page.get_by_text("No open flags.")).to_be_visible()  # the flag shows the same
    screenshot(page, "alert-acknowledged-chart")
    assert page.console_errors == []


def test_snoozing_from_the_chart_takes_the_alert_out_of_the_ranking(ui_world, desktop_page):
    w, page = ui_world, desktop_page
    alert = _crisis_alert(w)
    sign_in(page, "dr_a", PASSWORD)
    page.goto(f"{page.base_url}/patients/{w.p1.pk}/")
    card = page.locator(f"#alert-{alert.pk}")
    card.locator("summary", has_text="Snooze").click()  # opens the snooze form
    card.get_by_label("Reason for snoozing").fill("No answer; calling again at 4 pm")
    card.get_by_role("button", name="Snooze").click()
    counts = page.get_by_test_id("alert-counts")
    expect(counts).to_have_text("1 open · 1 snoozed · 0 acknowledged · 0 condition cleared")
    expect(page.locator(f"#alert-{alert.pk}")).to_contain_text("snoozed until")
    alert.refresh_from_db()
    assert alert.state == "snoozed" and alert.snooze_reason.startswith("No answer")
    page.goto(f"{page.base_url}/alerts/triage/")
    row = page.locator(f"#triage-{w.p1.pk}")
    expect(row.locator(".sev-label")).not_to_have_text("urgent")
    expect(row).to_contain_text("1 snoozed")
    screenshot(page, "alert-snoozed-triage")
    assert page.console_errors == []
