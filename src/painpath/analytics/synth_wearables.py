"""SYNTHETIC wearable and stimulator data for the demo and tests, deterministic by seed.

Nothing here was measured on a person. For each patient, over the ``days`` days before
``as_of`` (the demo uses ``DEMO_DAYS``, the same four months as the synthetic diary):

- steps: minute-level counts only in walking minutes (devices store no zero minutes), a few
  bouts a day at 60-125 steps/min;
- heart rate: one sample per minute over the last ``MINUTE_HR_DAYS`` days, one every 10
  minutes before that, around a personal resting rate, lower at night, higher while walking.
  (Minute-level heart rate over all four months would be about 10 million rows for the
  60-patient demo, a 0.5 GB database and most of a minute to load; the recent fortnight at
  minute level keeps the demo quick while the daily charts still have every day.)
- sleep: one night a day, 23:00-07:00 give or take, split into light/deep/REM/awake stages;
- RR intervals: a 3-minute recording at 03:00 each night around the sleeping heart rate
  with occasional ectopic beats and artifacts (so filtering has something to remove);
- for every fourth patient (by MRN order), an SCS device with three programs (tonic, burst,
  high-frequency), program changes a quarter and five eighths into the period, daily usage
  hours, and the change in daily pain after each change (``pain_shift``). The diary loader
  applies that shift to the SYNTHETIC check-ins (``shift_pain``) so the before/after
  comparison on the neuromodulation tab has something to show.

Each patient draws from its own random stream (seed and MRN), and the stimulator from a
separate one, so the diary loader can ask for the stimulators without generating samples.
All values are illustrative, chosen to look plausible in charts; none is a clinical fact.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "DEMO_DAYS",
    "MINUTE_HR_DAYS",
    "SynthProgram",
    "SynthStimulator",
    "WearablePatientData",
    "generate_wearables",
    "pain_shift_on",
    "shift_pain",
    "synthetic_stimulators",
]

DEMO_DAYS = 120
MINUTE_HR_DAYS = 14
HR, RR, STEPS, SLEEP = 1, 2, 3, 4
MIN = 60_000


@dataclass(frozen=True)
class SynthProgram:
    name: str
    waveform: str
    frequency_hz: float
    pulse_width_us: float
    amplitude_ma: float
    burst: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class SynthStimulator:
    make: str
    model: str
    implant_date: date
    programs: tuple[SynthProgram, ...]
    changes: tuple[tuple[date, str, str], ...]  # (day, program name, reason)
    usage: tuple[tuple[date, str, float], ...]  # (day, program name, hours)
    pain_shift: tuple[tuple[date, float], ...]  # from this day on, pain moves by this much more
    synthetic: bool = True


@dataclass
class WearablePatientData:
    """Columns of samples (type code, start ms, duration ms, value) for one patient."""

    mrn: str
    type: NDArray[np.int64]
    start_ms: NDArray[np.int64]
    duration_ms: NDArray[np.int64]
    value: NDArray[np.float64]
    stimulator: SynthStimulator | None = None
    synthetic: bool = True


PROGRAMS = (
    SynthProgram("Tonic A", "tonic", 50.0, 300.0, 3.5),
    SynthProgram("Burst B", "burst", 40.0, 1000.0, 1.2, {"pulses": 5, "intra_burst_hz": 500}),
    SynthProgram("HF 10k", "high_frequency", 10000.0, 30.0, 2.5),
)


def _stream(seed: int, mrn: str, part: int) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(mrn.encode()), part])


def _midnight_ms(day: date, zone: ZoneInfo) -> int:
    local = datetime(day.year, day.month, day.day, tzinfo=zone)
    return int(local.astimezone(UTC).timestamp() * 1000)


def _span(as_of: date, days: int) -> list[date]:
    return [as_of - timedelta(days=days - i) for i in range(days)]


def _patient(
    rng: np.random.Generator, zone: ZoneInfo, days: list[date]
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
    types: list[NDArray[np.int64]] = []
    starts: list[NDArray[np.int64]] = []
    durs: list[NDArray[np.int64]] = []
    vals: list[NDArray[np.float64]] = []
    resting = rng.uniform(55, 75)
    activity = rng.uniform(0.4, 1.4)

    def add(code: int, start: NDArray[Any], dur: NDArray[Any], v: NDArray[Any]) -> None:
        types.append(np.full(start.size, code, dtype=np.int64))
        starts.append(start.astype(np.int64))
        durs.append(dur.astype(np.int64))
        vals.append(v.astype(np.float64))

    minute_of_day = np.arange(1440)
    night = (minute_of_day < 7 * 60) | (minute_of_day >= 23 * 60)
    every_tenth = minute_of_day % 10 == 0
    for number, day in enumerate(days):
        m0 = _midnight_ms(day, zone)
        # steps: 3-6 bouts between 08:00 and 20:00
        bouts = rng.integers(3, 7)
        minutes = np.concatenate(
            [
                b + np.arange(rng.integers(5, int(30 * activity) + 6))
                for b in rng.integers(8 * 60, 20 * 60, bouts)
            ]
        )
        minutes = np.unique(minutes)
        add(
            STEPS,
            m0 + minutes * MIN,
            np.full(minutes.size, MIN),
            rng.integers(60, 126, minutes.size),
        )
        # heart rate each minute (recent days) or each 10 minutes; a few missing (off the wrist)
        walking = np.isin(minute_of_day, minutes)
        hr = resting + np.where(night, -5, 8) + np.where(walking, 25, 0)
        hr = hr + rng.normal(0, 3, minute_of_day.size)
        worn = rng.random(minute_of_day.size) > 0.03
        if number < len(days) - MINUTE_HR_DAYS:
            worn &= every_tenth
        add(
            HR,
            m0 + minute_of_day[worn] * MIN,
            np.zeros(int(worn.sum())),
            np.clip(hr[worn], 40, 180).round(),
        )
        # sleep: from ~23:00 the previous evening, stage blocks of 30-90 minutes
        edges = [-60 + int(rng.integers(-30, 31))]
        while edges[-1] < 7 * 60:
            edges.append(edges[-1] + int(rng.integers(30, 91)))
        e = np.array(edges)
        stages = rng.choice([1, 1, 2, 3, 0], size=e.size - 1)
        add(SLEEP, m0 + e[:-1] * MIN, np.diff(e) * MIN, stages.astype(np.float64))
        # RR: 3 minutes at 03:00 around the sleeping heart rate
        base = 60_000 / (resting - 5)
        rr = base + rng.normal(0, 35, 240)
        ectopic = rng.random(240) < 0.01
        rr = np.where(ectopic, rr * 0.6, rr)
        beats = (m0 + 3 * 60 * MIN + np.cumsum(rr)).astype(np.int64)
        keep = beats < m0 + (3 * 60 + 3) * MIN
        add(RR, beats[keep], np.zeros(int(keep.sum())), rr[keep].round())
    return (
        np.concatenate(types),
        np.concatenate(starts),
        np.concatenate(durs),
        np.concatenate(vals),
    )


def _stimulator(rng: np.random.Generator, days: list[date]) -> SynthStimulator:
    first, second = days[len(days) // 4], days[len(days) * 5 // 8]
    schedule = [(days[0], PROGRAMS[0].name), (first, PROGRAMS[1].name), (second, PROGRAMS[2].name)]
    usage = []
    for day in days:
        active = [name for start, name in schedule if start <= day][-1]
        usage.append((day, active, float(round(rng.uniform(10, 20), 1))))
    return SynthStimulator(
        make="Synthetic Neuro (SYNTHETIC)",
        model="SCS-1",
        implant_date=days[0] - timedelta(days=int(rng.integers(60, 400))),
        programs=PROGRAMS,
        changes=(
            (days[0], PROGRAMS[0].name, "initial program"),
            (first, PROGRAMS[1].name, "insufficient coverage"),
            (second, PROGRAMS[2].name, "paresthesia unpleasant"),
        ),
        usage=tuple(usage),
        pain_shift=((first, -2.0), (second, -1.0)),
    )


def synthetic_stimulators(
    mrns: Sequence[str], *, as_of: date, days: int = DEMO_DAYS, seed: int = 7
) -> dict[str, SynthStimulator]:
    """The stimulators of every fourth patient by MRN order (none for spans of 20 days or
    fewer), without generating any samples."""
    if days <= 20:
        return {}
    span = _span(as_of, days)
    chosen = sorted(mrns)[::4]
    return {mrn: _stimulator(_stream(seed, mrn, 1), span) for mrn in chosen}


def pain_shift_on(stim: SynthStimulator | None, day: date) -> float:
    """How far the synthetic pain moves on ``day`` (shifts add up from their day on)."""
    if stim is None:
        return 0.0
    return sum(shift for start, shift in stim.pain_shift if start <= day)


def shift_pain(value: int, stim: SynthStimulator | None, day: date) -> int:
    """A 0-10 pain rating moved by the stimulator's synthetic effect, kept in 0-10."""
    return max(0, min(10, round(value + pain_shift_on(stim, day))))


def generate_wearables(
    patients: list[tuple[str, str]], *, as_of: date, days: int = DEMO_DAYS, seed: int = 7
) -> list[WearablePatientData]:
    """``patients``: (MRN, IANA time zone) pairs; see ``synthetic_stimulators`` for who gets
    a stimulator."""
    span = _span(as_of, days)
    stims = synthetic_stimulators([m for m, _tz in patients], as_of=as_of, days=days, seed=seed)
    out = []
    for mrn, tz in patients:
        t, s, d, v = _patient(_stream(seed, mrn, 0), ZoneInfo(tz), span)
        out.append(WearablePatientData(mrn, t, s, d, v, stims.get(mrn)))
    return out
