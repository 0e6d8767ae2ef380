"""Daily summaries: local days, steps, active minutes, sleep, resting HR, sedentary share."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from painpath.analytics.daily_summaries import SampleColumns, local_days, summarise_days
from painpath.interop.wearables.schema import to_ms

NY = ZoneInfo("America/New_York")
HR, RR, STEPS, SLEEP, ACTIVE = 1, 2, 3, 4, 5
STAGE = {"awake": 0, "light": 1, "deep": 2, "rem": 3}


def ms(*args: int) -> int:
    return to_ms(datetime(*args, tzinfo=NY))


def cols(rows):
    return SampleColumns.from_rows(rows)


def test_local_day_follows_the_patients_zone_and_dst():
    # 2026-03-08 is the US spring-forward day; 23:30 local is still the 8th on both sides.
    moments = np.array([ms(2026, 3, 7, 23, 30), ms(2026, 3, 8, 23, 30), ms(2026, 3, 8, 0, 10)])
    days = local_days(np.array([1, 1, 2]), moments, {1: "America/New_York", 2: "Asia/Tokyo"})
    epoch = date(1970, 1, 1)
    assert [epoch + timedelta(days=int(d)) for d in days] == [
        date(2026, 3, 7),
        date(2026, 3, 8),
        date(2026, 3, 8),
    ]


def test_steps_cadence_active_minutes_and_sedentary_share():
    rows = []
    for i in range(30):  # 30 brisk minutes (110 steps/min) from 09:00
        rows.append((1, STEPS, ms(2026, 3, 3, 9, 0) + i * 60_000, 60_000, 110.0))
    for i in range(10):  # 10 slow minutes
        rows.append((1, STEPS, ms(2026, 3, 3, 12, 0) + i * 60_000, 60_000, 20.0))
    for i in range(100):  # worn for 100 minutes from 09:00 (heart rate each minute)
        rows.append((1, HR, ms(2026, 3, 3, 9, 0) + i * 60_000, 0, 70.0))
    (day,) = summarise_days(cols(rows), {1: "America/New_York"})
    assert day.day == date(2026, 3, 3)
    assert day.steps == 30 * 110 + 10 * 20
    assert day.active_minutes == 30
    assert day.sedentary_share == pytest.approx(70 / 100)  # 100 worn minutes, 30 with steps


def test_device_reported_active_minutes_win_over_cadence():
    rows = [
        (1, STEPS, ms(2026, 3, 3, 9, 0), 60_000, 120.0),
        (1, ACTIVE, ms(2026, 3, 3, 10, 0), 3_600_000, 45.0),
    ]
    (day,) = summarise_days(cols(rows), {1: "America/New_York"})
    assert day.active_minutes == 45


def test_sleep_night_belongs_to_the_wake_day_and_efficiency():
    rows = [
        (1, SLEEP, ms(2026, 3, 3, 23, 0), 3_600_000, STAGE["light"]),  # 23:00-00:00
        (1, SLEEP, ms(2026, 3, 4, 0, 0), 1_800_000, STAGE["awake"]),  # 00:00-00:30
        (1, SLEEP, ms(2026, 3, 4, 0, 30), 5 * 3_600_000, STAGE["deep"]),  # 00:30-05:30
        (1, SLEEP, ms(2026, 3, 4, 5, 30), 1_800_000, STAGE["rem"]),  # 05:30-06:00
    ]
    (day,) = summarise_days(cols(rows), {1: "America/New_York"})
    assert day.day == date(2026, 3, 4)
    assert day.sleep_minutes == pytest.approx(60 + 300 + 30)
    assert day.sleep_efficiency == pytest.approx(390 / 420)


def test_resting_heart_rate_is_the_lowest_half_hour_mean():
    rows = [(1, HR, ms(2026, 3, 3, 3, 0) + i * 300_000, 0, 52.0 + (i % 2)) for i in range(6)]
    rows += [(1, HR, ms(2026, 3, 3, 12, 0) + i * 300_000, 0, 80.0) for i in range(6)]
    rows += [(1, HR, ms(2026, 3, 3, 18, 0), 0, 40.0)]  # one low sample alone is not enough
    (day,) = summarise_days(cols(rows), {1: "America/New_York"})
    assert day.resting_hr == pytest.approx(52.5)


def test_nightly_rr_gives_hrv_and_patients_do_not_mix():
    start = ms(2026, 3, 4, 2, 0)
    rr = [800.0, 820.0, 790.0, 810.0, 805.0]
    rows = []
    for pid, offset in ((1, 0.0), (2, 100.0)):
        t = start
        for v in rr:
            t += int(v)
            rows.append((pid, RR, t, 0, v + offset))
    out = summarise_days(cols(rows), {1: "America/New_York", 2: "America/New_York"})
    assert [(s.patient_id, s.day) for s in out] == [(1, date(2026, 3, 4)), (2, date(2026, 3, 4))]
    expected = float(np.sqrt(np.mean(np.diff(rr) ** 2)))
    assert out[0].rmssd == pytest.approx(expected)
    assert out[1].rmssd == pytest.approx(expected)
    assert out[0].rr_beats == 5 and out[0].rr_removed_share == 0
