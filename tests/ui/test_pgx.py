"""PGx in a real browser: a clinician sees the panel on the chart, enters a lab's CYP2D6 call,
and opens the printable report (print media emulated); no console errors (CSP)."""

from __future__ import annotations

import pytest
from tests.factories import PASSWORD
from tests.genomics.factories import stored_result
from tests.ui.conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def ui_world(request):
    world = request.getfixturevalue("world")
    stored_result(world.p1, "CYP2C9", "*1/*3", lab_name="Synthetic Lab", synthetic=True)
    return world


def test_clinician_sees_pgx_panel_enters_call_and_prints_report(ui_world, desktop_page, phone_page):
    page = desktop_page
    sign_in(page, "dr_a", PASSWORD)
    page.goto(page.base_url + f"/patients/{ui_world.p1.pk}/")
    panel = page.locator(".pgx-panel")
    assert panel.get_by_role("heading", name="Pharmacogenomics").is_visible()
    assert "Intermediate Metabolizer" in panel.inner_text()
    piroxicam = panel.locator("tr.pgx-actionable").filter(
        has=page.get_by_role("rowheader", name="piroxicam", exact=True)
    )
    assert "choose alternative" in piroxicam.inner_text()
    assert "CPIC, Theken 2020 (PMID 32189324)" in piroxicam.inner_text()  # per-drug source
    screenshot(page, "pgx-panel-desktop")

    panel.get_by_role("link", name="Add lab results").click()
    page.get_by_label("Gene").select_option("CYP2D6")
    page.get_by_label("Diplotype").fill("*4/*4")
    page.locator("#id_call-lab_name").fill("Synthetic Lab")
    page.get_by_role("button", name="Save result").click()
    page.wait_for_load_state("networkidle")
    codeine = page.locator(".pgx-panel tr.pgx-actionable").filter(
        has=page.get_by_role("rowheader", name="codeine", exact=True)
    )
    assert "avoid" in codeine.inner_text()

    page.get_by_role("link", name="Printable PGx report").click()
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert "cpicpgx.org" in page.content()
    assert page.get_by_text(
        "CPIC gives no genotype-based recommendation for opioids based on OPRM1"
    ).is_visible()
    assert "Bell GC" in page.locator(".pgx-report-footer").inner_text()  # every guideline cited
    screenshot(page, "pgx-report-print")
    assert page.console_errors == []

    phone = phone_page
    sign_in(phone, "dr_a", PASSWORD)
    phone.goto(phone.base_url + f"/patients/{ui_world.p1.pk}/")
    assert phone.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(phone, "pgx-panel-phone")


def test_prescribing_codeine_for_a_cyp2d6_poor_metabolizer_shows_the_cpic_conflict(
    ui_world, desktop_page
):
    from playwright.sync_api import expect

    from painpath.medications.models import Prescription

    stored_result(ui_world.p1, "CYP2D6", "*4/*4", lab_name="Synthetic Lab", synthetic=True)
    page = desktop_page
    sign_in(page, "dr_a", PASSWORD)
    page.goto(f"{page.base_url}/medications/patients/{ui_world.p1.pk}/")
    page.locator("#id_drug").select_option("codeine")
    page.locator("#id_dose").fill("30")
    page.locator("#id_frequency").select_option("times_per_day")
    page.locator("#id_frequency_value").fill("4")
    page.locator("#id_indication").select_option("chronic")
    page.get_by_label("Days' supply").fill("30")
    page.get_by_role("button", name="Check before saving").click()
    check = page.locator("#check-result")
    expect(check).to_contain_text("Poor Metabolizer")
    expect(check).to_contain_text(
        "Avoid codeine use because of possibility of diminished analgesia"
    )
    expect(check).to_contain_text("CYP2D6 *4/*4, Poor Metabolizer; CPIC strong")
    expect(check).to_contain_text("PMID 33387367")  # the guideline itself, not a pointer
    screenshot(page, "pgx-conflict-while-prescribing")
    page.get_by_role("button", name="Save prescription").click()
    expect(page.locator(".errorlist")).to_contain_text("Required over the warnings")
    assert not Prescription.objects.filter(drug="codeine").exists()
    assert page.console_errors == []
