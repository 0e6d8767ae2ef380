"""Alert burden figures on a constructed panel; every expected figure is worked by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from painpath.analytics.alert_burden import AlertEpisode, ObservedPatient, measure_burden

UTC = dt.UTC
START = dt.datetime(2026, 3, 1, tzinfo=UTC)
END = dt.datetime(2026, 3, 29, tzinfo=UTC)  # 28 days = 4 weeks


def at(day: int, hour: int = 0, minute: int = 0, month: int = 3) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=UTC)


# P1 observed the whole window: 4 weeks; P2 from 15 March: 14 days = 2 weeks; P4 (synthetic)
# from 25 March noon: 3.5 days = 0.5 weeks; P3 starts at the window's end: not observed.
# Patient-weeks = 4 + 2 + 0.5 = 6.5.
PATIENTS = [
    ObservedPatient(1, at(1, month=1)),
    ObservedPatient(2, at(15)),
    ObservedPatient(3, at(29)),
    ObservedPatient(4, at(25, 12), synthetic=True),
]
ALERTS = [
    # raised in the window
    AlertEpisode(1, "naloxone", "Naloxone", "high", "open", at(2)),
    AlertEpisode(1, "adherence", "Adherence", "warning", "acknowledged", at(3), at(3, 1)),
    AlertEpisode(2, "mme90", "MME 90", "high", "resolved", at(16), at(16, 0, 30)),
    AlertEpisode(2, "mme90", "MME 90", "high", "open", at(20), None, at(21)),  # cleared
    AlertEpisode(4, "phq9", "PHQ-9 item 9", "urgent", "acknowledged", at(26), at(26, 0, 10)),
    AlertEpisode(4, "no-checkin", "No check-in", "warning", "open", at(27)),
    # outside the rates: before the window (still open), at its end, unobserved patient
    AlertEpisode(1, "naloxone", "Naloxone", "high", "open", at(1, month=2)),
    AlertEpisode(2, "adherence", "Adherence", "warning", "acknowledged", at(29), at(29, 1)),
    AlertEpisode(3, "phq9", "PHQ-9 item 9", "urgent", "open", at(28)),
]


@pytest.fixture(scope="module")
def report():
    return measure_burden(ALERTS, PATIENTS, start=START, end=END)


def test_patient_weeks_count_each_patient_from_their_start(report) -> None:
    assert report.patients == 3
    assert report.synthetic_patients == 1
    assert report.patient_weeks == pytest.approx(6.5)


def test_alerts_raised_in_the_window_per_patient_week(report) -> None:
    assert report.alerts_raised == 6
    assert report.per_patient_week == pytest.approx(6 / 6.5)
    by_severity = {r.severity: (r.alerts, r.per_patient_week) for r in report.by_severity}
    assert by_severity == {
        "urgent": (1, pytest.approx(1 / 6.5)),
        "high": (3, pytest.approx(3 / 6.5)),
        "warning": (2, pytest.approx(2 / 6.5)),
    }
    assert [r.severity for r in report.by_severity] == ["urgent", "high", "warning"]


def test_by_rule_is_ordered_by_severity_then_count(report) -> None:
    rows = [(r.rule_id, r.severity, r.alerts) for r in report.by_rule]
    assert rows == [
        ("phq9", "urgent", 1),
        ("mme90", "high", 2),
        ("naloxone", "high", 1),
        ("adherence", "warning", 1),
        ("no-checkin", "warning", 1),
    ]
    mme = next(r for r in report.by_rule if r.rule_id == "mme90")
    assert mme.per_patient_week == pytest.approx(2 / 6.5)
    assert mme.title == "MME 90"


def test_open_now_counts_open_uncleared_alerts_raised_at_any_time(report) -> None:
    # open and holding: P1's two naloxone alerts (one raised in February), P4's no-check-in;
    # P2's cleared episode and the unobserved P3 do not count
    assert report.open_alerts_now == {"high": 2, "warning": 1}
    assert report.patients_with_open_high_or_urgent == 1
    assert report.share_with_open_high_or_urgent == pytest.approx(1 / 3)


def test_time_to_acknowledge_is_the_median_over_acknowledged_alerts(report) -> None:
    # acknowledged after 60, 30 and 10 minutes -> median 30; three were not (all status open)
    assert report.acknowledged == 3
    assert report.median_minutes_to_acknowledge == pytest.approx(30)
    assert report.not_acknowledged == 3
    assert report.not_acknowledged_still_open == 3


def test_even_number_of_acknowledgements_takes_the_middle_mean() -> None:
    alerts = [
        AlertEpisode(1, "r", "R", "high", "acknowledged", at(2), at(2, 0, 10)),
        AlertEpisode(1, "r", "R", "high", "acknowledged", at(3), at(3, 2)),
    ]
    report = measure_burden(alerts, PATIENTS[:1], start=START, end=END)
    assert report.median_minutes_to_acknowledge == pytest.approx((10 + 120) / 2)
    assert report.not_acknowledged == 0


def test_no_patient_time_gives_no_rate_and_no_share() -> None:
    report = measure_burden([], [ObservedPatient(9, END)], start=START, end=END)
    assert (report.patients, report.patient_weeks) == (0, 0)
    assert report.per_patient_week is None
    assert report.share_with_open_high_or_urgent is None
    assert report.median_minutes_to_acknowledge is None


def test_window_must_end_after_it_starts() -> None:
    with pytest.raises(ValueError, match="end after it starts"):
        measure_burden([], [], start=END, end=START)


def test_json_shape_rounds_and_names_every_figure(report) -> None:
    doc = report.to_dict()
    assert doc["patient_weeks"] == 6.5
    assert doc["alerts_per_patient_week"] == round(6 / 6.5, 4)
    assert doc["share_with_open_high_or_urgent"] == round(1 / 3, 4)
    assert doc["acknowledgement"] == {
        "acknowledged": 3,
        "not_acknowledged": 3,
        "not_acknowledged_still_open": 3,
        "median_minutes_to_acknowledge": 30.0,
    }
    assert doc["by_rule"][0] == {
        "rule_id": "phq9",
        "title": "PHQ-9 item 9",
        "severity": "urgent",
        "alerts": 1,
        "per_patient_week": round(1 / 6.5, 4),
    }
