"""Plain reads other capabilities use: daily pain and daily function (activity level)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from painpath.alerts import inputs
from painpath.diary.models import CheckIn
from painpath.diary.services import local_today

pytestmark = pytest.mark.django_db


def test_daily_function_is_the_check_in_activity_level_of_days_that_have_one(world):
    today = local_today(world.p1)
    CheckIn.objects.create(patient=world.p1, day=today, pain_now=3, pain_average=4, activity=7)
    CheckIn.objects.create(
        patient=world.p1, day=today - timedelta(days=1), pain_now=3, pain_average=5
    )
    CheckIn.objects.create(patient=world.p2, day=today, pain_now=3, pain_average=4, activity=2)
    start = today - timedelta(days=5)
    assert inputs.daily_function(world.p1.pk, start, today) == {today: 7.0}
    assert inputs.daily_pain(world.p1.pk, start, today) == {
        today: 4.0,
        today - timedelta(days=1): 5.0,
    }
