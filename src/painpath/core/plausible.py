"""Plausible times for what a patient reports: not in the future, not before they were born.

A report dated in the future would count as the latest one and move what is due next (a
questionnaire "answered" in 2099 silenced its reminders until then). The future is allowed a
small clock skew (``CLOCK_SKEW_SECONDS``, 5 minutes by default) since devices' clocks drift.
"""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from painpath.core.errors import FieldError

__all__ = ["clock_skew", "reported_day_errors", "reported_time_errors"]


def clock_skew() -> timedelta:
    return timedelta(seconds=settings.CLOCK_SKEW_SECONDS)


def reported_time_errors(
    value: datetime,
    *,
    field: str,
    born: date,
    tz_name: str,
    now: datetime | None = None,
) -> list[FieldError]:
    """What is wrong with a reported moment, for a patient born on ``born`` who lives in
    ``tz_name`` (their birthday is a day of their own calendar)."""
    if timezone.is_naive(value):
        return [FieldError(field, _("Give a time zone offset, e.g. 2026-01-31T18:00:00+01:00."))]
    now = now or timezone.now()
    if value > now + clock_skew():
        return [FieldError(field, _("Must not be in the future."))]
    if value.astimezone(zoneinfo.ZoneInfo(tz_name)).date() < born:
        return [FieldError(field, _("Must not be before the patient's date of birth."))]
    return []


def reported_day_errors(value: date, *, field: str, born: date, today: date) -> list[FieldError]:
    """What is wrong with a reported calendar day (``today`` is the patient's own)."""
    if value > today:
        return [FieldError(field, _("Must not be in the future."))]
    if value < born:
        return [FieldError(field, _("Must not be before the patient's date of birth."))]
    return []
