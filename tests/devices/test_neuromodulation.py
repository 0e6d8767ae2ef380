"""Neuromodulation: sensations (patient), clinician forms and API reads/edits, who made a
change, rollup refresh after changes and usage, and pain before/after in local days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from painpath.audit.models import AuditEvent
from painpath.core.context import Actor
from painpath.devices import neuromodulation as neuro
from painpath.devices import services
from painpath.devices.models import (
    DailySummary,
    ProgramChange,
    Sensation,
    StimDevice,
    StimProgram,
    StimUsage,
)
from painpath.diary.models import CheckIn

pytestmark = pytest.mark.django_db
TODAY = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)  # noon in New York (the test clinics' zone)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


def api(patient_id: int, rest: str = "") -> str:
    return f"/api/v1/patients/{patient_id}/{rest}"


def tab(patient_id: int, rest: str = "") -> str:
    return f"/devices/patients/{patient_id}/neuromodulation/{rest}"


def make_device(patient, name: str = "Tonic A", make: str = "Acme") -> StimProgram:
    device = StimDevice.objects.create(patient=patient, type="SCS", make=make, model="S1")
    return StimProgram.objects.create(
        device=device,
        name=name,
        waveform="tonic",
        frequency_hz=50,
        pulse_width_us=300,
        amplitude_ma=3.5,
    )


# ---- sensations ---------------------------------------------------------------------------


def test_patient_reports_a_sensation_through_the_api(world, as_user):
    program = make_device(world.p1)
    body = {
        "device_id": program.device_id,
        "day": "2026-03-09",
        "paresthesia_coverage": 80,
        "overstimulation": 1,
        "note": "tingling in the left leg",
    }
    client = as_user(world.patient_user)
    resp = client.post(api(world.p1.pk, "neuromodulation/sensations"), body, "application/json")
    assert resp.status_code == 201, resp.content
    assert resp.json()["paresthesia_coverage"] == 80
    # The same day again replaces the report.
    client.post(
        api(world.p1.pk, "neuromodulation/sensations"),
        body | {"overstimulation": 2},
        "application/json",
    )
    assert Sensation.objects.get().overstimulation == 2
    listed = as_user(world.dr_a).get(api(world.p1.pk, "neuromodulation/sensations"))
    assert [s["overstimulation"] for s in listed.json()] == [2]
    assert AuditEvent.objects.filter(object_type="Sensation", action="create").count() == 2
    page = as_user(world.dr_a).get(tab(world.p1.pk))
    assert b"tingling in the left leg" in page.content and b"80 %" in page.content


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"paresthesia_coverage": 101}, "paresthesia_coverage"),
        ({"paresthesia_coverage": -1}, "paresthesia_coverage"),
        ({"overstimulation": 5}, "overstimulation"),
        ({"paresthesia_coverage": None, "overstimulation": None}, "paresthesia_coverage"),
        ({"day": "2026-03-11"}, "day"),  # tomorrow in the patient's zone
        ({"device_id": 999_999}, "device_id"),
    ],
)
def test_sensation_rules_at_their_boundaries(world, as_user, change, field):
    program = make_device(world.p1)
    body = {"device_id": program.device_id, "day": "2026-03-10", "paresthesia_coverage": 100}
    body |= {"overstimulation": 4}
    client = as_user(world.patient_user)
    ok = client.post(api(world.p1.pk, "neuromodulation/sensations"), body, "application/json")
    assert ok.status_code == 201  # 100 % and 4, today: the limits themselves are accepted
    bad = client.post(
        api(world.p1.pk, "neuromodulation/sensations"), body | change, "application/json"
    )
    assert bad.status_code == 422
    assert field in [f["field"] for f in bad.json()["error"]["fields"]]
    assert Sensation.objects.count() == 1


def test_only_the_patient_reports_sensations(world, as_user):
    program = make_device(world.p1)
    body = {"device_id": program.device_id, "day": "2026-03-09", "paresthesia_coverage": 50}
    url = api(world.p1.pk, "neuromodulation/sensations")
    assert as_user(world.dr_a).post(url, body, "application/json").status_code == 403
    assert as_user(world.dr_other).post(url, body, "application/json").status_code == 404
    assert not Sensation.objects.exists()


def test_patient_web_form_for_sensations(world, as_user):
    program = make_device(world.p1)
    client = as_user(world.patient_user)
    page = client.get("/devices/me/")
    assert b"How does your stimulator feel?" in page.content
    bad = client.post(
        "/devices/me/sensations/",
        {"device": program.device_id, "day": "2026-03-09", "paresthesia_coverage": "150"},
    )
    assert bad.status_code == 422 and b"errorlist" in bad.content
    good = client.post(
        "/devices/me/sensations/",
        {
            "device": program.device_id,
            "day": "2026-03-09",
            "paresthesia_coverage": "60",
            "overstimulation": "3",
            "note": "too strong when lying down",
        },
    )
    assert good.status_code == 302
    saved = Sensation.objects.get()
    assert (saved.paresthesia_coverage, saved.overstimulation) == (60, 3)


# ---- clinician forms and API reads/edits -----------------------------------------------------


def test_clinician_records_device_program_change_and_usage_through_the_forms(world, as_user):
    client = as_user(world.dr_a)
    resp = client.post(tab(world.p1.pk, "devices/"), {"type": "SCS", "make": "Acme", "model": "X"})
    assert resp.status_code == 302
    device = StimDevice.objects.get()
    resp = client.post(
        tab(world.p1.pk, "programs/"),
        {
            "device": device.pk,
            "name": "Burst B",
            "waveform": "burst",
            "frequency_hz": "40",
            "pulse_width_us": "1000",
            "amplitude_ma": "1.2",
            "burst_pulses": "5",
            "burst_intra_burst_hz": "500",
            "cycling": "30 s on / 2 min off",
        },
    )
    assert resp.status_code == 302, resp.content
    program = StimProgram.objects.get()
    assert program.burst == {"pulses": 5, "intra_burst_hz": 500.0}
    resp = client.post(
        tab(world.p1.pk, "changes/"),
        {
            "program": program.pk,
            "changed_at": "2026-03-08T21:30",  # the patient's wall clock (New York)
            "context": "patient",
            "reason": "turned it up at home",
        },
    )
    assert resp.status_code == 302, resp.content
    change = ProgramChange.objects.get()
    # A patient-reported change: made by the patient, entered by the clinician.
    assert change.context == "patient"
    assert change.changed_by == world.patient_user and change.entered_by == world.dr_a
    assert change.changed_at == datetime(2026, 3, 9, 1, 30, tzinfo=UTC)  # 21:30 EST
    resp = client.post(
        tab(world.p1.pk, "usage/"), {"program": program.pk, "day": "2026-03-09", "hours": "12.5"}
    )
    assert resp.status_code == 302
    assert StimUsage.objects.get().hours == 12.5
    page = client.get(tab(world.p1.pk))
    html = page.content.decode()
    assert "2026-03-08" in html  # the change's local day, not the UTC date (the 9th)
    assert "entered by" in html and "30 s on / 2 min off" in html and "intra_burst_hz 500" in html


def test_invalid_forms_are_shown_again_with_their_errors(world, as_user):
    program = make_device(world.p1)
    client = as_user(world.dr_a)
    resp = client.post(
        tab(world.p1.pk, "programs/"),
        {
            "device": program.device_id,
            "name": "Tonic A",  # already on this device
            "waveform": "tonic",
            "frequency_hz": "50",
            "pulse_width_us": "300",
            "amplitude_ma": "3",
        },
    )
    assert resp.status_code == 422 and b"Already used on this device." in resp.content
    resp = client.post(
        tab(world.p1.pk, "programs/"),
        {
            "device": program.device_id,
            "name": "T2",
            "waveform": "tonic",
            "frequency_hz": "50",
            "pulse_width_us": "300",
            "amplitude_ma": "3",
            "burst_pulses": "5",
        },
    )
    assert resp.status_code == 422 and b"Only for a burst waveform." in resp.content
    resp = client.post(
        tab(world.p1.pk, "usage/"), {"program": program.pk, "day": "2026-03-09", "hours": "25"}
    )
    assert resp.status_code == 422
    resp = client.post(
        tab(world.p1.pk, "changes/"),
        {"program": program.pk, "changed_at": "2026-03-11T09:00", "context": "remote_session"},
    )
    assert resp.status_code == 422 and b"Must not be in the future." in resp.content
    assert StimProgram.objects.count() == 1
    assert not ProgramChange.objects.exists() and not StimUsage.objects.exists()


def test_forms_are_for_clinicians_only(world, as_user):
    program = make_device(world.p1)
    data = {"program": program.pk, "day": "2026-03-09", "hours": "3"}
    assert as_user(world.patient_user).post(tab(world.p1.pk, "usage/"), data).status_code == 403
    assert as_user(world.admin_a).post(tab(world.p1.pk, "usage/"), data).status_code == 403
    assert as_user(world.dr_other).post(tab(world.p1.pk, "usage/"), data).status_code == 404
    assert b"Record program change" not in as_user(world.patient_user).get(tab(world.p1.pk)).content


def test_api_lists_reads_and_edits(world, as_user):
    program = make_device(world.p1)
    client = as_user(world.dr_a)
    device_id = program.device_id
    listed = client.get(api(world.p1.pk, "stim-devices")).json()
    assert [(d["make"], [p["name"] for p in d["programs"]]) for d in listed] == [
        ("Acme", ["Tonic A"])
    ]
    assert client.get(api(world.p1.pk, f"stim-devices/{device_id}")).json()["model"] == "S1"
    edited = client.put(
        api(world.p1.pk, f"stim-devices/{device_id}/programs/{program.pk}"),
        {
            "name": "Tonic A",
            "waveform": "tonic",
            "frequency_hz": 60,
            "pulse_width_us": 300,
            "amplitude_ma": 3.0,
            "cycling": "continuous",
        },
        "application/json",
    )
    assert edited.status_code == 200, edited.content
    program.refresh_from_db()
    assert (program.frequency_hz, program.cycling) == (60, "continuous")
    device = client.put(
        api(world.p1.pk, f"stim-devices/{device_id}"),
        {"type": "PNS", "make": "Acme", "model": "P2"},
        "application/json",
    )
    assert device.json()["type"] == "PNS"
    client.post(
        api(world.p1.pk, f"stim-devices/{device_id}/changes"),
        {"program_id": program.pk, "changed_at": "2026-03-01T15:00:00+00:00", "context": "patient"},
        "application/json",
    )
    changes = client.get(api(world.p1.pk, f"stim-devices/{device_id}/changes")).json()
    assert [(c["changed_by_id"], c["entered_by_id"]) for c in changes] == [
        (world.patient_user.pk, world.dr_a.pk)
    ]
    client.put(
        api(world.p1.pk, f"stim-devices/{device_id}/usage"),
        {"program_id": program.pk, "day": "2026-03-02", "hours": 8},
        "application/json",
    )
    usage = client.get(api(world.p1.pk, f"stim-devices/{device_id}/usage?start=2026-03-01"))
    assert usage.json() == [{"program_id": program.pk, "day": "2026-03-02", "hours": 8.0}]
    effects = client.get(api(world.p1.pk, "neuromodulation/changes")).json()
    assert [(e["day"], e["change"]["context"], e["days_before"]) for e in effects] == [
        ("2026-03-01", "patient", 0)
    ]
    assert as_user(world.dr_other).get(api(world.p1.pk, "stim-devices")).status_code == 404
    assert (
        as_user(world.patient_user)
        .put(
            api(world.p1.pk, f"stim-devices/{device_id}"),
            {"type": "PNS", "make": "x", "model": "y"},
            "application/json",
        )
        .status_code
        == 403
    )


def test_patient_records_only_their_own_changes(world, as_user):
    program = make_device(world.p1)
    url = api(world.p1.pk, f"stim-devices/{program.device_id}/changes")
    body = {"program_id": program.pk, "changed_at": "2026-03-01T15:00:00+00:00"}
    client = as_user(world.patient_user)
    assert (
        client.post(url, body | {"context": "clinician_visit"}, "application/json").status_code
        == 422
    )
    ok = client.post(url, body | {"context": "patient"}, "application/json")
    assert ok.status_code == 201
    change = ProgramChange.objects.get()
    assert change.changed_by == change.entered_by == world.patient_user


# ---- rollups after program changes and usage -------------------------------------------------


def test_usage_refreshes_its_day_even_without_samples_keyed_by_program_id(world, run_tasks):
    # Two devices with programs of the same name must not merge.
    first = make_device(world.p1, name="Tonic A", make="Acme")
    second = make_device(world.p1, name="Tonic A", make="Other")
    actor = Actor(user=world.dr_a)
    day = date(2026, 3, 9)
    with run_tasks():
        for program, hours in ((first, 10.0), (second, 4.0)):
            neuro.record_usage(
                actor=actor,
                patient_id=world.p1.pk,
                device_id=program.device_id,
                program_id=program.pk,
                day=day,
                hours=hours,
            )
    summary = DailySummary.objects.get(patient=world.p1, day=day)
    assert summary.stim_hours == {str(first.pk): 10.0, str(second.pk): 4.0}
    assert summary.steps is None  # a day with usage but no samples still has its row


def test_a_program_change_refreshes_its_local_day(world, monkeypatch, run_tasks):
    program = make_device(world.p1)
    calls: list[list[date]] = []
    monkeypatch.setattr(
        services,
        "refresh_daily_summaries",
        lambda *, patient_ids, days: calls.append(sorted(days)) or 0,
    )
    with run_tasks():
        neuro.record_program_change(
            actor=Actor(user=world.dr_a),
            patient_id=world.p1.pk,
            device_id=program.device_id,
            program_id=program.pk,
            changed_at=datetime(2026, 3, 9, 2, 0, tzinfo=UTC),  # 21:00 on the 8th in New York
            context="remote_session",
        )
    assert calls == [[date(2026, 3, 8)]]


# ---- pain before and after ------------------------------------------------------------------


def test_pain_before_and_after_uses_local_days_and_stops_at_the_next_change(world, as_user):
    program = make_device(world.p1)
    first = datetime(2026, 2, 10, 3, 0, tzinfo=UTC)  # 22:00 on 9 February in New York
    second = datetime(2026, 2, 15, 15, 0, tzinfo=UTC)  # 10:00 on 15 February
    for when in (first, second):
        ProgramChange.objects.create(
            device=program.device, program=program, changed_at=when, context="clinician_visit"
        )
    pain = {date(2026, 2, 1) + timedelta(days=i): 0 for i in range(28)}
    pain |= {date(2026, 2, 9): 9, date(2026, 2, 10): 6, date(2026, 2, 14): 6, date(2026, 2, 16): 2}
    CheckIn.objects.bulk_create(
        [CheckIn(patient=world.p1, day=d, pain_now=v, pain_average=v) for d, v in pain.items()]
    )
    from painpath.devices.neuro_reads import neuromodulation_overview

    overview = neuromodulation_overview(actor=Actor(user=world.dr_a), patient_id=world.p1.pk)
    one, two = overview.changes
    assert (one.day, two.day) == (date(2026, 2, 9), date(2026, 2, 15))
    # First change (9 Feb): before = 26 Jan-8 Feb (check-ins from 1 Feb: 8 days of 0);
    # after = 10-14 Feb only, cut at the next change: 6, 0, 0, 0, 6.
    assert (one.days_before, one.pain_before) == (8, 0)
    assert (one.days_after, one.pain_after) == (5, pytest.approx(12 / 5))
    # Second change (15 Feb): before = 10-14 Feb (after the first change's day).
    assert (two.days_before, two.pain_before) == (5, pytest.approx(12 / 5))
    assert (two.days_after, two.pain_after) == (13, pytest.approx(2 / 13))
