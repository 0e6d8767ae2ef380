"""Plain reads for other capabilities' services (they check access and audit themselves)."""

from __future__ import annotations

from datetime import date

from painpath.diary.models import CheckIn

__all__ = ["daily_function", "daily_pain", "last_checkin_date"]


def daily_pain(patient_id: int, start: date, end: date) -> dict[date, float]:
    """The patient's reported average pain (0-10) per local day with a check-in, inclusive."""
    rows = CheckIn.objects.filter(patient_id=patient_id, day__gte=start, day__lte=end)
    return {day: float(pain) for day, pain in rows.values_list("day", "pain_average")}


def daily_function(patient_id: int, start: date, end: date) -> dict[date, float]:
    """The patient's self-rated activity level (0 in bed all day - 10 fully active), the
    check-in's function measure, per local day that has one, inclusive."""
    rows = CheckIn.objects.filter(
        patient_id=patient_id, day__gte=start, day__lte=end, activity__isnull=False
    )
    return {
        day: float(level) for day, level in rows.values_list("day", "activity") if level is not None
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
