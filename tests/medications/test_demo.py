"""The SYNTHETIC medication generator is deterministic and the demo loader runs the real rules."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from painpath.alerts.models import Alert
from painpath.analytics.synth import generate_cohort
from painpath.analytics.synth_medications import generate_medications
from painpath.medications.models import DoseReport, Prescription
from painpath.patients.cohort import load_cohort

AS_OF = dt.date(2026, 3, 1)


def test_generator_is_deterministic_and_covers_every_regimen() -> None:
    mrns = [f"SYN-{i:06d}" for i in range(1, 21)]
    first = generate_medications(mrns, seed=3, as_of=AS_OF)
    assert first == generate_medications(mrns, seed=3, as_of=AS_OF)
    assert first != generate_medications(mrns, seed=4, as_of=AS_OF)
    flags = {flag for h in first for flag in h.regimen.split("+")}
    assert {
        "non_opioid",
        "opioid_lt50",
        "opioid_ge90",
        "er_la",
        "tapering",
        "benzodiazepine",
        "gabapentinoid",
        "naloxone",
    } <= flags
    scheduled = [d for h in first for d in h.doses if d.slot > 0]
    assert 0 < sum(not d.taken for d in scheduled) < len(scheduled)  # imperfect adherence


@pytest.mark.django_db
def test_demo_loader_stores_history_and_resulting_alerts(settings, monkeypatch) -> None:
    from tests.medications.factories import StubInputs

    StubInputs().install(monkeypatch)
    settings.PAINPATH_DEMO_LOADERS = ["painpath.medications.cohort.load_demo"]
    cohort = generate_cohort(n_patients=12, seed=5, as_of=AS_OF)
    started = time.perf_counter()
    load_cohort(cohort, password="x")
    assert time.perf_counter() - started < 30
    assert Prescription.objects.filter(
        synthetic=True, status="tapering", replaces__isnull=False
    ).exists()
    assert DoseReport.objects.filter(taken=False).exists()
    rules = set(Alert.objects.values_list("rule_id", flat=True))
    assert {
        "opioid-with-cns-depressant",
        "opioid-with-gabapentinoid",
        "naloxone-not-prescribed",
    } <= rules
    assert all(a.synthetic for a in Alert.objects.all())
