"""`painpath alerts burden`: text and JSON reports, one-line errors."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from tests.alerts.conftest import make_alert

from painpath.cli import main

NOW = dt.datetime(2026, 3, 29, 5, 0, tzinfo=dt.UTC)


@pytest.fixture
def two_alerts(world):
    # both patients of clinic B / A observed the whole window (records created in January)
    for p in (world.p1, world.p_other):
        type(p).objects.filter(pk=p.pk).update(created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    type(world.p2).objects.filter(pk=world.p2.pk).update(created_at=NOW)  # not yet observed
    type(world.p3).objects.filter(pk=world.p3.pk).update(created_at=NOW)
    make_alert(world.p1, created_at=dt.datetime(2026, 3, 20, tzinfo=dt.UTC),
               status="acknowledged",
               acknowledged_at=dt.datetime(2026, 3, 20, 0, 20, tzinfo=dt.UTC))  # fmt: skip
    make_alert(world.p_other, rule="no-checkin", severity="warning", rank=1,
               created_at=dt.datetime(2026, 3, 21, tzinfo=dt.UTC))  # fmt: skip
    return world


@pytest.mark.django_db
def test_json_report(two_alerts, capsys) -> None:
    with time_machine.travel(NOW, tick=False):
        assert main(["alerts", "burden", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    # 2 patients x 4 weeks = 8 patient-weeks; 2 alerts -> 0.25 per patient-week
    assert doc["scope"] == {"clinic": None, "days": 28}
    assert doc["synthetic"] is True
    assert (doc["patients"], doc["patient_weeks"]) == (2, 8.0)
    assert doc["alerts_per_patient_week"] == 0.25
    assert [(r["rule_id"], r["severity"], r["alerts"]) for r in doc["by_rule"]] == [
        ("mme-prescribed-90", "high", 1),
        ("no-checkin", "warning", 1),
    ]
    assert doc["share_with_open_high_or_urgent"] == 0.0  # the high alert is acknowledged
    assert doc["acknowledgement"]["median_minutes_to_acknowledge"] == 20.0
    assert doc["acknowledgement"]["not_acknowledged_still_open"] == 1
    assert "patient_weeks" in doc["definitions"]


@pytest.mark.django_db
def test_text_report_labels_synthetic_data_and_defines_its_terms(two_alerts, capsys) -> None:
    with time_machine.travel(NOW, tick=False):
        assert main(["alerts", "burden", "--clinic", "clinic-a", "--days", "14"]) == 0
    out = capsys.readouterr().out
    assert "clinic clinic-a" in out and "(14 days)" in out
    assert "SYNTHETIC data: 1 of 1 patients are synthetic" in out
    assert "Patients observed: 1, 2.0 patient-weeks" in out
    assert "Alerts raised: 1, 0.500 per patient-week" in out
    assert "median time to acknowledge: 20.0 minutes" in out
    assert "Definitions:" in out and "the 14 days before the command ran" in out


@pytest.mark.django_db
def test_unknown_clinic_is_a_one_line_error(world, capsys) -> None:
    assert main(["alerts", "burden", "--clinic", "nowhere"]) == 2
    err = capsys.readouterr().err
    assert err == "painpath alerts: error: --clinic: no clinic with the slug 'nowhere'\n"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["alerts"], "the following arguments are required: ACTION"),
        (["alerts", "burden", "--days", "0"], "argument --days: 0 must be 1 to 3660"),
        (["alerts", "burden", "--days", "x"], "argument --days: 'x' is not a whole number"),
    ],
)
def test_bad_arguments_exit_2(capsys, argv, message) -> None:
    with pytest.raises(SystemExit) as caught:
        main(argv)
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1
