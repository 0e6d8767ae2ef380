"""Demo loader: SYNTHETIC PGx results (``painpath.analytics.synth_genotypes``), bulk-inserted."""

from __future__ import annotations

from django.db import transaction

from painpath.analytics.synth import Cohort
from painpath.analytics.synth_genotypes import assign_genotypes
from painpath.audit import services as audit
from painpath.audit.models import Action
from painpath.clinical import pgx
from painpath.core.context import Actor
from painpath.genomics.models import PgxResult, SourceKind
from painpath.patients.cohort import StoredCohort


def load_demo(cohort: Cohort, *, stored: StoredCohort) -> None:
    actor = Actor.system("demo-genomics")
    genotypes = assign_genotypes(sorted(stored.patients), seed=cohort.seed, as_of=cohort.as_of)
    rows: list[PgxResult] = []
    for g in genotypes:
        result = pgx.phenotype(g.gene, g.diplotype)
        rows.append(
            PgxResult(
                patient=stored.patients[g.mrn],
                gene=result.gene,
                diplotype=result.diplotype,
                phenotype=result.phenotype,
                activity_score="" if result.activity_score is None else str(result.activity_score),
                source_kind=SourceKind.OUTSIDE_CALL if g.outside_call else SourceKind.LAB_FILE,
                lab_name=g.lab_name,
                report_date=g.report_date,
                synthetic=True,
            )
        )
    with transaction.atomic():
        PgxResult.objects.bulk_create(rows)
        audit.record_many(
            actor,
            [
                audit.AuditEntry(
                    Action.CREATE, "PgxResult", str(r.pk or ""), r.patient.pk, {"synthetic": True}
                )
                for r in rows
            ],
        )
