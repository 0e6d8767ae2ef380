"""SYNTHETIC daily check-ins and questionnaire answers for the synthetic cohort.

Nothing here describes a real person: it extends ``painpath.analytics.synth`` (same seed,
same patients) with months of made-up measurements, deterministic by ``seed``. Pure Python,
no Django; the loaders in ``painpath.diary.cohort`` and ``painpath.assessments.cohort`` store
it flagged ``synthetic=True``.

What it generates, per patient, over ``days`` local days ending at ``cohort.as_of``:

- A latent pain course: a baseline (4-8 of 10) and a trajectory, improving for about half the
  patients, stable for about a third, worsening for the rest, with day-to-day noise and
  occasional flares.
- Check-ins with realistic missingness: each patient has their own reporting rate (40-95%),
  gaps of several days, and about one in eight stops reporting some weeks before ``as_of``.
  Body-map regions follow the patient's pain conditions; qualities (burning, tingling, ...)
  are more frequent for neuropathic conditions; sleep, mood and activity move against pain.
- Questionnaire answers on the clinic-policy schedule (PEG weekly, PHQ-9 and GAD-7 every
  four weeks, STarT Back and ORT at intake), answered on 60-95% of due dates, a few days late
  at times, PEG items near the latent pain, PHQ-9/GAD-7 from a latent mood level. The share of
  patients who answer PHQ-9 item 9 above 0 in the last month (``flagged_mrns``) is the cited
  one in ``data/synth_prevalence.toml``.

The proportions are illustrative choices for a plausible demo, not epidemiological facts.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from painpath.analytics.synth import Cohort, SynthPatient
from painpath.analytics.synth_prevalence import quota

__all__ = ["Measurements", "SynthCheckIn", "SynthResponse", "generate_measurements"]

# Body-map regions typical of each catalogue condition (illustrative).
_REGIONS: dict[str, tuple[str, ...]] = {
    "chronic_low_back_pain": ("lower_back", "buttock_left", "buttock_right"),
    "lumbar_radiculopathy": ("lower_back", "buttock_left", "thigh_left", "lower_leg_left"),
    "chronic_neck_pain": ("neck_back", "shoulder_blade_right", "shoulder_right"),
    "painful_diabetic_peripheral_neuropathy": ("foot_left", "foot_right", "lower_leg_left"),
    "postherpetic_neuralgia": ("chest", "upper_back"),
    "crps_type_1": ("hand_right", "forearm_right"),
    "fibromyalgia": ("neck_back", "upper_back", "lower_back", "shoulder_left", "hip_right"),
    "chronic_migraine": ("head", "neck_back"),
    "knee_osteoarthritis": ("knee_left", "knee_right"),
    "hip_osteoarthritis": ("hip_left", "thigh_left"),
    "chronic_postsurgical_pain": ("abdomen", "knee_right"),
}
_NEUROPATHIC = {
    "lumbar_radiculopathy",
    "painful_diabetic_peripheral_neuropathy",
    "postherpetic_neuralgia",
    "crps_type_1",
}
_NEURO_QUALITIES = (
    "burning",
    "shooting",
    "tingling",
    "pins_and_needles",
    "numbness",
    "electric_shocks",
)
_OTHER_QUALITIES = ("aching", "throbbing", "stabbing", "cramping")
_HELPED = ("heat pack", "walking", "rest", "stretching", "warm shower", "")
_WORSENED = ("sitting long", "housework", "cold weather", "poor sleep", "stairs", "")
SCHEDULE = (("peg", 7), ("phq9", 28), ("gad7", 28), ("startback", 0), ("ort", 0))


@dataclass(frozen=True)
class SynthCheckIn:
    mrn: str
    day: date
    pain_now: int
    pain_average: int
    regions: tuple[str, ...]
    qualities: tuple[str, ...]
    sleep_quality: int
    mood: int
    activity: int
    helped: str
    worsened: str


@dataclass(frozen=True)
class SynthResponse:
    mrn: str
    instrument: str
    day: date
    answers: tuple[int | None, ...]
    sex: str | None = None


@dataclass(frozen=True)
class Measurements:
    start: date
    checkins: list[SynthCheckIn] = field(default_factory=list)
    responses: list[SynthResponse] = field(default_factory=list)
    flagged_mrns: frozenset[str] = frozenset()


def _clamp(x: float, lo: int = 0, hi: int = 10) -> int:
    return max(lo, min(hi, round(x)))


def _pain_course(rng: random.Random, days: int) -> list[float]:
    base = rng.uniform(4, 8)
    kind = rng.choices(("improving", "stable", "worsening"), weights=(5, 3, 2))[0]
    slope = {"improving": -rng.uniform(1.5, 3.5), "stable": 0.0, "worsening": rng.uniform(1.5, 3)}[
        kind
    ]
    course, flare = [], 0
    for d in range(days):
        if flare == 0 and rng.random() < 0.03:
            flare = rng.randint(2, 5)
        bump = 1.5 if flare else 0.0
        flare = max(0, flare - 1)
        course.append(min(10.0, max(0.0, base + slope * d / days + bump + rng.gauss(0, 0.7))))
    return course


def _checkins(
    rng: random.Random, p: SynthPatient, start: date, pain: list[float], mood0: float
) -> list[SynthCheckIn]:
    rate = rng.uniform(0.4, 0.95)
    stop = len(pain) - rng.randint(14, 40) if rng.random() < 0.125 else len(pain)
    ids = [c.code.id for c in p.conditions]
    regions = tuple(sorted({r for cid in ids for r in _REGIONS.get(cid, ())})) or ("lower_back",)
    qualities = _NEURO_QUALITIES if _NEUROPATHIC & set(ids) else _OTHER_QUALITIES
    out: list[SynthCheckIn] = []
    gap = 0
    for d, level in enumerate(pain[:stop]):
        if gap:
            gap -= 1
            continue
        if rng.random() > rate:
            gap = rng.randint(0, 3)
            continue
        chosen = tuple(sorted(r for r in regions if rng.random() < 0.7)) or regions[:1]
        out.append(
            SynthCheckIn(
                mrn=p.mrn,
                day=start + timedelta(days=d),
                pain_now=_clamp(level + rng.gauss(0, 1)),
                pain_average=_clamp(level),
                regions=chosen,
                qualities=tuple(sorted(rng.sample(qualities, k=rng.randint(1, 3)))),
                sleep_quality=_clamp(9 - 0.6 * level + rng.gauss(0, 1.2)),
                mood=_clamp(mood0 - 0.4 * level + rng.gauss(0, 1)),
                activity=_clamp(9.5 - 0.8 * level + rng.gauss(0, 1)),
                helped=rng.choice(_HELPED),
                worsened=rng.choice(_WORSENED),
            )
        )
    return out


def _answers(
    rng: random.Random, instrument: str, level: float, mood: float, *, item9: bool, sex: str
) -> tuple[int | None, ...]:
    def freq(x: float) -> int:
        return _clamp(x + rng.gauss(0, 0.6), 0, 3)

    if instrument == "peg":
        return tuple(_clamp(level + rng.gauss(0, 1)) for _ in range(3))
    if instrument == "phq9":
        items = [freq(mood) for _ in range(8)]
        return (*items, rng.randint(1, 2) if item9 else 0)
    if instrument == "gad7":
        return tuple(freq(mood * 0.9) for _ in range(7))
    if instrument == "startback":
        return (*(int(rng.random() < level / 10) for _ in range(8)), _clamp(level / 2.5, 0, 4))
    # ort: ten yes/no items
    return tuple(int(rng.random() < 0.15) for _ in range(10))


def generate_measurements(cohort: Cohort, *, seed: int = 11, days: int = 120) -> Measurements:
    """Months of SYNTHETIC check-ins and questionnaire answers for every cohort patient."""
    rng = random.Random(seed)  # noqa: S311 - reproducible synthetic data, not secrets
    start = cohort.as_of - timedelta(days=days - 1)
    checkins: list[SynthCheckIn] = []
    responses: list[SynthResponse] = []
    # who answers item 9 above 0: the first of a seeded sample (of at least 3, so small demos
    # keep the same draws as before the share came from the data file)
    n_flagged = quota("phq9_item9_positive", len(cohort.patients))
    picked = rng.sample(list(cohort.patients), k=max(min(3, len(cohort.patients)), n_flagged))
    flagged = {p.mrn for p in picked[:n_flagged]}
    aux = random.Random(seed + 1)  # noqa: S311 - draws for added answers leave the rest alone
    for p in cohort.patients:
        pain = _pain_course(rng, days)
        mood = rng.uniform(0.3, 2.2)  # latent PHQ/GAD item level 0-3
        checkins.extend(_checkins(rng, p, start, pain, 8 - mood))
        answer_rate = rng.uniform(0.6, 0.95)
        for instrument, every in SCHEDULE:
            if instrument == "ort" and p.sex not in {"female", "male"}:
                continue
            due_days = [0] if every == 0 else list(range(0, days, every))
            for due in due_days:
                skipped = bool(due) and rng.random() > answer_rate
                # a flagged patient answers their last PHQ-9, so the cited share shows
                forced = instrument == "phq9" and p.mrn in flagged and due == due_days[-1]
                if skipped and not forced:
                    continue
                draw = aux if skipped else rng
                d = min(days - 1, due + draw.choice((0, 0, 0, 1, 2, 4)))
                item9 = p.mrn in flagged and d > days - 30
                responses.append(
                    SynthResponse(
                        mrn=p.mrn,
                        instrument=instrument,
                        day=start + timedelta(days=d),
                        answers=_answers(draw, instrument, pain[d], mood, item9=item9, sex=p.sex),
                        sex=p.sex if instrument == "ort" else None,
                    )
                )
    return Measurements(
        start=start, checkins=checkins, responses=responses, flagged_mrns=frozenset(flagged)
    )
