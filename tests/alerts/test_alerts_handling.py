"""Escalation with a frozen clock, the triage list (order, pinned queries), alert handling and access."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
import time_machine

from painpath.alerts.evaluation import escalate_overdue
from painpath.alerts.models import EscalationPolicy, PatientSafetyState
from painpath.alerts.tasks import escalate_overdue_alerts
from painpath.audit.models import AuditEvent
from tests.alerts.conftest import T0, make_alert, triage
from tests.conftest import client_for
from tests.factories import CareTeamFactory, PatientFactory

# ---- escalation ---------------------------------------------------------------------------


def test_escalation_waits_for_the_clinic_limit_then_hands_over(world) -> None:
    EscalationPolicy.objects.create(
        clinic=world.clinic_a, after_minutes=30, escalate_to=world.nurse
    )
    waiting = make_alert(world.p1, assignee=world.dr_a)
    acknowledged = make_alert(world.p2, rule="no-checkin", status="acknowledged")
    other_clinic = make_alert(world.p_other)
    with time_machine.travel(T0 + dt.timedelta(minutes=29, seconds=59), tick=False):
        assert escalate_overdue() == 0
    with time_machine.travel(T0 + dt.timedelta(minutes=30), tick=False):
        assert escalate_overdue_alerts.call_local() == 1
        waiting.refresh_from_db()
        assert waiting.escalated_to == world.nurse
        assert waiting.escalated_at == T0 + dt.timedelta(minutes=30)
        assert waiting.assignee == world.dr_a  # kept: the second clinician is added
    with time_machine.travel(T0 + dt.timedelta(hours=5), tick=False):
        assert escalate_overdue() == 0  # escalated once only
    acknowledged.refresh_from_db()
    other_clinic.refresh_from_db()
    assert acknowledged.escalated_to is None and other_clinic.escalated_to is None
    assert AuditEvent.objects.filter(object_type="Alert", object_id=str(waiting.pk)).count() == 1


def test_escalation_is_not_sent_to_someone_who_cannot_see_the_patient(world, caplog) -> None:
    EscalationPolicy.objects.create(clinic=world.clinic_a, after_minutes=10, escalate_to=world.dr_b)
    alert = make_alert(world.p1)  # dr_b is not on p1's team
    with time_machine.travel(T0 + dt.timedelta(hours=1), tick=False), caplog.at_level("ERROR"):
        assert escalate_overdue() == 0
    alert.refresh_from_db()
    assert alert.escalated_to is None and "NOT escalated" in caplog.text


# ---- triage ---------------------------------------------------------------------------------


def test_triage_orders_by_severity_then_recent_change(world, stub_inputs) -> None:
    # nurse sees p1, p2, p3
    make_alert(world.p2, rule="no-checkin", severity="warning", rank=1)
    make_alert(world.p3, rule="opioid-with-cns-depressant", severity="high", rank=2)
    make_alert(world.p3, rule="no-checkin", severity="warning", rank=1)
    make_alert(world.p1, rule="old", severity="high", rank=2, status="resolved")
    PatientSafetyState.objects.create(patient=world.p1, last_change_at=T0)
    PatientSafetyState.objects.create(patient=world.p2, last_change_at=T0 - dt.timedelta(days=1))
    rows, flags_ok = triage(world.nurse)
    assert [r.patient for r in rows] == [world.p3, world.p2, world.p1]
    assert rows[0].reason == "opioid-with-cns-depressant title: opioid-with-cns-depressant message"
    assert rows[0].open_count == 2 and rows[2].severity == "" and flags_ok
    # an urgent questionnaire flag outranks the high alert
    stub_inputs.flags[world.p1.pk] = ["PHQ-9 item 9 answered 2"]
    rows, _ = triage(world.nurse)
    assert rows[0].patient == world.p1 and rows[0].severity == "urgent"
    assert rows[0].reason == "PHQ-9 item 9 answered 2"


def test_triage_ties_broken_by_most_recent_change(world, stub_inputs) -> None:
    make_alert(world.p1, severity="warning", rank=1, rule="a")
    make_alert(world.p2, severity="warning", rank=1, rule="b")
    PatientSafetyState.objects.create(patient=world.p1, last_change_at=T0 - dt.timedelta(hours=3))
    PatientSafetyState.objects.create(patient=world.p2, last_change_at=T0)
    rows, _ = triage(world.dr_a)
    assert [r.patient for r in rows] == [world.p2, world.p1]


@pytest.mark.parametrize("size", [3, 30])
def test_triage_page_query_count_is_fixed(
    world, stub_inputs, size, django_assert_num_queries
) -> None:
    team = CareTeamFactory(clinic=world.clinic_a, name=f"Big {size}")
    team.members.set([world.dr_b])
    patients = [PatientFactory(clinic=world.clinic_a) for _ in range(size)]
    team.patients.add(*patients)
    for i, p in enumerate(patients):
        make_alert(p, severity="warning", rank=1, rule=f"r{i}")
        PatientSafetyState.objects.create(patient=p, last_change_at=T0)
    client = client_for(world.dr_b)
    client.get("/alerts/triage/")  # warm up (session, caches)
    with django_assert_num_queries(8):
        response = client.get("/alerts/triage/")
    assert response.status_code == 200
    assert response.content.decode().count('class="triage-row') == size + 1  # + p3
    assert stub_inputs.calls[-1][0] == "flags" and len(stub_inputs.calls[-1][1]) == size + 1


def test_clinician_home_is_the_triage_list(world, stub_inputs) -> None:
    response = client_for(world.dr_a).get("/", follow=True)
    assert response.redirect_chain[-1][0] == "/alerts/triage/"
    html = response.content.decode()
    assert "Lovelace" in html and "Hopper" in html and "Turing" not in html


def test_triage_is_audited_per_patient_and_refused_to_patients(world, stub_inputs) -> None:
    client_for(world.dr_a).get("/alerts/triage/")
    listed = set(
        AuditEvent.objects.filter(object_type="Triage").values_list("patient_id", flat=True)
    )
    assert listed == {world.p1.pk, world.p2.pk}
    assert client_for(world.patient_user).get("/alerts/triage/").status_code == 403


# ---- handling: API and HTML -----------------------------------------------------------------


def post(client, url: str, body: dict | None = None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def test_acknowledge_resolve_reassign_through_the_api(world) -> None:
    alert = make_alert(world.p1)
    client = client_for(world.dr_a)
    assert post(client, f"/api/v1/alerts/{alert.pk}/acknowledge").json()["status"] == "acknowledged"
    assert post(client, f"/api/v1/alerts/{alert.pk}/acknowledge").status_code == 409
    response = post(client, f"/api/v1/alerts/{alert.pk}/reassign", {"assignee_id": world.dr_b.pk})
    assert response.status_code == 422  # dr_b is not on p1's team
    assert response.json()["error"]["fields"][0]["field"] == "assignee_id"
    response = post(client, f"/api/v1/alerts/{alert.pk}/reassign", {"assignee_id": world.nurse.pk})
    assert response.json()["assignee_id"] == world.nurse.pk
    response = post(client, f"/api/v1/alerts/{alert.pk}/resolve", {"note": "  "})
    assert response.status_code == 422 and response.json()["error"]["fields"][0]["field"] == "note"
    response = post(client, f"/api/v1/alerts/{alert.pk}/resolve", {"note": "Naloxone prescribed"})
    body = response.json()
    assert body["status"] == "resolved" and body["resolution_note"] == "Naloxone prescribed"
    details = list(
        AuditEvent.objects.filter(object_type="Alert", object_id=str(alert.pk)).values_list(
            "detail", flat=True
        )
    )
    assert {"status": "resolved", "note": "Naloxone prescribed"} in details


def test_alert_list_filters_and_mine(world) -> None:
    make_alert(world.p1, assignee=world.nurse)
    make_alert(world.p2, rule="no-checkin")
    make_alert(world.p3, rule="x", escalated_to=world.nurse)
    make_alert(world.p_other)
    client = client_for(world.nurse)
    assert client.get("/api/v1/alerts").json()["count"] == 3
    mine = client.get("/api/v1/alerts", {"mine": "true"}).json()
    assert {a["patient_id"] for a in mine["items"]} == {world.p1.pk, world.p3.pk}
    assert client.get("/api/v1/alerts", {"patient_id": world.p2.pk}).json()["count"] == 1
    assert client.get("/api/v1/alerts", {"status": "bogus"}).status_code == 422
    assert client.get("/api/v1/alerts", {"patient_id": world.p_other.pk}).status_code == 404


@pytest.mark.parametrize(
    ("who", "expected_read", "expected_write"),
    [
        ("dr_b", 404, 404),  # another team
        ("dr_other", 404, 404),  # another clinic
        ("admin_a", 200, 403),  # reads the clinic, does not make clinical decisions
        ("patient_user", 403, 403),  # alerts are for the care team
    ],
)
def test_alert_access_denials_api_and_html(world, who, expected_read, expected_write) -> None:
    alert = make_alert(world.p1)
    client = client_for(getattr(world, who))
    assert client.get(f"/api/v1/alerts/{alert.pk}").status_code == expected_read
    assert client.get(f"/alerts/{alert.pk}/").status_code == expected_read
    for action, body in (
        ("acknowledge", {}),
        ("resolve", {"note": "n"}),
        ("reassign", {"assignee_id": world.dr_a.pk}),
    ):
        assert (
            post(client, f"/api/v1/alerts/{alert.pk}/{action}", body).status_code == expected_write
        )
        assert client.post(f"/alerts/{alert.pk}/{action}/", body).status_code == expected_write
    alert.refresh_from_db()
    assert alert.status == "open" and alert.assignee is None


def test_alert_pages_show_evidence_and_work_the_alert(world) -> None:
    alert = make_alert(world.p1, evidence={"total_mme_per_day": 90.0, "table": "cdc2022"})
    client = client_for(world.dr_a)
    html = client.get(f"/alerts/{alert.pk}/").content.decode()
    assert '<th scope="row">Total MME per day</th><td>90</td>' in html and "Acknowledge" in html
    assert "CDC 2022 Table: morphine milligram equivalent doses" in html
    assert "total_mme_per_day" not in html and "cdc2022" not in html
    assert "mme-prescribed-90 title" in client.get("/alerts/").content.decode()
    client.post(f"/alerts/{alert.pk}/acknowledge/")
    response = client.post(f"/alerts/{alert.pk}/resolve/", {"note": ""}, follow=True)
    assert "1 to 2000 characters" in response.content.decode()
    client.post(f"/alerts/{alert.pk}/resolve/", {"note": "Discussed with patient"})
    alert.refresh_from_db()
    assert alert.status == "resolved" and alert.resolved_by == world.dr_a
    assert client.post(f"/alerts/{alert.pk}/bogus/").status_code == 404


def test_admin_configures_routing_for_their_clinic_only(world) -> None:
    from painpath.alerts.models import RoutingRule

    RoutingRule.objects.create(clinic=world.clinic_b, rule_id="", recipient=world.dr_other)
    client = client_for(world.admin_a)
    page = client.get("/admin/alerts/routingrule/add/").content.decode()
    assert "dr_a" in page and "dr_other" not in page  # clinicians of the admin's clinic only
    response = client.post(
        "/admin/alerts/routingrule/add/", {"rule_id": "no-checkin", "recipient": world.nurse.pk}
    )
    assert response.status_code == 302
    rule = RoutingRule.objects.get(rule_id="no-checkin")
    assert rule.clinic == world.clinic_a
    listing = client.get("/admin/alerts/routingrule/").content.decode()
    assert "dr_other" not in listing


def _visible_text(html: str) -> str:
    """What the page says: tags dropped (option values and URLs are not read by a person)."""
    return re.sub(r"<[^>]+>", " ", html)


def test_routing_admin_names_rules_by_title_and_stores_the_id(world) -> None:
    from painpath.alerts.models import RoutingRule
    from painpath.clinical.safety import rule_ids, rule_spec

    client = client_for(world.admin_a)
    form = client.get("/admin/alerts/routingrule/add/").content.decode()
    assert '<option value="mme-prescribed-90">Prescribed opioid dose at or above 90 MME/day' in (
        form
    )
    assert '<option value="" selected>Any rule' in form
    response = client.post(
        "/admin/alerts/routingrule/add/",
        {"rule_id": "pgx_conflict", "recipient": world.nurse.pk},
    )
    assert response.status_code == 302
    assert RoutingRule.objects.get(clinic=world.clinic_a).rule_id == "pgx_conflict"
    refused = client.post(
        "/admin/alerts/routingrule/add/", {"rule_id": "no-such-rule", "recipient": world.nurse.pk}
    )
    assert refused.status_code == 200 and "Select a valid choice" in refused.content.decode()
    listing = client.get("/admin/alerts/routingrule/").content.decode()
    assert rule_spec("pgx_conflict").title in listing
    filtered = client.get("/admin/alerts/routingrule/?rule=pgx_conflict").content.decode()
    assert "nurse" in filtered
    for page in (form, listing):
        text = _visible_text(page)
        for rule_id in rule_ids():
            assert rule_id not in text, rule_id
