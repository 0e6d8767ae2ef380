"""Daily physiology summaries per patient and local day, vectorised over all patients at once.

Input: samples as columns (patient, type code, start ms, duration ms, value, source) for any
number of patients, and each patient's IANA time zone. Output: one ``DaySummary`` per
(patient, local day) that has data. Definitions (parameters and sources in
``data/daily_summaries.toml``):

- one source per patient-day and type: for steps, active minutes, sleep, heart rate and RR
  intervals only the source with the most samples of that type that day (that night for sleep
  and RR) is used, ties to the smallest source id, so an iPhone and a Watch counting the same
  steps are not added up and two RR streams are not interleaved (``[sources]``).
- steps: sum of step counts whose interval starts on the day.
- active minutes: device-reported active minutes if any were reported that day; otherwise
  wall-clock minutes with at least 100 steps (Tudor-Locke 2019, moderate intensity). A sample
  spanning several minutes spreads its steps over them in proportion to the overlap.
- sedentary share of waking hours: among minutes covered by a heart-rate sample (the device
  was worn; an averaged sample covers every minute of its interval) and outside any sleep
  episode, the share with no steps.
- sleep (the night ending on the day: sleep stages that end between 12:00 the previous day
  and 12:00 on the day): duration = time in stages other than awake; efficiency = that time
  divided by the span from the first stage's start to the last stage's end.
- resting heart rate (painpath's operational definition, not a clinical standard): the lowest
  mean heart rate over the day's local half-hour bins (00:00-00:30 ... in the patient's zone)
  holding at least 3 samples.
- HRV of the night's RR intervals (those recorded during the same noon-to-noon window):
  RMSSD, SDNN, pNN50 after artifact and ectopic filtering, split at recording gaps, with the
  share of beats removed (``painpath.analytics.hrv``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from numpy.typing import NDArray

from painpath.analytics.hrv import hrv_by_group, hrv_parameters
from painpath.interop.wearables.schema import SLEEP_STAGES, sample_types

__all__ = [
    "DAY_MS",
    "EPOCH_DAY",
    "HOUR",
    "DaySummary",
    "SampleColumns",
    "local_days",
    "local_ms",
    "summarise_days",
]

MINUTE = 60_000
HOUR = 3_600_000
DAY_MS = 86_400_000
KEY = 100_000  # group key = patient * KEY + local day number (days since 1970-01-01)
MINUTE_KEY = 10**9  # minute key = patient * MINUTE_KEY + minute since the epoch
EPOCH_DAY = date(1970, 1, 1)
AWAKE = float(SLEEP_STAGES.index("awake"))
I64 = NDArray[np.int64]


@dataclass(frozen=True)
class SampleColumns:
    """Samples as columns. ``source`` is None when every sample comes from one source."""

    patient: I64
    type: I64
    start_ms: I64
    duration_ms: I64
    value: NDArray[np.float64]
    source: I64 | None = None

    @classmethod
    def from_rows(cls, rows: Sequence[Sequence[float]]) -> SampleColumns:
        """Rows of (patient, type, start_ms, duration_ms, value) or (..., value, source)."""
        if not rows:
            empty = np.zeros(0, dtype=np.int64)
            return cls(empty, empty, empty, empty, np.zeros(0), None)
        columns = list(zip(*rows, strict=True))
        return cls(
            patient=np.asarray(columns[0], dtype=np.int64),
            type=np.asarray(columns[1], dtype=np.int64),
            start_ms=np.asarray(columns[2], dtype=np.int64),
            duration_ms=np.asarray(columns[3], dtype=np.int64),
            value=np.asarray(columns[4], dtype=np.float64),
            source=np.asarray(columns[5], dtype=np.int64) if len(columns) > 5 else None,
        )

    def select(self, mask: NDArray[np.bool_]) -> SampleColumns:
        return SampleColumns(
            self.patient[mask],
            self.type[mask],
            self.start_ms[mask],
            self.duration_ms[mask],
            self.value[mask],
            None if self.source is None else self.source[mask],
        )


@dataclass(frozen=True)
class DaySummary:
    patient_id: int
    day: date
    steps: int | None = None
    active_minutes: int | None = None
    sedentary_share: float | None = None
    sleep_minutes: float | None = None
    sleep_efficiency: float | None = None
    resting_hr: float | None = None
    rmssd: float | None = None
    sdnn: float | None = None
    pnn50: float | None = None
    rr_beats: int | None = None
    rr_removed_share: float | None = None


def local_ms(patient: I64, moment_ms: I64, tz_by_patient: dict[int, str]) -> I64:
    """Each moment as local wall-clock milliseconds in its patient's zone (offset per hour)."""
    if moment_ms.size == 0:
        return np.zeros(0, dtype=np.int64)
    hour = moment_ms // HOUR
    keys, inverse = np.unique(patient * 10_000_000 + hour, return_inverse=True)
    offsets = np.empty(keys.size, dtype=np.int64)
    zones: dict[int, ZoneInfo] = {}
    for i, key in enumerate(keys.tolist()):
        pid, h = divmod(key, 10_000_000)
        zone = zones.get(pid) or zones.setdefault(pid, ZoneInfo(tz_by_patient[pid]))
        offset = datetime.fromtimestamp(h * 3600, zone).utcoffset() or timedelta(0)
        offsets[i] = int(offset.total_seconds() * 1000)
    return np.asarray(moment_ms + offsets[inverse], dtype=np.int64)


