"""A data change only queues the rule evaluation before the request answers; the task notes the
change (time and kind, for the triage list), and an older note never replaces a newer one."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from huey.contrib.djhuey import HUEY

from painpath.alerts.models import PatientSafetyState
from painpath.alerts.tasks import evaluate_patient_task, note_change
from painpath.core import api as core_api  # noqa: F401 - registers the routers first
from painpath.core.signals import announce_patient_data_changed
from tests.devices.factories import device_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue():
    HUEY.flush()
    yield HUEY
    HUEY.flush()


def _evaluations(queue):
    return [t for t in queue.pending() if t.name.endswith("evaluate_patient_task")]


def test_the_after_commit_hook_queues_and_touches_no_table(
    world, queue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as hooks:
        announce_patient_data_changed(patient_id=world.p1.pk, kind="checkin")
    with CaptureQueriesContext(connection) as queries:
        for hook in hooks:
            hook()
    assert queries.captured_queries == []
    assert not PatientSafetyState.objects.filter(patient=world.p1).exists()
    (task,) = _evaluations(queue)
    assert task.args == (world.p1.pk,) and task.kwargs["kind"] == "checkin"
    assert dt.datetime.fromisoformat(task.kwargs["changed_at"]).tzinfo is not None


def test_the_queued_evaluation_notes_the_change_then_evaluates(
    world, queue, stub_inputs, django_capture_on_commit_callbacks
):
    secret = device_token(world.patient_user, world.p1)
    body = (
        '{"samples": [{"type": "heart_rate", "unit": "bpm", "value": 61, '
        '"start": "2026-03-02T06:00:00Z", "source": "w"}]}'
    )
    with django_capture_on_commit_callbacks(execute=True):
        resp = Client().post(
            f"/api/v1/patients/{world.p1.pk}/samples",
            body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {secret}",
        )
    assert resp.status_code == 200 and resp.json()["new"] == 1
    assert not PatientSafetyState.objects.filter(patient=world.p1).exists()
    (task,) = _evaluations(queue)
    evaluate_patient_task.call_local(*task.args, **task.kwargs)  # what the worker runs
    state = PatientSafetyState.objects.get(patient=world.p1)
    assert state.last_change_kind == "samples" and state.evaluated_at is not None
    assert state.last_change_at == dt.datetime.fromisoformat(task.kwargs["changed_at"])


def test_an_older_change_never_replaces_a_newer_one(world):
    t0 = dt.datetime(2026, 3, 10, 14, 0, tzinfo=dt.UTC)
    note_change(world.p2.pk, changed_at=t0, kind="dose")
    note_change(world.p2.pk, changed_at=t0 - dt.timedelta(seconds=1), kind="checkin")
    state = PatientSafetyState.objects.get(patient=world.p2)
    assert (state.last_change_at, state.last_change_kind) == (t0, "dose")
    note_change(world.p2.pk, changed_at=t0 + dt.timedelta(seconds=1), kind="samples")
    state.refresh_from_db()
    assert (state.last_change_at, state.last_change_kind) == (
        t0 + dt.timedelta(seconds=1),
        "samples",
    )


def test_a_task_queued_before_this_change_still_evaluates(world, queue, stub_inputs):
    """Tasks already in a queue file when the server is upgraded carry only the patient id."""
    evaluate_patient_task.call_local(world.p3.pk)
    state = PatientSafetyState.objects.get(patient=world.p3)
    assert state.evaluated_at is not None and state.last_change_at is None
