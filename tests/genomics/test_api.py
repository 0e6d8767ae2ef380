"""PGx over the API: lab results in (JSON, files, FHIR), the panel, denials, audit, signals."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from vcf_builder import haplotype, write_vcf

from painpath.audit.models import AuditEvent
from painpath.clinical.pgx._data import allele_definitions
from painpath.core.signals import patient_data_changed
from painpath.genomics import imports
from painpath.genomics.models import PgxImportJob, PgxResult, PgxUpload

pytestmark = pytest.mark.django_db

BASE = "/api/v1/genomics/patients"


def _post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def _upload(client, patient_id: int, file, **meta) -> dict:
    """Upload (202: queued), run the job as the worker does, and return the job as polled."""
    r = client.post(f"{BASE}/{patient_id}/uploads", {"file": file, **meta})
    assert r.status_code == 202, r.content
    assert r.json()["status"] == "queued" and r.json()["results"] == []
    imports.run_import(job_id=r.json()["id"])
    polled = client.get(f"{BASE}/{patient_id}/uploads/{r.json()['id']}")
    assert polled.status_code == 200
    return polled.json()


def _call(gene="CYP2D6", diplotype="*2x2/*41"):
    return {"results": [{"gene": gene, "diplotype": diplotype}], "lab_name": "Lab X",
            "report_date": "2025-01-02"}  # fmt: skip


def test_outside_call_stored_with_source_and_audited(
    world, as_user, django_capture_on_commit_callbacks
):
    seen: list[dict] = []
    patient_data_changed.connect(lambda **kw: seen.append(kw), weak=False, dispatch_uid="t-pgx")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            r = _post(as_user(world.dr_a), f"{BASE}/{world.p1.pk}/results", _call())
    finally:
        patient_data_changed.disconnect(dispatch_uid="t-pgx")
    assert r.status_code == 201, r.content
    (res,) = r.json()["results"]
    assert (res["diplotype"], res["activity_score"], res["phenotype"]) == (
        "*2x2/*41",
        2.25,  # *2x2 = 2.0 plus *41 = 0.25 (CPIC values): the top of Normal
        "Normal Metabolizer",
    )
    assert (res["source_kind"], res["lab_name"], res["entered_by"]) == (
        "outside-call",
        "Lab X",
        "dr_a",
    )
    assert (
        AuditEvent.objects.filter(
            object_type="PgxResult", action="create", patient_id=world.p1.pk
        ).count()
        == 1
    )
    assert {"patient_id": world.p1.pk, "kind": "pgx_result"}.items() <= seen[0].items()


def test_unknown_allele_names_field_and_stores_nothing(world, as_user):
    body = {"results": [{"gene": "CYP2D6", "diplotype": "*1/*4"},
                        {"gene": "CYP2D6", "diplotype": "*1/*999"}]}  # fmt: skip
    r = _post(as_user(world.dr_a), f"{BASE}/{world.p1.pk}/results", body)
    assert r.status_code == 422
    fields = r.json()["error"]["fields"]
    assert fields[0]["field"] == "results[1].diplotype" and "*999" in fields[0]["message"]
    assert not PgxResult.objects.exists()


@pytest.mark.parametrize(
    ("who", "status"), [("dr_b", 404), ("dr_other", 404), ("nurse", 201), ("admin_a", 403),
                        ("patient_user", 403)],
)  # fmt: skip
def test_write_access(world, as_user, who, status):
    r = _post(as_user(getattr(world, who)), f"{BASE}/{world.p1.pk}/results", _call())
    assert r.status_code == status


def test_read_denials_and_patient_sees_own(world, as_user):
    assert as_user(world.dr_b).get(f"{BASE}/{world.p1.pk}").status_code == 404
    assert as_user(world.dr_other).get(f"{BASE}/{world.p1.pk}").status_code == 404
    assert as_user(world.patient_user).get(f"{BASE}/{world.p2.pk}").status_code == 404
    r = as_user(world.patient_user).get(f"{BASE}/{world.p1.pk}")
    assert r.status_code == 200
    assert AuditEvent.objects.filter(
        object_type="PgxResult", action="read", patient_id=world.p1.pk
    ).exists()


def test_unauthenticated_is_401(world, client):
    assert client.get(f"{BASE}/{world.p1.pk}").status_code == 401


def test_panel_shows_findings(world, as_user):
    _post(as_user(world.dr_a), f"{BASE}/{world.p1.pk}/results", _call("CYP2C9", "*1/*3"))
    body = as_user(world.dr_a).get(f"{BASE}/{world.p1.pk}").json()
    by_drug = {f["drug"]: f for f in body["findings"]}
    assert by_drug["piroxicam"]["actionable"] is True
    assert "informative" in by_drug["codeine"]["action"]  # no CYP2D6 on file


def test_lab_csv_upload(world, as_user):
    f = SimpleUploadedFile("lab.csv", b"gene,diplotype\nCYP2D6,*4/*4\nCYP2C19,*2/*17\n")
    job = _upload(as_user(world.dr_a), world.p1.pk, f, lab_name="L")
    assert (job["status"], job["kind"], job["error"]) == ("done", "lab-file", "")
    genes = {x["gene"]: x for x in job["results"]}
    assert genes["CYP2C19"]["phenotype"] == "Intermediate Metabolizer"
    assert genes["CYP2D6"]["upload_id"] == job["upload_id"] == PgxUpload.objects.get().pk
    assert job["bytes_read"] == job["size_bytes"] == f.size
    assert not list(imports.import_dir().iterdir())  # the staged file is gone


def test_lab_json_upload_bad_row_refused_whole(world, as_user):
    data = json.dumps(
        [{"gene": "CYP2C9", "diplotype": "*1/*3"}, {"gene": "CYP9Z9", "diplotype": "*1/*1"}]
    )
    f = SimpleUploadedFile("lab.json", data.encode())
    job = _upload(as_user(world.dr_a), world.p1.pk, f)
    assert job["status"] == "failed" and job["results"] == []
    assert "file.row[2]:" in job["error"] and "CYP9Z9" in job["error"]
    assert not PgxResult.objects.exists() and not PgxUpload.objects.exists()
    assert not list(imports.import_dir().iterdir())


def test_vcf_upload_calls_cyp2c9(world, as_user, tmp_path):
    g = "CYP2C9"
    path = write_vcf(
        tmp_path / "s.vcf", g, {"S1": (haplotype(g, "*3"), haplotype(g, "*3"))}, gzipped=True
    )
    f = SimpleUploadedFile("s.vcf.gz", path.read_bytes())
    job = _upload(as_user(world.dr_a), world.p1.pk, f)
    assert (job["status"], job["kind"]) == ("done", "vcf")
    (res,) = job["results"]  # CYP2C19 not tested: no result stored for it
    assert (res["gene"], res["diplotype"], res["source_kind"]) == ("CYP2C9", "*3/*3", "vcf")
    assert any(n.startswith("CYP2C19: not tested") for n in job["notes"])
    assert job["records"] > 0 and job["bytes_read"] == job["size_bytes"]


def test_vcf_gene_with_no_allele_match_is_reported_not_dropped(world, as_user, tmp_path):
    c9 = write_vcf(tmp_path / "c9.vcf", "CYP2C9", {"S1": (haplotype("CYP2C9", "*1"),) * 2})
    odd = haplotype("CYP2C19", "*1")
    odd[
        [v["position"] for v in allele_definitions()["genes"]["CYP2C19"]["variants"]].index(
            94781859
        )
    ] = "A"  # the *2 splice variant without the rest of *2: no allele fits
    c19 = write_vcf(tmp_path / "c19.vcf", "CYP2C19", {"S1": (odd, odd)}, phased=True)
    header = [ln for ln in c9.read_text().splitlines() if ln.startswith("#")]
    body = [ln for f in (c19, c9) for ln in f.read_text().splitlines() if not ln.startswith("#")]
    both = tmp_path / "both.vcf"
    both.write_text("\n".join(header + body) + "\n")
    f = SimpleUploadedFile("both.vcf", both.read_bytes())
    job = _upload(as_user(world.dr_a), world.p1.pk, f)
    assert [x["gene"] for x in job["results"]] == ["CYP2C9"]
    assert any(n.startswith("CYP2C19: no CPIC allele definition matches")
               for n in job["notes"])  # fmt: skip
    assert not PgxResult.objects.filter(gene="CYP2C19").exists()


def test_panel_api_has_sources_no_action_notes_and_guidelines(world, as_user):
    body = as_user(world.dr_a).get(f"{BASE}/{world.p1.pk}").json()
    assert body["source_labels"]["codeine"] == "CPIC, Crews 2021 (PMID 33387367)"
    assert body["source_labels"]["amitriptyline"] == "CPIC, Hicks 2017 (PMID 27997040)"
    assert [n["gene"] for n in body["no_action_notes"]] == ["OPRM1", "COMT"]
    for pmid in ("33387367", "32189324", "27997040", "25974703", "28002639"):
        assert any(f"PMID {pmid}" in g for g in body["guidelines"]), pmid


def test_not_a_vcf_is_a_clear_error(world, as_user):
    f = SimpleUploadedFile("x.vcf", b"hello, not a vcf\n")
    job = _upload(as_user(world.dr_a), world.p1.pk, f)
    assert job["status"] == "failed" and "file: x.vcf: not a VCF" in job["error"]


def test_unknown_file_type_and_bad_date_are_refused_at_once(world, as_user):
    client = as_user(world.dr_a)
    url = f"{BASE}/{world.p1.pk}/uploads"
    r = client.post(url, {"file": SimpleUploadedFile("x.pdf", b"%PDF-1.7")})
    assert r.status_code == 422 and r.json()["error"]["fields"][0]["field"] == "file"
    r = client.post(
        url, {"file": SimpleUploadedFile("l.csv", b"gene,diplotype\n"), "report_date": "2999-01-01"}
    )
    assert r.status_code == 422 and r.json()["error"]["fields"][0]["field"] == "report_date"
    assert not PgxImportJob.objects.exists()
    assert not list(imports.import_dir().iterdir())  # nothing left staged


def test_a_lab_file_over_the_limit_is_413_and_not_kept(world, as_user, settings):
    settings.PAINPATH_PGX_UPLOAD_MAX_BYTES = 1000
    f = SimpleUploadedFile("lab.csv", b"gene,diplotype\n" + b"CYP2D6,*1/*1\n" * 100)
    r = as_user(world.dr_a).post(f"{BASE}/{world.p1.pk}/uploads", {"file": f})
    assert r.status_code == 413, r.content
    assert r.json()["error"]["code"] == "too_large"
    assert r.json()["error"]["fields"][0]["field"] == "file"
    assert not PgxImportJob.objects.exists()
    assert not list(imports.import_dir().iterdir())


def test_upload_jobs_are_listed_and_hidden_from_other_teams(world, as_user):
    f = SimpleUploadedFile("lab.csv", b"gene,diplotype\nCYP2D6,*1/*1\n")
    job = _upload(as_user(world.dr_a), world.p1.pk, f)
    listed = as_user(world.dr_a).get(f"{BASE}/{world.p1.pk}/uploads").json()
    assert [j["id"] for j in listed] == [job["id"]]
    other = as_user(world.dr_b)
    assert other.get(f"{BASE}/{world.p1.pk}/uploads").status_code == 404
    assert other.get(f"{BASE}/{world.p1.pk}/uploads/{job['id']}").status_code == 404
    # Another patient's job is not found under this patient either.
    assert as_user(world.dr_a).get(f"{BASE}/{world.p2.pk}/uploads/{job['id']}").status_code == 404


def _genotype_obs(patient_id: int, value: str = "CYP2C9 *2/*3", **overrides: object) -> dict:
    obs = {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "84413-4"}]},
        "subject": {"reference": f"Patient/{patient_id}"},
        "issued": "2024-05-06T10:00:00Z",
        "performer": [{"display": "FHIR Lab"}],
        "valueCodeableConcept": {"coding": [{"system": "http://www.pharmvar.org", "code": value,
                                             "display": value}]},
        "component": [{"code": {"coding": [{"system": "http://loinc.org", "code": "48018-6"}]},
                       "valueCodeableConcept": {"coding": [{
                           "system": "http://www.genenames.org/geneId", "code": "HGNC:2623",
                           "display": "CYP2C9"}]}}],
    }  # fmt: skip
    obs.update(overrides)
    return obs


def test_fhir_bundle_import(world, as_user):
    other = {"resourceType": "Observation", "status": "final",
             "code": {"coding": [{"system": "http://loinc.org", "code": "1234-5"}]}}  # fmt: skip
    bundle = {"resourceType": "Bundle", "type": "collection",
              "entry": [{"resource": _genotype_obs(world.p1.pk)}, {"resource": other}]}  # fmt: skip
    r = _post(as_user(world.dr_a), f"{BASE}/{world.p1.pk}/fhir", bundle)
    assert r.status_code == 201, r.content
    (res,) = r.json()["results"]
    assert (res["diplotype"], res["activity_score"], res["lab_name"], res["report_date"]) == (
        "*2/*3",
        0.5,
        "FHIR Lab",
        "2024-05-06",
    )
    assert r.json()["notes"] and "entry[1]" in r.json()["notes"][0]


def test_fhir_not_a_resource(world, as_user):
    r = _post(as_user(world.dr_a), f"{BASE}/{world.p1.pk}/fhir", {"resourceType": "Patient"})
    assert r.status_code == 422 and r.json()["error"]["fields"][0]["field"] == "resourceType"


@pytest.mark.parametrize(
    "subject",
    [None, {"reference": "Patient/999999"}, {"identifier": {"value": "NOT-THE-MRN"}}],
)
def test_fhir_observation_about_another_patient_is_refused_whole(world, as_user, subject):
    good = _genotype_obs(world.p1.pk)
    wrong = _genotype_obs(world.p1.pk, value="CYP2C9 *3/*3")
    if subject is None:
        del wrong["subject"]
    else:
        wrong["subject"] = subject
    bundle = {"resourceType": "Bundle", "type": "collection",
              "entry": [{"resource": good}, {"resource": wrong}]}  # fmt: skip
    r = _post(as_user(world.dr_a), f"{BASE}/{world.p1.pk}/fhir", bundle)
    assert r.status_code == 422, r.content
    (err,) = r.json()["error"]["fields"]
    assert err["field"] == "entry[1].resource.subject"
    assert not PgxResult.objects.exists()


def test_fhir_subject_by_mrn_identifier_is_accepted(world, as_user):
    obs = _genotype_obs(world.p1.pk, subject={"identifier": {"value": world.p1.mrn}})
    r = _post(as_user(world.dr_a), f"{BASE}/{world.p1.pk}/fhir", obs)
    assert r.status_code == 201, r.content


@pytest.mark.parametrize("status", ["entered-in-error", "cancelled", "preliminary", "registered"])
def test_fhir_unusable_status_is_refused(world, as_user, status):
    r = _post(as_user(world.dr_a), f"{BASE}/{world.p1.pk}/fhir",
              _genotype_obs(world.p1.pk, status=status))  # fmt: skip
    assert r.status_code == 422, r.content
    (err,) = r.json()["error"]["fields"]
    assert err["field"] == "observation.status" and status in err["message"]
    assert not PgxResult.objects.exists()


@pytest.mark.parametrize("status", ["final", "amended", "corrected"])
def test_fhir_usable_statuses(world, as_user, status):
    r = _post(as_user(world.dr_a), f"{BASE}/{world.p1.pk}/fhir",
              _genotype_obs(world.p1.pk, status=status))  # fmt: skip
    assert r.status_code == 201, r.content


@pytest.mark.parametrize("value", ["CYP2C9*1/*2", "CYP2C9 *1/*2", "*1/*2"])
def test_fhir_diplotype_with_or_without_space(world, as_user, value):
    r = _post(as_user(world.dr_a), f"{BASE}/{world.p1.pk}/fhir", _genotype_obs(world.p1.pk, value))
    assert r.status_code == 201, r.content
    (res,) = r.json()["results"]
    assert (res["gene"], res["diplotype"], res["activity_score"]) == ("CYP2C9", "*1/*2", 1.5)


def test_fhir_value_gene_disagreeing_with_component_is_refused(world, as_user):
    r = _post(as_user(world.dr_a), f"{BASE}/{world.p1.pk}/fhir",
              _genotype_obs(world.p1.pk, "CYP2C19*1/*2"))  # fmt: skip
    assert r.status_code == 422
    assert "CYP2C19" in r.json()["error"]["fields"][0]["message"]
    assert not PgxResult.objects.exists()
