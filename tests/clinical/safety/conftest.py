"""Builders for safety-rule tests: an evaluation day, prescriptions, doses and snapshots."""

import itertools
from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest

from painpath.clinical.medications import Prescription
from painpath.clinical.safety import PatientSnapshot, ReportedDose

ON = date(2026, 6, 15)


@pytest.fixture
def on():
    return ON


@pytest.fixture
def rx():
    """A prescription line with a fresh id (rx1, rx2, ...); one dose a day unless told."""
    ids = itertools.count(1)

    def build(drug="morphine", dose=10, **kwargs):
        if kwargs.get("unit") != "mcg/h" and not {
            "times_per_day",
            "every_hours",
            "as_needed",
        } & set(kwargs):
            kwargs["times_per_day"] = 1
        kwargs.setdefault("id", f"rx{next(ids)}")
        return Prescription(drug=drug, dose=dose, **kwargs)

    return build


@pytest.fixture
def taken():
    """A dose taken under ``line`` (one administration of its dose) at ``hour`` UTC."""

    def build(line, hour=9, day=ON, slot=0):
        at = datetime(day.year, day.month, day.day, hour, tzinfo=UTC)
        return ReportedDose(prescription=line.id, day=day, slot=slot, taken_at=at)

    return build


@pytest.fixture
def snapshot():
    def build(**kwargs):
        kwargs.setdefault("age_years", 45)
        kwargs.setdefault("last_checkin", ON)
        for key in ("prescriptions", "doses", "pain_scores", "genotypes"):
            if key in kwargs:
                kwargs[key] = tuple(kwargs[key])
        for key in ("conditions", "missing"):
            if key in kwargs:
                kwargs[key] = frozenset(kwargs[key])
        return PatientSnapshot(**kwargs)

    return build


@pytest.fixture
def k(on, rx, taken, snapshot):
    """All builders in one: ``k.on``, ``k.rx(...)``, ``k.taken(...)``, ``k.snapshot(...)``."""
    return SimpleNamespace(on=on, rx=rx, taken=taken, snapshot=snapshot)
