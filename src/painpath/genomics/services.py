"""Pharmacogenomic results: every write and read of them goes through here, checked and audited.

Writes (a lab file, a VCF, FHIR Observations, an outside call) are clinical writes: only a
clinician on the patient's care team may store results. Each request (or file, read in the
worker by ``genomics.imports``) is one transaction with its audit rows; a file with any bad
row stores nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from painpath import access
from painpath.audit import services as audit
from painpath.audit.models import Action
from painpath.clinical import pgx
from painpath.core.context import Actor
from painpath.core.errors import FieldError, InvalidInput
from painpath.core.signals import announce_patient_data_changed
from painpath.genomics import fhir, parsing, selectors
from painpath.genomics.models import PgxResult, PgxUpload, SourceKind
from painpath.patients.models import Patient

__all__ = [
    "Panel",
    "ResultIn",
    "StoredResults",
    "check_meta",
    "get_panel",
    "import_fhir",
    "record_results",
    "store_file_results",
    "vcf_notes",
]

OBJECT_TYPE = "PgxResult"


@dataclass(frozen=True)
class ResultIn:
    gene: str
    diplotype: str


@dataclass(frozen=True)
class StoredResults:
    results: list[PgxResult]
    notes: list[str]


@dataclass(frozen=True)
class Panel:
    """What the chart panel, the report and the API show.

    ``no_action_notes`` are CPIC's explicit "no genotype-based action" statements (OPRM1, COMT)
    shown with the opioids; ``guidelines`` is every guideline the findings draw on, cited in full.
    """

    patient: Patient
    results: list[PgxResult]
    findings: list[selectors.PgxFinding]
    no_action_notes: list[tuple[str, str]]

    @property
    def actionable(self) -> list[selectors.PgxFinding]:
        return [f for f in self.findings if f.actionable]

    @property
    def guidelines(self) -> list[str]:
        seen = dict.fromkeys(pgx.drug_guideline(f.drug).full for f in self.findings)
        return list(seen)


def _alternatives(result: parsing.GeneResult) -> str:
    if not result.alternatives:
        return _("none that change the phenotype")
    return selectors.first_and_more(
        result.alternatives, shown=10, more=_("and %d more (listed with the result)")
    )


def check_meta(lab_name: str, report_date: date | None) -> list[FieldError]:
    errors: list[FieldError] = []
    if len(lab_name) > 200:
        errors.append(FieldError("lab_name", _("At most 200 characters.")))
    if report_date is not None and report_date > timezone.localdate():
        errors.append(FieldError("report_date", _("Must not be in the future.")))
    return errors


def _store(
    actor: Actor,
    patient: Patient,
    results: Sequence[parsing.GeneResult],
    *,
    source_kind: str,
    lab_name: str,
    report_date: date | None,
    upload: PgxUpload | None = None,
    detail: dict[str, Any] | None = None,
) -> list[PgxResult]:
    """Inside the caller's transaction: save, audit, announce."""
    now = timezone.now()
    rows = [
        PgxResult(
            patient=patient,
            gene=r.gene,
            diplotype=r.diplotype,
            phenotype=r.phenotype,
            activity_score="" if r.activity_score is None else str(r.activity_score),
            alternatives=list(r.alternatives),
            missing_positions=list(r.missing_positions),
            uncertain=r.uncertain,
            source_kind=source_kind,
            lab_name=lab_name.strip(),
            report_date=report_date,
            upload=upload,
            entered_by=actor.user,
            entered_at=now,
            synthetic=patient.synthetic,
        )
        for r in results
    ]
    PgxResult.objects.bulk_create(rows)
    audit.record_many(
        actor,
        [
            audit.AuditEntry(
                Action.CREATE,
                OBJECT_TYPE,
                str(row.pk or ""),
                patient.pk,
                {"gene": row.gene, "source": source_kind, **(detail or {})},
            )
            for row in rows
        ],
    )
    announce_patient_data_changed(patient_id=patient.pk, kind="pgx_result")
    return rows


