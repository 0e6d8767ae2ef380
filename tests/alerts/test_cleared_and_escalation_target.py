"""Alerts whose condition cleared: not escalated, not ranked in triage; escalation reaches a
second clinician."""

from __future__ import annotations

import datetime as dt

import time_machine

from painpath.alerts.evaluation import escalate_overdue
from painpath.alerts.models import EscalationPolicy, PatientSafetyState
from tests.alerts.conftest import T0, make_alert, triage
from tests.conftest import client_for


def test_cleared_alerts_are_not_escalated(world) -> None:
    EscalationPolicy.objects.create(
        clinic=world.clinic_a, after_minutes=30, escalate_to=world.nurse
    )
    cleared = make_alert(world.p1, cleared_at=T0 + dt.timedelta(minutes=5))
    holding = make_alert(world.p2)
    with time_machine.travel(T0 + dt.timedelta(hours=1), tick=False):
        assert escalate_overdue() == 1
    cleared.refresh_from_db()
    holding.refresh_from_db()
    assert cleared.escalated_to is None and cleared.status == "open"
    assert holding.escalated_to == world.nurse


def test_escalation_is_not_sent_back_to_the_assignee(world, caplog) -> None:
    EscalationPolicy.objects.create(
        clinic=world.clinic_a, after_minutes=30, escalate_to=world.nurse
    )
    own = make_alert(world.p1, assignee=world.nurse)
    own_too = make_alert(world.p2, rule="no-checkin", assignee=world.nurse)
    other = make_alert(world.p2, assignee=world.dr_a)
    with time_machine.travel(T0 + dt.timedelta(hours=1), tick=False), caplog.at_level("ERROR"):
        assert escalate_overdue() == 1
    own.refresh_from_db()
    own_too.refresh_from_db()
    other.refresh_from_db()
    assert own.escalated_to is None and own.escalated_at is None
    assert own_too.escalated_to is None
    assert other.escalated_to == world.nurse
    assert "NOT escalated" in caplog.text
    # one line per policy run, with the count, not one per alert
    logged = [r.getMessage() for r in caplog.records if "NOT escalated" in r.getMessage()]
    assert len(logged) == 1 and "2 overdue alert(s)" in logged[0]


def test_cleared_alerts_do_not_rank_a_patient_in_triage(world, stub_inputs) -> None:
    # p1: only a high alert whose condition cleared; p2: a warning that still holds
    make_alert(world.p1, severity="high", rank=2, cleared_at=T0)
    make_alert(world.p2, rule="no-checkin", severity="warning", rank=1)
    PatientSafetyState.objects.create(patient=world.p1, last_change_at=T0)
    PatientSafetyState.objects.create(patient=world.p2, last_change_at=T0 - dt.timedelta(days=1))
    rows, _ = triage(world.dr_a)
    assert [r.patient for r in rows] == [world.p2, world.p1]
    p1 = rows[1]
    assert (p1.severity, p1.open_count, p1.cleared_count, p1.reason) == ("", 0, 1, "")
    html = client_for(world.dr_a).get("/alerts/triage/").content.decode()
    assert "1 alert to resolve: condition cleared" in html
    listing = client_for(world.dr_a).get("/alerts/").content.decode()
    assert "condition cleared" in listing
