"""The SYNTHETIC wearables and stimulators: deterministic, labelled, minute-level, months
long, and the demo's SCS patients' diary pain really moves after program changes."""

from __future__ import annotations

from datetime import date, timedelta
from statistics import mean

import numpy as np
import pytest

from painpath.analytics.synth import generate_cohort
from painpath.analytics.synth_wearables import (
    DEMO_DAYS,
    MINUTE_HR_DAYS,
    generate_wearables,
    pain_shift_on,
    shift_pain,
    synthetic_stimulators,
)

AS_OF = date(2026, 11, 1)
PATIENTS = [(f"SYN-{i:06d}", "Europe/Berlin" if i % 2 else "America/New_York") for i in range(8)]


def test_same_seed_same_data_other_seed_differs():
    a = generate_wearables(PATIENTS[:2], as_of=AS_OF, days=30, seed=3)
    b = generate_wearables(PATIENTS[:2], as_of=AS_OF, days=30, seed=3)
    c = generate_wearables(PATIENTS[:2], as_of=AS_OF, days=30, seed=4)
    for x, y in zip(a, b, strict=True):
        assert np.array_equal(x.start_ms, y.start_ms) and np.array_equal(x.value, y.value)
        assert x.stimulator == y.stimulator
    assert not np.array_equal(a[0].value[:1000], c[0].value[:1000])
    # A patient's data does not depend on who else is in the cohort.
    alone = generate_wearables(PATIENTS[1:2], as_of=AS_OF, days=30, seed=3)
    assert np.array_equal(alone[0].value, a[1].value)


def test_everything_is_labelled_synthetic():
    data = generate_wearables(PATIENTS, as_of=AS_OF, days=30)
    assert all(d.synthetic for d in data)
    stims = [d.stimulator for d in data if d.stimulator is not None]
    assert stims and all(s.synthetic and "SYNTHETIC" in s.make for s in stims)


def test_months_of_data_with_minute_level_heart_rate_and_steps():
    (data,) = generate_wearables(PATIENTS[:1], as_of=AS_OF)
    assert DEMO_DAYS >= 90
    hr = np.sort(data.start_ms[data.type == 1])
    assert (hr[-1] - hr[0]) / 86_400_000 > DEMO_DAYS - 2
    recent = hr[hr >= hr[-1] - (MINUTE_HR_DAYS - 1) * 86_400_000]
    older = hr[hr < hr[-1] - (MINUTE_HR_DAYS + 1) * 86_400_000]
    assert np.median(np.diff(recent)) == 60_000  # one sample a minute
    assert recent.size > 0.9 * 1440 * (MINUTE_HR_DAYS - 1)
    assert np.median(np.diff(older)) == 600_000  # every 10 minutes before that
    steps = data.start_ms[data.type == 3]
    assert steps.size > 0 and np.all(steps % 60_000 == steps[0] % 60_000)  # whole minutes


def test_every_fourth_patient_by_mrn_has_a_stimulator_with_pain_shifts():
    stims = synthetic_stimulators([m for m, _ in PATIENTS], as_of=AS_OF)
    assert sorted(stims) == [PATIENTS[0][0], PATIENTS[4][0]]
    stim = stims[PATIENTS[0][0]]
    first, second = (day for day, _shift in stim.pain_shift)
    assert [name for _d, name, _r in stim.changes][1:] == ["Burst B", "HF 10k"]
    assert {d for d, _n, _r in stim.changes} >= {first, second}
    assert pain_shift_on(stim, first - timedelta(days=1)) == 0
    assert pain_shift_on(stim, first) < 0
    assert pain_shift_on(stim, second) < pain_shift_on(stim, first)
    assert shift_pain(6, stim, first - timedelta(days=1)) == 6
    assert shift_pain(6, stim, second) < shift_pain(6, stim, first) < 6
    assert shift_pain(0, stim, second) == 0  # stays on the 0-10 scale
    # Usage follows the active program.
    by_day = {d: n for d, n, _h in stim.usage}
    assert by_day[first - timedelta(days=1)] == "Tonic A" and by_day[first] == "Burst B"


@pytest.mark.django_db
def test_demo_scs_patients_pain_drops_after_program_changes(settings):
    from painpath.analytics.synth_diary import generate_measurements
    from painpath.core.context import Actor
    from painpath.devices.models import DailySummary, ProgramChange, StimDevice
    from painpath.devices.neuro_reads import neuromodulation_overview
    from painpath.diary.models import CheckIn
    from painpath.patients.cohort import load_cohort
    from painpath.patients.models import CareTeam

    settings.PAINPATH_DEMO_LOADERS = [
        "painpath.diary.cohort.load_demo",
        "painpath.devices.cohort.load_demo",
    ]
    cohort = generate_cohort(n_patients=8, seed=5, as_of=AS_OF)
    stored = load_cohort(cohort, password="x-synthetic-demo-1")
    devices = list(StimDevice.objects.select_related("patient"))
    assert devices and all(d.synthetic for d in devices)
    stims = synthetic_stimulators(list(stored.patients), as_of=AS_OF, seed=5)
    assert {d.patient.mrn for d in devices} == set(stims)
    generated = {
        (c.mrn, c.day): c.pain_average for c in generate_measurements(cohort, seed=5).checkins
    }
    drops = []
    for device in devices:
        patient = device.patient
        stim = stims[patient.mrn]
        stored_pain = dict(
            CheckIn.objects.filter(patient=patient).values_list("day", "pain_average")
        )
        assert stored_pain == {
            day: shift_pain(generated[(patient.mrn, day)], stim, day) for day in stored_pain
        }
        assert any(v != generated[(patient.mrn, d)] for d, v in stored_pain.items())
        team = CareTeam.objects.filter(patients=patient).first()
        clinician = team.members.filter(role="clinician").first()
        overview = neuromodulation_overview(actor=Actor(user=clinician), patient_id=patient.pk)
        for effect in overview.changes[1:]:  # the two changes after the initial program
            if effect.pain_before is not None and effect.pain_after is not None:
                drops.append(effect.pain_after - effect.pain_before)
        assert ProgramChange.objects.filter(device=device).count() == 3
        assert DailySummary.objects.filter(patient=patient).exclude(stim_hours={}).exists()
    assert drops and mean(drops) < -0.5
