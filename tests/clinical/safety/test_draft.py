"""The pre-save check in the core: a draft that makes an open hazard worse is new, shown with
what changed; hazards it does not change stay apart. Issue cases 2 (a taper) and 5."""

from datetime import date

import pytest

from painpath.clinical.medications import Prescription
from painpath.clinical.safety import StateError, check_draft, parse_state

AS_OF = "2026-06-15T14:00:00-04:00"
TODAY = date(2026, 6, 15)


def _line(rx_id, drug, dose, times=2, **extra):
    return {
        "id": rx_id,
        "drug": drug,
        "dose": dose,
        "times_per_day": times,
        "start": "2026-03-01",
        "indication": "chronic",
        **extra,
    }


def _state(*lines, doses=()):
    return parse_state(
        {
            "as_of": AS_OF,
            "timezone": "America/New_York",
            "age_years": 58,
            "prescriptions": list(lines),
            "doses": list(doses),
            "monitoring_events": [
                {"kind": "urine_drug_test", "on": "2026-05-01"},
                {"kind": "pdmp_review", "on": "2026-06-01"},
            ],
            "checkins": [{"day": "2026-06-15", "pain": 5}],
            "questionnaires": [],
            "genotypes": [],
        }
    )


def _draft(drug, dose, times=2, **extra):
    extra.setdefault("start", TODAY)
    return Prescription(drug=drug, dose=dose, times_per_day=times, indication="chronic", **extra)


def _by_rule(findings):
    return {f.alert.rule_id: f for f in findings}


def test_adding_an_opioid_while_a_benzodiazepine_is_in_force_is_new():
    state = _state(_line("1", "morphine", 10), _line("2", "lorazepam", 1))
    report = check_draft(state, _draft("oxycodone", 5, times=3))
    new = _by_rule(report.new)
    combo = new["opioid-with-cns-depressant"]
    assert combo.kind == "worse"  # it held before the draft
    # 10 x 2 morphine = 20; + 5 x 3 x 1.5 oxycodone = 42.5
    assert combo.change == (
        "adds oxycodone while lorazepam is in force; MME/day prescribed 20 -> 42.5"
    )
    assert new["multiple-opioids"].kind == "new"
    assert report.needs_reason


def test_raising_the_opioid_while_a_benzodiazepine_is_in_force_is_worse():
    state = _state(_line("1", "morphine", 10), _line("2", "lorazepam", 1))
    report = check_draft(state, _draft("morphine", 20, replaces="1"))
    combo = _by_rule(report.new)["opioid-with-cns-depressant"]
    assert combo.kind == "worse"
    assert combo.change == "MME/day prescribed 20 -> 40 while lorazepam is in force"
    assert report.needs_reason


def test_an_opioid_for_a_patient_on_a_benzodiazepine_only_is_new():
    state = _state(_line("2", "lorazepam", 1))
    combo = _by_rule(check_draft(state, _draft("oxycodone", 5, times=3)).new)[
        "opioid-with-cns-depressant"
    ]
    assert combo.kind == "new"
    assert (
        combo.change == "adds oxycodone while lorazepam is in force; MME/day prescribed 0 -> 22.5"
    )


def test_a_benzodiazepine_added_to_an_opioid_names_the_opioid():
    state = _state(_line("1", "morphine", 10))
    combo = _by_rule(check_draft(state, _draft("diazepam", 5)).new)["opioid-with-cns-depressant"]
    assert combo.change == "adds diazepam while morphine is in force"


@pytest.mark.parametrize(
    ("dose", "times", "before_mme", "fifty_kind"),
    [(10, 3, 45, "new"), (20, 2, 60, "worse")],
)
def test_mme_rising_to_105(dose, times, before_mme, fifty_kind):
    # oxycodone x 1.5: 10 mg x 3 = 45 MME/day, 20 x 2 = 60, the draft 35 x 2 = 105
    state = _state(_line("1", "oxycodone", dose, times=times))
    report = check_draft(state, _draft("oxycodone", 35, times=2, replaces="1"))
    new = _by_rule(report.new)
    change = f"MME/day prescribed {before_mme:g} -> 105"
    assert (new["mme-prescribed-50"].kind, new["mme-prescribed-50"].change) == (fifty_kind, change)
    assert (new["mme-prescribed-90"].kind, new["mme-prescribed-90"].change) == ("new", change)
    assert report.needs_reason


def test_hazards_the_draft_does_not_change_stay_apart():
    state = _state(_line("1", "morphine", 30), _line("2", "lorazepam", 1))  # 60 MME + benzo
    report = check_draft(state, _draft("ibuprofen", 400, times=3))
    assert report.new == ()
    assert not report.needs_reason
    assert {a.rule_id for a in report.unchanged} >= {
        "opioid-with-cns-depressant",
        "mme-prescribed-50",
        "naloxone-not-prescribed",
    }


def test_a_taper_changes_nothing_for_the_worse_and_clears_what_it_ends():
    state = _state(_line("1", "morphine", 50))  # 100 MME/day
    report = check_draft(state, _draft("morphine", 35, replaces="1"))  # 70
    assert report.new == () and not report.needs_reason
    assert "mme-prescribed-90" in {a.rule_id for a in report.cleared}
    assert "mme-prescribed-50" in {a.rule_id for a in report.unchanged}
    assert report.after.prescribed_mme.total_mme_per_day == 70


def test_the_issue_taper_is_no_overuse_in_the_pre_save_check():
    old = _line("1", "hydrocodone", 10, times=3)
    doses = [
        {"prescription": "1", "slot": n, "taken_at": f"2026-06-15T{h:02d}:00:00-04:00"}
        for n, h in ((1, 7), (2, 10), (3, 13))
    ]
    report = check_draft(
        _state(old, doses=doses), _draft("hydrocodone", 7.5, times=3, replaces="1")
    )
    everything = {a.rule_id for a in report.after.alerts} | {f.alert.rule_id for f in report.new}
    assert "taken-above-prescribed" not in everything
    assert not report.needs_reason
    assert report.after.prescribed_mme.total_mme_per_day == 22.5


def test_a_draft_starting_later_is_checked_on_its_start_day():
    state = _state(_line("1", "morphine", 10, end="2026-06-19"))
    report = check_draft(state, _draft("morphine", 30, start=date(2026, 6, 20)))
    assert report.on == date(2026, 6, 20)
    assert report.before.prescribed_mme.total_mme_per_day == 0  # the old line has ended
    assert report.after.prescribed_mme.total_mme_per_day == 60


def test_a_draft_must_replace_a_known_line():
    with pytest.raises(StateError) as info:
        check_draft(_state(_line("1", "morphine", 10)), _draft("morphine", 5, replaces="9"))
    assert str(info.value) == "field 'draft.replaces': no prescription with id '9'"
