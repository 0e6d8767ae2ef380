"""Browser: the patient's device page with charts, the clinician's timeline and neuromodulation."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import numpy as np
import pytest
from django.utils import timezone
from playwright.sync_api import expect
from tests.factories import PASSWORD
from tests.ui.conftest import screenshot, sign_in

from painpath.analytics.synth_wearables import generate_wearables
from painpath.devices.bulk import insert_samples
from painpath.devices.models import (
    ChangeContext,
    DeviceSource,
    ProgramChange,
    StimDevice,
    StimProgram,
)
from painpath.devices.services import refresh_daily_summaries

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _load(world) -> None:
    today = timezone.localdate()
    (data,) = generate_wearables([(world.p1.mrn, world.p1.timezone_name)], as_of=today, days=30)
    source = DeviceSource.objects.create(patient=world.p1, key="synthetic-watch")
    insert_samples(
        [
            (world.p1.pk, int(t), int(s), int(d), source.pk, float(v))
            for t, s, d, v in zip(
                data.type, data.start_ms, data.duration_ms, data.value, strict=True
            )
        ]
    )
    refresh_daily_summaries(
        patient_ids=[world.p1.pk], days=[today - timedelta(days=i) for i in range(32)]
    )
    device = StimDevice.objects.create(
        patient=world.p1, type="SCS", make="Synthetic Neuro", model="S1"
    )
    program = StimProgram.objects.create(
        device=device,
        name="Burst B",
        waveform="burst",
        frequency_hz=40,
        pulse_width_us=1000,
        amplitude_ma=1.2,
    )
    ProgramChange.objects.create(
        device=device,
        program=program,
        changed_at=datetime.combine(today - timedelta(days=10), time(10), tzinfo=UTC),
        context=ChangeContext.CLINICIAN_VISIT,
        reason="coverage",
    )
    assert np.isfinite(data.value).all()


def test_patient_sees_device_page_with_charts_on_a_phone(world, phone_page):
    _load(world)
    page = phone_page
    sign_in(page, "pat1", PASSWORD)
    page.goto(page.base_url + "/devices/me/")
    expect(page.get_by_role("heading", name="Devices and wearable data")).to_be_visible()
    expect(page.locator("canvas.devices-chart")).to_have_count(3)
    page.wait_for_function("() => window.Chart && Object.keys(Chart.instances).length === 3")
    page.get_by_label("Device name").fill("My watch")
    page.get_by_role("button", name="Create device token").click()
    expect(page.locator("code.device-token")).to_contain_text("pp_")
    expect(page.get_by_role("button", name="Revoke token My watch")).to_be_visible()
    # How the stimulator feels (the patient has one): coverage and overstimulation.
    page.get_by_label("Paresthesia coverage").fill("70")
    page.get_by_label("2 moderate").check()
    page.get_by_role("button", name="Save report").click()
    expect(page.get_by_text("your report was saved")).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert page.console_errors == []
    screenshot(page, "monitoring-patient-phone")


def test_clinician_timeline_and_neuromodulation_tab(world, desktop_page):
    _load(world)
    page = desktop_page
    sign_in(page, "dr_a", PASSWORD)
    page.goto(page.base_url + f"/patients/{world.p1.pk}/")
    expect(page.locator("#devices-timeline")).to_be_visible()
    page.wait_for_function(
        "() => window.Chart && Object.values(Chart.instances).some(c => c.canvas.id === 'devices-timeline')"
    )
    screenshot(page, "monitoring-clinician-timeline")
    page.get_by_role("link", name="Neuromodulation: device, programs, usage").click()
    expect(page.get_by_role("heading", name="Neuromodulation")).to_be_visible()
    expect(page.get_by_text("coverage", exact=True)).to_be_visible()
    # Record a change the patient reports having made, through the form.
    page.get_by_text("Program change", exact=True).click()
    page.get_by_label("Program now active").select_option(label="SCS Synthetic Neuro S1: Burst B")
    page.get_by_label("When (the patient's local time)").fill(
        (timezone.localdate() - timedelta(days=2)).isoformat() + "T20:15"
    )
    page.get_by_label("Who and where").select_option("patient")
    page.get_by_label("Why").fill("turned it down at night")
    page.get_by_role("button", name="Record program change").click()
    expect(page.get_by_text("Program change recorded.")).to_be_visible()
    expect(page.locator("td.change-who", has_text="entered by")).to_be_visible()
    assert page.console_errors == []
    screenshot(page, "monitoring-neuromodulation")
