"""Every instrument at every band boundary: the cut-off value and one either side."""

from __future__ import annotations

import pytest

from painpath.clinical.instruments import get_instrument, score

from .conftest import spread


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (6, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (11, "moderate"),
        (14, "moderate"),
        (15, "moderately severe"),
        (16, "moderately severe"),
        (19, "moderately severe"),
        (20, "severe"),
        (21, "severe"),
        (24, "severe"),
    ],
)
def test_phq9_bands(total: int, band: str) -> None:
    answers = [*spread(total, 8, 3), 0]  # item 9 kept at 0 so no flag is raised
    result = score("phq9", answers)
    assert (result.score, result.band, result.valid) == (total, band, True)


def test_phq9_maximum_is_severe() -> None:
    result = score("phq9", [3] * 9)
    assert (result.score, result.band) == (27, "severe")


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (6, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (11, "moderate"),
        (14, "moderate"),
        (15, "severe"),
        (16, "severe"),
        (21, "severe"),
    ],
)
def test_gad7_bands(total: int, band: str) -> None:
    result = score("gad7", spread(total, 7, 3))
    assert (result.score, result.band) == (total, band)


@pytest.mark.parametrize(
    ("severity", "expected_mean", "band"),
    [
        ([3, 3, 3, 3], 3.0, "mild"),
        ([4, 4, 4, 4], 4.0, "mild"),
        ([5, 5, 5, 5], 5.0, "moderate"),
        ([6, 6, 6, 6], 6.0, "moderate"),
        ([7, 7, 7, 7], 7.0, "severe"),
        ([8, 8, 8, 8], 8.0, "severe"),
        ([0, 0, 0, 0], 0.0, "mild"),
        ([10, 10, 10, 10], 10.0, "severe"),
        # Means between the published integer ranges: half-open on the mean (<5, 5 to <7,
        # >=7), as documented in bpi_sf.toml; boundaries 4.75 / 5.0 and 6.75 / 7.0.
        ([5, 4, 4, 4], 4.25, "mild"),
        ([5, 5, 5, 4], 4.75, "mild"),
        ([6, 5, 5, 4], 5.0, "moderate"),
        ([7, 6, 7, 6], 6.5, "moderate"),
        ([7, 7, 7, 6], 6.75, "moderate"),
        ([8, 7, 7, 6], 7.0, "severe"),
    ],
)
def test_bpi_sf_severity_bands(severity: list[int], expected_mean: float, band: str) -> None:
    result = score("bpi_sf", [*severity, 2, 2, 2, 2, 2, 2, 2])
    assert result.score == expected_mean
    assert result.subscales == {"severity": expected_mean, "interference": 2.0}
    assert result.band == band


@pytest.mark.parametrize(
    ("total", "percent", "band"),
    [
        (0, 0.0, "minimal"),
        (10, 20.0, "minimal"),
        (11, 22.0, "moderate"),
        (20, 40.0, "moderate"),
        (21, 42.0, "severe"),
        (30, 60.0, "severe"),
        (31, 62.0, "crippled"),
        (40, 80.0, "crippled"),
        (41, 82.0, "bed-bound"),
        (50, 100.0, "bed-bound"),
    ],
)
def test_odi_bands(total: int, percent: float, band: str) -> None:
    result = score("odi", spread(total, 10, 5))
    assert (result.score, result.band) == (percent, band)


@pytest.mark.parametrize(
    ("total", "percent", "band"),
    [
        # 9 sections answered (one missing): percent = total / 45 x 100; every band edge.
        (0, 0.0, "minimal"),
        (9, 20.0, "minimal"),
        (10, 22.22, "moderate"),
        (18, 40.0, "moderate"),
        (19, 42.22, "severe"),
        (27, 60.0, "severe"),
        (28, 62.22, "crippled"),
        (36, 80.0, "crippled"),
        (37, 82.22, "bed-bound"),
        (45, 100.0, "bed-bound"),
    ],
)
def test_odi_bands_with_nine_sections(total: int, percent: float, band: str) -> None:
    answers: list[int | None] = [*spread(total, 9, 5)]
    answers.insert(7, None)  # section 8 (sex life) left out, as the form allows
    result = score("odi", answers)
    assert (result.valid, result.missing) == (True, ("sex_life",))
    assert (result.score, result.band) == (percent, band)


@pytest.mark.parametrize(
    ("answers", "total", "psychosocial", "band"),
    [
        ([1, 1, 1, 0, 0, 0, 0, 0, 0], 3, 0, "low"),
        ([1, 1, 1, 1, 0, 0, 0, 0, 0], 4, 0, "medium"),
        ([0, 0, 0, 1, 1, 1, 1, 0, 0], 4, 3, "medium"),
        ([0, 0, 0, 0, 1, 1, 1, 1, 0], 4, 4, "high"),
        ([1, 1, 1, 1, 1, 1, 1, 0, 2], 7, 3, "medium"),  # bothersomeness 'moderately' = 0
        ([1, 1, 1, 1, 1, 1, 1, 0, 3], 8, 4, "high"),  # 'very much' = 1
        ([0, 0, 0, 0, 1, 1, 1, 0, 4], 4, 4, "high"),  # 'extremely' = 1
        ([1, 1, 1, 1, 1, 1, 1, 1, 4], 9, 5, "high"),
        ([0, 0, 0, 0, 0, 0, 0, 0, 0], 0, 0, "low"),
    ],
)
def test_startback_subgroups(answers: list[int], total: int, psychosocial: int, band: str) -> None:
    result = score("startback", answers)
    assert result.score == total
    assert result.subscales == {"psychosocial": psychosocial}
    assert result.band == band


