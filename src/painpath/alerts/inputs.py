"""The one adapter to other capabilities' data (diary, assessments, genomics).

Each function imports its source inside the call. If the source module is not installed or
lacks the function, the adapter logs an ERROR and returns :data:`UNAVAILABLE`, so the rules
that read it are reported "not evaluated: no data source" instead of treating missing data
as normal. Tests monkeypatch these functions.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

logger = logging.getLogger(__name__)

__all__ = [
    "UNAVAILABLE",
    "FlagView",
    "PgxFindingView",
    "Unavailable",
    "daily_pain",
    "daily_pain_and_function",
    "last_checkin_date",
    "latest_phq9_item9",
    "link_flags",
    "open_urgent_flags",
    "pgx_findings",
    "pgx_results",
    "unlinked_crisis_flags",
]


@dataclass(frozen=True)
class Unavailable:
    """Marks an input whose data source could not be reached."""

    source: str

    def __bool__(self) -> bool:
        return False


UNAVAILABLE: Final = Unavailable("missing")


@dataclass(frozen=True)
class PgxFindingView:
    """What the prescribing check shows of a pharmacogenomic finding."""

    drug: str
    genes: dict[str, Any]
    strength: str
    action: str
    recommendation: str
    source: str
    actionable: bool


def _function(module: str, name: str) -> Callable[..., Any] | Unavailable:
    try:
        found = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        logger.error(
            "safety inputs: %s.%s is not available (%s); the rules that read it are NOT evaluated",
            module,
            name,
            exc,
        )
        return Unavailable(f"{module}.{name}")
    return found  # type: ignore[no-any-return]


def daily_pain(patient_id: int, start: date, end: date) -> dict[date, float] | Unavailable:
    fn = _function("painpath.diary.selectors", "daily_pain")
    if isinstance(fn, Unavailable):
        return fn
    return dict(fn(patient_id, start, end))


def daily_pain_and_function(
    patient_id: int, start: date, end: date
) -> dict[date, tuple[float, float | None]] | Unavailable:
    """Per day with a check-in: (average pain, activity level or None), in one read."""
    fn = _function("painpath.diary.selectors", "daily_pain_and_function")
    if isinstance(fn, Unavailable):
        return fn
    return dict(fn(patient_id, start, end))


def last_checkin_date(patient_id: int) -> date | Unavailable | None:
    fn = _function("painpath.diary.selectors", "last_checkin_date")
    if isinstance(fn, Unavailable):
        return fn
    result: date | None = fn(patient_id)
    return result


def latest_phq9_item9(patient_id: int) -> tuple[date, int] | Unavailable | None:
    fn = _function("painpath.assessments.selectors", "latest_item_answer")
    if isinstance(fn, Unavailable):
        return fn
    result: tuple[date, int] | None = fn(patient_id, "phq9", "phq9_9")
    return result


def open_urgent_flags(patient_ids: list[int]) -> dict[int, list[str]] | Unavailable:
    fn = _function("painpath.assessments.selectors", "open_urgent_flags")
    if isinstance(fn, Unavailable):
        return fn
    return dict(fn(patient_ids))


@dataclass(frozen=True)
class FlagView:
    """A questionnaire flag as the alert workflow needs it."""

    id: int
    reviewed_at: datetime | None
    reviewed_by_id: int | None


def unlinked_crisis_flags(patient_id: int, instrument_id: str) -> list[FlagView] | Unavailable:
    """The patient's crisis flags of the instrument not yet linked to an alert (locked)."""
    fn = _function("painpath.assessments.flags", "unlinked_crisis_flags")
    if isinstance(fn, Unavailable):
        return fn
    return [
        FlagView(id=int(f.id), reviewed_at=f.reviewed_at, reviewed_by_id=f.reviewed_by_id)
        for f in fn(patient_id, instrument_id)
    ]


def link_flags(flag_ids: list[int], alert_id: int) -> int | Unavailable:
    """Link the flags to the alert that now carries their state; returns how many."""
    fn = _function("painpath.assessments.flags", "link_flags")
    if isinstance(fn, Unavailable):
        return fn
    return int(fn(flag_ids, alert_id))


def pgx_findings(patient_id: int, drug: str) -> list[PgxFindingView] | Unavailable:
    fn = _function("painpath.genomics.selectors", "pgx_findings")
    if isinstance(fn, Unavailable):
        return fn
    return [
        PgxFindingView(
            drug=str(f.drug),
            genes=dict(f.genes),
            strength=str(f.strength),
            action=str(f.action),
            recommendation=str(f.recommendation),
            source=str(f.source),
            actionable=bool(f.actionable),
        )
        for f in fn(patient_id, drug)
    ]


def pgx_results(patient_id: int) -> list[dict[str, Any]] | Unavailable:
    """The patient's current result per gene, as the safety rules' genotype rows."""
    fn = _function("painpath.genomics.selectors", "current_results")
    if isinstance(fn, Unavailable):
        return fn
    return [
        {
            "gene": r.gene,
            "diplotype": r.diplotype,
            "phenotype": r.phenotype,
            "activity_score": r.score_value,
            "uncertain": bool(r.uncertain),
            "alternatives": [str(a) for a in r.alternatives],
        }
        for r in fn(patient_id)
    ]
