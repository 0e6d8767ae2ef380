"""MME as prescribed (structured frequency, as-needed maximum, patches) and as actually taken."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from painpath.clinical.medications import Prescription
from painpath.clinical.mme import MmeInputError, TakenDose, prescribed_mme, taken_mme

DAY = date(2026, 3, 10)


def at(hour, day=DAY):
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def test_prescribed_uses_every_n_hours_and_as_needed_maximum():
    result = prescribed_mme(
        [
            Prescription(drug="oxycodone", dose=5, every_hours=6),  # 4/day x 5 x 1.5 = 30
            Prescription(drug="hydromorphone", dose=2, as_needed=True, max_doses_per_day=3),  # 30
            Prescription(drug="fentanyl", dose=12, unit="mcg/h", release="er_la"),  # 28.8
            Prescription(drug="gabapentin", dose=300, times_per_day=3),  # not an opioid
        ]
    )
    assert [(i.drug, i.mme_per_day) for i in result.items] == [
        ("oxycodone", Decimal("30")),
        ("hydromorphone", Decimal("30")),
        ("fentanyl", Decimal("28.8")),
    ]
    assert result.total_mme_per_day == Decimal("88.8")
    assert result.thresholds_crossed == (50,)


def test_prescribed_on_a_day_counts_only_active_prescriptions():
    prescriptions = [
        Prescription(drug="morphine", dose=30, times_per_day=2, end=date(2026, 3, 9)),
        Prescription(drug="morphine", dose=15, times_per_day=2, start=date(2026, 3, 10)),
    ]
    assert prescribed_mme(prescriptions, on=DAY).total_mme_per_day == Decimal("30")


def test_prescribed_reports_buprenorphine_as_excluded():
    result = prescribed_mme([Prescription(drug="buprenorphine", dose=8, times_per_day=1)])
    assert result.excluded == ("buprenorphine",)


def test_prescribed_error_names_the_original_index():
    with pytest.raises(MmeInputError) as info:
        prescribed_mme(
            [
                Prescription(drug="gabapentin", dose=300, times_per_day=3),
                Prescription(drug="fentanyl", dose=25, times_per_day=1, release="er_la"),
            ]
        )
    assert str(info.value).startswith("item 1, field 'unit': 'mg' does not fit fentanyl")


def test_taken_sums_the_days_doses_only():
    doses = [
        TakenDose("oxycodone", 5, at(8)),
        TakenDose("oxycodone", 5, at(14)),
        TakenDose("oxycodone", 10, at(20)),
        TakenDose("oxycodone", 5, at(8, date(2026, 3, 9))),  # the day before
        TakenDose("ibuprofen", 400, at(9)),  # not an opioid
        TakenDose("fentanyl", 25, at(7), unit="mcg/h"),
    ]
    result = taken_mme(doses, on=DAY)
    assert result.total_mme_per_day == Decimal("90")  # 20 mg x 1.5 = 30, patch 60
    assert result.thresholds_crossed == (50, 90)


def test_taken_with_no_doses_is_zero():
    assert taken_mme([], on=DAY).total_mme_per_day == 0


def test_taken_error_names_the_original_index():
    with pytest.raises(MmeInputError) as info:
        taken_mme([TakenDose("morphine", 5, at(8)), TakenDose("morphine", -5, at(9))], on=DAY)
    assert str(info.value) == "item 1, field 'dose': must be greater than 0, got -5"


def test_taken_unknown_drug():
    with pytest.raises(MmeInputError) as info:
        taken_mme([TakenDose("unobtainium", 5, at(8))], on=DAY)
    assert str(info.value).startswith("item 0, field 'drug': unknown drug 'unobtainium'")
