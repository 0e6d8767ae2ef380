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


@pytest.mark.parametrize(
    ("dose", "total", "crossed"),
    [(333.3, 49.995, []), (333.4, 50.01, [50]), (599.9, 89.985, [50]), (600, 90, [50, 90])],
)
def test_printed_total_and_thresholds_agree(monkeypatch, capsys, dose, total, crossed):
    # codeine x 0.15: a total just under a threshold is printed exactly, never rounded up
    payload = [{"drug": "codeine", "dose": dose, "unit": "mg", "doses_per_day": 1}]
    _, out, _ = run(monkeypatch, capsys, payload, "--json")
    result = json.loads(out)
    assert result["total_mme_per_day"] == total
    assert result["thresholds_crossed"] == crossed
    _, text, _ = run(monkeypatch, capsys, payload)
    assert f"total: {total:g} MME/day (cdc2022)" in text


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
            [{"drug": "morphine", "dose": 2500, "unit": "mg", "doses_per_day": 6}],
            "item 0, field 'dose': 15000 MME/day for this item is above the plausibility limit of "
            "10000 MME/day (check the dose and its unit)",
        ),
        (
            [{"drug": "morphine", "dose": 60000, "unit": "mg", "doses_per_day": 1}],
            "item 0, field 'dose': 60000 mg in one administration is above painpath's "
            "plausibility limit of 3000 mg for morphine (a data-entry guard against unit slips, "
            "not a clinical maximum; see mme/data/limits.toml)",
        ),
        (
            [{"drug": "buprenorphine", "dose": 10, "unit": "mcg/h", "doses_per_day": 1}],
            "item 0, field 'doses_per_day': a patch (unit 'mcg/h') has no doses_per_day",
        ),
    ],
)
def test_errors_are_one_line_with_exit_2(monkeypatch, capsys, payload, message):
    code, out, err = run(monkeypatch, capsys, payload, "--json")
    assert code == 2
    assert out == ""
    assert err == f"painpath mme: error: {message}\n"


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (
            [{"drug": "tramadol", "dose": 50, "unit": "mg", "doses_per_day": 2}],
            "item 0, field 'drug': table cdc2016 has no conversion factor for tramadol: the CDC "
            "2016 fact sheet lists no factor for tramadol; use table cdc2022",
        ),
        (
            [{"drug": "tapentadol", "dose": 50, "unit": "mg", "doses_per_day": 2}],
            "item 0, field 'drug': table cdc2016 has no conversion factor for tapentadol: the "
            "CDC 2016 fact sheet lists no factor for tapentadol; use table cdc2022",
        ),
        (
            [{"drug": "methadone", "dose": 30, "unit": "mg", "doses_per_day": 3}],
            "item 0, field 'dose': total methadone 90 mg/day is above the highest band (80 "
            "mg/day) of table cdc2016, which gives no factor there: the CDC 2016 fact sheet "
            "gives methadone factors only up to 80 mg/day; use table cdc2022",
        ),
    ],
)
def test_cdc2016_gaps_are_explained_in_the_error(monkeypatch, capsys, payload, message):
    code, out, err = run(monkeypatch, capsys, payload, "--factors", "cdc2016", "--json")
    assert (code, out) == (2, "")
    assert err == f"painpath mme: error: {message}\n"
    _, ok, _ = run(monkeypatch, capsys, payload, "--json")  # the 2022 table has them
    assert json.loads(ok)["total_mme_per_day"] > 0


def test_unknown_factor_table_is_rejected_by_argparse(monkeypatch, capsys):
    with pytest.raises(SystemExit) as info:
        run(monkeypatch, capsys, [], "--factors", "who2019")
    assert info.value.code == 2
    assert "invalid choice: 'who2019'" in capsys.readouterr().err
