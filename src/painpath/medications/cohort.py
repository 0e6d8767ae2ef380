"""Loads the SYNTHETIC medication histories (``painpath.analytics.synth_medications``), then runs
the real safety rules on every loaded patient so the demo shows the alerts that result."""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from decimal import Decimal

from django.db import transaction

from painpath.accounts.models import Role
from painpath.alerts.evaluation import evaluate_patient
from painpath.alerts.models import RoutingRule
from painpath.analytics.synth import Cohort
from painpath.analytics.synth_medications import generate_medications
from painpath.audit import services as audit
from painpath.audit.models import Action
from painpath.core.context import Actor
from painpath.medications.models import DoseReport, MonitoringEvent, Prescription
from painpath.patients.cohort import StoredCohort


def _d(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def load_demo(cohort: Cohort, *, stored: StoredCohort) -> None:
    """Bulk-insert prescriptions, dose logs and monitoring events; evaluate every patient."""
    actor = Actor.system("demo-medications")
    mrns = [p.mrn for p in cohort.patients]
    histories = generate_medications(mrns, seed=cohort.seed, as_of=cohort.as_of)
    prescribers = {
        u.clinic_id: u
        for u in stored.users.values()
        if u.role == Role.CLINICIAN and u.profession == "physician"
    }
    with transaction.atomic():
        keyed: dict[tuple[str, str], Prescription] = {}
        for history in histories:
            patient = stored.patients[history.mrn]
            for rx in history.prescriptions:
                keyed[(history.mrn, rx.key)] = Prescription(
                    patient=patient,
                    drug=rx.drug,
                    dose=Decimal(rx.dose),
                    unit=rx.unit,
                    times_per_day=_d(rx.times_per_day),
                    as_needed=rx.as_needed,
                    max_doses_per_day=_d(rx.max_doses_per_day),
                    release=rx.release,
                    route=rx.route,
                    start=rx.start,
                    days_supply=rx.days_supply,
                    indication=rx.indication,
                    prescriber=prescribers.get(patient.clinic_id),
                    status=rx.status,
                    stopped_on=rx.stopped_on,
                    synthetic=True,
                )
        Prescription.objects.bulk_create(list(keyed.values()))
        replaced = []
        for history in histories:
            for rx in history.prescriptions:
                if rx.replaces:
                    row = keyed[(history.mrn, rx.key)]
                    row.replaces = keyed[(history.mrn, rx.replaces)]
                    replaced.append(row)
        Prescription.objects.bulk_update(replaced, ["replaces"])
        doses: list[DoseReport] = []
        events: list[MonitoringEvent] = []
        for history in histories:
            patient = stored.patients[history.mrn]
            tz = zoneinfo.ZoneInfo(patient.timezone_name)
            for dose in history.doses:
                rx_row = keyed[(history.mrn, dose.rx_key)]
                taken_at = (
                    datetime.combine(dose.day, dose.at, tzinfo=tz) if dose.at is not None else None
                )
                doses.append(
                    DoseReport(
                        patient=patient,
                        prescription=rx_row,
                        day=dose.day,
                        slot=dose.slot,
                        taken=dose.taken,
                        taken_at=taken_at,
                        synthetic=True,
                    )
                )
            events.extend(
                MonitoringEvent(patient=patient, kind=e.kind, on=e.on, synthetic=True)
                for e in history.events
            )
        DoseReport.objects.bulk_create(doses, batch_size=2000)
        MonitoringEvent.objects.bulk_create(events)
        audit.record_many(
            actor,
            [
                audit.AuditEntry(
                    Action.CREATE, "Prescription", str(r.pk), r.patient_id, {"synthetic": True}
                )
                for r in keyed.values()
            ],
        )
        main = next(iter(stored.clinics.values()))
        psychologist = next(
            (
                u
                for u in stored.users.values()
                if u.profession == "psychologist" and u.clinic_id == main.pk
            ),
            None,
        )
        if psychologist is not None:  # demo routing: suicidal-ideation item to the psychologist
            RoutingRule.objects.create(
                clinic=main, rule_id="phq9-item9-positive", recipient=psychologist
            )
    for history in histories:
        evaluate_patient(patient_id=stored.patients[history.mrn].pk, actor=actor)
