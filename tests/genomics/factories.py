"""Factories for stored PGx results."""

from __future__ import annotations

from painpath.clinical import pgx
from painpath.genomics.models import PgxResult, SourceKind
from painpath.patients.models import Patient


def stored_result(patient: Patient, gene: str, diplotype: str, **extra: object) -> PgxResult:
    r = pgx.phenotype(gene, diplotype)
    return PgxResult.objects.create(
        patient=patient,
        gene=r.gene,
        diplotype=r.diplotype,
        phenotype=r.phenotype,
        activity_score="" if r.activity_score is None else str(r.activity_score),
        source_kind=extra.pop("source_kind", SourceKind.OUTSIDE_CALL),
        **extra,
    )
