"""The foundation in a real browser: sign-in, the clinician's panel and search, a patient's
own page at phone width, keyboard use, and no console errors (CSP, static files)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from tests.factories import PASSWORD
from tests.ui.conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def ui_world(request):
    # the live server needs committed data: build the usual world in a transactional test
    return request.getfixturevalue("world")


def test_clinician_signs_in_sees_panel_and_searches_on_a_phone(ui_world, phone_page):
    page = phone_page
    sign_in(page, "nurse", PASSWORD)
    assert page.url.endswith("/alerts/triage/")  # the clinician's home is the triage list
    page.goto(page.base_url + "/patients/")
    rows = page.locator("#patient-rows tbody tr")
    assert rows.count() == 3
    assert page.get_by_text("SYNTHETIC").first.is_visible()
    page.get_by_label("Search by name or MRN").fill("turing")
    expect(rows).to_have_count(1)
    assert "Turing" in page.locator("#patient-rows").inner_text()
    # the page fits the phone: no horizontal scrolling
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(page, "clinician-panel-phone")
    page.get_by_role("link", name="Turing, Alan").click()
    assert "Conditions" in page.content()
    assert page.console_errors == []


def test_patient_sees_only_their_record(ui_world, phone_page):
    page = phone_page
    sign_in(page, "pat1", PASSWORD)
    assert page.url.endswith("/patients/me/")
    assert page.get_by_role("heading", name="Hello, Ada").is_visible()
    screenshot(page, "patient-home-phone")
    page.goto(page.base_url + f"/patients/{ui_world.p2.pk}/")
    assert "Not found" in page.content() and "Hopper" not in page.content()


def test_keyboard_alone_signs_in_and_skips_to_content(ui_world, desktop_page):
    page = desktop_page
    page.goto(page.base_url + "/login/")
    # the user name field has focus on arrival
    assert page.evaluate("() => document.activeElement.name") == "username"
    page.keyboard.type("admin_a")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name="Administration").is_visible()
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "Skip to content"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    # past the header and navigation: the first link of the page's own content
    assert page.evaluate("() => document.activeElement.closest('main') !== null")
    screenshot(page, "admin-home-desktop")
    assert page.console_errors == []


def test_api_docs_page_works_offline_under_the_csp(ui_world, desktop_page):
    page = desktop_page
    sign_in(page, "dr_a", PASSWORD)
    page.goto(page.base_url + "/api/v1/docs")
    expect(page.get_by_text("/api/v1/patients/{patient_id}").first).to_be_visible()
    screenshot(page, "api-docs")
    assert page.console_errors == []
