"""Pure schedule arithmetic: next due date, due/overdue status, change from baseline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from painpath.clinical.instruments import ChangeThreshold

__all__ = ["ChangeVerdict", "due_status", "judge_change", "next_due"]


def next_due(
    *, every_days: int | None, start_date: date, last_answered: date | None
) -> date | None:
    """The next due date; None when an intake-only instrument has been answered."""
    if every_days is None:
        return start_date if last_answered is None else None
    if last_answered is None or last_answered < start_date:
        return start_date
    return last_answered + timedelta(days=every_days)


def due_status(due: date | None, *, today: date, grace_days: int) -> str:
    """'done' (nothing due), 'upcoming', 'due' (within grace) or 'overdue'."""
    if due is None:
        return "done"
    if due > today:
        return "upcoming"
    return "due" if (today - due).days <= grace_days else "overdue"


@dataclass(frozen=True)
class ChangeVerdict:
    meaning: str
    rule: str
    met: bool
    source: str


def judge_change(
    thresholds: tuple[ChangeThreshold, ...], *, baseline: float, current: float
) -> list[ChangeVerdict]:
    """Each published threshold for the primary score, met or not by baseline -> current."""
    verdicts: list[ChangeVerdict] = []
    for t in thresholds:
        if t.applies_to != "score":
            continue
        delta = baseline - current if t.direction == "decrease" else current - baseline
        if t.kind == "percent":
            met = baseline != 0 and 100 * delta / abs(baseline) >= t.value
            rule = f"{'-' if t.direction == 'decrease' else '+'}{t.value:g}%"
        else:
            met = delta >= t.value
            rule = f"{'-' if t.direction == 'decrease' else '+'}{t.value:g} points"
        verdicts.append(ChangeVerdict(t.meaning, rule, bool(met), t.source))
    return verdicts
