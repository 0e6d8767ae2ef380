"""Plain reads other capabilities use: daily pain and daily function (activity level)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from painpath.alerts import inputs
from painpath.diary import selectors
from painpath.diary.models import CheckIn
from painpath.diary.services import local_today

pytestmark = pytest.mark.django_db


def test_pain_and_function_come_from_each_days_check_in_in_one_read(
    world, django_assert_num_queries
):
    today = local_today(world.p1)
    yesterday = today - timedelta(days=1)
    CheckIn.objects.create(patient=world.p1, day=today, pain_now=3, pain_average=4, activity=7)
    CheckIn.objects.create(patient=world.p1, day=yesterday, pain_now=3, pain_average=5)
    CheckIn.objects.create(
        patient=world.p1, day=today - timedelta(days=9), pain_now=3, pain_average=9, activity=1
    )  # before the window
    CheckIn.objects.create(patient=world.p2, day=today, pain_now=3, pain_average=4, activity=2)
    start = today - timedelta(days=5)
    with django_assert_num_queries(1):
        both = inputs.daily_pain_and_function(world.p1.pk, start, today)
    assert both == {today: (4.0, 7.0), yesterday: (5.0, None)}
    # the single-measure reads agree: function only on days that have it
    assert inputs.daily_pain(world.p1.pk, start, today) == {today: 4.0, yesterday: 5.0}
    assert selectors.daily_function(world.p1.pk, start, today) == {today: 7.0}
    assert selectors.daily_function(world.p2.pk, start, today) == {today: 2.0}
