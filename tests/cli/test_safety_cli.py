"""`painpath safety evaluate`: the JSON contract, text output, one-line errors with exit 2."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest
from tests.clinical.safety.test_state import MINIMAL, readme_example

from painpath.cli import main


def run(monkeypatch, capsys, payload, *args):
    text = payload if isinstance(payload, str) else json.dumps(payload)
    monkeypatch.setattr("sys.stdin", io.StringIO(text))
    code = main(["safety", "evaluate", *args])
    out, err = capsys.readouterr()
    return code, out, err


def _taper(doses: int) -> dict:
    """Hydrocodone 10 mg x3 replaced today by 7.5 mg x3, ``doses`` 10 mg doses taken today."""
    return {
        **MINIMAL,
        "prescriptions": [
            {"id": "old", "drug": "hydrocodone", "dose": 10, "times_per_day": 3,
             "start": "2026-06-01", "indication": "chronic"},
            {"id": "new", "drug": "hydrocodone", "dose": 7.5, "times_per_day": 3,
             "start": "2026-06-15", "indication": "chronic", "replaces": "old"},
        ],
        "doses": [
            {"prescription": "old", "taken_at": f"2026-06-15T{6 + h:02d}:00:00-04:00"}
            for h in range(doses)
        ],
    }  # fmt: skip


def test_json_contract_on_the_readme_example(monkeypatch, capsys):
    code, out, err = run(monkeypatch, capsys, readme_example(), "--json")
    assert (code, err) == (0, "")
    result = json.loads(out)
    assert set(result) == {
        "as_of",
        "on",
        "findings",
        "not_evaluated",
        "not_applied",
        "prescribed_mme_per_day",
        "taken_mme_per_day",
    }
    assert [f["rule"] for f in result["findings"]] == ["naloxone-not-prescribed"]


@pytest.mark.parametrize(("doses", "overuse"), [(3, False), (4, True)])
def test_the_taper_case_from_the_command_line(monkeypatch, capsys, doses, overuse):
    code, out, _ = run(monkeypatch, capsys, _taper(doses), "--json")
    assert code == 0
    found = {f["rule"]: f for f in json.loads(out)["findings"]}
    assert ("taken-above-prescribed" in found) is overuse
    if overuse:
        evidence = found["taken-above-prescribed"]["evidence"]
        # the changeover day allows the larger step: 4 x 10 = 40 > 30
        assert (evidence["taken_mme"], evidence["prescribed_mme_per_day"]) == (40, 30)


def test_text_output(monkeypatch, capsys):
    code, out, _ = run(monkeypatch, capsys, readme_example())
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == (
        "as of 2026-06-15T09:30:00-04:00 (day 2026-06-15): 1 finding(s); MME/day prescribed "
        "40, taken 0"
    )
    assert lines[1] == "HIGH: Naloxone indicated but not prescribed"
    assert lines[3].startswith("  Source: CDC 2022 Recommendation 8")
    assert "mme-taken-50: not evaluated: no data source (doses taken)" in lines


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ("not json", "field 'document': not valid JSON"),
        ({**MINIMAL, "as_of": None}, "field 'as_of': input should be a valid datetime"),
        (
            {**MINIMAL, "prescriptions": [{**MINIMAL["prescriptions"][0], "indication": None}]},
            "field 'prescriptions[0].indication': input should be 'acute', 'chronic' or 'oud'",
        ),
    ],
)
def test_bad_documents_are_one_line_with_exit_2(monkeypatch, capsys, payload, message):
    code, out, err = run(monkeypatch, capsys, payload)
    assert code == 2 and out == ""
    assert err.startswith(f"painpath safety: error: {message}")
    assert err.count("\n") == 1


def test_console_entry_point_reads_standard_input():
    result = subprocess.run(
        [sys.executable, "-m", "painpath.cli", "safety", "evaluate", "--json"],
        input=json.dumps(_taper(3)),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "taken-above-prescribed" not in result.stdout
