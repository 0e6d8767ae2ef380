"""Extension points: capabilities add chart and patient-home sections and demo data."""

from __future__ import annotations

from datetime import date

import pytest

from painpath.analytics.synth import generate_cohort
from painpath.patients.cohort import load_cohort

pytestmark = pytest.mark.django_db

SEEN: list[object] = []


def chart_panel(request, patient) -> str:
    return f"<section id='test-panel'>panel for {patient.mrn}</section>"


def demo_loader(cohort, *, stored) -> None:
    SEEN.append((cohort.seed, sorted(stored.patients)[:1], "dr.rivera" in stored.users))


def test_chart_and_home_panels_render_in_order(world, as_user, settings):
    settings.PAINPATH_CHART_PANELS = [f"{__name__}.chart_panel"]
    settings.PAINPATH_PATIENT_HOME_PANELS = [f"{__name__}.chart_panel"]
    chart = as_user(world.dr_a).get(f"/patients/{world.p1.pk}/").content.decode()
    assert f"<section id='test-panel'>panel for {world.p1.mrn}</section>" in chart
    home = as_user(world.patient_user).get("/patients/me/").content.decode()
    assert "test-panel" in home


def test_demo_loaders_get_the_stored_cohort(settings):
    settings.PAINPATH_DEMO_LOADERS = [f"{__name__}.demo_loader"]
    SEEN.clear()
    stored = load_cohort(
        generate_cohort(n_patients=5, seed=9, as_of=date(2026, 1, 1)), password="x"
    )
    assert SEEN == [(9, ["SYN-000001"], True)]
    assert set(stored.patients) == {f"SYN-00000{i}" for i in range(1, 6)}
    assert stored.users["patient1"].patient_record.mrn == "SYN-000001"
