"""Bad answers: exact error text naming the item, in the core and through `painpath score`."""

from __future__ import annotations

import json

import pytest

from painpath.cli import main
from painpath.clinical.instruments import (
    AnswerError,
    InstrumentError,
    UnknownInstrumentError,
    is_whole_number,
    parse_answers,
    score,
)

ALL_IDS = "bpi_sf, dn4, gad7, nrs, odi, ort, pcs, peg, phq9, promis_pi_4a, pseq, startback, tsk11"


@pytest.mark.parametrize(
    ("instrument", "answers", "sex", "message"),
    [
        (
            "phq9",
            [0, 0, 4, 0, 0, 0, 0, 0, 0],
            None,
            "phq9 item phq9_3 (answer 3): 4 is not an allowed value (0, 1, 2, 3)",
        ),
        (
            "phq9",
            [0, 0, -1, 0, 0, 0, 0, 0, 0],
            None,
            "phq9 item phq9_3 (answer 3): -1 is not an allowed value (0, 1, 2, 3)",
        ),
        (
            "nrs",
            [11],
            None,
            "nrs item pain (answer 1): 11 is not an allowed value "
            "(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)",
        ),
        (
            "tsk11",
            [0] + [1] * 10,
            None,
            "tsk11 item tsk11_1 (answer 1): 0 is not an allowed value (1, 2, 3, 4)",
        ),
        (
            "promis_pi_4a",
            [1, 1, 1, 6],
            None,
            "promis_pi_4a item painin34 (answer 4): 6 is not an allowed value (1, 2, 3, 4, 5)",
        ),
        (
            "startback",
            [0] * 8 + [5],
            None,
            "startback item bothersomeness (answer 9): 5 is not an allowed value (0, 1, 2, 3, 4)",
        ),
        (
            "peg",
            [1, 2.5, 3],
            None,
            "peg item enjoyment (answer 2): 2.5 is not an allowed value "
            "(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)",
        ),
        ("peg", [1, "x", 3], None, "peg item enjoyment (answer 2): 'x' is not a number"),
        ("peg", [1, True, 3], None, "peg item enjoyment (answer 2): True is not a number"),
        (
            "phq9",
            [0] * 8,
            None,
            "phq9 takes 9 answers, got 8 (no answer for item phq9_9; "
            "leave a position empty for a missing item)",
        ),
        ("gad7", [0] * 8, None, "gad7 takes 7 answers, got 8 (answer 8 has no item)"),
        (
            "ort",
            [0] * 10,
            None,
            "ort requires sex 'female' or 'male' (its item weights differ by sex)",
        ),
        (
            "ort",
            [0] * 10,
            "other",
            "ort requires sex 'female' or 'male' (its item weights differ by sex); got 'other'",
        ),
    ],
)
def test_bad_answers_name_the_item(
    instrument: str, answers: list[object], sex: str | None, message: str
) -> None:
    with pytest.raises(AnswerError) as caught:
        score(instrument, answers, sex=sex)
    assert str(caught.value) == message


def test_unknown_instrument() -> None:
    with pytest.raises(UnknownInstrumentError) as caught:
        score("phq8", [0] * 8)
    assert str(caught.value) == f"unknown instrument 'phq8'; known instruments: {ALL_IDS}"


def test_errors_are_value_errors() -> None:
    assert issubclass(InstrumentError, ValueError)
    assert issubclass(AnswerError, InstrumentError)


def test_parse_answers_empty_positions_are_missing() -> None:
    assert parse_answers("gad7", "1, 2,,3,0,,1") == [1, 2, None, 3, 0, None, 1]


def test_parse_answers_non_numeric() -> None:
    with pytest.raises(AnswerError) as caught:
        parse_answers("gad7", "1,2,two,3,0,1,1")
    assert str(caught.value) == (
        "gad7 item gad7_3 (answer 3): 'two' is not a whole number (digits 0-9 only)"
    )


@pytest.mark.parametrize("token", ["+1", "\uff11", "1_0", "1.0", " 1 1", "\u0661", "0x1"])
def test_parse_answers_takes_ascii_digits_only(token: str) -> None:
    # int() would accept "+1", full-width and Arabic-Indic digits and "1_0".
    with pytest.raises(AnswerError) as caught:
        parse_answers("nrs", token)
    assert str(caught.value) == (
        f"nrs item pain (answer 1): {token.strip()!r} is not a whole number (digits 0-9 only)"
    )


