"""The MME data files: thresholds and limits load with their sources and documented values."""

from painpath.clinical.mme import load_limits, load_table, load_thresholds, table_names


def test_tables_available():
    assert table_names() == ("cdc2022", "cdc2016")


def test_thresholds_are_50_and_90_with_citations():
    thresholds = load_thresholds()
    assert [t.mme_per_day for t in thresholds] == [50, 90]
    assert "Recommendation 4" in thresholds[0].citation
    assert "2016 Recommendation 5" in thresholds[1].citation


def test_limits():
    limits = load_limits()
    assert (limits.max_doses_per_day, limits.max_item_mme_per_day) == (24, 10000)
    # a drug may be given in each unit it has a ceiling for
    assert limits.drugs["buprenorphine"].units == ("mg", "mcg/h")
    assert limits.drugs["fentanyl"].units == ("mcg/h",)
    assert limits.drugs["morphine"].units == ("mg",)


def test_fentanyl_is_per_mcg_per_hour_in_both_tables():
    for name in table_names():
        assert load_table(name).factors["fentanyl"].unit == "mcg/h"
