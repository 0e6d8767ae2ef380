"""The server process's collector: start-up frozen, and an ingest request no longer sets off
a cascade of collections (counted, not timed)."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from tests.devices.factories import device_token

from painpath.core import api as core_api  # noqa: F401 - registers the routers first
from painpath.core.server_gc import YOUNG_THRESHOLD, tune_for_server


def test_the_wsgi_module_freezes_start_up_and_raises_the_young_threshold(tmp_path):
    probe = "import gc, painpath.wsgi; print(gc.get_freeze_count() > 10_000, gc.get_threshold()[0])"
    clean = {k: v for k, v in os.environ.items() if k not in {"PAINPATH_ENV", "DATABASE_URL"}}
    result = subprocess.run(
        [sys.executable, "-c", probe],
        env={**clean, "PAINPATH_ENV": "demo", "PAINPATH_VAR_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stdout.split() == ["True", str(YOUNG_THRESHOLD)], result.stderr


@pytest.fixture
def collections():
    """Counts the collections of each generation; restores the collector afterwards."""
    counts = [0, 0, 0]

    def count(phase, info):
        if phase == "start":
            counts[info["generation"]] += 1

    threshold = gc.get_threshold()
    gc.callbacks.append(count)
    yield counts
    gc.callbacks.remove(count)
    gc.unfreeze()
    gc.set_threshold(*threshold)


def _batch(first: int) -> str:
    start = datetime(2026, 3, 2, tzinfo=UTC) + timedelta(days=first)
    samples = [
        {
            "type": "heart_rate",
            "unit": "bpm",
            "value": 60 + i % 40,
            "start": (start + timedelta(seconds=5 * i)).isoformat(),
        }
        for i in range(10_000)
    ]
    return json.dumps({"source": {"key": "watch"}, "samples": samples})


@pytest.mark.django_db
def test_an_ingest_request_sets_off_no_collection_once_tuned(world, collections):
    secret = device_token(world.patient_user, world.p1)

    def post(first: int) -> None:
        resp = Client().post(
            f"/api/v1/patients/{world.p1.pk}/samples",
            _batch(first),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {secret}",
        )
        assert resp.json()["new"] == 10_000

    post(0)  # warm: imports and caches
    gc.set_threshold(700, 10, 10)  # CPython's default
    before = list(collections)
    post(1)
    untuned = [a - b for a, b in zip(collections, before, strict=True)]
    assert untuned[0] > 10  # the cascade this module exists for
    tune_for_server()
    before = list(collections)
    post(2)
    tuned = [a - b for a, b in zip(collections, before, strict=True)]
    assert tuned[0] <= 1 and tuned[2] == 0
