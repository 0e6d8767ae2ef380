"""The patient-state document: validation naming the field, bounds, missing inputs, and the
README's worked example."""

import json
import re
from pathlib import Path

import pytest

from painpath.clinical.safety import (
    MAX_STATE_BYTES,
    SafetyError,
    StateError,
    evaluate_state,
    parse_state,
    report_json,
)

README = Path(__file__).resolve().parents[3] / "README.md"

MINIMAL = {
    "as_of": "2026-06-15T09:30:00-04:00",
    "timezone": "America/New_York",
    "age_years": 58,
    "prescriptions": [
        {"id": "a", "drug": "oxycodone", "dose": 5, "times_per_day": 3, "start": "2026-06-01",
         "indication": "chronic"},
    ],
}  # fmt: skip


def _with(**changes):
    return {**MINIMAL, **changes}


def _line(**changes):
    return {**MINIMAL["prescriptions"][0], **changes}


def readme_example() -> dict:
    section = README.read_text("utf-8").split("#### The rules without a database", 1)[1]
    return json.loads(re.search(r"```json\n(.*?)\n```", section, re.S)[1])


def test_readme_worked_example_gives_what_the_readme_says():
    result = report_json(evaluate_state(parse_state(readme_example())))
    assert [f["rule"] for f in result["findings"]] == ["naloxone-not-prescribed"]
    finding = result["findings"][0]
    assert finding["severity"] == "high"
    assert finding["citation"].startswith("CDC 2022 Recommendation 8; ")
    assert finding["evidence"]["reasons"] == ["sleep-disordered breathing"]
    assert finding["evidence"]["prescribed_mme_per_day"] == 40.0
    assert set(finding) == {"rule", "severity", "title", "message", "evidence", "citation"}
    assert [n["rule"] for n in result["not_evaluated"]] == [
        "mme-taken-50",
        "mme-taken-90",
        "taken-above-prescribed",
        "adherence-low",
    ]
    assert result["on"] == "2026-06-15" and result["prescribed_mme_per_day"] == 40.0


def test_minimal_document_leaves_the_missing_inputs_not_evaluated():
    result = report_json(evaluate_state(parse_state(MINIMAL)))
    not_evaluated = {n["rule"]: n["reason"] for n in result["not_evaluated"]}
    assert not_evaluated == {
        "mme-taken-50": "not evaluated: no data source (doses taken)",
        "mme-taken-90": "not evaluated: no data source (doses taken)",
        "taken-above-prescribed": "not evaluated: no data source (doses taken)",
        "adherence-low": "not evaluated: no data source (doses taken)",
        "urine-drug-test-overdue": (
            "not evaluated: no data source (urine drug tests and PDMP reviews)"
        ),
        "pdmp-review-overdue": "not evaluated: no data source (urine drug tests and PDMP reviews)",
        "phq9-item9-positive": "not evaluated: no data source (questionnaire answers)",
        "pain-worsening": "not evaluated: no data source (daily check-ins)",
        "no-checkin": "not evaluated: no data source (daily check-ins)",
        "pgx_conflict": "not evaluated: no data source (pharmacogenomic results)",
    }


def test_empty_lists_mean_nothing_to_report_not_missing():
    state = _with(doses=[], monitoring_events=[], checkins=[], questionnaires=[], genotypes=[])
    result = report_json(evaluate_state(parse_state(state)))
    assert result["not_evaluated"] == []
    rules = {f["rule"] for f in result["findings"]}
    assert {"no-checkin", "urine-drug-test-overdue", "pdmp-review-overdue"} <= rules


def test_the_local_day_follows_the_time_zone():
    # 02:30 UTC on the 16th is still the 15th in New York
    state = parse_state(_with(as_of="2026-06-16T02:30:00+00:00"))
    assert state.on.isoformat() == "2026-06-15"