@pytest.mark.parametrize(
    ("answers", "sex", "total", "band"),
    [
        ([0, 0, 0, 1, 0, 0, 0, 0, 0, 0], "female", 3, "low"),
        ([1, 0, 0, 1, 0, 0, 0, 0, 0, 0], "female", 4, "moderate"),
        ([1, 0, 0, 0, 0, 0, 0, 0, 0, 0], "male", 3, "low"),
        ([1, 0, 0, 0, 0, 0, 1, 0, 0, 0], "male", 4, "moderate"),
        ([0, 0, 0, 1, 1, 0, 0, 0, 0, 0], "female", 7, "moderate"),
        ([0, 0, 0, 1, 1, 0, 1, 0, 0, 0], "female", 8, "high"),
        ([0, 0, 0, 1, 1, 0, 1, 0, 0, 0], "male", 8, "high"),
        ([0, 0, 0, 0, 0, 0, 0, 0, 0, 0], "male", 0, "low"),
        ([1] * 10, "female", 26, "high"),
        ([1] * 10, "male", 26, "high"),
    ],
)
def test_ort_bands(answers: list[int], sex: str, total: int, band: str) -> None:
    result = score("ort", answers, sex=sex)
    assert (result.score, result.band) == (total, band)


@pytest.mark.parametrize(
    ("position", "female", "male"),
    [
        (0, 1, 3),  # family history: alcohol
        (1, 2, 3),  # family history: illegal drugs
        (2, 4, 4),  # family history: prescription drugs
        (3, 3, 3),  # personal history: alcohol
        (4, 4, 4),  # personal history: illegal drugs
        (5, 5, 5),  # personal history: prescription drugs
        (6, 1, 1),  # age 16-45
        (7, 3, 0),  # preadolescent sexual abuse
        (8, 2, 2),  # ADD, OCD, bipolar, schizophrenia
        (9, 1, 1),  # depression
    ],
)
def test_ort_sex_specific_weights(position: int, female: int, male: int) -> None:
    answers = [0] * 10
    answers[position] = 1
    assert score("ort", answers, sex="female").score == female
    assert score("ort", answers, sex="male").score == male


@pytest.mark.parametrize(
    ("total", "band"),
    [(0, "negative"), (3, "negative"), (4, "positive"), (5, "positive"), (10, "positive")],
)
def test_dn4_cut_off(total: int, band: str) -> None:
    result = score("dn4", spread(total, 10, 1))
    assert (result.score, result.band) == (total, band)


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "severe"),
        (19, "severe"),
        (20, "moderate"),
        (21, "moderate"),
        (30, "moderate"),
        (31, "mild"),
        (32, "mild"),
        (40, "mild"),
        (41, "minimal"),
        (42, "minimal"),
        (60, "minimal"),
    ],
)
def test_pseq_bands(total: int, band: str) -> None:
    result = score("pseq", spread(total, 10, 6))
    assert (result.score, result.band) == (total, band)


@pytest.mark.parametrize(
    ("raw", "t_score", "band"),
    [
        (4, 41.6, "within normal limits"),  # table floor
        (7, 53.9, "within normal limits"),
        (8, 55.6, "mild"),
        (11, 59.9, "mild"),
        (12, 61.2, "moderate"),
        (18, 69.7, "moderate"),
        (19, 71.6, "severe"),
        (20, 75.6, "severe"),  # table ceiling
    ],
)
def test_promis_pi_4a_table_and_bands(raw: int, t_score: float, band: str) -> None:
    result = score("promis_pi_4a", spread(raw, 4, 5, low=1))
    assert (result.score, result.band, result.subscales) == (t_score, band, {"raw": raw})


def test_promis_pi_4a_full_table() -> None:
    expected = [41.6, 49.6, 52.0, 53.9, 55.6, 57.1, 58.5, 59.9, 61.2]
    expected += [62.5, 63.8, 65.2, 66.6, 68.0, 69.7, 71.6, 75.6]
    got = [score("promis_pi_4a", spread(raw, 4, 5, low=1)).score for raw in range(4, 21)]
    assert got == expected


@pytest.mark.parametrize("instrument", ["nrs", "peg", "pcs", "tsk11"])
def test_instruments_without_validated_bands_have_no_band(instrument: str) -> None:
    definition = get_instrument(instrument)
    assert definition.bands == ()
    answers = [item.values[-1] for item in definition.items]
    result = score(definition, answers)
    assert result.valid
    assert result.band is None
