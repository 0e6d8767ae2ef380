"""A real Chromium (Debian's) driven by Playwright against pytest-django's live server.

Browser tests are skipped, with the reason, where /usr/bin/chromium is not installed;
.ci/run installs it so they always run in CI.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("PAINPATH_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(os.environ.get("PAINPATH_SCREENSHOTS", "var/screenshots"))
PHONE = {"width": 390, "height": 844}  # a common phone viewport in CSS pixels

# Playwright's sync API runs an event loop in this thread; Django must allow its ORM calls
# from the test body there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def live_server(django_db_setup, live_server):
    """pytest-django's live server, started only once the test database exists, so that it
    always stops before the database is dropped (the test settings also close each request's
    connection: together no connection outlives the test database)."""
    return live_server


def _page(browser, live_server, **context_options):
    context = browser.new_context(**context_options)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.base_url = live_server.url
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.console_errors = errors
    return context, page


@pytest.fixture
def phone_page(browser, live_server):
    context, page = _page(browser, live_server, viewport=PHONE, is_mobile=True, has_touch=True)
    yield page
    context.close()


@pytest.fixture
def desktop_page(browser, live_server):
    context, page = _page(browser, live_server, viewport={"width": 1280, "height": 900})
    yield page
    context.close()


def sign_in(page, username: str, password: str) -> None:
    page.goto(page.base_url + "/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    # wait for the navigation the click starts, not just for a quiet network
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