def test_phq9_item9_comes_from_the_latest_answer():
    answers = [
        {"instrument": "phq9", "on": "2026-06-01", "items": {"phq9_9": 2}},
        {"instrument": "phq9", "on": "2026-06-10", "items": {"phq9_9": 1}},
        {"instrument": "gad7", "on": "2026-06-12", "items": {"gad7_1": 3}},
    ]
    result = report_json(evaluate_state(parse_state(_with(questionnaires=answers))))
    phq9 = next(f for f in result["findings"] if f["rule"] == "phq9-item9-positive")
    assert phq9["evidence"] == {"phq9_item9": 1, "answered_on": "2026-06-10"}
    assert phq9["severity"] == "urgent"


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({k: v for k, v in MINIMAL.items() if k != "timezone"}, "field 'timezone': field required"),
        (_with(timezone="Mars/Olympus"), "field 'timezone': not an IANA time zone name"),
        (_with(as_of="2026-06-15T09:30:00"), "field 'as_of': input should have timezone info"),
        (_with(age_years=131), "field 'age_years': input should be less than or equal to 130"),
        (_with(colour="blue"), "field 'colour': extra inputs are not permitted"),
        (_with(conditions=["gout"]), "field 'conditions[0]': input should be"),
        (
            _with(prescriptions=[{k: v for k, v in _line().items() if k != "indication"}]),
            "field 'prescriptions[0].indication': field required",
        ),
        (
            _with(prescriptions=[_line(indication="pain")]),
            "field 'prescriptions[0].indication': input should be 'acute', 'chronic' or 'oud'",
        ),
        (_with(prescriptions=[_line(dose=-5)]), "field 'prescriptions[0].dose': input should be greater than 0"),
        (_with(prescriptions=[_line(drug="unobtainium")]), "field 'prescriptions[0].drug': unknown drug 'unobtainium'"),
        (_with(prescriptions=[_line(release="er_la", drug="codeine")]), "field 'prescriptions[0].release':"),
        (_with(prescriptions=[_line(replaces="zz")]), "field 'prescriptions[0].replaces': no prescription with id 'zz'"),
        (_with(prescriptions=[_line(), _line()]), "field 'prescriptions[1].id': 'a' is used by item 0 too"),
        (_with(prescriptions=[_line(times_per_day=None)]), "field 'prescriptions[0].times_per_day': give exactly one"),
        (_with(doses=[{"prescription": "a"}]), "field 'doses[0]': give 'taken_at' or 'day'"),
        (_with(doses=[{"prescription": "b", "day": "2026-06-15"}]), "field 'doses[0].prescription': no prescription with id 'b'"),
        (_with(doses=[{"prescription": "a", "day": "2026-06-15", "taken": False}]), "field 'doses[0]': only a scheduled dose"),
        (_with(checkins=[{"day": "2026-06-15", "pain": 11}]), "field 'checkins[0].pain': input should be less than or equal to 10"),
        (
            _with(questionnaires=[{"instrument": "phq9", "on": "2026-06-01", "items": {"phq9_9": 4}}]),
            "field 'questionnaires[0].items.phq9_9': must be 0-3",
        ),
        (_with(genotypes=[{"gene": "CYP2D6", "diplotype": "*999/*1"}]), "field 'genotypes[0].diplotype':"),
        (_with(monitoring_events=[{"kind": "blood", "on": "2026-06-01"}]), "field 'monitoring_events[0].kind':"),
    ],
)  # fmt: skip
def test_bad_documents_name_the_field_and_the_rule(document, message):
    # StateError (the document) or SnapshotError (a rule of the history): both SafetyError
    with pytest.raises(SafetyError) as info:
        evaluate_state(parse_state(document))
    assert str(info.value).startswith(message), str(info.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[1, 2]", "field 'document': must be a JSON object"),
        ("{", "field 'document': not valid JSON"),
        ("[" * 100_000, "field 'document': nested too deeply"),
        (" " * (MAX_STATE_BYTES + 1), f"field 'document': larger than {MAX_STATE_BYTES} bytes"),
    ],
)
def test_bad_json_is_refused_within_bounds(text, message):
    with pytest.raises(StateError) as info:
        parse_state(text)
    assert str(info.value).startswith(message)
