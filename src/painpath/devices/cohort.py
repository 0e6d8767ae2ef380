"""Loads SYNTHETIC wearable data and stimulators (``analytics.synth_wearables``) for the demo:
bulk inserts, rollups computed from the generated columns, one audit row per patient."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import numpy as np
from django.db import transaction

from painpath.analytics.daily_summaries import SampleColumns, summarise_days
from painpath.analytics.synth import Cohort
from painpath.analytics.synth_wearables import DEMO_DAYS, SynthStimulator, generate_wearables
from painpath.audit import services as audit
from painpath.audit.models import Action
from painpath.core.context import Actor
from painpath.devices.bulk import SampleRows, insert_columns
from painpath.devices.models import (
    ChangeContext,
    DailySummary,
    DeviceSource,
    ProgramChange,
    StimDevice,
    StimProgram,
    StimUsage,
)
from painpath.patients.cohort import StoredCohort
from painpath.patients.models import Patient


def load_demo(cohort: Cohort, *, stored: StoredCohort) -> None:
    actor = Actor.system("demo-wearables")
    patients = list(stored.patients.values())
    data = generate_wearables(
        [(p.mrn, p.timezone_name) for p in patients],
        as_of=cohort.as_of,
        days=DEMO_DAYS,
        seed=cohort.seed,
    )
    by_mrn = {p.mrn: p for p in patients}
    with transaction.atomic():
        DeviceSource.objects.bulk_create(
            [
                DeviceSource(
                    patient=p, key="synthetic-watch", make="SYNTHETIC", model="Watch", app="demo"
                )
                for p in patients
            ]
        )
        sources = {s.patient_id: s.pk for s in DeviceSource.objects.filter(patient__in=patients)}
        summaries: list[DailySummary] = []
        for d in data:
            patient = by_mrn[d.mrn]
            insert_columns(
                SampleRows(
                    patient_id=patient.pk,
                    source_id=sources[patient.pk],
                    types=d.type.tolist(),  # Python numbers: sqlite3 takes no numpy scalars
                    start_ms=d.start_ms.tolist(),
                    duration_ms=d.duration_ms.tolist(),
                    values=d.value.tolist(),
                )
            )
            cols = SampleColumns(
                patient=np.full(d.type.size, patient.pk, dtype=np.int64),
                type=d.type,
                start_ms=d.start_ms,
                duration_ms=d.duration_ms,
                value=d.value,
            )
            usage = _stimulator(patient, d.stimulator)
            summaries.extend(
                DailySummary(**s.__dict__, stim_hours=usage.get(s.day, {}))
                for s in summarise_days(cols, {patient.pk: patient.timezone_name})
            )
        DailySummary.objects.bulk_create(summaries, batch_size=2000)
        audit.record_many(
            actor,
            [
                audit.AuditEntry(Action.CREATE, "SampleBatch", "", p.pk, {"synthetic": True})
                for p in patients
            ],
        )


def _stimulator(patient: Patient, stim: SynthStimulator | None) -> dict[date, dict[str, float]]:
    """Store the device, programs, changes (10:00 the patient's local time) and usage; return
    the usage hours per day keyed by program id, as the rollups store them."""
    if stim is None:
        return {}
    zone = ZoneInfo(patient.timezone_name)
    device = StimDevice.objects.create(
        patient=patient,
        type="SCS",
        make=stim.make,
        model=stim.model,
        implant_date=stim.implant_date,
        leads="2 x 8-contact percutaneous (SYNTHETIC)",
        synthetic=True,
    )
    programs = {
        p.name: StimProgram.objects.create(
            device=device,
            name=p.name,
            waveform=p.waveform,
            frequency_hz=p.frequency_hz,
            pulse_width_us=p.pulse_width_us,
            amplitude_ma=p.amplitude_ma,
            burst=p.burst,
            contacts="E3+ E4- E5-",
            cycling="continuous",
            amplitude_min_ma=0.5,
            amplitude_max_ma=p.amplitude_ma * 2,
        )
        for p in stim.programs
    }
    ProgramChange.objects.bulk_create(
        [
            ProgramChange(
                device=device,
                program=programs[name],
                changed_at=datetime.combine(day, time(10, 0), tzinfo=zone),
                context=ChangeContext.CLINICIAN_VISIT,
                reason=reason,
            )
            for day, name, reason in stim.changes
        ]
    )
    StimUsage.objects.bulk_create(
        [StimUsage(program=programs[name], day=day, hours=h) for day, name, h in stim.usage]
    )
    usage: dict[date, dict[str, float]] = {}
    for day, name, hours in stim.usage:
        usage.setdefault(day, {})[str(programs[name].pk)] = hours
    return usage
