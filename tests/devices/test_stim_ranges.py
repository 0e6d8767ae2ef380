"""Stimulator program parameters outside their device kind's ranges are refused with the
field, the range and its source (a programme at 1e29 Hz was stored); another patient's
device answers the same 404 for its sub-resources as for itself."""

from __future__ import annotations

import tomllib

import pytest

from painpath.analytics.synth_wearables import PROGRAMS
from painpath.devices import stim_ranges
from painpath.devices.models import StimDevice, StimProgram, StimType

pytestmark = pytest.mark.django_db


def api(patient_id: int, rest: str = "") -> str:
    return f"/api/v1/patients/{patient_id}/stim-devices{rest}"


def program(**change: object) -> dict[str, object]:
    return {
        "name": "P1",
        "waveform": "tonic",
        "frequency_hz": 50,
        "pulse_width_us": 300,
        "amplitude_ma": 3,
    } | change


def device(client, patient_id: int, kind: str = "SCS") -> int:
    made = client.post(
        api(patient_id), {"type": kind, "make": "M", "model": "X"}, content_type="application/json"
    )
    assert made.status_code == 201, made.content
    return int(made.json()["id"])


@pytest.mark.parametrize(
    ("kind", "change", "field"),
    [
        ("SCS", {"frequency_hz": 1e29}, "frequency_hz"),  # the probe's programme
        ("SCS", {"frequency_hz": 10_000.5}, "frequency_hz"),
        ("SCS", {"frequency_hz": 0.5}, "frequency_hz"),
        ("SCS", {"pulse_width_us": 1001}, "pulse_width_us"),
        ("SCS", {"amplitude_ma": 30.1}, "amplitude_ma"),
        ("DRG", {"frequency_hz": 101}, "frequency_hz"),
        ("DRG", {"frequency_hz": 3.9}, "frequency_hz"),
        ("DRG", {"pulse_width_us": 721}, "pulse_width_us"),
        ("DRG", {"amplitude_ma": 6.05}, "amplitude_ma"),
        ("DRG", {"amplitude_max_ma": 7}, "amplitude_max_ma"),
        ("TENS", {"amplitude_ma": 100.5}, "amplitude_ma"),
        ("SCS", {"waveform": "burst", "burst": {"pulses": 101}}, "burst.pulses"),
        ("SCS", {"waveform": "burst", "burst": {"intra_burst_hz": 20_000}}, "burst.intra_burst_hz"),
        ("DRG", {"waveform": "burst", "burst": {"pulse_width_us": 800}}, "burst.pulse_width_us"),
    ],
)
def test_out_of_range_parameters_are_refused_naming_field_range_and_source(
    world, as_user, kind, change, field
):
    client = as_user(world.dr_a)
    device_id = device(client, world.p1.pk, kind)
    resp = client.post(
        api(world.p1.pk, f"/{device_id}/programs"),
        program(**change),
        content_type="application/json",
    )
    assert resp.status_code == 422, resp.content
    errors = {e["field"]: e["message"] for e in resp.json()["error"]["fields"]}
    assert list(errors) == [field]
    assert errors[field].startswith("From ") and "for this kind of device" in errors[field]
    assert "(" in errors[field]  # the source of the range
    assert not StimProgram.objects.exists()


@pytest.mark.parametrize(
    ("kind", "change"),
    [
        ("SCS", {"frequency_hz": 10_000, "waveform": "high_frequency", "pulse_width_us": 30}),
        ("SCS", {"frequency_hz": 1, "amplitude_ma": 0}),
        (
            "SCS",
            {
                "waveform": "burst",
                "frequency_hz": 40,
                "pulse_width_us": 1000,
                "burst": {"pulses": 5, "intra_burst_hz": 500},
            },
        ),
        ("DRG", {"frequency_hz": 4, "pulse_width_us": 720, "amplitude_ma": 6}),
        ("DRG", {"frequency_hz": 100, "pulse_width_us": 40, "amplitude_max_ma": 6}),
        ("TENS", {"frequency_hz": 1000, "amplitude_ma": 100}),
    ],
)
def test_values_at_the_range_edges_are_accepted(world, as_user, kind, change):
    client = as_user(world.dr_a)
    device_id = device(client, world.p1.pk, kind)
    resp = client.post(
        api(world.p1.pk, f"/{device_id}/programs"),
        program(**change),
        content_type="application/json",
    )
    assert resp.status_code == 201, resp.content


def test_an_update_is_held_to_the_ranges_too(world, as_user):
    client = as_user(world.dr_a)
    device_id = device(client, world.p1.pk, "DRG")
    made = client.post(
        api(world.p1.pk, f"/{device_id}/programs"),
        program(frequency_hz=20),
        content_type="application/json",
    )
    url = api(world.p1.pk, f"/{device_id}/programs/{made.json()['id']}")
    resp = client.put(url, program(frequency_hz=1e29), content_type="application/json")
    assert resp.status_code == 422
    assert resp.json()["error"]["fields"][0]["field"] == "frequency_hz"
    assert StimProgram.objects.get().frequency_hz == 20


def test_every_kind_has_every_range_and_every_range_a_source():
    data = tomllib.loads(stim_ranges.DATA_FILE.read_text(encoding="utf-8"))
    assert data["version"] and data["source"]
    assert set(data["kinds"]) == set(StimType.values)
    for kind in StimType.values:
        for name, bound in stim_ranges.ranges_for(kind).items():
            assert 0 <= bound.low < bound.high, (kind, name)
            assert bound.source, (kind, name)
    # Each bound is a manual's (cited by name) or labelled an engineering bound.
    for kind in data["kinds"].values():
        for spec in kind.values():
            assert "manual" in spec["source"] or "engineering" in spec["source"], spec


def test_the_demo_cohorts_programs_are_within_the_ranges():
    for p in PROGRAMS:
        values = {"frequency_hz": p.frequency_hz, "pulse_width_us": p.pulse_width_us,
                  "amplitude_ma": p.amplitude_ma, "burst": p.burst,
                  "amplitude_max_ma": p.amplitude_ma * 2}  # fmt: skip
        assert stim_ranges.out_of_range("SCS", values) == [], p.name


@pytest.mark.parametrize("rest", ["", "/programs", "/changes", "/usage"])
def test_another_patients_device_is_the_same_404_on_every_sub_resource(world, as_user, rest):
    # p2 is dr_a's patient too: the device exists and dr_a may read it, but not under p1.
    other = StimDevice.objects.create(patient=world.p2, type="SCS", make="M", model="X")
    client = as_user(world.dr_a)
    resp = client.get(api(world.p1.pk, f"/{other.pk}{rest}"))
    missing = client.get(api(world.p1.pk, f"/{other.pk + 1000}{rest}"))
    assert resp.status_code == missing.status_code == 404
    assert (
        resp.json()
        == missing.json()
        == {"error": {"code": "not_found", "message": "No such device.", "fields": []}}
    )
    # The owner's own path answers.
    assert client.get(api(world.p2.pk, f"/{other.pk}{rest}")).status_code == 200
