"""Pharmacogenomics API: a patient's PGx panel, lab results in (JSON, file upload, FHIR)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Body, Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from painpath.core.api import actor_of
from painpath.genomics import imports, selectors, services
from painpath.genomics.models import PgxImportJob, PgxResult

router = Router(tags=["pharmacogenomics"])


class ResultOut(Schema):
    id: int
    gene: str
    diplotype: str
    phenotype: str
    activity_score: float | str | None
    alternatives: list[str]
    missing_positions: list[str]
    uncertain: bool
    source_kind: str = Field(description="vcf, lab-file, fhir or outside-call")
    lab_name: str
    report_date: date | None
    upload_id: int | None
    entered_by: str | None
    entered_at: datetime
    synthetic: bool


class FindingOut(Schema):
    drug: str
    genes: dict[str, dict[str, Any]]
    strength: str = Field(description="strong, moderate, optional, no recommendation, unverified")
    action: str
    recommendation: str
    source: str
    actionable: bool


class GeneNoteOut(Schema):
    gene: str
    note: str = Field(description="CPIC's explicit 'no genotype-based action' statement")


class PanelOut(Schema):
    patient_id: int
    results: list[ResultOut]
    findings: list[FindingOut]
    source_labels: dict[str, str] = Field(description="drug -> its CPIC guideline, short")
    no_action_notes: list[GeneNoteOut]
    guidelines: list[str] = Field(description="every guideline the findings draw on, in full")


class StoredOut(Schema):
    results: list[ResultOut]
    notes: list[str]


class ImportOut(Schema):
    id: int
    filename: str
    kind: str = Field(description="vcf or lab-file")
    status: str = Field(description="queued, running, done or failed")
    size_bytes: int
    bytes_read: int = Field(description="Progress: bytes of the file read so far")
    records: int = Field(description="VCF records (or lab rows) read so far")
    error: str = Field(description="Why it failed (nothing was stored)")
    notes: list[str] = Field(description="e.g. a gene not called from the VCF")
    lab_name: str
    report_date: date | None
    upload_id: int | None = Field(description="The stored file, once done")
    results: list[ResultOut] = Field(description="What was stored, once done")
    created_at: datetime
    finished_at: datetime | None


class ResultIn(Schema):
    gene: str = Field(max_length=16, description="CYP2D6, CYP2C9 or CYP2C19")
    diplotype: str = Field(max_length=64, description="e.g. *1/*4 or *2x2/*41")


class ResultsIn(Schema):
    results: list[ResultIn] = Field(min_length=1, max_length=50)
    source_kind: str = Field("outside-call", description="outside-call or lab-file")
    lab_name: str = Field("", max_length=200)
    report_date: date | None = None


class UploadMeta(Schema):
    lab_name: str = Field("", max_length=200)
    report_date: date | None = None
    sample: str = Field("", max_length=100, description="Multi-sample VCF: which sample")


def result_out(r: PgxResult) -> ResultOut:
    return ResultOut(
        id=r.pk,
        gene=r.gene,
        diplotype=r.diplotype,
        phenotype=r.phenotype,
        activity_score=r.score_value,
        alternatives=r.alternatives,
        missing_positions=r.missing_positions,
        uncertain=r.uncertain,
        source_kind=r.source_kind,
        lab_name=r.lab_name,
        report_date=r.report_date,
        upload_id=r.upload_id,
        entered_by=r.entered_by.get_username() if r.entered_by else None,
        entered_at=r.entered_at,
        synthetic=r.synthetic,
    )


def import_out(job: PgxImportJob, *, with_results: bool = True) -> ImportOut:
    return ImportOut(
        id=job.pk,
        filename=job.filename,
        kind=job.kind,
        status=job.status,
        size_bytes=job.size_bytes,
        bytes_read=job.bytes_read,
        records=job.records,
        error=job.error,
        notes=list(job.notes),
        lab_name=job.lab_name,
        report_date=job.report_date,
        upload_id=job.upload_id,
        results=[result_out(r) for r in imports.results_of(job)] if with_results else [],
        created_at=job.created_at,
        finished_at=job.finished_at,
    )


def finding_out(f: selectors.PgxFinding) -> FindingOut:
    return FindingOut(**f.__dict__)


@router.get("/patients/{patient_id}", response=PanelOut, summary="A patient's PGx panel")
def get_panel(request: HttpRequest, patient_id: int) -> PanelOut:
    panel = services.get_panel(actor=actor_of(request), patient_id=patient_id)
    return PanelOut(
        patient_id=panel.patient.pk,
        results=[result_out(r) for r in panel.results],
        findings=[finding_out(f) for f in panel.findings],
        source_labels={f.drug: f.source_label for f in panel.findings},
        no_action_notes=[GeneNoteOut(gene=g, note=n) for g, n in panel.no_action_notes],
        guidelines=panel.guidelines,
    )


@router.post(
    "/patients/{patient_id}/results",
    response={201: StoredOut},
    summary="Store a lab's diplotypes (outside calls, e.g. CYP2D6)",
)
def post_results(request: HttpRequest, patient_id: int, payload: ResultsIn) -> Status[StoredOut]:
    rows = services.record_results(
        actor=actor_of(request),
        patient_id=patient_id,
        results=[services.ResultIn(r.gene, r.diplotype) for r in payload.results],
        source_kind=payload.source_kind,
        lab_name=payload.lab_name,
        report_date=payload.report_date,
    )
    return Status(201, StoredOut(results=[result_out(r) for r in rows], notes=[]))


@router.post(
    "/patients/{patient_id}/uploads",
    response={202: ImportOut},
    summary="Upload a VCF (GRCh38) or a lab CSV/JSON of gene,diplotype: read in the background",
)
def upload(
    request: HttpRequest,
    patient_id: int,
    file: File[UploadedFile],
    meta: Form[UploadMeta],
) -> Status[ImportOut]:
    """The file is read by the worker: poll ``GET .../uploads/{id}`` until its status is done
    (with the results stored) or failed (with the reason; nothing stored)."""
    job = imports.create_import(
        actor=actor_of(request),
        patient_id=patient_id,
        filename=file.name or "upload",
        chunks=file.chunks(),
        lab_name=meta.lab_name,
        report_date=meta.report_date,
        sample=meta.sample,
    )
    return Status(202, import_out(job, with_results=False))


@router.get("/patients/{patient_id}/uploads", response=list[ImportOut])
def list_uploads(request: HttpRequest, patient_id: int) -> list[ImportOut]:
    """The patient's latest lab file imports (results are listed per import)."""
    jobs = imports.list_imports(actor=actor_of(request), patient_id=patient_id)
    return [import_out(j, with_results=False) for j in jobs]


@router.get("/patients/{patient_id}/uploads/{job_id}", response=ImportOut)
def get_upload(request: HttpRequest, patient_id: int, job_id: int) -> ImportOut:
    job = imports.get_import(actor=actor_of(request), patient_id=patient_id, job_id=job_id)
    return import_out(job)


@router.post(
    "/patients/{patient_id}/fhir",
    response={201: StoredOut},
    summary="Import FHIR R4 genotype Observations (an Observation or a Bundle)",
)
def import_fhir(
    request: HttpRequest, patient_id: int, payload: Body[dict[str, Any]]
) -> Status[StoredOut]:
    stored = services.import_fhir(actor=actor_of(request), patient_id=patient_id, payload=payload)
    return Status(
        201, StoredOut(results=[result_out(r) for r in stored.results], notes=stored.notes)
    )
