"""SYNTHETIC wearable and stimulator data for the demo and tests, deterministic by seed.

Nothing here was measured on a person. For each patient, over the ``days`` days before
``as_of`` (the demo uses 60 days, a bounded amount that loads in seconds):

- steps: minute-level counts only in walking minutes (devices store no zero minutes), a few
  bouts a day at 60-125 steps/min;
- heart rate: one sample every 10 minutes around a personal resting rate, lower at night;
- sleep: one night a day, 23:00-07:00 give or take, split into light/deep/REM/awake stages;
- RR intervals: a 3-minute recording at 03:00 each night around the sleeping heart rate
  with occasional ectopic beats and artifacts (so filtering has something to remove);
- for every fourth patient, an SCS device with three programs (tonic, burst,
  high-frequency), program changes on days 15 and 40, daily usage hours, and the intended
  change in daily pain after each change (``pain_shift``) for a diary generator to apply.

All values are illustrative, chosen to look plausible in charts; none is a clinical fact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from numpy.typing import NDArray

__all__ = ["SynthProgram", "SynthStimulator", "WearablePatientData", "generate_wearables"]

HR, RR, STEPS, SLEEP = 1, 2, 3, 4
STAGES = {"awake": 0, "light": 1, "deep": 2, "rem": 3}
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
    pain_shift: tuple[tuple[date, float], ...]  # from this day on, pain moves by this much


@dataclass
class WearablePatientData:
    """Columns of samples (type code, start ms, duration ms, value) for one patient."""

    mrn: str
    type: NDArray[np.int64]
    start_ms: NDArray[np.int64]
    duration_ms: NDArray[np.int64]
    value: NDArray[np.float64]
    stimulator: SynthStimulator | None = None


PROGRAMS = (
    SynthProgram("Tonic A", "tonic", 50.0, 300.0, 3.5),
    SynthProgram("Burst B", "burst", 40.0, 1000.0, 1.2, {"pulses": 5, "intra_burst_hz": 500}),
    SynthProgram("HF 10k", "high_frequency", 10000.0, 30.0, 2.5),
)


def _midnight_ms(day: date, zone: ZoneInfo) -> int:
    local = datetime(day.year, day.month, day.day, tzinfo=zone)
    return int(local.astimezone(UTC).timestamp() * 1000)


def _patient(
    rng: np.random.Generator, mrn: str, zone: ZoneInfo, days: list[date]
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

    for day in days:
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
        # heart rate every 10 minutes
        t = np.arange(0, 1440, 10)
        night = (t < 7 * 60) | (t >= 23 * 60)
        hr = resting + np.where(night, -5, 10) + rng.normal(0, 4, t.size)
        add(HR, m0 + t * MIN, np.zeros(t.size), np.clip(hr, 40, 180).round())
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
    first, second = days[15], days[40] if len(days) > 40 else days[-1]
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
        pain_shift=((first, -1.0), (second, -0.5)),
    )


def generate_wearables(
    patients: list[tuple[str, str]], *, as_of: date, days: int = 60, seed: int = 7
) -> list[WearablePatientData]:
    """``patients``: (MRN, IANA time zone) pairs. Every fourth patient gets a stimulator."""
    rng = np.random.default_rng(seed)
    span = [as_of - timedelta(days=days - i) for i in range(days)]
    out = []
    for i, (mrn, tz) in enumerate(patients):
        t, s, d, v = _patient(rng, mrn, ZoneInfo(tz), span)
        stim = _stimulator(rng, span) if i % 4 == 0 and days > 20 else None
        out.append(WearablePatientData(mrn, t, s, d, v, stim))
    return out
