"""SYNTHETIC medication histories for the demo cohort: prescriptions, doses taken, monitoring.

Nothing here describes a real person. The shares of the panel on long-term opioid therapy, at
50-89 and 90+ MME/day, on an ER/LA opioid, with a benzodiazepine, a gabapentinoid or naloxone,
tapering, overdue for monitoring, or taking few of their doses come from
``data/synth_prevalence.toml``, where each names its published source or says that none was at
hand (then the value is a modest demo choice). Counts are allocated by quota over a seeded
shuffle, so the same ``seed`` and ``as_of`` give the same histories.

The drugs and doses within each MME band are illustrative demo choices, not recommendations:

- no opioid: one to three of NSAID, acetaminophen, duloxetine, gabapentin, topical lidocaine;
- below 50 MME/day: tramadol 50 mg twice a day, hydrocodone 10 mg or oxycodone 5 mg three
  times a day;
- 50-89: oxycodone 15 mg three or 10 mg four times a day; on ER/LA, morphine ER 30 mg twice a
  day or a fentanyl 25 mcg/h patch; tapering patients stepped down from oxycodone 20 to 15 mg
  three times a day two weeks ago;
- 90 or more: oxycodone 20 mg three times a day; on ER/LA, morphine ER 30 mg twice a day with
  oxycodone 5 mg as needed (up to 4 a day), or morphine ER 60 mg twice a day.

ER/LA patients started it in place of immediate-release oxycodone at 67.5 MME/day, so they were
opioid-tolerant (FDA) at the start. Then a dose log over the last ``days`` days with imperfect
adherence, and urine drug test / PDMP review dates for the opioid patients. Every row is stored
as synthetic.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from painpath.analytics.synth_prevalence import prevalence, quota

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
    regimen: str  # e.g. "opioid_50_89+er_la+naloxone", or "non_opioid"
    prescriptions: list[SynthRx] = field(default_factory=list)
    doses: list[SynthDose] = field(default_factory=list)
    events: list[SynthEvent] = field(default_factory=list)


@dataclass
class _Plan:
    """What one patient gets, decided by quota before any prescription is written."""

    band: str = "none"  # none, lt50, 50_89, ge90
    er_la: bool = False
    tapering: bool = False
    benzodiazepine: bool = False
    gabapentinoid: bool = False
    naloxone: bool = False
    udt_overdue: bool = False
    pdmp_overdue: bool = False
    low_adherence: bool = False

    @property
    def label(self) -> str:
        if self.band == "none":
            return "non_opioid"
        flags = [
            name
            for name in ("er_la", "tapering", "benzodiazepine", "gabapentinoid", "naloxone")
            if getattr(self, name)
        ]
        return "+".join([f"opioid_{self.band}", *flags])


def _pick(rng: random.Random, pool: list[int], count: int) -> set[int]:
    return set(rng.sample(pool, k=min(count, len(pool))))


def _plans(n: int, rng: random.Random) -> list[_Plan]:
    plans = [_Plan() for _ in range(n)]
    order = list(range(n))
    rng.shuffle(order)
    ltot = order[: quota("long_term_opioid_therapy", n)]
    n_ltot = len(ltot)
    n90 = quota("mme_90_or_more", n_ltot)
    n50 = min(quota("mme_50_to_89", n_ltot), n_ltot - n90)
    for i, idx in enumerate(ltot):
        plans[idx].band = "ge90" if i < n90 else "50_89" if i < n90 + n50 else "lt50"
    # tapering first: it needs an immediate-release 50-89 patient, ER/LA any 50+ one
    band_50_89 = [i for i in ltot if plans[i].band == "50_89"]
    for i in _pick(rng, band_50_89, quota("tapering", n_ltot)):
        plans[i].tapering = True
    high = [i for i in ltot if plans[i].band != "lt50" and not plans[i].tapering]
    for i in _pick(rng, high, quota("extended_release", n_ltot)):
        plans[i].er_la = True
    for i in _pick(rng, ltot, quota("benzodiazepine", n_ltot)):
        plans[i].benzodiazepine = True
    for i in _pick(rng, ltot, quota("gabapentinoid", n_ltot)):
        plans[i].gabapentinoid = True
    indicated = [i for i in ltot if plans[i].band != "lt50" or plans[i].benzodiazepine]
    for i in _pick(rng, indicated, quota("naloxone", n_ltot)):
        plans[i].naloxone = True
    for i in _pick(rng, ltot, quota("urine_drug_test_overdue", n_ltot)):
        plans[i].udt_overdue = True
    for i in _pick(rng, ltot, quota("pdmp_review_overdue", n_ltot)):
        plans[i].pdmp_overdue = True
    for i in _pick(rng, list(range(n)), quota("low_adherence", n)):
        plans[i].low_adherence = True
    return plans


def _non_opioid(rng: random.Random, long_ago: date, recent: date) -> list[SynthRx]:
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
        SynthRx("lido", "lidocaine", "700", "chronic", recent, times_per_day="1", route="topical"),
    ]
    return rng.sample(choices, k=rng.randint(1, 3))


def _ir(key: str, drug: str, dose: str, times: str, start: date, **kw: object) -> SynthRx:
    return SynthRx(key, drug, dose, "chronic", start, times_per_day=times, **kw)  # type: ignore[arg-type]


def _opioids(plan: _Plan, rng: random.Random, long_ago: date, as_of: date) -> list[SynthRx]:
    if plan.er_la:
        # immediate-release oxycodone at 67.5 MME/day (opioid-tolerant) replaced by the ER/LA
        prior_start = long_ago - timedelta(days=rng.randint(60, 180))
        prior = _ir("prior", "oxycodone", "15", "3", prior_start, status="replaced",
                    stopped_on=long_ago - timedelta(days=1))  # fmt: skip
        if plan.band == "50_89":
            line = (
                SynthRx("erla", "morphine", "30", "chronic", long_ago, times_per_day="2",
                        release="er_la", replaces="prior")
                if rng.random() < 0.5
                else SynthRx("erla", "fentanyl", "25", "chronic", long_ago, unit="mcg/h",
                             release="er_la", route="transdermal", replaces="prior")
            )  # fmt: skip
            return [prior, line]
        if rng.random() < 0.5:
            return [
                prior,
                SynthRx("erla", "morphine", "30", "chronic", long_ago, times_per_day="2",
                        release="er_la", replaces="prior"),
                SynthRx("prn", "oxycodone", "5", "chronic", as_of - timedelta(days=40),
                        as_needed=True, max_doses_per_day="4"),
            ]  # fmt: skip
        return [
            prior,
            SynthRx("erla", "morphine", "60", "chronic", long_ago, times_per_day="2",
                    release="er_la", replaces="prior"),
        ]  # fmt: skip
    if plan.tapering:
        step = as_of - timedelta(days=14)
        return [
            _ir("old", "oxycodone", "20", "3", long_ago, status="replaced",
                stopped_on=step - timedelta(days=1)),
            _ir("step", "oxycodone", "15", "3", step, status="tapering", replaces="old"),
        ]  # fmt: skip
    options = {
        "lt50": [("tramadol", "50", "2"), ("hydrocodone", "10", "3"), ("oxycodone", "5", "3")],
        "50_89": [("oxycodone", "15", "3"), ("oxycodone", "10", "4")],
        "ge90": [("oxycodone", "20", "3")],
    }[plan.band]
    drug, dose, times = rng.choice(options)
    return [_ir("opioid", drug, dose, times, long_ago)]


def _regimen(plan: _Plan, rng: random.Random, as_of: date) -> list[SynthRx]:
    long_ago = as_of - timedelta(days=rng.randint(120, 600))
    recent = as_of - timedelta(days=rng.randint(20, 60))
    if plan.band == "none":
        return _non_opioid(rng, long_ago, recent)
    rxs = _opioids(plan, rng, long_ago, as_of)
    if plan.benzodiazepine:
        rxs.append(SynthRx("benzo", "diazepam", "5", "chronic", recent, times_per_day="2"))
    if plan.gabapentinoid:
        rxs.append(SynthRx("pgb", "pregabalin", "75", "chronic", recent, times_per_day="2"))
    if plan.naloxone:
        rxs.append(
            SynthRx("nalox", "naloxone", "4", "chronic", long_ago, as_needed=True,
                    max_doses_per_day="2", route="intranasal")
        )  # fmt: skip
    return rxs


def _doses(
    rxs: list[SynthRx], plan: _Plan, rng: random.Random, as_of: date, days: int
) -> list[SynthDose]:
    knobs = prevalence()["doses"]
    adherence = rng.uniform(0.55, 0.78) if plan.low_adherence else rng.uniform(0.93, 1.0)
    out: list[SynthDose] = []
    for offset in range(days - 1, -1, -1):
        day = as_of - timedelta(days=offset)
        if rng.random() < knobs["unreported_day_share"]:
            continue  # a day without a report
        for rx in rxs:
            if rx.status == "replaced" or day < rx.start or rx.drug == "naloxone":
                continue
            if rx.stopped_on is not None and day > rx.stopped_on:
                continue
            if rx.as_needed:
                limit = int(float(rx.max_doses_per_day or "1"))
                over = rng.random() < knobs["as_needed_over_maximum_day_share"]
                count = limit + 1 if over else rng.randint(0, limit)
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


def _events(plan: _Plan, rng: random.Random, as_of: date) -> list[SynthEvent]:
    udt = rng.randint(380, 500) if plan.udt_overdue else rng.randint(20, 330)
    pdmp = rng.randint(100, 200) if plan.pdmp_overdue else rng.randint(5, 80)
    return [
        SynthEvent("urine_drug_test", as_of - timedelta(days=udt)),
        SynthEvent("pdmp_review", as_of - timedelta(days=pdmp)),
    ]


def generate_medications(
    mrns: list[str], *, seed: int = 7, as_of: date, days: int = 28
) -> list[SynthMedicationHistory]:
    """One SYNTHETIC medication history per MRN (same inputs, same output)."""
    rng = random.Random(seed * 1_000_003 + as_of.toordinal())  # noqa: S311 (synthetic data)
    plans = _plans(len(mrns), rng)
    histories = []
    for mrn, plan in zip(mrns, plans, strict=True):
        rxs = _regimen(plan, rng, as_of)
        histories.append(
            SynthMedicationHistory(
                mrn=mrn,
                regimen=plan.label,
                prescriptions=rxs,
                doses=_doses(rxs, plan, rng, as_of, days),
                events=_events(plan, rng, as_of) if plan.band != "none" else [],
            )
        )
    return histories


def at(day: date, moment: time) -> datetime:
    """Helper for loaders: a naive local datetime they localise to the patient's zone."""
    return datetime.combine(day, moment)
