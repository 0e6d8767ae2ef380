"""MME with the CDC 2022 table: the guideline's worked examples, every drug, thresholds, errors."""

import math
from decimal import Decimal

import pytest

from painpath.clinical import mme
from painpath.clinical.mme import DoseItem, MmeInputError, UnknownTableError, compute_mme


def test_public_surface_is_exported():
    for name in mme.__all__:
        assert hasattr(mme, name), name


def test_cdc2022_worked_example_hydrocodone():
    # Table footnote: hydrocodone 5 mg (with acetaminophen 325 mg) four times a day
    # = 20 mg hydrocodone daily = 20 MME daily.
    result = compute_mme([DoseItem("hydrocodone", 5, "mg", 4)])
    assert result.total_mme_per_day == Decimal("20")


def test_cdc2022_worked_example_oxycodone_er():
    # Table footnote: extended-release oxycodone 10 mg twice a day = 20 mg = 30 MME daily.
    result = compute_mme([DoseItem("oxycodone", 10, "mg", 2)])
    assert result.total_mme_per_day == Decimal("30")


# Hand-worked: dose x doses/day x CDC 2022 factor (patch: mcg/h x 2.4).
@pytest.mark.parametrize(
    ("item", "factor", "expected"),
    [
        (DoseItem("codeine", 30, "mg", 4), "0.15", "18"),
        (DoseItem("fentanyl", 25, "mcg/h"), "2.4", "60"),
        (DoseItem("hydrocodone", 10, "mg", 3), "1.0", "30"),
        (DoseItem("hydromorphone", 2, "mg", 4), "5.0", "40"),
        (DoseItem("methadone", 5, "mg", 2), "4.7", "47"),
        (DoseItem("morphine", 15, "mg", 2), "1.0", "30"),
        (DoseItem("oxycodone", 5, "mg", 4), "1.5", "30"),
        (DoseItem("oxymorphone", 5, "mg", 2), "3.0", "30"),
        (DoseItem("tapentadol", 50, "mg", 4), "0.4", "80"),
        (DoseItem("tramadol", 50, "mg", 4), "0.2", "40"),
    ],
    ids=lambda v: v.drug if isinstance(v, DoseItem) else str(v),
)
def test_every_drug_in_the_table(item, factor, expected):
    result = compute_mme([item])
    assert result.items[0].factor == Decimal(factor)
    assert result.items[0].mme_per_day == Decimal(expected)
    assert result.total_mme_per_day == Decimal(expected)
    assert result.table == "cdc2022"


def test_arithmetic_is_exact():
    # 5 mg x 4 x 0.15 is exactly 3 (binary floats would give 3.0000000000000004).
    assert compute_mme([DoseItem("codeine", 5, "mg", 4)]).total_mme_per_day == Decimal("3")


def test_items_sum_to_the_total():
    result = compute_mme(
        [
            DoseItem("oxycodone", 10, "mg", 2),
            DoseItem("hydrocodone", 5, "mg", 4),
            DoseItem("fentanyl", 12, "mcg/h"),
        ]
    )
    assert [i.mme_per_day for i in result.items] == [Decimal("30"), Decimal("20"), Decimal("28.8")]
    assert result.total_mme_per_day == Decimal("78.8")


@pytest.mark.parametrize(
    ("daily_morphine", "crossed"),
    [
        (49, ()),
        (50, (50,)),
        (51, (50,)),
        (89, (50,)),
        (90, (50, 90)),
        (91, (50, 90)),
    ],
)
def test_threshold_boundaries(daily_morphine, crossed):
    result = compute_mme([DoseItem("morphine", daily_morphine, "mg", 1)])
    assert result.thresholds_crossed == crossed


def test_threshold_just_below_50_with_decimals():
    assert compute_mme([DoseItem("oxycodone", 33, "mg", 1)]).thresholds_crossed == ()  # 49.5
    assert compute_mme([DoseItem("oxycodone", 33.4, "mg", 1)]).thresholds_crossed == (50,)  # 50.1


def test_buprenorphine_is_excluded_not_converted():
    result = compute_mme([DoseItem("buprenorphine", 8, "mg", 1), DoseItem("morphine", 10, "mg", 2)])
    assert result.excluded == ("buprenorphine",)
    assert [i.drug for i in result.items] == ["morphine"]
    assert result.total_mme_per_day == Decimal("20")


def test_buprenorphine_patch_is_also_excluded():
    result = compute_mme([DoseItem("buprenorphine", 10, "mcg/h")])
    assert result.excluded == ("buprenorphine",)
    assert result.total_mme_per_day == 0


def test_empty_list_is_zero():
    result = compute_mme([])
    assert result.total_mme_per_day == 0
    assert result.items == ()
    assert result.thresholds_crossed == ()


def test_drug_names_are_normalised_to_catalogue_ids():
    assert compute_mme([DoseItem("Morphine", 10, "mg", 1)]).items[0].drug == "morphine"


