"""Alert burden measured on stored alerts (`painpath alerts burden`), figures worked by hand."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from painpath.alerts.burden import UnknownClinic, measure
from painpath.audit.models import AuditEvent
from painpath.diary.models import CheckIn
from tests.alerts.conftest import make_alert

NOW = dt.datetime(2026, 3, 29, 5, 0, tzinfo=dt.UTC)  # window: 1 March 05:00 to 29 March 05:00


def utc(month: int, day: int, hour: int = 5, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=dt.UTC)


@pytest.fixture
def panel(world):
    """Clinic A: p1 from its first check-in (1 Feb, before the window: 4 weeks), p2 from its
    record (15 March: 2 weeks), p3 from its record (22 March: 1 week; its check-in is later).
    Clinic B: p_other from its record (1 January: 4 weeks). 11 patient-weeks in all."""
    for patient, created in (
        (world.p1, utc(3, 20)),
        (world.p2, utc(3, 15)),
        (world.p3, utc(3, 22)),
        (world.p_other, utc(1, 1)),
    ):
        type(patient).objects.filter(pk=patient.pk).update(created_at=created)
    CheckIn.objects.create(patient=world.p1, day=dt.date(2026, 2, 1), pain_now=5, pain_average=5)
    CheckIn.objects.create(patient=world.p3, day=dt.date(2026, 3, 25), pain_now=4, pain_average=4)
    make_alert(world.p1, rule="naloxone-not-prescribed", created_at=utc(3, 10))
    make_alert(world.p2, rule="mme-prescribed-90", created_at=utc(3, 16),
               status="acknowledged", acknowledged_at=utc(3, 16, 5, 45))  # fmt: skip
    make_alert(world.p3, rule="phq9-item9-positive", severity="urgent", rank=3,
               created_at=utc(3, 28))  # fmt: skip
    make_alert(world.p3, rule="adherence-low", severity="warning", rank=1, created_at=utc(2, 20),
               status="resolved", acknowledged_at=utc(2, 21), resolved_at=utc(2, 21))  # fmt: skip
    make_alert(world.p_other, rule="no-checkin", severity="warning", rank=1,
               created_at=utc(3, 20), status="acknowledged",
               acknowledged_at=utc(3, 20, 7, 5))  # fmt: skip
    return world


@pytest.mark.django_db
def test_whole_database(panel) -> None:
    with time_machine.travel(NOW, tick=False):
        result = measure(days=28)
    r = result.report
    assert (r.patients, r.synthetic_patients) == (4, 4)
    assert r.patient_weeks == pytest.approx(4 + 2 + 1 + 4)
    assert r.alerts_raised == 4  # the February alert is before the window
    assert r.per_patient_week == pytest.approx(4 / 11)
    assert {x.severity: x.alerts for x in r.by_severity} == {"urgent": 1, "high": 2, "warning": 1}
    assert (r.patients_with_open_high_or_urgent, r.share_with_open_high_or_urgent) == (2, 0.5)
    assert r.open_alerts_now == {"urgent": 1, "high": 1}
    # acknowledged after 45 and 125 minutes
    assert (r.acknowledged, r.median_minutes_to_acknowledge) == (2, pytest.approx(85))
    assert (r.not_acknowledged, r.not_acknowledged_still_open) == (2, 2)
    assert result.missing_sources == ()


@pytest.mark.django_db
def test_one_clinic(panel) -> None:
    with time_machine.travel(NOW, tick=False):
        r = measure(days=28, clinic_slug="clinic-a").report
    assert r.patients == 3
    assert r.patient_weeks == pytest.approx(7)
    assert r.alerts_raised == 3
    assert r.per_patient_week == pytest.approx(3 / 7)
    assert r.share_with_open_high_or_urgent == pytest.approx(2 / 3)
    assert (r.acknowledged, r.median_minutes_to_acknowledge) == (1, pytest.approx(45))


@pytest.mark.django_db
def test_a_shorter_window_counts_only_its_alerts_and_time(panel) -> None:
    # 7 days from 22 March 05:00: p1, p2 and p3 a week each, p_other a week: 4 patient-weeks;
    # only the PHQ-9 alert (28 March) is raised in it; open alerts still count whenever raised
    with time_machine.travel(NOW, tick=False):
        r = measure(days=7).report
    assert r.patient_weeks == pytest.approx(4)
    assert [(x.rule_id, x.alerts) for x in r.by_rule] == [("phq9-item9-positive", 1)]
    assert r.patients_with_open_high_or_urgent == 2


@pytest.mark.django_db
def test_measuring_is_audited_without_naming_a_patient(panel) -> None:
    before = AuditEvent.objects.count()
    with time_machine.travel(NOW, tick=False):
        measure(days=28, clinic_slug="clinic-a")
    event = AuditEvent.objects.order_by("-seq").first()
    assert AuditEvent.objects.count() == before + 1
    assert (event.action, event.object_type, event.patient_id) == ("export", "AlertBurden", None)
    assert event.detail == {"days": 28, "clinic": "clinic-a", "patients": 3}


@pytest.mark.django_db
def test_unknown_clinic_and_bad_window(world) -> None:
    with pytest.raises(UnknownClinic):
        measure(clinic_slug="nowhere")
    with pytest.raises(ValueError, match="days"):
        measure(days=0)
