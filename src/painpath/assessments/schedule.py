"""Pure schedule arithmetic: occurrences, due/overdue status, change from baseline.

A recurring schedule asks every ``every_days`` days, counted from the last valid answer (or
the start date). Each due date is one *occurrence*. An unanswered occurrence is *missed*
once it expires (``expiry_days`` after its due date) or the next occurrence comes due,
whichever is first; the schedule then moves on to the next occurrence, so a missed
questionnaire never blocks the ones after it. An intake-only schedule has one occurrence,
which stays due (then overdue) until answered; past the expiry it is *expired* (its reminder
expires) yet stays current.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from painpath.clinical.instruments import ChangeThreshold

__all__ = [
    "ChangeVerdict",
    "Measurement",
    "Occurrences",
    "due_status",
    "judge_change",
    "next_due",
    "occurrences",
]


def next_due(
    *, every_days: int | None, start_date: date, last_answered: date | None
) -> date | None:
    """The first due date after the last valid answer; None when an intake-only instrument
    has been answered."""
    if every_days is None:
        return start_date if last_answered is None else None
    if last_answered is None or last_answered < start_date:
        return start_date
    return last_answered + timedelta(days=every_days)


@dataclass(frozen=True)
class Occurrences:
    current: date | None  # the occurrence open now (or next upcoming); None: nothing more
    missed: tuple[date, ...]  # occurrences since the last valid answer that were missed
    expired: bool = False  # the current one is past the expiry (only intake: it stays current)


def occurrences(
    *,
    every_days: int | None,
    start_date: date,
    last_answered: date | None,
    today: date,
    expiry_days: int,
) -> Occurrences:
    """The current occurrence and the missed ones before it (see the module docstring)."""
    first = next_due(every_days=every_days, start_date=start_date, last_answered=last_answered)
    if first is None or every_days is None or first >= today:
        expired = first is not None and (today - first).days > expiry_days
        return Occurrences(first, (), expired)
    # The latest occurrence already come due; if it has expired too, the next one is current.
    current = first + timedelta(days=every_days * ((today - first).days // every_days))
    if (today - current).days > expiry_days:
        current += timedelta(days=every_days)
    count = (current - first).days // every_days
    missed = tuple(first + timedelta(days=every_days * k) for k in range(count))
    return Occurrences(current, missed)


def due_status(due: date | None, *, today: date, grace_days: int) -> str:
    """'done' (nothing due), 'upcoming', 'due' (within grace) or 'overdue'."""
    if due is None:
        return "done"
    if due > today:
        return "upcoming"
    return "due" if (today - due).days <= grace_days else "overdue"


@dataclass(frozen=True)
class Measurement:
    """What a change threshold can be judged on: the primary score, subscales and band."""

    score: float | None
    subscales: Mapping[str, float] = field(default_factory=dict)
    band: str | None = None

    def value(self, name: str) -> float | None:
        return self.score if name == "score" else self.subscales.get(name)


@dataclass(frozen=True)
class ChangeVerdict:
    meaning: str
    rule: str
    met: bool
    source: str


def judge_change(
    thresholds: tuple[ChangeThreshold, ...],
    *,
    baseline: Measurement,
    current: Measurement,
) -> list[ChangeVerdict]:
    """Each published threshold met or not by baseline -> current, on the score or subscale
    it names (and, where the threshold says so, only with a move to a different band).
    A threshold whose score or subscale is missing at either end is not judged."""
    verdicts: list[ChangeVerdict] = []
    for t in thresholds:
        before, after = baseline.value(t.applies_to), current.value(t.applies_to)
        if before is None or after is None:
            continue
        # Rounded so float noise (5.14 - 4.14 = 1.0000000000000004) cannot decide a boundary.
        delta = round(before - after if t.direction == "decrease" else after - before, 6)
        sign = "-" if t.direction == "decrease" else "+"
        if t.kind == "percent":
            met = before != 0 and round(100 * delta / abs(before), 6) >= t.value
            rule = f"{sign}{t.value:g}%"
        else:
            met = delta >= t.value
            rule = f"{sign}{t.value:g} points"
        if t.band_change:
            moved = None not in (baseline.band, current.band) and baseline.band != current.band
            met = met and moved
            rule += " and a different band"
        if t.applies_to != "score":
            rule = f"{t.applies_to} {rule}"
        verdicts.append(ChangeVerdict(t.meaning, rule, bool(met), t.source))
    return verdicts
