"""PGx pages: the chart panel, the entry page (clinicians only) and the printable report."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from vcf_builder import haplotype, write_vcf

from painpath.genomics import imports, views
from painpath.genomics.models import PgxImportJob, PgxResult
from tests.genomics.factories import stored_result

pytestmark = pytest.mark.django_db
PANEL_QUERIES = 5  # savepoint pair + patient, results(+enterers), audit row


def test_chart_shows_panel_with_actionable_rows(world, as_user):
    stored_result(world.p1, "CYP2D6", "*4/*4")
    stored_result(world.p1, "CYP2C9", "*1/*3")
    html = as_user(world.dr_a).get(f"/patients/{world.p1.pk}/").content.decode()
    assert "Pharmacogenomics" in html and "Poor Metabolizer" in html
    assert 'class="pgx-actionable"' in html and "choose alternative" in html
    assert "not verified — consult the CPIC guideline" not in html  # every table is checked
    assert "Avoid tricyclic use due to potential for side effects" in html  # e.g. clomipramine
    assert "Add lab results" in html


def test_panel_shows_source_per_drug_and_oprm1_comt_statement(world, as_user):
    stored_result(world.p1, "CYP2D6", "*4/*4")
    html = as_user(world.dr_a).get(f"/patients/{world.p1.pk}/").content.decode()
    assert '<th scope="col">Source</th>' in html
    assert "CPIC, Crews 2021 (PMID 33387367)" in html and "CPIC, Bell 2017 (PMID 28002639)" in html
    assert "OPRM1</strong>: CPIC gives no genotype-based recommendation for opioids" in html
    assert "COMT</strong>: CPIC gives no genotype-based recommendation for opioids" in html


def _panel_html(user, patient) -> str:
    request = RequestFactory().get(f"/patients/{patient.pk}/")
    request.user = user
    return views.chart_panel(request, patient)


def test_panel_query_count_is_pinned(world, django_assert_num_queries):
    for gene, dip in [("CYP2D6", "*1/*1"), ("CYP2C9", "*1/*2"), ("CYP2C19", "*1/*17")]:
        stored_result(world.p1, gene, dip, entered_by=world.dr_a)
    _panel_html(world.dr_a, world.p1)  # warm caches
    # patient check, results with their enterers, audit chain head + insert + head update
    with django_assert_num_queries(PANEL_QUERIES):
        _panel_html(world.dr_a, world.p1)
    for gene, dip in [("CYP2D6", "*4/*4"), ("CYP2C9", "*3/*3"), ("CYP2C19", "*2/*2")]:
        stored_result(world.p1, gene, dip, entered_by=world.dr_b)
    with django_assert_num_queries(PANEL_QUERIES):  # no query per result
        html = _panel_html(world.dr_a, world.p1)
    assert "*4/*4" in html


def test_report_page_cites_cpic(world, as_user):
    stored_result(world.p1, "CYP2D6", "*1/*1x2")
    r = as_user(world.patient_user).get(f"/genomics/patients/{world.p1.pk}/report/")
    html = r.content.decode()
    assert r.status_code == 200 and "Ultrarapid Metabolizer" in html
    assert "PMID 33387367" in html and "cpicpgx.org" in html
    footer = html[html.index('class="pgx-report-footer"') :]
    for pmid in ("33387367", "32189324", "27997040", "25974703", "28002639"):
        assert f"PMID {pmid}" in footer, pmid  # every guideline the findings use
    assert "Hicks JK, Bishop JR, Sangkuhl K" in footer  # the SSRI guideline, cited in full
    assert "OPRM1</strong>: CPIC gives no genotype-based recommendation" in html


def test_an_upload_is_read_in_the_background_and_its_notes_shown(world, as_user, tmp_path):
    g = "CYP2C9"
    path = write_vcf(tmp_path / "s.vcf", g, {"S1": (haplotype(g, "*1"), haplotype(g, "*3"))})
    client = as_user(world.dr_a)
    url = f"/genomics/patients/{world.p1.pk}/results/"
    r = client.post(url, {"up-file": SimpleUploadedFile("s.vcf", path.read_bytes())}, follow=True)
    html = r.content.decode()
    assert r.status_code == 200 and "File received; it is being read." in html
    assert "s.vcf" in html and "Queued" in html and "hx-trigger" in html  # the page polls
    assert not PgxResult.objects.exists()  # nothing is read inside the request
    imports.run_import(job_id=PgxImportJob.objects.get().pk)  # what the worker runs
    rows = client.get(f"/genomics/patients/{world.p1.pk}/imports/").content.decode()
    assert "Done" in rows and "CYP2C19: not tested" in rows
    assert "hx-trigger" not in rows  # nothing running: the polling stops
    assert PgxResult.objects.get().diplotype == "*1/*3"


def test_a_failed_upload_shows_its_reason(world, as_user):
    client = as_user(world.dr_a)
    url = f"/genomics/patients/{world.p1.pk}/results/"
    client.post(
        url, {"up-file": SimpleUploadedFile("lab.csv", b"gene,diplotype\nCYP2D6,*1/*999\n")}
    )
    imports.run_import(job_id=PgxImportJob.objects.get().pk)
    rows = client.get(f"/genomics/patients/{world.p1.pk}/imports/").content.decode()
    assert "Failed" in rows and "*999" in rows
    assert not PgxResult.objects.exists()


def test_an_unknown_file_type_is_a_form_error(world, as_user):
    url = f"/genomics/patients/{world.p1.pk}/results/"
    r = as_user(world.dr_a).post(url, {"up-file": SimpleUploadedFile("x.pdf", b"%PDF")})
    assert r.status_code == 422 and "Send a VCF" in r.content.decode()
    assert not PgxImportJob.objects.exists()


@pytest.mark.parametrize(("who", "status"), [("dr_b", 404), ("dr_other", 404), ("admin_a", 403),
                                             ("patient_user", 403), ("dr_a", 200)])  # fmt: skip
def test_entry_page_access(world, as_user, who, status):
    assert (
        as_user(getattr(world, who)).get(f"/genomics/patients/{world.p1.pk}/results/").status_code
        == status
    )


def test_report_denied_to_other_team(world, as_user):
    assert as_user(world.dr_b).get(f"/genomics/patients/{world.p1.pk}/report/").status_code == 404


def test_outside_call_form(world, as_user):
    url = f"/genomics/patients/{world.p1.pk}/results/"
    r = as_user(world.dr_a).post(url, {"call-gene": "CYP2D6", "call-diplotype": "*1/*999"})
    assert r.status_code == 200 and "*999" in r.content.decode()
    r = as_user(world.dr_a).post(url, {"call-gene": "CYP2D6", "call-diplotype": "*4/*4",
                                       "call-lab_name": "Lab"})  # fmt: skip
    assert r.status_code == 302
    assert PgxResult.objects.get().phenotype == "Poor Metabolizer"