def record_results(
    *,
    actor: Actor,
    patient_id: int,
    results: Sequence[ResultIn],
    source_kind: str = SourceKind.OUTSIDE_CALL,
    lab_name: str = "",
    report_date: date | None = None,
) -> list[PgxResult]:
    """Store a lab's diplotypes (e.g. CYP2D6 '*2x2/*41') after CPIC interpretation."""
    user = access.require_authenticated(actor.user)
    errors = check_meta(lab_name, report_date)
    if source_kind not in {SourceKind.OUTSIDE_CALL, SourceKind.LAB_FILE}:
        errors.append(FieldError("source_kind", _("Must be outside-call or lab-file.")))
    if not results:
        errors.append(FieldError("results", _("Give at least one gene result.")))
    interpreted: list[parsing.GeneResult] = []
    for i, item in enumerate(results):
        try:
            interpreted.append(
                parsing.interpret(item.gene, item.diplotype, field=f"results[{i}].diplotype")
            )
        except InvalidInput as exc:
            errors.extend(exc.fields)
    with transaction.atomic():
        patient = access.get_patient_for_clinical_write(user, patient_id)
        if errors:
            raise InvalidInput(_("The results have invalid fields."), fields=errors)
        return _store(
            actor, patient, interpreted,
            source_kind=source_kind, lab_name=lab_name, report_date=report_date,
        )  # fmt: skip


def vcf_notes(
    sample: str, results: Sequence[parsing.GeneResult], not_called: list[str]
) -> list[str]:
    """What a clinician should know about a VCF's calls: the sample, uncertain calls with their
    alternatives, genes not called."""
    notes = [_("Sample %s called for CYP2C9 and CYP2C19.") % sample]
    notes.extend(
        _("%(gene)s: call uncertain (untested positions: %(n)d; alternatives: %(alts)s).")
        % {"gene": r.gene, "n": len(r.missing_positions), "alts": _alternatives(r)}
        for r in results
        if r.uncertain
    )
    return notes + not_called


def store_file_results(
    *,
    actor: Actor,
    patient: Patient,
    results: Sequence[parsing.GeneResult],
    kind: str,
    filename: str,
    content: bytes,
    lab_name: str,
    report_date: date | None,
) -> tuple[PgxUpload, list[PgxResult]]:
    """Inside the caller's transaction: the file kept as received (the source document of the
    results) and its interpreted results, audited."""
    upload = PgxUpload.objects.create(
        patient=patient,
        filename=filename[:255],
        kind=kind,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        content=content,
        uploaded_by=actor.user,
    )
    rows = _store(
        actor, patient, results, source_kind=kind, lab_name=lab_name,
        report_date=report_date, upload=upload, detail={"upload": upload.pk},
    )  # fmt: skip
    return upload, rows


def import_fhir(*, actor: Actor, patient_id: int, payload: dict[str, Any]) -> StoredResults:
    """Genotype Observations (HL7 genomics-reporting shape) for one patient, stored as a batch."""
    user = access.require_authenticated(actor.user)
    with transaction.atomic():
        patient = access.get_patient_for_clinical_write(user, patient_id)
        parsed, skipped = fhir.parse_observations(payload, patient_id=patient.pk, mrn=patient.mrn)
        rows: list[PgxResult] = []
        for item in parsed:
            rows += _store(
                actor, patient, [item.result], source_kind=SourceKind.FHIR,
                lab_name=item.lab_name, report_date=item.report_date,
            )  # fmt: skip
    return StoredResults(rows, skipped)


def get_panel(*, actor: Actor, patient_id: int) -> Panel:
    """The patient's current results and the CPIC finding for every pain drug (audited read)."""
    user = access.require_authenticated(actor.user)
    with transaction.atomic():
        patient = access.get_readable_patient(user, patient_id)
        results = selectors.current_results(patient.pk)
        audit.record(
            actor,
            action=Action.READ,
            object_type=OBJECT_TYPE,
            object_id=patient.pk,
            patient_id=patient.pk,
            detail={"genes": [r.gene for r in results]},
        )
    findings = selectors.findings_for(results, selectors.PANEL_DRUGS)
    # CPIC's "no genotype-based action" notes of every guideline the panel draws on (the
    # opioids': OPRM1, COMT), once each
    notes = {g: n for f in findings for g, n in pgx.no_action_notes_for(f.drug).items()}
    return Panel(patient, results, findings, list(notes.items()))
