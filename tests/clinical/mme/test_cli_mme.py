"""`painpath mme`: the JSON contract, the factor table option and one-line errors."""

import io
import json

import pytest

from painpath.cli import main


def run(monkeypatch, capsys, payload, *args):
    text = payload if isinstance(payload, str) else json.dumps(payload)
    monkeypatch.setattr("sys.stdin", io.StringIO(text))
    code = main(["mme", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_contract(monkeypatch, capsys):
    payload = [
        {"drug": "hydrocodone", "dose": 5, "unit": "mg", "doses_per_day": 4},
        {"drug": "oxycodone", "dose": 10, "unit": "mg", "doses_per_day": 2},
        {"drug": "fentanyl", "dose": 25, "unit": "mcg/h"},
        {"drug": "buprenorphine", "dose": 8, "unit": "mg", "doses_per_day": 1},
    ]
    code, out, err = run(monkeypatch, capsys, payload, "--json")
    assert (code, err) == (0, "")
    assert json.loads(out) == {
        "total_mme_per_day": 110,
        "items": [
            {"drug": "hydrocodone", "mme_per_day": 20},
            {"drug": "oxycodone", "mme_per_day": 30},
            {"drug": "fentanyl", "mme_per_day": 60},
        ],
        "thresholds_crossed": [50, 90],
        "excluded": ["buprenorphine"],
    }


@pytest.mark.parametrize(
    ("daily_morphine", "crossed"), [(49, []), (50, [50]), (89, [50]), (90, [50, 90])]
)
def test_thresholds_in_json(monkeypatch, capsys, daily_morphine, crossed):
    payload = [{"drug": "morphine", "dose": daily_morphine, "unit": "mg", "doses_per_day": 1}]
    _, out, _ = run(monkeypatch, capsys, payload, "--json")
    assert json.loads(out)["thresholds_crossed"] == crossed


def test_factors_option_selects_the_2016_table(monkeypatch, capsys):
    payload = [{"drug": "hydromorphone", "dose": 2, "unit": "mg", "doses_per_day": 4}]
    _, out2022, _ = run(monkeypatch, capsys, payload, "--json")
    _, out2016, _ = run(monkeypatch, capsys, payload, "--factors", "cdc2016", "--json")
    assert json.loads(out2022)["total_mme_per_day"] == 40
    assert json.loads(out2016)["total_mme_per_day"] == 32


def test_text_output_without_json(monkeypatch, capsys):
    payload = [{"drug": "oxycodone", "dose": 10, "unit": "mg", "doses_per_day": 2}]
    code, out, _ = run(monkeypatch, capsys, payload)
    assert code == 0
    assert out.splitlines() == [
        "oxycodone: 30 MME/day",
        "total: 30 MME/day (cdc2022)",
        "thresholds crossed: none",
    ]


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ("not json", "input: not valid JSON (Expecting value at line 1)"),
        ({"drug": "morphine"}, "input: expected a JSON list of items"),
        (["morphine"], "item 0: expected a JSON object"),
        (
            [{"drug": "morphine", "dose": 10, "unit": "mg"}],
            "item 0, field 'doses_per_day': required when the unit is 'mg'",
        ),
        ([{"drug": "morphine", "unit": "mg"}], "item 0, field 'dose': required"),
        (
            [{"drug": "morphine", "dose": 1, "unit": "mg", "doses_per_day": 1, "route": "iv"}],
            "item 0, field 'route': unknown field",
        ),
        (
            [{"drug": "morphine", "dose": 1, "unit": "g", "doses_per_day": 1}],
            "item 0, field 'unit': must be 'mg' or 'mcg/h', got 'g'",
        ),
        (
            [{"drug": "kratom", "dose": 1, "unit": "mg", "doses_per_day": 1}],
            "item 0, field 'drug': unknown drug 'kratom': not in the painpath medication catalogue",
        ),
        (
            [{"drug": "fentanyl", "dose": 25, "unit": "mg", "doses_per_day": 1}],
            "item 0, field 'unit': 'mg' does not fit fentanyl: table cdc2022 converts fentanyl "
            "(transdermal only) per mcg/h",
        ),
        (
            [{"drug": "morphine", "dose": -10, "unit": "mg", "doses_per_day": 1}],
            "item 0, field 'dose': must be greater than 0, got -10",
        ),
        (
            [{"drug": "morphine", "dose": 60000, "unit": "mg", "doses_per_day": 1}],
            "item 0, field 'dose': 60000 MME/day for this item is above the plausibility limit of "
            "10000 MME/day (check the dose and its unit)",
        ),
    ],
)
def test_errors_are_one_line_with_exit_2(monkeypatch, capsys, payload, message):
    code, out, err = run(monkeypatch, capsys, payload, "--json")
    assert code == 2
    assert out == ""
    assert err == f"painpath mme: error: {message}\n"


def test_unknown_factor_table_is_rejected_by_argparse(monkeypatch, capsys):
    with pytest.raises(SystemExit) as info:
        run(monkeypatch, capsys, [], "--factors", "who2019")
    assert info.value.code == 2
    assert "invalid choice: 'who2019'" in capsys.readouterr().err
