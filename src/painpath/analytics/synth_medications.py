"""SYNTHETIC medication histories for the demo cohort: prescriptions, doses taken, monitoring.

Nothing here describes a real person or a real prescribing pattern. For each synthetic
patient (deterministic by ``seed`` and ``as_of``) it picks one illustrative regimen:

- non-opioid care only (NSAID, paracetamol/acetaminophen, duloxetine, gabapentin, lidocaine);
- low-dose tramadol;
- opioid + benzodiazepine (oxycodone with diazepam) — a risky combination;
- opioid + gabapentinoid (hydrocodone with pregabalin) — a risky combination;
- >= 50 MME/day without naloxone (ER morphine plus as-needed oxycodone);
- a fentanyl patch with naloxone on the list;
- tapering (oxycodone replaced by a lower dose two weeks ago);

then a dose log over the last ``days`` days with imperfect adherence (a per-patient
probability of taking each scheduled dose; as-needed doses that sometimes exceed the daily
maximum), and urine drug test / PDMP review dates for patients on opioids (some overdue).
Doses and shares are illustrative demo choices, not clinical recommendations; every row is
stored as synthetic.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

__all__ = ["SynthDose", "SynthEvent", "SynthMedicationHistory", "SynthRx", "generate_medications"]


@dataclass(frozen=True)
class SynthRx:
    key: str
    drug: str
    dose: str
    indication: str
    start: date
    unit: str = "mg"
    times_per_day: str | None = None
    as_needed: bool = False
    max_doses_per_day: str | None = None
    release: str = "ir"
    route: str = "oral"
    days_supply: int | None = None
    status: str = "active"
    stopped_on: date | None = None
    replaces: str | None = None


@dataclass(frozen=True)
class SynthDose:
    rx_key: str
    day: date
    slot: int
    taken: bool
    at: time | None


@dataclass(frozen=True)
class SynthEvent:
    kind: str
    on: date


@dataclass(frozen=True)
class SynthMedicationHistory:
    mrn: str
    regimen: str
    prescriptions: list[SynthRx] = field(default_factory=list)
    doses: list[SynthDose] = field(default_factory=list)
    events: list[SynthEvent] = field(default_factory=list)


# (regimen, weight) — illustrative demo mix
_REGIMENS: tuple[tuple[str, float], ...] = (
    ("non_opioid", 0.40),
    ("tramadol_low", 0.12),
    ("opioid_benzodiazepine", 0.10),
    ("opioid_gabapentinoid", 0.12),
    ("high_mme_no_naloxone", 0.10),
    ("patch_with_naloxone", 0.06),
    ("tapering", 0.10),
)

_FIRST = (
    "opioid_gabapentinoid",
    "opioid_benzodiazepine",
    "high_mme_no_naloxone",
    "tapering",
    "non_opioid",
    "patch_with_naloxone",
    "tramadol_low",
)


def _regimen(name: str, rng: random.Random, as_of: date) -> list[SynthRx]:  # noqa: PLR0911 (one per regimen)
    long_ago = as_of - timedelta(days=rng.randint(120, 600))
    recent = as_of - timedelta(days=rng.randint(20, 60))
    if name == "non_opioid":
        choices = [
            SynthRx(
                "nsaid",
                rng.choice(["ibuprofen", "naproxen"]),
                "400" if rng.random() < 0.5 else "250",
                "chronic",
                long_ago,
                times_per_day="2",
            ),
            SynthRx(
                "apap",
                "acetaminophen",
                "500",
                "chronic",
                long_ago,
                as_needed=True,
                max_doses_per_day="6",
            ),
            SynthRx("snri", "duloxetine", "60", "chronic", recent, times_per_day="1"),
            SynthRx("gaba", "gabapentin", "300", "chronic", recent, times_per_day="3"),
            SynthRx(
                "lido", "lidocaine", "700", "chronic", recent, times_per_day="1", route="topical"
            ),
        ]
        return rng.sample(choices, k=rng.randint(1, 3))
    if name == "tramadol_low":
        return [SynthRx("tram", "tramadol", "50", "chronic", long_ago, times_per_day="2")]
    if name == "opioid_benzodiazepine":
        return [
            SynthRx("oxy", "oxycodone", "10", "chronic", long_ago, times_per_day="3"),
            SynthRx("benzo", "diazepam", "5", "chronic", recent, times_per_day="2"),
        ]
    if name == "opioid_gabapentinoid":
        return [
            SynthRx("hyd", "hydrocodone", "10", "chronic", long_ago, times_per_day="3"),
            SynthRx("pgb", "pregabalin", "75", "chronic", recent, times_per_day="2"),
        ]
    # an immediate-release opioid long before the ER/LA line (most patients). It does not
    # make them opioid-tolerant by the FDA definition (that needs >= 60 MME/day or the
    # drug's own amount during the week before the ER/LA start), so the ER/LA rule flags
    # these SYNTHETIC patients as opioid-naive, as it would in a clinic
    prior = (
        [
            SynthRx(
                "prior",
                "hydrocodone",
                "5",
                "chronic",
                long_ago - timedelta(days=90),
                times_per_day="3",
                status="stopped",
                stopped_on=long_ago - timedelta(days=1),
            )
        ]
        if rng.random() < 0.8
        else []
    )
    if name == "high_mme_no_naloxone":
        return [
            *prior,
            SynthRx(
                "mer", "morphine", "30", "chronic", long_ago, times_per_day="2", release="er_la"
            ),
            SynthRx(
                "oxprn", "oxycodone", "5", "chronic", recent, as_needed=True, max_doses_per_day="4"
            ),
        ]
    if name == "patch_with_naloxone":
        return [
            *prior,
            SynthRx(
                "fen",
                "fentanyl",
                "25",
                "chronic",
                long_ago,
                unit="mcg/h",
                release="er_la",
                route="transdermal",
            ),
            SynthRx(
                "nalox",
                "naloxone",
                "4",
                "chronic",
                long_ago,
                as_needed=True,
                max_doses_per_day="2",
                route="intranasal",
            ),
        ]
    step = as_of - timedelta(days=14)
    return [
        SynthRx(
            "oxy_old",
            "oxycodone",
            "20",
            "chronic",
            long_ago,
            times_per_day="3",
            status="replaced",
            stopped_on=step - timedelta(days=1),
        ),
        SynthRx(
            "oxy_step",
            "oxycodone",
            "15",
            "chronic",
            step,
            times_per_day="3",
            status="tapering",
            replaces="oxy_old",
        ),
    ]


def _doses(rxs: list[SynthRx], rng: random.Random, as_of: date, days: int) -> list[SynthDose]:
    adherence = rng.uniform(0.6, 1.0)
    out: list[SynthDose] = []
    for offset in range(days - 1, -1, -1):
        day = as_of - timedelta(days=offset)
        if rng.random() < 0.08:
            continue  # a day without a report
        for rx in rxs:
            if rx.status == "replaced" or day < rx.start or rx.drug == "naloxone":
                continue
            if rx.stopped_on is not None and day > rx.stopped_on:
                continue
            if rx.as_needed:
                limit = int(float(rx.max_doses_per_day or "1"))
                count = rng.choice([0, 1, 2, limit, limit + 1 if rng.random() < 0.15 else limit])
                hours = sorted(rng.sample(range(7, 23), k=min(count, 16)))
                out.extend(
                    SynthDose(rx.key, day, 0, True, time(h, rng.choice([0, 15, 30, 45])))
                    for h in hours
                )
                continue
            slots = 1 if rx.unit == "mcg/h" else math.ceil(float(rx.times_per_day or "1"))
            for slot in range(1, slots + 1):
                taken = rng.random() < adherence
                hour = 8 + (slot - 1) * (12 // max(1, slots - 1) if slots > 1 else 0)
                out.append(
                    SynthDose(rx.key, day, slot, taken, time(min(hour, 22), 0) if taken else None)
                )
    return out


def _events(rng: random.Random, as_of: date) -> list[SynthEvent]:
    return [
        SynthEvent("urine_drug_test", as_of - timedelta(days=rng.choice([40, 200, 300, 420]))),
        SynthEvent("pdmp_review", as_of - timedelta(days=rng.choice([10, 60, 100, 200]))),
    ]


def generate_medications(
    mrns: list[str], *, seed: int = 7, as_of: date, days: int = 28
) -> list[SynthMedicationHistory]:
    """One SYNTHETIC medication history per MRN (same inputs, same output)."""
    rng = random.Random(seed * 1_000_003 + as_of.toordinal())  # noqa: S311 (synthetic data)
    names = [n for n, _ in _REGIMENS]
    weights = [w for _, w in _REGIMENS]
    histories = []
    for index, mrn in enumerate(mrns):
        # the first patients cover every regimen, so a small demo shows them all
        name = _FIRST[index] if index < len(_FIRST) else rng.choices(names, weights)[0]
        rxs = _regimen(name, rng, as_of)
        on_opioid = name != "non_opioid"
        histories.append(
            SynthMedicationHistory(
                mrn=mrn,
                regimen=name,
                prescriptions=rxs,
                doses=_doses(rxs, rng, as_of, days),
                events=_events(rng, as_of) if on_opioid else [],
            )
        )
    return histories


def at(day: date, moment: time) -> datetime:
    """Helper for loaders: a naive local datetime they localise to the patient's zone."""
    return datetime.combine(day, moment)
