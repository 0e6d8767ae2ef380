from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from huey.contrib.djhuey import HUEY

from tests.medications.factories import StubInputs


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
