"""The whole patient chart (every capability's panel) makes the same number of queries
however much history the patient has: no panel may read row by row."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from tests.genomics.factories import stored_result
from tests.medications.factories import DoseReportFactory, PrescriptionFactory

from painpath.assessments.services import submit_response
from painpath.core.context import Actor
from painpath.devices.models import DailySummary
from painpath.diary.models import CheckIn

pytestmark = pytest.mark.django_db


def _history(world, days: int, offset: int) -> None:
    today = timezone.localdate()
    for i in range(offset, offset + days):
        day = today - timedelta(days=i)
        CheckIn.objects.create(
            patient=world.p1, day=day, pain_now=5, pain_average=5, activity=4, mood=5
        )
        DailySummary.objects.create(patient=world.p1, day=day, steps=4000 + i)
    rx = PrescriptionFactory(
        patient=world.p1, prescriber=world.dr_a, start=today - timedelta(days=offset + days)
    )
    for i in range(days):
        day = today - timedelta(days=offset + i)
        DoseReportFactory(
            prescription=rx, day=day, taken_at=timezone.now() - timedelta(days=offset + i)
        )
    actor = Actor(user=world.patient_user)
    for _ in range(days // 5 + 1):
        submit_response(actor=actor, patient_id=world.p1.pk, instrument_id="peg", answers=[5, 5, 5])


def _chart_queries(client, patient_id: int) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/patients/{patient_id}/")
    assert response.status_code == 200
    return len(queries)


def test_chart_query_count_does_not_grow_with_history(world, as_user):
    stored_result(world.p1, "CYP2D6", "*4/*4")
    client = as_user(world.dr_a)
    _history(world, days=3, offset=1)
    client.get(f"/patients/{world.p1.pk}/")  # first audit row creates the chain head
    small = _chart_queries(client, world.p1.pk)
    _history(world, days=40, offset=10)
    stored_result(world.p1, "CYP2C9", "*1/*3")
    large = _chart_queries(client, world.p1.pk)
    assert large == small, f"{small} queries with little history, {large} with more"
