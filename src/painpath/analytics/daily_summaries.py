"""Daily physiology summaries per patient and local day, vectorised over all patients at once.

Input: samples as columns (patient, type code, start ms, duration ms, value) for any number of
patients, and each patient's IANA time zone. Output: one ``DaySummary`` per (patient, local
day) that has data. Definitions (parameters and sources in ``data/daily_summaries.toml``):

- steps: sum of step counts whose interval starts on the day.
- active minutes: device-reported active minutes if any were reported that day; otherwise
  minutes with a cadence of at least 100 steps/min (Tudor-Locke 2019, moderate intensity).
- sedentary share of waking hours: among minutes with a heart-rate sample (the device was
  worn) and outside any sleep episode, the share with no steps.
- sleep (the night ending on the day: sleep stages that end between 12:00 the previous day
  and 12:00 on the day): duration = time in stages other than awake; efficiency = that time
  divided by the span from the first stage's start to the last stage's end.
- resting heart rate (painpath's operational definition, not a clinical standard): the lowest
  mean heart rate over the day's half-hour bins holding at least 3 samples.
- HRV of the night's RR intervals (those recorded during the same noon-to-noon window):
  RMSSD, SDNN, pNN50 after artifact and ectopic filtering, with the share of beats removed
  (``painpath.analytics.hrv``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from numpy.typing import NDArray

from painpath.analytics.hrv import hrv_by_group, hrv_parameters
from painpath.interop.wearables.schema import SLEEP_STAGES, sample_types

__all__ = ["DaySummary", "SampleColumns", "local_days", "summarise_days"]

MINUTE = 60_000
HOUR = 3_600_000
DAY_MS = 86_400_000
KEY = 100_000  # group key = patient * KEY + local day number (days since 1970-01-01)
EPOCH_DAY = date(1970, 1, 1)
AWAKE = float(SLEEP_STAGES.index("awake"))


@dataclass(frozen=True)
class SampleColumns:
    patient: NDArray[np.int64]
    type: NDArray[np.int64]
    start_ms: NDArray[np.int64]
    duration_ms: NDArray[np.int64]
    value: NDArray[np.float64]

    @classmethod
    def from_rows(cls, rows: list[tuple[int, int, int, int, float]]) -> SampleColumns:
        arr = np.array(rows, dtype=np.float64).reshape(-1, 5)
        return cls(
            patient=arr[:, 0].astype(np.int64),
            type=arr[:, 1].astype(np.int64),
            start_ms=arr[:, 2].astype(np.int64),
            duration_ms=arr[:, 3].astype(np.int64),
            value=arr[:, 4],
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


def local_days(
    patient: NDArray[np.int64], moment_ms: NDArray[np.int64], tz_by_patient: dict[int, str]
) -> NDArray[np.int64]:
    """Local day number of each moment in its patient's time zone (offsets per unique hour)."""
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
    return (moment_ms + offsets[inverse]) // DAY_MS


def _code(name: str) -> int:
    return sample_types()[name].code


def _sum_by(keys: NDArray[np.int64], weights: NDArray[np.float64]) -> dict[int, float]:
    uniq, inv = np.unique(keys, return_inverse=True)
    sums = np.bincount(inv, weights=weights, minlength=uniq.size)
    return dict(zip(uniq.tolist(), sums.tolist(), strict=True))


