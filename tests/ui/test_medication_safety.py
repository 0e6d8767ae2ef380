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
from painpath.clinical.safety import evidence_labels, rule_ids
from painpath.medications.models import DoseReport, Prescription

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def assert_words_only(page) -> None:
    """The alert page a clinician reads names no rule id and no raw evidence key."""
    text = page.locator("main").inner_text()
    for rule_id in rule_ids():
        assert rule_id not in text, rule_id
    for key in evidence_labels():
        if "_" in key:  # a bare word (e.g. "opioids") is also a word of the page
            assert key not in text, key
    assert "cdc2022" not in text  # the factor table by its title, not its key


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
    evidence = page.locator("table.evidence")
    expect(evidence.locator("th")).to_have_text(
        ["Opioids", "Benzodiazepines or other CNS depressants"]
    )
    expect(evidence.locator("td")).to_have_text(["oxycodone", "diazepam"])
    assert_words_only(page)
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.locator(".messages")).to_contain_text("acknowledged")
    page.get_by_label("Resolution note").fill("Discussed; benzodiazepine taper started")
    page.get_by_role("button", name="Resolve").click()
    expect(page.locator(".messages")).to_contain_text("resolved")
    screenshot(page, "meds-alert-resolved")
    assert Alert.objects.filter(status="resolved").count() == 1
    assert page.console_errors == []

    mme = Alert.objects.get(patient=world.p1, rule_id="mme-prescribed-90")
    page.goto(f"{page.base_url}/alerts/{mme.pk}/")
    evidence = page.locator("table.evidence")
    expect(evidence.locator("tr", has_text="Total MME per day")).to_contain_text("90")
    expect(evidence.locator("tr", has_text="MME conversion factors")).to_contain_text("CDC 2022")
    expect(evidence.locator("tr", has_text="Opioids and their MME per day")).to_contain_text(
        "oxycodone: 90 MME/day"
    )
    assert_words_only(page)

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


def _no_rule_ids(page) -> None:
    from painpath.clinical.safety import rule_ids

    text = page.inner_text("body")
    for rule_id in rule_ids():
        assert rule_id not in text, rule_id


def test_prescribing_form_indication_replaces_and_stop(ui_world, desktop_page, browser):
    world, page = ui_world, desktop_page
    old = PrescriptionFactory(
        patient=world.p1,
        drug="morphine",
        dose=Decimal("30"),
        times_per_day=2,
        release="er_la",
        start=timezone.localdate() - dt.timedelta(days=240),
    )
    PrescriptionFactory(
        patient=world.p1,
        drug="lorazepam",
        dose=Decimal("1"),
        times_per_day=1,
        start=timezone.localdate() - dt.timedelta(days=30),
    )
    sign_in(page, "dr_a", PASSWORD)
    url = f"{page.base_url}/medications/patients/{world.p1.pk}/"
    page.goto(url)
    # 1. no default indication: the prescriber must choose
    expect(page.locator("#id_indication")).to_have_value("")
    page.locator("#id_drug").select_option("ibuprofen")
    page.locator("#id_dose").fill("400")
    page.locator("#id_frequency").select_option("times_per_day")
    page.locator("#id_frequency_value").fill("3")
    page.get_by_role("button", name="Check before saving").click()
    expect(page.locator("#id_indication + .errorlist, .errorlist").first).to_contain_text(
        "This field is required."
    )
    expect(page.locator("#check-result")).to_have_count(0)

    # 2. "Replaces" fills the form from the replaced line (htmx)
    page.goto(url)
    page.locator("#id_replaces").select_option(str(old.pk))
    expect(page.locator("#id_drug")).to_have_value("morphine")
    expect(page.locator("#id_dose")).to_have_value("30")
    expect(page.locator("#id_frequency_value")).to_have_value("2")
    expect(page.locator("#id_release")).to_have_value("er_la")
    expect(page.locator("#id_indication")).to_have_value("chronic")
    expect(page.locator("#id_replaces")).to_have_value(str(old.pk))
    page.locator("#id_dose").fill("45")  # 60 -> 90 MME/day while lorazepam is in force
    page.get_by_role("button", name="Check before saving").click()
    check = page.locator("#check-result")
    expect(check).to_contain_text("What changes: MME/day prescribed 60 -> 90 while lorazepam")
    expect(check).to_contain_text("CDC 2022 Recommendation 11")
    _no_rule_ids(page)
    screenshot(page, "meds-replaces-check")
    page.get_by_label("Reason for prescribing over the warnings").fill("Pain uncontrolled")
    page.get_by_role("button", name="Save prescription").click()
    expect(page.locator(".messages")).to_contain_text("Prescription saved")
    new = Prescription.objects.get(replaces=old)
    assert (new.drug, new.dose, new.release, new.indication) == (
        "morphine",
        Decimal("45"),
        "er_la",
        "chronic",
    )
    _no_rule_ids(page)

    # 3. Stop asks for a reason and a confirmation
    page.locator(f'a[href$="/{new.pk}/stop/"]').click()
    expect(page.locator("h1")).to_contain_text("Stop a prescription")
    page.get_by_role("button", name="Stop prescription").click()
    expect(page.locator(".errorlist")).to_have_count(2)
    new.refresh_from_db()
    assert new.status == "active" and new.stop_reason == ""
    page.get_by_label("Reason for stopping").fill("Switched to buprenorphine patch")
    page.get_by_label("I confirm that this prescription is stopped.").check()
    page.get_by_role("button", name="Stop prescription").click()
    expect(page.locator(".messages")).to_contain_text("Prescription stopped")
    expect(page.locator("body")).to_contain_text("Reason for stopping: Switched to buprenorphine")
    new.refresh_from_db()
    assert new.status == "stopped" and new.stop_reason == "Switched to buprenorphine patch"
    assert new.stop_confirmed_at is not None and new.stopped_by == world.dr_a
    _no_rule_ids(page)
    assert page.console_errors == []

    # 4. without JavaScript the "Fill from this prescription" button fills the form too
    context = browser.new_context(java_script_enabled=False)
    try:
        plain = context.new_page()
        plain.set_default_timeout(10_000)
        plain.base_url = page.base_url
        sign_in(plain, "dr_a", PASSWORD)
        plain.goto(url)
        plain.locator("#id_replaces").select_option(
            str(Prescription.objects.get(drug="lorazepam").pk)
        )
        plain.get_by_role("button", name="Fill from this prescription").click()
        expect(plain.locator("#id_drug")).to_have_value("lorazepam")
        expect(plain.locator("#id_indication")).to_have_value("chronic")
        expect(plain.locator(".errorlist")).to_have_count(0)
    finally:
        context.close()
