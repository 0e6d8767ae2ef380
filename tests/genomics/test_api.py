"""PGx over the API: lab results in (JSON, files, FHIR), the panel, denials, audit, signals."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from vcf_builder import haplotype, write_vcf

from painpath.audit.models import AuditEvent
from painpath.core.signals import patient_data_changed
from painpath.genomics.models import PgxResult, PgxUpload

pytestmark = pytest.mark.django_db

BASE = "/api/v1/genomics/patients"


def _post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


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
    r = as_user(world.dr_a).post(f"{BASE}/{world.p1.pk}/uploads", {"file": f, "lab_name": "L"})
    assert r.status_code == 201, r.content
    genes = {x["gene"]: x for x in r.json()["results"]}
    assert genes["CYP2C19"]["phenotype"] == "Intermediate Metabolizer"
    assert genes["CYP2D6"]["upload_id"] == PgxUpload.objects.get().pk


def test_lab_json_upload_bad_row_refused_whole(world, as_user):
    data = json.dumps(
        [{"gene": "CYP2C9", "diplotype": "*1/*3"}, {"gene": "CYP9Z9", "diplotype": "*1/*1"}]
    )
    f = SimpleUploadedFile("lab.json", data.encode())
    r = as_user(world.dr_a).post(f"{BASE}/{world.p1.pk}/uploads", {"file": f})
    assert r.status_code == 422
    assert r.json()["error"]["fields"][0]["field"] == "file.row[2]"
    assert not PgxResult.objects.exists() and not PgxUpload.objects.exists()


def test_vcf_upload_calls_cyp2c9(world, as_user, tmp_path):
    g = "CYP2C9"
    path = write_vcf(
        tmp_path / "s.vcf", g, {"S1": (haplotype(g, "*3"), haplotype(g, "*3"))}, gzipped=True
    )
    f = SimpleUploadedFile("s.vcf.gz", path.read_bytes())
    r = as_user(world.dr_a).post(f"{BASE}/{world.p1.pk}/uploads", {"file": f})
    assert r.status_code == 201, r.content
    (res,) = r.json()["results"]  # CYP2C19 not tested: no result stored for it
    assert (res["gene"], res["diplotype"], res["source_kind"]) == ("CYP2C9", "*3/*3", "vcf")


def test_not_a_vcf_is_a_clear_error(world, as_user):
    f = SimpleUploadedFile("x.vcf", b"hello, not a vcf\n")
    r = as_user(world.dr_a).post(f"{BASE}/{world.p1.pk}/uploads", {"file": f})
    assert r.status_code == 422 and r.json()["error"]["fields"][0]["field"] == "file"


GENOTYPE_OBS = {
    "resourceType": "Observation",
    "status": "final",
    "code": {"coding": [{"system": "http://loinc.org", "code": "84413-4"}]},
    "issued": "2024-05-06T10:00:00Z",
    "performer": [{"display": "FHIR Lab"}],
    "valueCodeableConcept": {"coding": [{"system": "http://www.pharmvar.org", "code": "CYP2C9 *2/*3",
                                         "display": "CYP2C9 *2/*3"}]},
    "component": [{"code": {"coding": [{"system": "http://loinc.org", "code": "48018-6"}]},
                   "valueCodeableConcept": {"coding": [{"system": "http://www.genenames.org/geneId",
                                                        "code": "HGNC:2623", "display": "CYP2C9"}]}}],
}  # fmt: skip


def test_fhir_bundle_import(world, as_user):
    other = {"resourceType": "Observation", "status": "final",
             "code": {"coding": [{"system": "http://loinc.org", "code": "1234-5"}]}}  # fmt: skip
    bundle = {"resourceType": "Bundle", "type": "collection",
              "entry": [{"resource": GENOTYPE_OBS}, {"resource": other}]}  # fmt: skip
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
