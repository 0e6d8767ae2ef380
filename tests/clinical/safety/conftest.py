"""Builders for safety-rule tests: an evaluation day, prescriptions and snapshots."""

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest

from painpath.clinical.medications import Prescription
from painpath.clinical.mme import TakenDose
from painpath.clinical.safety import PatientSnapshot

ON = date(2026, 6, 15)


@pytest.fixture
def on():
    return ON


@pytest.fixture
def rx():
    def build(drug="morphine", dose=10, **kwargs):
        if kwargs.get("unit") != "mcg/h" and not {
            "times_per_day",
            "every_hours",
            "as_needed",
        } & set(kwargs):
            kwargs["times_per_day"] = 1
        return Prescription(drug=drug, dose=dose, **kwargs)

    return build


@pytest.fixture
def taken():
    def build(drug, dose, hour=9, day=ON, unit="mg"):
        return TakenDose(drug, dose, datetime(day.year, day.month, day.day, hour, tzinfo=UTC), unit)

    return build


@pytest.fixture
def snapshot():
    def build(**kwargs):
        kwargs.setdefault("age_years", 45)
        kwargs.setdefault("last_checkin", ON)
        for key in ("prescriptions", "doses_taken", "scheduled_doses", "pain_scores"):
            if key in kwargs:
                kwargs[key] = tuple(kwargs[key])
        if "conditions" in kwargs:
            kwargs["conditions"] = frozenset(kwargs["conditions"])
        return PatientSnapshot(**kwargs)

    return build


@pytest.fixture
def k(on, rx, taken, snapshot):
    """All builders in one: ``k.on``, ``k.rx(...)``, ``k.taken(...)``, ``k.snapshot(...)``."""
    return SimpleNamespace(on=on, rx=rx, taken=taken, snapshot=snapshot)
