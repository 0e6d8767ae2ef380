"""Fixtures and helpers shared by the alert tests."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from huey.contrib.djhuey import HUEY

from painpath.alerts.models import Alert
from painpath.alerts.services import triage as triage_rows
from painpath.core.context import Actor
from tests.medications.factories import StubInputs

T0 = dt.datetime(2026, 3, 10, 14, 0, tzinfo=dt.UTC)


def make_alert(patient, *, rule="mme-prescribed-90", severity="high", rank=2, **extra) -> Alert:
    """A stored alert raised at T0 (unless ``created_at`` says otherwise)."""
    return Alert.objects.create(
        patient=patient,
        rule_id=rule,
        severity=severity,
        severity_rank=rank,
        title=f"{rule} title",
        message=f"{rule} message",
        created_at=extra.pop("created_at", T0),
        **extra,
    )


def triage(user):
    """The triage rows and flags status, as ``user`` sees them."""
    return triage_rows(actor=Actor(user=user))


@pytest.fixture
def stub_inputs(monkeypatch: pytest.MonkeyPatch) -> StubInputs:
    return StubInputs().install(monkeypatch)


@pytest.fixture
def frozen_today():
    """Noon in New York on TODAY (the test clinics' zone)."""
    with time_machine.travel(dt.datetime(2026, 3, 10, 17, 0, tzinfo=dt.UTC), tick=False) as t:
        yield t


@pytest.fixture
def immediate_huey():
    previous = HUEY.immediate
    HUEY.immediate = True
    yield HUEY
    HUEY.immediate = previous