@pytest.mark.parametrize(
    ("text", "whole"),
    [
        ("7", True),
        ("-7", True),
        ("007", True),
        ("+7", False),
        ("7a", False),
        ("7.0", False),
        ("1_0", False),
        (" 7", False),
        ("", False),
        ("-", False),
        ("\u0667", False),
    ],
)
def test_is_whole_number_takes_ascii_digits_and_a_leading_minus(text: str, whole: bool) -> None:
    # The one check behind parse_answers, the web forms and FHIR answer codes.
    assert is_whole_number(text) is whole


def test_a_sex_error_names_the_sex_field_and_others_the_answers() -> None:
    with pytest.raises(AnswerError) as caught:
        score("ort", [0] * 10, sex="other")
    assert caught.value.field == "sex"
    with pytest.raises(AnswerError) as caught:
        score("ort", [0] * 9, sex="male")
    assert caught.value.field == "answers"


def test_parse_answers_minus_reaches_the_range_check() -> None:
    assert parse_answers("nrs", "-1") == [-1]
    with pytest.raises(AnswerError) as caught:
        score("nrs", parse_answers("nrs", "-1"))
    assert "-1 is not an allowed value (0, 1, 2" in str(caught.value)


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["score", *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.usefixtures("no_overlay")
@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["phq8", "--answers", "0"], f"unknown instrument 'phq8'; known instruments: {ALL_IDS}"),
        (
            ["phq9", "--answers", "0,0,0,0,0,0,0,0"],
            "phq9 takes 9 answers, got 8 (no answer for item phq9_9; "
            "leave a position empty for a missing item)",
        ),
        (
            ["phq9", "--answers", "0,0,0,0,0,0,0,0,0,0"],
            "phq9 takes 9 answers, got 10 (answer 10 has no item)",
        ),
        (
            ["phq9", "--answers", "0,0,x,0,0,0,0,0,0"],
            "phq9 item phq9_3 (answer 3): 'x' is not a whole number (digits 0-9 only)",
        ),
        (
            ["phq9", "--answers", "0,0,+1,0,0,0,0,0,0"],
            "phq9 item phq9_3 (answer 3): '+1' is not a whole number (digits 0-9 only)",
        ),
        (
            ["phq9", "--answers", "0,0,4,0,0,0,0,0,0"],
            "phq9 item phq9_3 (answer 3): 4 is not an allowed value (0, 1, 2, 3)",
        ),
        (
            ["ort", "--answers", "1,0,0,0,0,0,1,0,0,0"],
            "ort requires sex 'female' or 'male' (its item weights differ by sex)",
        ),
    ],
)
def test_cli_errors_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run_cli(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err == f"painpath score: error: {message}\n"


@pytest.mark.usefixtures("no_overlay")
def test_cli_json_shape(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "pcs", "--answers", "4,4,4,4,4,2,2,2,2,2,2,0,0", "--json")
    assert code == 0
    assert json.loads(out) == {
        "instrument": "pcs",
        "score": 32,
        "band": None,
        "subscales": {"rumination": 8, "magnification": 4, "helplessness": 20},
        "flags": ["clinically relevant catastrophizing"],
        "valid": True,
        "missing": [],
    }


@pytest.mark.usefixtures("no_overlay")
def test_cli_ort_with_sex(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(
        capsys, "ort", "--answers", "1,0,0,0,0,0,1,0,0,0", "--sex", "male", "--json"
    )
    assert code == 0
    assert json.loads(out)["score"] == 4
    assert json.loads(out)["band"] == "moderate"


@pytest.mark.usefixtures("no_overlay")
def test_cli_missing_item_is_reported_not_failed(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "odi", "--answers", "1,1,1,1,1,1,1,1,,", "--json")
    assert code == 0
    result = json.loads(out)
    assert (result["valid"], result["score"], result["missing"]) == (
        False,
        None,
        ["social_life", "travelling"],
    )


@pytest.mark.usefixtures("no_overlay")
def test_cli_human_output(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "phq9", "--answers", "3,3,3,3,3,,0,0,1")
    assert code == 0
    assert out == (
        "phq9: not scoreable (missing-item rule not met)\n"
        "flags: suicidal ideation\n"
        "missing: phq9_6\n"
    )
    code, out, _ = run_cli(capsys, "bpi_sf", "--answers", "8,6,7,7,5,5,5,5,5,5,5")
    assert out == "bpi_sf: score 7.0 (severe)\nsubscales: severity 7.0, interference 5.0\n"
