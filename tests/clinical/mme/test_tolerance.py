"""Opioid tolerance by the FDA definition: each drug's daily amount, the MME fallback, 7 days."""

from datetime import date, timedelta

import pytest

from painpath.clinical.medications import Prescription
from painpath.clinical.mme import load_tolerance, opioid_tolerance

REF = date(2026, 6, 15)  # the ER/LA line would start here


def rx(drug, dose, *, days=7, **kwargs):
    """A line covering the ``days`` days just before REF (the default: the whole week)."""
    if kwargs.get("unit") != "mcg/h" and "as_needed" not in kwargs:
        kwargs.setdefault("times_per_day", 1)
    return Prescription(drug=drug, dose=dose, start=REF - timedelta(days=days), **kwargs)


def test_definition_is_data_with_its_source():
    definition = load_tolerance()
    assert definition.min_days == 7
    assert definition.drug_amounts["oxycodone"] == (30, "mg")
    assert definition.drug_amounts["fentanyl"] == (25, "mcg/h")
    assert "FDA" in definition.citation
    assert definition.table == "cdc2022"  # the factors of "an equianalgesic dose"


@pytest.mark.parametrize(
    ("line", "tolerant"),
    [
        (rx("morphine", 60), True),
        (rx("morphine", 59), False),
        (rx("oxycodone", 15, times_per_day=2), True),  # 30 mg/day (45 MME)
        (rx("oxycodone", 29), False),  # 29 mg/day = 43.5 MME: neither criterion
        (rx("hydromorphone", 4, times_per_day=2), True),  # 8 mg/day (40 MME)
        (rx("hydromorphone", 7.5), False),
        (rx("oxymorphone", 25), True),  # 25 mg/day (75 MME)
        (rx("fentanyl", 25, unit="mcg/h", release="er_la"), True),
        (rx("fentanyl", 12, unit="mcg/h", release="er_la"), False),
        (rx("hydrocodone", 20, times_per_day=3), True),  # equianalgesic: 60 MME/day
        (rx("hydrocodone", 59), False),
        (rx("methadone", 15, release="er_la", indication="oud"), True),  # 70.5 MME, OUD counts
        (rx("oxycodone", 20, as_needed=True, max_doses_per_day=4), False),  # PRN not counted
        (rx("buprenorphine", 16), False),  # no MME factor
    ],
)
def test_each_criterion_at_its_boundary(line, tolerant):
    assert opioid_tolerance([line], before=REF).tolerant is tolerant


def test_one_week_or_longer():
    six_days = opioid_tolerance([rx("morphine", 60, days=6)], before=REF)
    assert not six_days.tolerant and six_days.qualifying_days == 6
    week = opioid_tolerance([rx("morphine", 60, days=7)], before=REF)
    assert week.tolerant and week.window_start == REF - timedelta(days=7)
    assert week.window_end == REF - timedelta(days=1)


def test_a_gap_in_the_week_breaks_tolerance():
    first = rx("morphine", 60, end=REF - timedelta(days=5))
    second = Prescription(drug="morphine", dose=60, times_per_day=1, start=REF - timedelta(days=3))
    result = opioid_tolerance([first, second], before=REF)
    assert not result.tolerant and result.qualifying_days == 6
    assert result.lowest_mme_per_day == 0


def test_mixed_opioids_add_up_by_mme():
    lines = [rx("oxycodone", 10, times_per_day=2), rx("morphine", 30)]  # 30 + 30 MME
    assert opioid_tolerance(lines, before=REF).tolerant


def test_no_opioids_is_naive():
    result = opioid_tolerance([rx("ibuprofen", 400)], before=REF)
    assert not result.tolerant and result.qualifying_days == 0
