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

    def is_active(self, on: date) -> bool:
        """Whether the prescription covers day ``on`` (open-ended if no end is known)."""
        if self.start is not None and on < self.start:
            return False
        if self.end is not None and on > self.end:
            return False
        if self.start is not None and self.days_supply is not None:
            return on < self.start + timedelta(days=self.days_supply)
        return True