def local_days(patient: I64, moment_ms: I64, tz_by_patient: dict[int, str]) -> I64:
    """Local day number (days since 1970-01-01) of each moment in its patient's zone."""
    return local_ms(patient, moment_ms, tz_by_patient) // DAY_MS


def _code(name: str) -> int:
    return sample_types()[name].code


def _sum_by(keys: I64, weights: NDArray[np.float64]) -> dict[int, float]:
    uniq, inv = np.unique(keys, return_inverse=True)
    sums = np.bincount(inv, weights=weights, minlength=uniq.size)
    return dict(zip(uniq.tolist(), sums.tolist(), strict=True))


def _one_source(cols: SampleColumns, day_keys: I64) -> NDArray[np.bool_]:
    """Keep, per (patient-day key, type), only the samples of the source with most samples."""
    if cols.source is None or cols.source.size == 0:
        return np.ones(cols.type.size, dtype=np.bool_)
    stride = max(t.code for t in sample_types().values()) + 1  # one group per (key, type)
    group = day_keys * stride + cols.type
    order = np.lexsort((cols.source, group))
    g, s = group[order], cols.source[order]
    first = np.flatnonzero(np.r_[True, (g[1:] != g[:-1]) | (s[1:] != s[:-1])])
    counts = np.diff(np.r_[first, g.size])
    pair_g, pair_s = g[first], s[first]
    best = np.lexsort((pair_s, -counts, pair_g))  # most samples first, then smallest id
    lead = np.r_[True, pair_g[best][1:] != pair_g[best][:-1]]
    chosen_g, chosen_s = pair_g[best][lead], pair_s[best][lead]
    return np.asarray(chosen_s[np.searchsorted(chosen_g, group)] == cols.source, dtype=np.bool_)


def _minutes(start: I64, duration: I64) -> tuple[I64, I64, I64]:
    """Expand intervals into the wall-clock minutes they touch: (sample index, minute, overlap
    in ms). An instant (duration 0) touches its own minute with an overlap of 1 ms."""
    first = start // MINUTE
    end = start + np.maximum(duration, 1)
    n = (end - 1) // MINUTE - first + 1
    index = np.repeat(np.arange(start.size), n)
    step = np.arange(index.size) - np.repeat(np.cumsum(n) - n, n)
    minute = first[index] + step
    lo = np.maximum(start[index], minute * MINUTE)
    hi = np.minimum(end[index], (minute + 1) * MINUTE)
    return index, minute, hi - lo


