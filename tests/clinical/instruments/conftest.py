"""Helpers shared by the instrument tests: build answer lists that reach a given total."""

from __future__ import annotations

import pytest


def spread(total: int, count: int, top: int, *, low: int = 0) -> list[int]:
    """``count`` answers in ``low..top`` summing to ``total``, filled from the first item."""
    answers = [low] * count
    remaining = total - low * count
    for index in range(count):
        step = min(top - low, remaining)
        answers[index] += step
        remaining -= step
    assert remaining == 0, "total out of reach"
    return answers


@pytest.fixture
def no_overlay(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make sure no clinic overlay directory leaks into a test."""
    monkeypatch.delenv("PAINPATH_INSTRUMENT_TEXT_DIR", raising=False)
