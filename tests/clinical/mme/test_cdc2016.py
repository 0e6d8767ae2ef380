"""The CDC 2016 table as a named alternative: its own factors, methadone bands, no mixing."""

from decimal import Decimal

import pytest

from painpath.clinical.mme import DoseItem, MmeInputError, compute_mme, load_table


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        (DoseItem("codeine", 30, "mg", 4), "18"),
        (DoseItem("fentanyl", 25, "mcg/h"), "60"),
        (DoseItem("hydrocodone", 10, "mg", 3), "30"),
        (DoseItem("hydromorphone", 2, "mg", 4), "32"),  # factor 4 in 2016 (5 in 2022)
        (DoseItem("morphine", 15, "mg", 2), "30"),
        (DoseItem("oxycodone", 5, "mg", 4), "30"),
        (DoseItem("oxymorphone", 5, "mg", 2), "30"),
    ],
    ids=lambda v: v.drug if isinstance(v, DoseItem) else v,
)
def test_fixed_factors(item, expected):
    assert compute_mme([item], table="cdc2016").total_mme_per_day == Decimal(expected)


@pytest.mark.parametrize(
    ("mg_per_day", "factor"),
    [(1, "4"), (20, "4"), (21, "8"), (40, "8"), (41, "10"), (60, "10"), (61, "12"), (80, "12")],
)
def test_methadone_band_boundaries(mg_per_day, factor):
    result = compute_mme([DoseItem("methadone", mg_per_day, "mg", 1)], table="cdc2016")
    assert result.items[0].factor == Decimal(factor)
    assert result.total_mme_per_day == Decimal(mg_per_day) * Decimal(factor)


def test_methadone_band_uses_the_total_daily_methadone():
    # 10 mg + 15 mg = 25 mg/day: both lines use the 21-40 mg/day factor 8.
    result = compute_mme(
        [DoseItem("methadone", 10, "mg", 1), DoseItem("methadone", 5, "mg", 3)], table="cdc2016"
    )
    assert [i.factor for i in result.items] == [Decimal("8"), Decimal("8")]
    assert result.total_mme_per_day == Decimal("200")


def test_methadone_above_the_last_band_is_an_error():
    with pytest.raises(MmeInputError) as info:
        compute_mme([DoseItem("methadone", 81, "mg", 1)], table="cdc2016")
    assert str(info.value) == (
        "item 0, field 'dose': total methadone 81 mg/day is above the highest band "
        "(80 mg/day) of table cdc2016, which gives no factor there: the CDC 2016 fact sheet "
        "gives methadone factors only up to 80 mg/day; use table cdc2022"
    )


@pytest.mark.parametrize("drug", ["tapentadol", "tramadol"])
def test_drugs_without_a_2016_factor_are_errors_not_mixed_in(drug):
    with pytest.raises(MmeInputError) as info:
        compute_mme([DoseItem(drug, 50, "mg", 2)], table="cdc2016")
    assert str(info.value) == (
        f"item 0, field 'drug': table cdc2016 has no conversion factor for {drug}: "
        f"the CDC 2016 fact sheet lists no factor for {drug}; use table cdc2022"
    )


def test_the_2016_gaps_are_documented_in_the_data_file():
    table = load_table("cdc2016")
    assert set(table.gaps) == {"tapentadol", "tramadol", "methadone"}
    assert all("cdc2022" in note for note in table.gaps.values())
    assert load_table("cdc2022").gaps == {}


def test_the_two_tables_differ_and_are_never_mixed():
    item = [DoseItem("methadone", 25, "mg", 1)]
    assert compute_mme(item, table="cdc2022").total_mme_per_day == Decimal("117.5")
    assert compute_mme(item, table="cdc2016").total_mme_per_day == Decimal("200")


def test_tables_name_their_sources():
    for name in ("cdc2022", "cdc2016"):
        table = load_table(name)
        assert table.citation
        assert table.url.startswith("https://")
        assert "buprenorphine" in table.excluded
    assert "RR-3" in load_table("cdc2022").citation
    assert "RR-1" in load_table("cdc2016").citation
