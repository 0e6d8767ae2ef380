"""Loads the SYNTHETIC check-ins (``painpath.analytics.synth_diary``) in bulk."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from painpath.analytics.synth import Cohort
from painpath.analytics.synth_diary import generate_measurements
from painpath.analytics.synth_wearables import DEMO_DAYS, shift_pain, synthetic_stimulators
from painpath.audit import services as audit
from painpath.audit.models import Action
from painpath.core.context import Actor
from painpath.diary.models import CheckIn
from painpath.patients.cohort import StoredCohort


def load_demo(cohort: Cohort, *, stored: StoredCohort) -> None:
    """Bulk-insert months of SYNTHETIC check-ins for the stored cohort (one transaction)."""
    data = generate_measurements(cohort, seed=cohort.seed)
    # The SYNTHETIC stimulator patients' pain moves after each program change (the devices
    # loader stores the same stimulators).
    stims = synthetic_stimulators(
        list(stored.patients), as_of=cohort.as_of, days=DEMO_DAYS, seed=cohort.seed
    )
    now = timezone.now()
    rows = [
        CheckIn(
            patient=stored.patients[c.mrn],
            day=c.day,
            pain_now=shift_pain(c.pain_now, stims.get(c.mrn), c.day),
            pain_average=shift_pain(c.pain_average, stims.get(c.mrn), c.day),
            regions=list(c.regions),
            qualities=list(c.qualities),
            sleep_quality=c.sleep_quality,
            mood=c.mood,
            activity=c.activity,
            helped=c.helped,
            worsened=c.worsened,
            synthetic=True,
            created_at=now,
            updated_at=now,
        )
        for c in data.checkins
        if c.mrn in stored.patients
    ]
    with transaction.atomic():
        CheckIn.objects.bulk_create(rows, batch_size=2000)
        patient_ids = sorted({r.patient.pk for r in rows})
        audit.record_many(
            Actor.system("demo-cohort"),
            [
                audit.AuditEntry(
                    Action.CREATE, "CheckIn", "", pid, {"synthetic": True, "bulk": True}
                )
                for pid in patient_ids
            ],
        )