def _sleep(
    cols: SampleColumns, mask: NDArray[np.bool_], tz: dict[int, str]
) -> dict[int, tuple[float, float | None]]:
    pid = cols.patient[mask]
    end = cols.start_ms[mask] + cols.duration_ms[mask]
    night = local_days(pid, end + DAY_MS // 2, tz)
    keys = pid * KEY + night
    asleep = _sum_by(keys, np.where(cols.value[mask] != AWAKE, cols.duration_ms[mask], 0) / MINUTE)
    out: dict[int, tuple[float, float | None]] = {}
    order = np.argsort(keys, kind="stable")
    uniq, first = np.unique(keys[order], return_index=True)
    if not uniq.size:
        return out
    starts = np.minimum.reduceat(cols.start_ms[mask][order], first).tolist()
    ends = np.maximum.reduceat(end[order], first).tolist()
    for key, lo, hi in zip(uniq.tolist(), starts, ends, strict=True):
        span = (hi - lo) / MINUTE
        out[key] = (asleep[key], min(1.0, asleep[key] / span) if span > 0 else None)
    return out


def _sedentary(cols: SampleColumns, tz: dict[int, str]) -> dict[int, float]:
    hr = cols.type == _code("heart_rate")
    worn = np.unique(cols.patient[hr] * 10**9 + cols.start_ms[hr] // MINUTE)
    sleep = cols.type == _code("sleep")
    for pid in np.unique(cols.patient[sleep]).tolist():
        sel = sleep & (cols.patient == pid)
        order = np.argsort(cols.start_ms[sel])
        s = cols.start_ms[sel][order] // MINUTE
        e = (cols.start_ms[sel][order] + cols.duration_ms[sel][order]) // MINUTE
        mine = worn // 10**9 == pid
        minute = worn[mine] % 10**9
        idx = np.searchsorted(s, minute, side="right") - 1
        inside = (idx >= 0) & (minute < e[np.clip(idx, 0, None)])
        worn = np.concatenate([worn[~mine], worn[mine][~inside]])
    steps = cols.type == _code("steps")
    moving = np.unique(
        cols.patient[steps & (cols.value > 0)] * 10**9
        + cols.start_ms[steps & (cols.value > 0)] // MINUTE
    )
    still = ~np.isin(worn, moving)
    pid = worn // 10**9
    day = local_days(pid, (worn % 10**9) * MINUTE, tz)
    keys = pid * KEY + day
    totals = _sum_by(keys, np.ones(keys.size))
    sitting = _sum_by(keys, still.astype(np.float64))
    return {k: sitting[k] / n for k, n in totals.items() if n > 0}


def _resting_hr(cols: SampleColumns, days: NDArray[np.int64]) -> dict[int, float]:
    hr = cols.type == _code("heart_rate")
    keys = cols.patient[hr] * KEY + days[hr]
    bins = keys * 48 + (cols.start_ms[hr] % DAY_MS) // (DAY_MS // 48)
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


def summarise_days(cols: SampleColumns, tz_by_patient: dict[int, str]) -> list[DaySummary]:
    """One summary per (patient, local day) with any data, ordered by patient and day."""
    days = local_days(cols.patient, cols.start_ms, tz_by_patient)
    keys = cols.patient * KEY + days
    steps_m = cols.type == _code("steps")
    steps = _sum_by(keys[steps_m], cols.value[steps_m])
    act_m = cols.type == _code("active_minutes")
    reported = _sum_by(keys[act_m], cols.value[act_m])
    per_min = cols.value / np.maximum(cols.duration_ms / MINUTE, 1.0)
    brisk = steps_m & (per_min >= hrv_parameters()["cadence"]["moderate_steps_per_min"])
    cadence = _sum_by(keys[brisk], np.maximum(cols.duration_ms[brisk] / MINUTE, 1.0))
    sleep = _sleep(cols, cols.type == _code("sleep"), tz_by_patient)
    sedentary = _sedentary(cols, tz_by_patient)
    resting = _resting_hr(cols, days)
    rr_m = cols.type == _code("rr_interval")
    rr_order = np.lexsort((cols.start_ms[rr_m], cols.patient[rr_m]))
    rr_pid = cols.patient[rr_m][rr_order]
    rr_night = local_days(rr_pid, cols.start_ms[rr_m][rr_order] + DAY_MS // 2, tz_by_patient)
    hrv = hrv_by_group(cols.value[rr_m][rr_order], rr_pid * KEY + rr_night)
    hrv_at = {k: i for i, k in enumerate(hrv.groups.tolist())}
    all_keys = sorted(
        set(steps) | set(reported) | set(cadence) | set(sleep) | set(resting) | set(hrv_at)
    )
    out: list[DaySummary] = []
    for key in all_keys:
        pid, day = divmod(key, KEY)
        i = hrv_at.get(key)
        active = reported.get(key, cadence.get(key))
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
