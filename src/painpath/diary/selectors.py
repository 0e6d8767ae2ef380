"""Plain reads for other capabilities' services (they check access and audit themselves)."""

from __future__ import annotations

from datetime import date

from painpath.diary.models import CheckIn

__all__ = ["daily_function", "daily_pain", "daily_pain_and_function", "last_checkin_date"]


def daily_pain_and_function(
    patient_id: int, start: date, end: date
) -> dict[date, tuple[float, float | None]]:
    """Per local day with a check-in, inclusive: the reported average pain (0-10) and the
    self-rated activity level, the check-in's function measure (0 in bed all day - 10 fully
    active; None if not answered)."""
    rows = CheckIn.objects.filter(patient_id=patient_id, day__gte=start, day__lte=end)
    return {
        day: (float(pain), None if level is None else float(level))
        for day, pain, level in rows.values_list("day", "pain_average", "activity")
    }


def daily_pain(patient_id: int, start: date, end: date) -> dict[date, float]:
    """The patient's reported average pain (0-10) per local day with a check-in, inclusive."""
    return {day: pain for day, (pain, _) in daily_pain_and_function(patient_id, start, end).items()}


def daily_function(patient_id: int, start: date, end: date) -> dict[date, float]:
    """The patient's self-rated activity level per local day that has one, inclusive."""
    return {
        day: level
        for day, (_, level) in daily_pain_and_function(patient_id, start, end).items()
        if level is not None
    }


def last_checkin_date(patient_id: int) -> date | None:
    """The local day of the patient's latest check-in, or None."""
    day: date | None = (
        CheckIn.objects.filter(patient_id=patient_id)
        .order_by("-day")
        .values_list("day", flat=True)
        .first()
    )
    return day
