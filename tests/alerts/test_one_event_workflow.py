"""One event, one workflow: the PHQ-9 item-9 flag and its urgent alert share one state (the
alert's); acknowledging either acknowledges both; a new answer signalling risk reopens; snooze
with a reason and a time; the escalation clock; triage and chart show the state at once."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine

from painpath.alerts.evaluation import escalate_overdue, evaluate_patient
from painpath.alerts.models import Alert, EscalationPolicy
from painpath.alerts.services import acknowledge_alert, resolve_alert, snooze_alert
from painpath.assessments import selectors
from painpath.assessments.models import Flag
from painpath.assessments.services import review_flag, submit_response
from painpath.audit.models import AuditEvent
from painpath.core.context import Actor
from painpath.core.errors import Conflict, InvalidInput
from tests.alerts.conftest import triage
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 10, 14, 0, tzinfo=dt.UTC)
RULE = "phq9-item9-positive"


def answer(world, item9: int, at: dt.datetime) -> None:
    with time_machine.travel(at, tick=False):
        submit_response(
            actor=Actor(user=world.patient_user),
            patient_id=world.p1.pk,
            instrument_id="phq9",
            answers=[0] * 8 + [item9],
        )


def evaluate(world, at: dt.datetime) -> None:
    with time_machine.travel(at, tick=False):
        evaluate_patient(patient_id=world.p1.pk)


def crisis_alert(world) -> Alert:
    return Alert.objects.get(patient=world.p1, rule_id=RULE, cleared_at__isnull=True)


def p1_row(user, world, at: dt.datetime):
    with time_machine.travel(at, tick=False):
        rows, _ok = triage(user)
    return next(r for r in rows if r.patient == world.p1)


def test_the_flag_ranks_at_once_then_links_to_its_alert_which_carries_its_state(world) -> None:
    answer(world, 1, T0)
    flag = Flag.objects.get(patient=world.p1)
    assert flag.crisis and flag.alert is None and flag.state == "open"
    row = p1_row(world.dr_a, world, T0)  # before any worker cycle: the flag alone ranks
    assert row.severity == "urgent" and row.urgent_flags == ("suicidal ideation",)
    evaluate(world, T0 + dt.timedelta(seconds=5))
    alert = crisis_alert(world)
    flag.refresh_from_db()
    assert flag.alert == alert and flag.state == "open"
    assert selectors.open_urgent_flags([world.p1.pk]) == {}  # the alert carries it now
    row = p1_row(world.dr_a, world, T0 + dt.timedelta(minutes=1))
    assert (row.severity, row.top_alert_id, row.open_count) == ("urgent", alert.pk, 2)
    linked = AuditEvent.objects.get(object_type="Alert", object_id=str(alert.pk), action="update")
    assert linked.detail == {"linked_flags": [flag.pk]}
    # acknowledging the alert: the flag shows it, triage no longer ranks it urgent
    with time_machine.travel(T0 + dt.timedelta(minutes=2), tick=False):
        acknowledge_alert(actor=Actor(user=world.dr_a), alert_id=alert.pk)
    flag.refresh_from_db()
    assert flag.state == "acknowledged" and not flag.is_open
    row = p1_row(world.dr_a, world, T0 + dt.timedelta(minutes=3))
    assert row.severity == "warning"  # what is left: no check-in yet (not urgent)
    assert (row.open_count, row.acknowledged_count) == (1, 1)


def test_reviewing_the_flag_acknowledges_its_alert(world) -> None:
    answer(world, 2, T0)
    evaluate(world, T0)
    flag = Flag.objects.get(patient=world.p1)
    with time_machine.travel(T0 + dt.timedelta(minutes=10), tick=False):
        review_flag(actor=Actor(user=world.dr_a), flag_id=flag.pk)
        review_flag(actor=Actor(user=world.dr_a), flag_id=flag.pk)  # twice is harmless
    alert = crisis_alert(world)
    assert alert.status == "acknowledged" and alert.acknowledged_by == world.dr_a
    assert alert.acknowledged_at == T0 + dt.timedelta(minutes=10)
    flag.refresh_from_db()
    assert flag.reviewed_at is None and flag.state == "acknowledged"  # no second copy
    events = AuditEvent.objects.filter(object_type="Flag", object_id=str(flag.pk))
    assert events.count() == 2 and events.first().detail["alert"] == alert.pk


def test_a_flag_reviewed_before_the_worker_ran_acknowledges_the_new_alert(world) -> None:
    answer(world, 1, T0)
    flag = Flag.objects.get(patient=world.p1)
    with time_machine.travel(T0 + dt.timedelta(minutes=1), tick=False):
        review_flag(actor=Actor(user=world.dr_a), flag_id=flag.pk)
    evaluate(world, T0 + dt.timedelta(minutes=2))
    alert = crisis_alert(world)
    assert alert.status == "acknowledged" and alert.acknowledged_by == world.dr_a
    assert alert.acknowledged_at == T0 + dt.timedelta(minutes=1)
    assert p1_row(world.dr_a, world, T0 + dt.timedelta(minutes=3)).severity != "urgent"


@pytest.mark.parametrize("handled", ["acknowledged", "snoozed", "resolved"])
def test_a_new_answer_signalling_risk_reopens_the_alert(world, handled) -> None:
    answer(world, 1, T0)
    evaluate(world, T0)
    alert = crisis_alert(world)
    with time_machine.travel(T0 + dt.timedelta(hours=1), tick=False):
        actor = Actor(user=world.dr_a)
        if handled == "acknowledged":
            acknowledge_alert(actor=actor, alert_id=alert.pk)
        elif handled == "snoozed":
            snooze_alert(
                actor=actor,
                alert_id=alert.pk,
                until=T0 + dt.timedelta(days=2),
                reason="Spoke to patient; call back Thursday",
            )
        else:
            resolve_alert(actor=actor, alert_id=alert.pk, note="Safety plan agreed")
    assert p1_row(world.dr_a, world, T0 + dt.timedelta(hours=2)).severity != "urgent"
    later = T0 + dt.timedelta(days=1)
    answer(world, 2, later)
    assert p1_row(world.dr_a, world, later).severity == "urgent"  # the new flag, at once
    evaluate(world, later + dt.timedelta(seconds=30))
    reopened = crisis_alert(world)
    assert reopened.pk == alert.pk and reopened.state == "open"
    assert reopened.opened_at == later + dt.timedelta(seconds=30)
    assert reopened.acknowledged_at is None and reopened.resolved_at is None
    assert reopened.snoozed_until is None
    assert Flag.objects.filter(patient=world.p1, alert=alert).count() == 2
    event = AuditEvent.objects.filter(object_type="Alert", object_id=str(alert.pk)).first()
    assert event.detail["reopened"] is True and event.detail["previous"] == handled


def test_the_crisis_alert_escalates_per_the_clinic_policy_and_again_when_reopened(world):
    EscalationPolicy.objects.create(
        clinic=world.clinic_a, after_minutes=30, escalate_to=world.nurse
    )
    answer(world, 1, T0)
    evaluate(world, T0)
    alert = crisis_alert(world)
    assert escalate_overdue(now=T0 + dt.timedelta(minutes=29)) == 0
    assert escalate_overdue(now=T0 + dt.timedelta(minutes=31)) >= 1
    alert.refresh_from_db()
    assert alert.escalated_to == world.nurse
    assert alert.escalated_at == T0 + dt.timedelta(minutes=31)
    with time_machine.travel(T0 + dt.timedelta(hours=1), tick=False):
        acknowledge_alert(actor=Actor(user=world.dr_a), alert_id=alert.pk)
    later = T0 + dt.timedelta(days=1)
    answer(world, 3, later)
    evaluate(world, later)
    assert escalate_overdue(now=later + dt.timedelta(minutes=29)) == 0
    alert.refresh_from_db()
    assert alert.escalated_at == T0 + dt.timedelta(minutes=31)  # the first opening's
    escalate_overdue(now=later + dt.timedelta(minutes=30))
    alert.refresh_from_db()
    assert alert.escalated_at == later + dt.timedelta(minutes=30)  # the reopening's


def test_a_snoozed_alert_neither_ranks_nor_escalates_until_the_time_passes(world) -> None:
    EscalationPolicy.objects.create(
        clinic=world.clinic_a, after_minutes=30, escalate_to=world.nurse
    )
    answer(world, 1, T0)
    evaluate(world, T0)
    alert = crisis_alert(world)
    until = T0 + dt.timedelta(hours=4)
    with time_machine.travel(T0 + dt.timedelta(minutes=5), tick=False):
        snooze_alert(
            actor=Actor(user=world.dr_a),
            alert_id=alert.pk,
            until=until,
            reason="No answer on the phone; trying again this afternoon",
        )
    row = p1_row(world.dr_a, world, T0 + dt.timedelta(hours=1))
    assert row.severity != "urgent" and row.snoozed_count == 1
    assert Alert.objects.get(pk=alert.pk).snooze_reason.startswith("No answer")
    # not escalated while snoozed, nor in the first 30 minutes after it comes back
    for minutes in (31, 120, 4 * 60 + 29):
        escalate_overdue(now=T0 + dt.timedelta(minutes=minutes))
        assert Alert.objects.get(pk=alert.pk).escalated_at is None, minutes
    row = p1_row(world.dr_a, world, until + dt.timedelta(seconds=1))
    assert row.severity == "urgent" and row.snoozed_count == 0  # back, as open
    escalate_overdue(now=until + dt.timedelta(minutes=30))
    assert Alert.objects.get(pk=alert.pk).escalated_to == world.nurse


@pytest.mark.parametrize(
    ("until", "reason", "field"),
    [
        (T0 - dt.timedelta(minutes=1), "why", "until"),
        (T0 + dt.timedelta(days=31), "why", "until"),
        (dt.datetime(2026, 3, 10, 18, 0), "why", "until"),  # no offset  # noqa: DTZ001
        (T0 + dt.timedelta(hours=1), "   ", "reason"),
        (T0 + dt.timedelta(hours=1), "x" * 501, "reason"),
    ],
)
def test_snooze_needs_a_future_time_and_a_reason(world, until, reason, field) -> None:
    answer(world, 1, T0)
    evaluate(world, T0)
    alert = crisis_alert(world)
    with time_machine.travel(T0, tick=False), pytest.raises(InvalidInput) as refused:
        snooze_alert(actor=Actor(user=world.dr_a), alert_id=alert.pk, until=until, reason=reason)
    assert [f.field for f in refused.value.fields] == [field]
    assert Alert.objects.get(pk=alert.pk).snoozed_until is None


def test_only_an_open_alert_is_snoozed(world) -> None:
    answer(world, 1, T0)
    evaluate(world, T0)
    alert = crisis_alert(world)
    actor = Actor(user=world.dr_a)
    with time_machine.travel(T0, tick=False):
        acknowledge_alert(actor=actor, alert_id=alert.pk)
        with pytest.raises(Conflict):
            snooze_alert(
                actor=actor, alert_id=alert.pk, until=T0 + dt.timedelta(hours=1), reason="x"
            )


# ---- API and web ---------------------------------------------------------------------------


def _post(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def test_api_snooze_and_the_alert_shows_how_to_reach_the_patient(world) -> None:
    world.p1.phone, world.p1.emergency_contact_name = "+12015550123", "Byron Lovelace"
    world.p1.emergency_contact_relationship, world.p1.emergency_contact_phone = (
        "father",
        "+12015550124",
    )
    world.p1.save()
    answer(world, 1, T0)
    evaluate(world, T0)
    alert = crisis_alert(world)
    client = client_for(world.dr_a)
    body = client.get(f"/api/v1/alerts/{alert.pk}").json()
    assert body["patient_contact"] == {
        "phone": "+12015550123",
        "emergency_contact_name": "Byron Lovelace",
        "emergency_contact_relationship": "father",
        "emergency_contact_phone": "+12015550124",
    }
    assert (body["severity"], body["state"]) == ("urgent", "open")
    until = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)).isoformat()
    response = _post(client, f"/api/v1/alerts/{alert.pk}/snooze", {"until": until, "reason": ""})
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["field"] == "reason"
    response = _post(
        client, f"/api/v1/alerts/{alert.pk}/snooze", {"until": until, "reason": "Calling at 4"}
    )
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["status"]) == ("snoozed", "open")
    assert response.json()["snooze_reason"] == "Calling at 4"
    # the patient may not see alerts at all
    assert client_for(world.patient_user).get(f"/api/v1/alerts/{alert.pk}").status_code == 403


def test_alert_page_shows_the_phone_and_emergency_contact(world) -> None:
    world.p1.phone = "+12015550123"
    world.p1.save()
    answer(world, 1, T0)
    evaluate(world, T0)
    html = client_for(world.dr_a).get(f"/alerts/{crisis_alert(world).pk}/").content.decode()
    assert 'href="tel:+12015550123"' in html and "+1 201-555-0123" in html
    assert "none on the record" in html  # no emergency contact yet: said plainly
    assert "Raised by the questionnaire answers of" in html


def test_chart_panel_acknowledges_with_htmx_and_without_javascript(world) -> None:
    answer(world, 1, T0)
    evaluate(world, T0)
    alert = crisis_alert(world)
    client = client_for(world.dr_a)
    chart = client.get(f"/patients/{world.p1.pk}/").content.decode()
    assert "2 open · 0 snoozed · 0 acknowledged · 0 condition cleared" in chart
    assert f'hx-post="/alerts/{alert.pk}/acknowledge/"' in chart
    form = {"from": "chart", "patient_id": world.p1.pk}
    response = client.post(f"/alerts/{alert.pk}/acknowledge/", form, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith(
        '<section class="card" id="alerts-panel"'
    )
    assert "1 open · 0 snoozed · 1 acknowledged · 0 condition cleared" in html
    # no JavaScript: the same form posts and the chart comes back, with the error if refused
    response = client.post(f"/alerts/{alert.pk}/acknowledge/", form, follow=True)
    assert response.redirect_chain[-1][0] == f"/patients/{world.p1.pk}/"
    assert "Only an open alert can be acknowledged." in response.content.decode()


def test_triage_row_acknowledge_and_web_snooze_in_the_clinics_time_zone(world) -> None:
    answer(world, 1, T0)
    evaluate(world, T0)
    alert = crisis_alert(world)
    client = client_for(world.dr_a)
    with time_machine.travel(T0, tick=False):
        response = client.post(
            f"/alerts/{alert.pk}/snooze/",
            {
                "from": "triage",
                "patient_id": world.p1.pk,
                "until": "2026-03-10T18:00",
                "reason": "Voicemail left",
            },
        )
    assert response.status_code == 302 and response["Location"] == "/alerts/triage/"
    alert.refresh_from_db()
    # 18:00 in New York on 10 March 2026 (daylight time) is 22:00 UTC
    assert alert.snoozed_until == dt.datetime(2026, 3, 10, 22, 0, tzinfo=dt.UTC)
    other = Alert.objects.filter(patient=world.p1).exclude(pk=alert.pk).get()
    with time_machine.travel(T0 + dt.timedelta(minutes=1), tick=False):
        response = client.post(
            f"/alerts/{other.pk}/acknowledge/",
            {"from": "triage", "patient_id": world.p1.pk},
            HTTP_HX_REQUEST="true",
        )
    html = response.content.decode()
    assert html.lstrip().startswith(f'<li class="triage-row sev-none" id="triage-{world.p1.pk}"')
    assert "1 snoozed" in html and "1 acknowledged" in html


def test_web_snooze_refuses_a_time_that_is_not_one(world) -> None:
    answer(world, 1, T0)
    evaluate(world, T0)
    alert = crisis_alert(world)
    response = client_for(world.dr_a).post(
        f"/alerts/{alert.pk}/snooze/", {"until": "tomorrow", "reason": "x"}, follow=True
    )
    assert "Give a date and time" in response.content.decode()
    assert Alert.objects.get(pk=alert.pk).snoozed_until is None