def _steps_per_minute(
    cols: SampleColumns, mask: NDArray[np.bool_]
) -> tuple[I64, NDArray[np.float64]]:
    """Minute keys (patient * MINUTE_KEY + minute) with their step totals, a sample's steps
    spread over its minutes in proportion to the overlap."""
    start, dur = cols.start_ms[mask], cols.duration_ms[mask]
    index, minute, overlap = _minutes(start, dur)
    share = overlap / np.maximum(dur, 1)[index]
    keys = cols.patient[mask][index] * MINUTE_KEY + minute
    uniq, inv = np.unique(keys, return_inverse=True)
    totals = np.bincount(inv, weights=cols.value[mask][index] * share, minlength=uniq.size)
    return np.asarray(uniq, dtype=np.int64), np.asarray(totals, dtype=np.float64)


def _by_local_day(minute_keys: I64, tz: dict[int, str]) -> I64:
    pid = minute_keys // MINUTE_KEY
    return pid * KEY + local_days(pid, (minute_keys % MINUTE_KEY) * MINUTE, tz)


def _sleep(cols: SampleColumns, keys: I64) -> dict[int, tuple[float, float | None]]:
    """Per night key (patient * KEY + night): minutes asleep and the efficiency."""
    asleep = _sum_by(keys, np.where(cols.value != AWAKE, cols.duration_ms, 0) / MINUTE)
    out: dict[int, tuple[float, float | None]] = {}
    order = np.argsort(keys, kind="stable")
    uniq, first = np.unique(keys[order], return_index=True)
    if not uniq.size:
        return out
    end = cols.start_ms + cols.duration_ms
    starts = np.minimum.reduceat(cols.start_ms[order], first).tolist()
    ends = np.maximum.reduceat(end[order], first).tolist()
    for key, lo, hi in zip(uniq.tolist(), starts, ends, strict=True):
        span = (hi - lo) / MINUTE
        out[key] = (asleep[key], min(1.0, asleep[key] / span) if span > 0 else None)
    return out


