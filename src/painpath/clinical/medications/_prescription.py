"""A prescription as the core sees it: drug, dose, structured frequency, dates, indication."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from painpath.clinical.medications._errors import PrescriptionError
from painpath.clinical.medications._model import Release

__all__ = ["DoseUnit", "Indication", "Prescription"]

DoseUnit = Literal["mg", "mcg/h"]
Indication = Literal["acute", "chronic", "oud"]
_UNITS: tuple[str, ...] = ("mg", "mcg/h")
_INDICATIONS: tuple[str, ...] = ("acute", "chronic", "oud")
_RELEASES: tuple[str, ...] = ("ir", "er_la")


def _positive(value: float | None, field: str) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PrescriptionError(f"field {field!r}: must be a number, got {value!r}")
    if not math.isfinite(value) or value <= 0:
        raise PrescriptionError(f"field {field!r}: must be a finite number > 0, got {value!r}")


@dataclass(frozen=True, slots=True)
class Prescription:
    """One prescription line.

    ``dose`` is the amount per administration in ``unit`` ("mg"), or the patch rate
    ("mcg/h", no frequency). Frequency is either ``times_per_day`` or ``every_hours``;
    an as-needed line gives ``max_doses_per_day`` instead (its daily maximum).
    Duration comes from ``days_supply`` or from ``start``..``end``.

    ``id`` names the line within one patient's history; ``replaces`` is the id of the line
    this one replaces (a taper step or dose change). ``stopped_on`` is the day the line was
    stopped: it is no longer current from that day, while doses reported under it on that
    day still count against it (the stop came some time during the day).
    """

    drug: str
    dose: float
    unit: DoseUnit = "mg"
    times_per_day: float | None = None
    every_hours: float | None = None
    as_needed: bool = False
    max_doses_per_day: float | None = None
    release: Release = "ir"
    route: str = "oral"
    start: date | None = None
    end: date | None = None
    days_supply: int | None = None
    indication: Indication = "chronic"
    prescriber: str = ""
    id: str = ""
    replaces: str = ""
    stopped_on: date | None = None

    def __post_init__(self) -> None:
        if not self.drug.strip():
            raise PrescriptionError("field 'drug': must not be empty")
        _positive(self.dose, "dose")
        if self.unit not in _UNITS:
            raise PrescriptionError(f"field 'unit': must be one of {_UNITS}, got {self.unit!r}")
        if self.release not in _RELEASES:
            raise PrescriptionError(
                f"field 'release': must be one of {_RELEASES}, got {self.release!r}"
            )
        if self.indication not in _INDICATIONS:
            raise PrescriptionError(
                f"field 'indication': must be one of {_INDICATIONS}, got {self.indication!r}"
            )
        for field in ("times_per_day", "every_hours", "max_doses_per_day"):
            _positive(getattr(self, field), field)
        self._check_frequency()
        if self.days_supply is not None and (
            isinstance(self.days_supply, bool)
            or not isinstance(self.days_supply, int)
            or self.days_supply <= 0
        ):
            raise PrescriptionError(
                f"field 'days_supply': must be a whole number > 0, got {self.days_supply!r}"
            )
        if self.start is not None and self.end is not None and self.end < self.start:
            raise PrescriptionError("field 'end': must not be before 'start'")
        if self.replaces and self.replaces == self.id:
            raise PrescriptionError("field 'replaces': a prescription cannot replace itself")

    def _check_frequency(self) -> None:
        given = [
            name for name in ("times_per_day", "every_hours") if getattr(self, name) is not None
        ]
        if self.unit == "mcg/h":
            if given or self.max_doses_per_day is not None:
                raise PrescriptionError(
                    f"field {(given or ['max_doses_per_day'])[0]!r}: a patch (unit 'mcg/h') "
                    "has a rate, not a frequency"
                )
            return
        if self.as_needed:
            if self.max_doses_per_day is None:
                raise PrescriptionError(
                    "field 'max_doses_per_day': required for an as-needed prescription"
                )
            return
        if self.max_doses_per_day is not None:
            raise PrescriptionError("field 'max_doses_per_day': only for as-needed prescriptions")
        if len(given) != 1:
            raise PrescriptionError(
                "field 'times_per_day': give exactly one of 'times_per_day' or 'every_hours'"
            )

    @property
    def for_oud(self) -> bool:
        """Prescribed for opioid use disorder: kept out of the pain MME and pain rules."""
        return self.indication == "oud"

    @property
    def is_patch(self) -> bool:
        """A transdermal rate (mcg/h) rather than discrete doses."""
        return self.unit == "mcg/h"

    def administrations_per_day(self) -> float | None:
        """Doses per day (as-needed: the daily maximum); ``None`` for a patch."""
        if self.is_patch:
            return None
        if self.as_needed:
            return self.max_doses_per_day
        if self.times_per_day is not None:
            return self.times_per_day
        every_hours = self.every_hours if self.every_hours is not None else 24.0
        return 24 / every_hours  # one of the two is set (checked in __post_init__)

    def duration_days(self) -> int | None:
        """Days covered: ``days_supply`` if given, else ``end - start`` (inclusive)."""
        if self.days_supply is not None:
            return self.days_supply
        if self.start is not None and self.end is not None:
            return (self.end - self.start).days + 1
        return None

    def scheduled_slots(self) -> int:
        """Numbered doses a day of a scheduled line (0 as needed; a patch: 1, "worn")."""
        if self.as_needed:
            return 0
        per_day = self.administrations_per_day()
        return 1 if per_day is None else max(1, math.ceil(per_day))

    def _last_covered_day(self) -> date | None:
        """The last day ``end`` or ``days_supply`` covers (None: open-ended)."""
        last = self.end
        if self.start is not None and self.days_supply is not None:
            supply_last = self.start + timedelta(days=self.days_supply - 1)
            last = supply_last if last is None else min(last, supply_last)
        return last

    def last_current_day(self) -> date | None:
        """The last day the line is current (None: open-ended); before ``start`` if never."""
        last = self._last_covered_day()
        if self.stopped_on is not None:
            stop_last = self.stopped_on - timedelta(days=1)
            last = stop_last if last is None else min(last, stop_last)
        return last

    def is_active(self, on: date) -> bool:
        """Whether the prescription is current on day ``on`` (open-ended if no end is known;
        not on or after the day it was stopped)."""
        if self.start is not None and on < self.start:
            return False
        last = self.last_current_day()
        return last is None or on <= last

    def counts_doses_on(self, day: date) -> bool:
        """Whether a dose reported under this line on ``day`` counts against it: every day it
        is current, and the day it was stopped or replaced (part of that day it was in force)."""
        if self.start is not None and day < self.start:
            return False
        last = self._last_covered_day()
        if last is not None and day > last:
            return False
        return self.stopped_on is None or day <= self.stopped_on

    def overlaps(self, first: date, last: date) -> bool:
        """Whether the line is current on any day of ``first``..``last``."""
        if self.start is not None and self.start > last:
            return False
        end = self.last_current_day()
        begin = first if self.start is None else max(first, self.start)
        return end is None or end >= begin
