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


# ---- one source per patient-day and type --------------------------------------------------

PHONE, WATCH = 11, 12


def test_overlapping_sources_are_not_added_up():
    """An iPhone and a Watch both count the same walk and the same night (Apple Health)."""
    walk = ms(2026, 3, 3, 9, 0)
    rows = [(1, STEPS, walk + i * 60_000, 60_000, 110.0, WATCH) for i in range(30)]
    rows += [(1, STEPS, walk + i * 600_000, 600_000, 1100.0, PHONE) for i in range(3)]
    night = ms(2026, 3, 2, 23, 0)
    rows += [(1, SLEEP, night, 8 * 3_600_000, 4.0, PHONE)]  # one "asleep (unknown)" block
    rows += [
        (1, SLEEP, night + h * 3_600_000, 3_600_000, [1.0, 2.0, 0.0, 3.0][h % 4], WATCH)
        for h in range(8)
    ]
    (day,) = summarise_days(cols(rows), {1: "America/New_York"})
    assert day.steps == 3300  # the Watch's 30 samples, not 6600
    assert day.active_minutes == 30
    assert day.sleep_minutes == pytest.approx(6 * 60)  # the Watch's stages (2 hours awake)
    assert day.sleep_efficiency == pytest.approx(6 / 8)


def test_two_rr_streams_are_not_interleaved():
    start = ms(2026, 3, 4, 2, 0)
    a = [800.0, 820.0, 790.0, 810.0, 805.0, 815.0]
    b = [600.0, 640.0, 610.0]
    rows, t = [], start
    for v in a:
        t += int(v)
        rows.append((1, RR, t, 0, v, WATCH))
    t = start + 300
    for v in b:
        t += int(v)
        rows.append((1, RR, t, 0, v, PHONE))
    (day,) = summarise_days(cols(rows), {1: "America/New_York"})
    assert day.rr_beats == len(a) and day.rr_removed_share == 0
    assert day.rmssd == pytest.approx(float(np.sqrt(np.mean(np.diff(a) ** 2))))


def test_equal_sources_tie_to_the_smaller_id_and_other_days_choose_again():
    rows = [(1, STEPS, ms(2026, 3, 3, 9, 0), 60_000, 50.0, WATCH)]
    rows += [(1, STEPS, ms(2026, 3, 3, 10, 0), 60_000, 70.0, PHONE)]
    rows += [(1, STEPS, ms(2026, 3, 4, 9, i), 60_000, 10.0, WATCH) for i in range(2)]
    rows += [(1, STEPS, ms(2026, 3, 4, 10, 0), 60_000, 99.0, PHONE)]
    first, second = summarise_days(cols(rows), {1: "America/New_York"})
    assert first.steps == 70  # a tie: PHONE (11) is the smaller id
    assert second.steps == 20  # the Watch has more samples that day


# ---- samples spanning many minutes -----------------------------------------------------------


def test_sedentary_share_counts_every_minute_of_long_samples():
    start = ms(2026, 3, 3, 9, 0)
    rows = [(1, HR, start, 3_600_000, 72.0)]  # an hour's average heart rate: worn all hour
    rows += [(1, STEPS, start, 600_000, 300.0)]  # 300 steps over the first 10 minutes
    (day,) = summarise_days(cols(rows), {1: "America/New_York"})
    assert day.sedentary_share == pytest.approx(50 / 60)
    assert day.active_minutes == 0  # 30 steps/min is not brisk


def test_cadence_is_per_wall_clock_minute():
    start = ms(2026, 3, 3, 9, 0)
    rows = [(1, STEPS, start, 600_000, 1100.0)]  # 110/min for 10 minutes: 10 active minutes
    rows += [(1, STEPS, start + 3_600_000, 30_000, 60.0)]  # two half-minutes in one minute
    rows += [(1, STEPS, start + 3_630_000, 30_000, 60.0)]  # = 120 steps in that minute
    (day,) = summarise_days(cols(rows), {1: "America/New_York"})
    assert day.steps == 1220
    assert day.active_minutes == 11


def test_sleep_excludes_only_its_own_patients_minutes():
    start = ms(2026, 3, 3, 9, 0)
    rows = []
    for pid in (1, 2):
        rows += [(pid, HR, start + i * 60_000, 0, 70.0) for i in range(60)]
    rows += [(2, SLEEP, start - 3_600_000, 5 * 3_600_000, STAGE["light"])]  # a day sleeper
    rows += [(2, SLEEP, start - 1_800_000, 600_000, STAGE["awake"])]  # inside the long one
    rows += [(1, STEPS, start + i * 60_000, 60_000, 100.0) for i in range(15)]
    out = {s.patient_id: s for s in summarise_days(cols(rows), {1: "UTC", 2: "UTC"})}
    assert out[1].sedentary_share == pytest.approx(45 / 60)
    assert out[2].sedentary_share is None  # every worn minute was inside sleep


def test_sedentary_share_scales_to_many_patients_in_one_pass():
    rng = np.random.default_rng(5)
    rows = []
    expected = {}
    for pid in range(1, 201):
        worn = int(rng.integers(30, 120))
        moving = int(rng.integers(0, worn))
        base = ms(2026, 3, 3, 9, 0)
        rows += [(pid, HR, base + i * 60_000, 0, 70.0) for i in range(worn)]
        rows += [(pid, STEPS, base + i * 60_000, 60_000, 20.0) for i in range(moving)]
        expected[pid] = (worn - moving) / worn
    tz = dict.fromkeys(expected, "America/New_York")
    out = {s.patient_id: s.sedentary_share for s in summarise_days(cols(rows), tz)}
    assert out == pytest.approx(expected)


# ---- local time ---------------------------------------------------------------------------


def test_resting_heart_rate_bins_follow_the_patients_local_half_hours():
    # Kathmandu is UTC+05:45: local half-hours are not UTC half-hours. 03:00-03:30 local holds
    # all six samples (mean 55); bins cut at UTC :00/:30 would split them into 50 and 60.
    ktm = ZoneInfo("Asia/Kathmandu")
    t0 = to_ms(datetime(2026, 3, 3, 3, 0, tzinfo=ktm))
    values = [50.0, 50.0, 50.0, 60.0, 60.0, 60.0]
    rows = [(1, HR, t0 + i * 300_000, 0, v) for i, v in enumerate(values)]
    rows += [(1, HR, t0 + 6 * 3_600_000 + i * 300_000, 0, 80.0) for i in range(6)]
    (day,) = summarise_days(cols(rows), {1: "Asia/Kathmandu"})
    assert day.day == date(2026, 3, 3)
    assert day.resting_hr == pytest.approx(55.0)


def test_rr_gap_inside_a_night_is_not_differenced():
    start = ms(2026, 3, 4, 2, 0)
    first, second = [800.0, 810.0, 820.0], [600.0, 610.0, 620.0]
    rows, t = [], start
    for v in first:
        t += int(v)
        rows.append((1, RR, t, 0, v))
    t += 3_600_000  # an hour later
    for v in second:
        t += int(v)
        rows.append((1, RR, t, 0, v))
    (day,) = summarise_days(cols(rows), {1: "America/New_York"})
    assert day.rr_removed_share == 0  # the 600s are not "ectopic" against the 820
    assert day.rmssd == pytest.approx(10.0)