def _sedentary(
    cols: SampleColumns,
    moving_keys: I64,
    tz: dict[int, str],
) -> dict[int, float]:
    """Share of worn, awake minutes without steps; sorted keys and searchsorted throughout."""
    hr = cols.type == _code("heart_rate")
    index, minute, _overlap = _minutes(cols.start_ms[hr], cols.duration_ms[hr])
    worn = np.unique(cols.patient[hr][index] * MINUTE_KEY + minute)
    sleep = cols.type == _code("sleep")
    if sleep.any() and worn.size:
        pid = cols.patient[sleep]
        s_key = pid * MINUTE_KEY + cols.start_ms[sleep] // MINUTE
        e_key = pid * MINUTE_KEY + -(-(cols.start_ms[sleep] + cols.duration_ms[sleep]) // MINUTE)
        order = np.argsort(s_key, kind="stable")
        s_key = s_key[order]
        reach = np.maximum.accumulate(e_key[order])  # furthest end of any episode so far
        idx = np.searchsorted(s_key, worn, side="right") - 1
        inside = (idx >= 0) & (worn < reach[np.clip(idx, 0, None)])
        worn = worn[~inside]
    still = ~np.isin(worn, moving_keys, assume_unique=True)
    keys = _by_local_day(worn, tz)
    totals = _sum_by(keys, np.ones(keys.size))
    sitting = _sum_by(keys, still.astype(np.float64))
    return {k: sitting[k] / n for k, n in totals.items() if n > 0}


def _resting_hr(cols: SampleColumns, local: I64) -> dict[int, float]:
    hr = cols.type == _code("heart_rate")
    keys = cols.patient[hr] * KEY + local[hr] // DAY_MS
    bins = keys * 48 + (local[hr] % DAY_MS) // (DAY_MS // 48)
    uniq, inv = np.unique(bins, return_inverse=True)
    count = np.bincount(inv, minlength=uniq.size)
    mean = np.bincount(inv, weights=cols.value[hr], minlength=uniq.size) / np.maximum(count, 1)
    out: dict[int, float] = {}
    for b, n, m in zip((uniq // 48).tolist(), count.tolist(), mean.tolist(), strict=True):
        if n >= 3 and (b not in out or m < out[b]):
            out[b] = m
    return out


def _none(x: float) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else x


def _day_keys(cols: SampleColumns, tz: dict[int, str]) -> tuple[I64, I64]:
    """(local start ms, the day key each sample counts towards: its night for sleep and RR)."""
    local = local_ms(cols.patient, cols.start_ms, tz)
    day = local // DAY_MS
    sleep = cols.type == _code("sleep")
    rr = cols.type == _code("rr_interval")
    if sleep.any():
        end = cols.start_ms[sleep] + cols.duration_ms[sleep]
        day[sleep] = local_days(cols.patient[sleep], end + DAY_MS // 2, tz)
    if rr.any():
        day[rr] = local_days(cols.patient[rr], cols.start_ms[rr] + DAY_MS // 2, tz)
    return local, cols.patient * KEY + day


def summarise_days(cols: SampleColumns, tz_by_patient: dict[int, str]) -> list[DaySummary]:
    """One summary per (patient, local day) with any data, ordered by patient and day."""
    local, keys = _day_keys(cols, tz_by_patient)
    chosen = _one_source(cols, keys)
    if not chosen.all():
        cols, local, keys = cols.select(chosen), local[chosen], keys[chosen]
    steps_m = cols.type == _code("steps")
    steps = _sum_by(keys[steps_m], cols.value[steps_m])
    act_m = cols.type == _code("active_minutes")
    reported = _sum_by(keys[act_m], cols.value[act_m])
    minute_keys, per_minute = _steps_per_minute(cols, steps_m)
    brisk = per_minute >= hrv_parameters()["cadence"]["moderate_steps_per_min"]
    cadence = _sum_by(_by_local_day(minute_keys[brisk], tz_by_patient), np.ones(int(brisk.sum())))
    sleep_m = cols.type == _code("sleep")
    sleep = _sleep(cols.select(sleep_m), keys[sleep_m])
    sedentary = _sedentary(cols, minute_keys[per_minute > 0], tz_by_patient)
    resting = _resting_hr(cols, local)
    rr_m = cols.type == _code("rr_interval")
    rr_keys = keys[rr_m]
    rr_order = np.lexsort((cols.start_ms[rr_m], rr_keys))
    hrv = hrv_by_group(
        cols.value[rr_m][rr_order], rr_keys[rr_order], time_ms=cols.start_ms[rr_m][rr_order]
    )
    hrv_at = {k: i for i, k in enumerate(hrv.groups.tolist())}
    all_keys = sorted(
        set(steps) | set(reported) | set(cadence) | set(sleep) | set(resting) | set(hrv_at)
    )
    out: list[DaySummary] = []
    for key in all_keys:
        pid, day = divmod(key, KEY)
        i = hrv_at.get(key)
        active = reported.get(key, cadence.get(key, 0.0 if key in steps else None))
        out.append(
            DaySummary(
                patient_id=pid,
                day=EPOCH_DAY + timedelta(days=day),
                steps=round(steps[key]) if key in steps else None,
                active_minutes=round(active) if active is not None else None,
                sedentary_share=sedentary.get(key),
                sleep_minutes=sleep[key][0] if key in sleep else None,
                sleep_efficiency=sleep[key][1] if key in sleep else None,
                resting_hr=resting.get(key),
                rmssd=_none(float(hrv.rmssd[i])) if i is not None else None,
                sdnn=_none(float(hrv.sdnn[i])) if i is not None else None,
                pnn50=_none(float(hrv.pnn50[i])) if i is not None else None,
                rr_beats=int(hrv.beats[i]) if i is not None else None,
                rr_removed_share=float(hrv.removed_share[i]) if i is not None else None,
            )
        )
    return out
