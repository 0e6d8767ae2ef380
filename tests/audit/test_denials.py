"""Refused requests are audited as `denied`, a few per caller and minute, the rest counted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from painpath.audit.denials import summarize_refusals
from painpath.audit.models import AuditEvent, RefusalWindow

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, 5, tzinfo=UTC)


def _denied():
    return AuditEvent.objects.filter(action="denied").order_by("id")


def test_a_read_refused_by_the_access_policy_is_audited(world, as_user):
    response = as_user(world.dr_a).get(
        f"/api/v1/patients/{world.p_other.pk}", REMOTE_ADDR="198.51.100.4"
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    row = _denied().get()
    assert (row.actor_id, row.client_ip, row.object_type) == (
        world.dr_a.pk,
        "198.51.100.4",
        "Request",
    )
    assert row.detail == {
        "status": 404,
        "reason": "not_found",
        "method": "GET",
        "path": f"/api/v1/patients/{world.p_other.pk}",
        "message": "No such patient.",
        "nth_this_minute": 1,
    }
    assert row.request_id == response["X-Request-ID"]
    assert not AuditEvent.objects.filter(action="read").exists()


def test_a_refused_write_is_audited(world, as_user):
    client = as_user(world.patient_user)
    response = client.patch(
        f"/api/v1/patients/{world.p1.pk}", {"given_name": "Eve"}, content_type="application/json"
    )
    assert response.status_code == 403
    row = _denied().get()
    assert row.actor_id == world.patient_user.pk
    assert (row.detail["status"], row.detail["reason"], row.detail["method"]) == (
        403,
        "forbidden",
        "PATCH",
    )


def test_a_refused_page_is_audited(world, as_user):
    response = as_user(world.dr_a).get(f"/patients/{world.p_other.pk}/")
    assert response.status_code == 404
    row = _denied().get()
    assert row.detail["path"] == f"/patients/{world.p_other.pk}/" and row.detail["message"] == ""


def test_a_token_that_does_not_authenticate_is_audited_without_an_actor(world):
    response = Client().get(
        "/api/v1/me", HTTP_AUTHORIZATION="Bearer pp_0123456789ab_forged", REMOTE_ADDR="203.0.113.8"
    )
    assert response.status_code == 401
    row = _denied().get()
    assert (row.actor_id, row.actor_label, row.client_ip) == (None, "anonymous", "203.0.113.8")
    assert row.detail["reason"] == "token_refused"


def test_unknown_addresses_and_requests_without_credentials_are_not_refusals(world, as_user):
    assert as_user(world.dr_a).get("/api/v1/no-such-endpoint").status_code == 404
    assert Client().get("/api/v1/me").status_code == 401
    assert as_user(world.dr_a).get(f"/api/v1/patients/{world.p1.pk}").status_code == 200
    assert not _denied().exists()


def test_a_flood_writes_the_limit_then_one_row_with_the_count(world, settings):
    settings.AUDIT_REFUSALS_PER_MINUTE = 3
    flood, other = Client(REMOTE_ADDR="203.0.113.8"), Client(REMOTE_ADDR="203.0.113.9")
    bad = {"HTTP_AUTHORIZATION": "Bearer pp_0123456789ab_forged"}
    with time_machine.travel(T0, tick=False) as clock:
        for _ in range(25):
            assert flood.get("/api/v1/me", **bad).status_code == 401
        assert other.get("/api/v1/me", **bad).status_code == 401  # another address: own count
        assert [r.client_ip for r in _denied()] == ["203.0.113.8"] * 3 + ["203.0.113.9"]
        assert [r.detail["nth_this_minute"] for r in _denied()] == [1, 2, 3, 1]
        clock.shift(timedelta(minutes=1))
        for _ in range(5):  # the next minute starts a new count
            flood.get("/api/v1/me", **bad)
        assert _denied().filter(client_ip="203.0.113.8").count() == 6
        assert summarize_refusals() == 0  # the minutes are not over long enough
        clock.shift(timedelta(minutes=2))
        assert summarize_refusals() == 2
    summaries = list(_denied().filter(detail__has_key="suppressed"))
    assert [(s.client_ip, s.detail["suppressed"]) for s in summaries] == [
        ("203.0.113.8", 22),
        ("203.0.113.8", 2),
    ]
    assert summaries[0].detail["minute_from"] == "2026-03-02T09:00:00+00:00"
    assert summaries[0].detail["limit_per_minute"] == 3
    assert not RefusalWindow.objects.exists()
    assert _denied().count() == 3 + 1 + 3 + 2  # 31 refusals, 9 rows


def test_a_signed_in_callers_flood_is_counted_per_user(world, as_user, settings):
    settings.AUDIT_REFUSALS_PER_MINUTE = 2
    with time_machine.travel(T0, tick=False) as clock:
        for who in (world.dr_a, world.dr_b):
            client = as_user(who)
            for _ in range(4):
                client.get(f"/api/v1/patients/{world.p_other.pk}")
        clock.shift(timedelta(minutes=3))
        assert summarize_refusals() == 2
    rows = _denied()
    assert [r.actor_id for r in rows if "suppressed" not in r.detail] == [world.dr_a.pk] * 2 + [
        world.dr_b.pk
    ] * 2
    assert {r.actor_id: r.detail["suppressed"] for r in rows if "suppressed" in r.detail} == {
        world.dr_a.pk: 2,
        world.dr_b.pk: 2,
    }
