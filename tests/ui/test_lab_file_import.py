"""A lab file in a real browser: the clinician uploads it, the page lists it as queued and
polls (htmx) while the worker reads it, then shows it done, and the result is on
the chart; nothing is read inside the upload request."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from tests.factories import PASSWORD
from tests.ui.conftest import screenshot, sign_in

from painpath.genomics import imports
from painpath.genomics.models import PgxImportJob, PgxResult

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_lab_file_is_read_in_the_background_and_the_page_follows_it(
    world, desktop_page, settings, tmp_path
):
    settings.VAR_DIR = tmp_path
    page = desktop_page
    sign_in(page, "dr_a", PASSWORD)
    page.goto(page.base_url + f"/genomics/patients/{world.p1.pk}/results/")
    lab = tmp_path / "lab.csv"
    lab.write_text("gene,diplotype\nCYP2C19,*2/*17\n")
    page.locator("#id_up-file").set_input_files(str(lab))
    page.get_by_role("button", name="Upload").click()
    page.wait_for_load_state("networkidle")
    rows = page.locator("#pgx-import-rows")
    expect(rows).to_contain_text("lab.csv")
    expect(rows).to_contain_text("Queued")
    assert not PgxResult.objects.exists()  # the request only stored the file and the job

    imports.run_import(job_id=PgxImportJob.objects.get().pk)  # what the worker does
    expect(rows).to_contain_text("Done", timeout=10_000)  # the next poll shows it
    assert rows.get_attribute("hx-trigger") is None  # nothing running: polling stopped
    screenshot(page, "pgx-lab-file-done")
    page.goto(page.base_url + f"/patients/{world.p1.pk}/")
    expect(page.locator(".pgx-panel")).to_contain_text("Intermediate Metabolizer")
    assert page.console_errors == []
