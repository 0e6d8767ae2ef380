"""Sample batches and device tokens for the device tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from painpath.accounts.tokens import issue_token

BASE = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


def hr_samples(n: int, *, start: datetime = BASE, step_s: int = 60) -> list[dict[str, Any]]:
    return [
        {
            "type": "heart_rate",
            "unit": "bpm",
            "value": 60 + (i % 20),
            "start": (start + timedelta(seconds=i * step_s)).isoformat(),
        }
        for i in range(n)
    ]


def step_samples(n: int, *, start: datetime = BASE) -> list[dict[str, Any]]:
    return [
        {
            "type": "steps",
            "unit": "count",
            "value": 90 + i % 30,
            "start": (start + timedelta(minutes=i)).isoformat(),
            "end": (start + timedelta(minutes=i + 1)).isoformat(),
        }
        for i in range(n)
    ]


def device_token(user, patient) -> str:
    return issue_token(user=user, name="watch", patient_id=patient.pk).secret
