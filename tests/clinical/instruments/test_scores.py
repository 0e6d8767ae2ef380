"""Primary scores, subscales, flags and every missing-item rule, per instrument."""

from __future__ import annotations

import pytest

from painpath.clinical.instruments import get_instrument, score

from .conftest import spread


@pytest.mark.parametrize("rating", [0, 1, 5, 10])
def test_nrs_score_is_the_rating(rating: int) -> None:
    assert score("nrs", [rating]).to_dict() == {
        "instrument": "nrs",
        "score": rating,
        "band": None,
        "subscales": {},
        "flags": [],
        "valid": True,
        "missing": [],
    }


def test_nrs_missing_rating_is_not_scoreable() -> None:
    result = score("nrs", [None])
    assert (result.score, result.valid, result.missing) == (None, False, ("pain",))


@pytest.mark.parametrize(
    ("answers", "mean"),
    [([7, 6, 5], 6.0), ([1, 2, 2], 1.67), ([0, 0, 1], 0.33), ([10, 10, 10], 10.0)],
)
def test_peg_is_the_mean(answers: list[int], mean: float) -> None:
    assert score("peg", answers).score == mean


@pytest.mark.parametrize("position", [0, 1, 2])
def test_peg_needs_all_three_items(position: int) -> None:
    answers: list[int | None] = [5, 5, 5]
    answers[position] = None
    result = score("peg", answers)
    assert (result.score, result.valid) == (None, False)


def test_phq9_item_9_flag() -> None:
    assert score("phq9", [0] * 8 + [1]).flags == ("suicidal ideation",)
    assert score("phq9", [0] * 8 + [3]).flags == ("suicidal ideation",)
    assert score("phq9", [3] * 8 + [0]).flags == ()


def test_phq9_item_9_flag_is_raised_even_when_form_is_not_scoreable() -> None:
    result = score("phq9", [None, 0, 0, 0, 0, 0, 0, 0, 2])
    assert (result.valid, result.score, result.band) == (False, None, None)
    assert result.flags == ("suicidal ideation",)
    assert result.missing == ("phq9_1",)


@pytest.mark.parametrize("instrument", ["phq9", "gad7", "pcs", "pseq", "tsk11", "dn4", "startback"])
def test_all_items_required(instrument: str) -> None:
    definition = get_instrument(instrument)
    complete = [item.values[0] for item in definition.items]
    assert score(definition, complete).valid
    one_missing = [None, *complete[1:]]
    result = score(definition, one_missing)
    assert (result.valid, result.score, result.band) == (False, None, None)
    assert result.missing == (definition.items[0].id,)


def test_ort_all_items_required() -> None:
    result = score("ort", [1, 1, 1, 1, 1, 1, 1, 1, 1, None], sex="female")
    assert (result.valid, result.score, result.missing) == (False, None, ("depression",))


def test_odi_one_missing_section_is_scored_over_45() -> None:
    # Fairbank's worked example: 16 points over 9 sections = 16/45 (printed as 35.5%).
    answers = [*spread(16, 9, 5), None]
    result = score("odi", answers)
    assert (result.valid, result.score, result.band) == (True, 35.56, "moderate")
    assert result.missing == ("travelling",)


def test_odi_worked_example_all_sections() -> None:
    assert score("odi", spread(16, 10, 5)).score == 32.0  # 16/50 x 100


def test_odi_two_missing_sections_are_not_scoreable() -> None:
    result = score("odi", [*spread(16, 8, 5), None, None])
    assert (result.valid, result.score, result.band) == (False, None, None)
    assert result.missing == ("social_life", "travelling")


def test_bpi_interference_needs_four_of_seven() -> None:
    four = score("bpi_sf", [5, 2, 4, 3, 6, 4, 2, 0, None, None, None])
    assert four.subscales == {"severity": 3.5, "interference": 3.0}
    assert four.valid
    three = score("bpi_sf", [5, 2, 4, 3, 6, 4, 2, None, None, None, None])
    assert three.subscales == {"severity": 3.5}
    assert (three.valid, three.score) == (True, 3.5)


def test_bpi_severity_needs_all_four_items() -> None:
    result = score("bpi_sf", [5, 2, None, 3, 1, 1, 1, 1, 1, 1, 1])
    assert (result.valid, result.score, result.band) == (False, None, None)
    assert result.subscales == {"interference": 1.0}


def test_pcs_subscales_and_flag_boundaries() -> None:
    answers = [1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1, 2, 3]
    result = score("pcs", answers)
    assert result.score == 26
    assert result.subscales == {
        "rumination": 3 + 4 + 0 + 1,  # items 8-11
        "magnification": 1 + 2 + 3,  # items 6, 7, 13
        "helplessness": 1 + 2 + 3 + 4 + 0 + 2,  # items 1-5, 12
    }
    assert result.flags == ()


@pytest.mark.parametrize(("total", "flagged"), [(29, False), (30, True), (31, True), (52, True)])
def test_pcs_catastrophizing_flag(total: int, flagged: bool) -> None:
    result = score("pcs", spread(total, 13, 4))
    assert result.score == total
    assert result.band is None
    assert result.flags == (("clinically relevant catastrophizing",) if flagged else ())


@pytest.mark.parametrize(("answers", "total"), [([1] * 11, 11), ([4] * 11, 44), ([2] * 11, 22)])
def test_tsk11_total(answers: list[int], total: int) -> None:
    assert score("tsk11", answers).score == total


def test_promis_missing_item_is_not_scoreable() -> None:
    result = score("promis_pi_4a", [3, 3, 3, None])
    assert (result.valid, result.score, result.band, result.subscales) == (False, None, None, {})
    assert result.missing == ("painin34",)


def test_dn4_examination_items_count() -> None:
    result = score("dn4", [0, 0, 0, 0, 0, 0, 0, 1, 1, 1])
    assert (result.score, result.band) == (3, "negative")
