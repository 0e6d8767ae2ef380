"""In a real browser: a clinician prescribes with the safety check shown first, then works the
triage list and an alert; the patient reports doses on a phone."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from huey.contrib.djhuey import HUEY
from playwright.sync_api import expect
from tests.factories import PASSWORD
from tests.medications.factories import PrescriptionFactory, StubInputs
from tests.ui.conftest import screenshot, sign_in

from painpath.alerts.models import Alert
from painpath.medications.models import DoseReport, Prescription

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def ui_world(request, monkeypatch):
    world = request.getfixturevalue("world")
    StubInputs().install(monkeypatch)
    previous = HUEY.immediate
    HUEY.immediate = True  # evaluate in the server thread, as the worker would
    yield world
    HUEY.immediate = previous


def test_clinician_prescribes_with_the_check_first_then_works_an_alert(ui_world, desktop_page):
    world, page = ui_world, desktop_page
    PrescriptionFactory(
        patient=world.p1,
        drug="diazepam",
        dose=Decimal("5"),
        start=timezone.localdate() - dt.timedelta(days=2),
    )
    sign_in(page, "dr_a", PASSWORD)
    assert page.url.endswith("/alerts/triage/")
    page.goto(f"{page.base_url}/medications/patients/{world.p1.pk}/")
    page.locator("#id_drug").select_option("oxycodone")
    page.locator("#id_dose").fill("20")
    page.locator("#id_frequency").select_option("times_per_day")
    page.locator("#id_frequency_value").fill("3")
    page.locator("#id_indication").select_option("chronic")
    page.get_by_label("Days' supply").fill("30")
    expect(page.get_by_role("button", name="Save prescription")).to_have_count(0)
    page.get_by_role("button", name="Check before saving").click()
    check = page.locator("#check-result")
    expect(check).to_contain_text("This prescription would trigger")
    expect(check).to_contain_text("90")
    expect(check).to_contain_text("benzodiazepine")
    screenshot(page, "meds-check-before-saving")
    page.get_by_role("button", name="Save prescription").click()
    expect(page.locator(".errorlist")).to_contain_text("Required over the warnings")
    assert not Prescription.objects.filter(drug="oxycodone").exists()
    page.get_by_label("Reason for prescribing over the warnings").fill(
        "Long-standing regimen; taper agreed, naloxone to follow"
    )
    page.get_by_role("button", name="Save prescription").click()
    expect(page.locator(".messages")).to_contain_text("Prescription saved")
    rx = Prescription.objects.get(drug="oxycodone")
    assert rx.override_reason.startswith("Long-standing")
    assert Alert.objects.filter(patient=world.p1, rule_id="opioid-with-cns-depressant").exists()

    page.get_by_role("link", name="Triage").click()
    first = page.locator(".triage-row").first
    expect(first).to_contain_text("Lovelace")
    expect(first).to_contain_text("high")
    screenshot(page, "meds-triage-list")
    page.get_by_role("link", name="Alerts", exact=True).click()
    page.get_by_role("link", name="Opioid with a benzodiazepine or other CNS depressant").click()
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.locator(".messages")).to_contain_text("acknowledged")
    page.get_by_label("Resolution note").fill("Discussed; benzodiazepine taper started")
    page.get_by_role("button", name="Resolve").click()
    expect(page.locator(".messages")).to_contain_text("resolved")
    screenshot(page, "meds-alert-resolved")
    assert Alert.objects.filter(status="resolved").count() == 1
    assert page.console_errors == []

    page.goto(f"{page.base_url}/patients/{world.p1.pk}/")
    expect(page.locator("#mme-chart")).to_be_visible()
    screenshot(page, "meds-chart-panel")
    assert page.console_errors == []


def test_patient_reports_doses_on_a_phone(ui_world, phone_page):
    world, page = ui_world, phone_page
    rx = PrescriptionFactory(patient=world.p1, start=timezone.localdate() - dt.timedelta(days=3))
    sign_in(page, "pat1", PASSWORD)
    page.goto(f"{page.base_url}/patients/me/")
    panel = page.locator("#doses-panel")
    panel.get_by_role("radiogroup", name="Dose 1").get_by_label("taken").check()
    panel.get_by_role("radiogroup", name="Dose 2").get_by_label("skipped").check()
    panel.get_by_role("button", name="Save doses").click()
    expect(page.locator("#doses-panel")).to_contain_text("Saved.")
    assert sorted(DoseReport.objects.filter(prescription=rx).values_list("slot", "taken")) == [
        (1, True),
        (2, False),
    ]
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(page, "meds-doses-phone")
    assert page.console_errors == []