@pytest.mark.parametrize(
    ("items", "message"),
    [
        (
            [DoseItem("oxycontin", 10, "mg", 2)],
            "item 0, field 'drug': unknown drug 'oxycontin': not in the painpath medication "
            "catalogue",
        ),
        (
            [DoseItem("morphine", 10, "mg", 1), DoseItem("gabapentin", 300, "mg", 3)],
            "item 1, field 'drug': gabapentin is not an opioid analgesic; MME is for opioids",
        ),
        (
            [DoseItem("fentanyl", 25, "mg", 1)],
            "item 0, field 'unit': 'mg' does not fit fentanyl: table cdc2022 converts fentanyl "
            "(transdermal only) per mcg/h",
        ),
        (
            [DoseItem("morphine", 25, "mcg/h")],
            "item 0, field 'unit': 'mcg/h' does not fit morphine: table cdc2022 converts "
            "morphine per mg",
        ),
        ([DoseItem("morphine", 0, "mg", 1)], "item 0, field 'dose': must be greater than 0, got 0"),
        (
            [DoseItem("morphine", -5, "mg", 1)],
            "item 0, field 'dose': must be greater than 0, got -5",
        ),
        (
            [DoseItem("morphine", math.inf, "mg", 1)],
            "item 0, field 'dose': must be a finite number, got inf",
        ),
        ([DoseItem("morphine", "10", "mg", 1)], "item 0, field 'dose': must be a number, got '10'"),
        ([DoseItem("morphine", True, "mg", 1)], "item 0, field 'dose': must be a number, got True"),
        (
            [DoseItem("morphine", 10, "mg")],
            "item 0, field 'doses_per_day': required when the unit is 'mg'",
        ),
        (
            [DoseItem("morphine", 10, "mg", 0)],
            "item 0, field 'doses_per_day': must be greater than 0, got 0",
        ),
        (
            [DoseItem("morphine", 10, "mg", 25)],
            "item 0, field 'doses_per_day': 25 administrations a day is above the plausibility "
            "limit of 24 (see mme/data/limits.toml)",
        ),
        (
            [DoseItem("fentanyl", 25, "mcg/h", 1)],
            "item 0, field 'doses_per_day': a patch (unit 'mcg/h') has no doses_per_day",
        ),
        (
            [DoseItem("morphine", 2001, "mg", 5)],
            "item 0, field 'dose': 10005 MME/day for this item is above the plausibility limit "
            "of 10000 MME/day (check the dose and its unit)",
        ),
        (
            [DoseItem("oxycodone", 10000, "mg", 1)],  # 10 mg typed in mcg
            "item 0, field 'dose': 10000 mg in one administration is above painpath's "
            "plausibility limit of 2000 mg for oxycodone (a data-entry guard against unit "
            "slips, not a clinical maximum; see mme/data/limits.toml)",
        ),
        (
            [DoseItem("fentanyl", 2500, "mcg/h")],
            "item 0, field 'dose': 2500 mcg/h as a patch rate is above painpath's plausibility "
            "limit of 2000 mcg/h for fentanyl (a data-entry guard against unit slips, not a "
            "clinical maximum; see mme/data/limits.toml)",
        ),
        (
            [DoseItem("buprenorphine", 10, "mcg/h", 1)],
            "item 0, field 'doses_per_day': a patch (unit 'mcg/h') has no doses_per_day",
        ),
        (
            [DoseItem("buprenorphine", 8, "g", 1)],
            "item 0, field 'unit': 'g' does not fit buprenorphine: buprenorphine is given in "
            "mg or mcg/h",
        ),
        (
            [DoseItem("buprenorphine", 8, "mg")],
            "item 0, field 'doses_per_day': required when the unit is 'mg'",
        ),
        (
            [DoseItem("buprenorphine", 8000, "mg", 1)],
            "item 0, field 'dose': 8000 mg in one administration is above painpath's "
            "plausibility limit of 100 mg for buprenorphine (a data-entry guard against unit "
            "slips, not a clinical maximum; see mme/data/limits.toml)",
        ),
        (
            [DoseItem("buprenorphine", -1, "mg", 1)],
            "item 0, field 'dose': must be greater than 0, got -1",
        ),
        ([DoseItem(None, 10, "mg", 1)], "item 0, field 'drug': must be a drug name, got None"),
    ],
)
def test_bad_input_names_item_and_field(items, message):
    with pytest.raises(MmeInputError) as info:
        compute_mme(items)
    assert str(info.value) == message


def test_plausibility_limits_are_inclusive():
    assert compute_mme([DoseItem("morphine", 10, "mg", 24)]).total_mme_per_day == 240
    assert compute_mme([DoseItem("morphine", 2500, "mg", 4)]).total_mme_per_day == 10000
    assert compute_mme([DoseItem("oxycodone", 2000, "mg", 1)]).total_mme_per_day == 3000
    assert compute_mme([DoseItem("fentanyl", 2000, "mcg/h")]).total_mme_per_day == 4800
    assert compute_mme([DoseItem("buprenorphine", 100, "mg", 1)]).excluded == ("buprenorphine",)


def test_every_convertible_or_excluded_drug_has_a_plausibility_limit():
    from painpath.clinical.mme import load_limits, load_table, table_names

    limits = load_limits().drugs
    for name in table_names():
        table = load_table(name)
        for drug in {*table.factors, *table.ranged, *table.excluded}:
            assert drug in limits, (name, drug)
            fixed = table.factors.get(drug)
            if fixed is not None:
                assert limits[drug].units == (fixed.unit,), drug


def test_input_error_carries_index_and_field():
    with pytest.raises(MmeInputError) as info:
        compute_mme([DoseItem("morphine", 1, "mg", 1), DoseItem("morphine", -1, "mg", 1)])
    assert (info.value.index, info.value.field) == (1, "dose")
    assert isinstance(info.value, ValueError)


def test_unknown_table():
    with pytest.raises(UnknownTableError) as info:
        compute_mme([], table="cdc2030")
    assert str(info.value) == "unknown factor table 'cdc2030': choose one of cdc2022, cdc2016"
