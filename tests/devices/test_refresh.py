"""Daily-summary refresh: reads one key range per (patient, type), no redundant indexes on
the samples table, and concurrent refreshes of overlapping days are safe."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from tests.devices.factories import BASE

from painpath.devices import services
from painpath.devices.bulk import insert_samples
from painpath.devices.models import DailySummary, DeviceSource

pytestmark = pytest.mark.django_db
DAY = date(2026, 3, 2)


def _minutes(patient, n: int, *, value: float = 100.0) -> None:
    source = DeviceSource.objects.get_or_create(patient=patient, key="w")[0]
    start = int(BASE.timestamp() * 1000)
    insert_samples(
        [(patient.pk, 3, start + i * 60_000, 60_000, source.pk, value) for i in range(n)]
    )


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="reads SQLite's query plan (PostgreSQL plans differ)"
)
def test_the_refresh_reads_a_primary_key_range_per_type(world):
    _minutes(world.p1, 10)
    with CaptureQueriesContext(connection) as queries:
        services.refresh_daily_summaries(patient_ids=[world.p1.pk], days=[DAY])
    (read,) = [q["sql"] for q in queries if 'FROM "devices_sample"' in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {read}")
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    # patient and type fix the key prefix, so start_ms bounds the range (not a patient scan).
    assert "type=?" in plan and "start_ms>" in plan, plan


def test_the_samples_table_has_no_redundant_indexes():
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "devices_sample")
    indexed = [c["columns"] for c in constraints.values() if c["index"] or c["primary_key"]]
    assert ["patient_id"] not in indexed and ["source_id"] not in indexed
    # (SQLite's introspection lists key columns in table order, so compare as sets.)
    assert {"patient_id", "type", "start_ms", "duration_ms", "source_id"} in map(set, indexed)
    assert len(indexed) == 1  # the primary key is the only index


def test_refresh_replaces_only_the_given_days(world, monkeypatch):
    _minutes(world.p1, 10)
    DailySummary.objects.create(patient=world.p1, day=DAY + timedelta(days=5), steps=7)
    assert services.refresh_daily_summaries(patient_ids=[world.p1.pk], days=[DAY]) == 1
    steps = dict(DailySummary.objects.values_list("day", "steps"))
    assert steps == {DAY: 1000, DAY + timedelta(days=5): 7}
    # Days further apart than one window are refreshed in separate windows (transactions),
    # each reading only its own samples; days within one window share one.
    windows: list[set[date]] = []
    refresh_window = services._refresh_window

    def spy(ids: list[int], day_set: set[date]) -> int:
        windows.append(set(day_set))
        return refresh_window(ids, day_set)

    monkeypatch.setattr(services, "_refresh_window", spy)
    near = DAY + timedelta(days=services.REFRESH_WINDOW_DAYS - 1)
    far = DAY + timedelta(days=services.REFRESH_WINDOW_DAYS * 2)
    with CaptureQueriesContext(connection) as queries:
        assert (
            services.refresh_daily_summaries(patient_ids=[world.p1.pk], days=[far, near, DAY]) == 1
        )
    assert windows == [{DAY, near}, {far}]
    assert len([q for q in queries if 'FROM "devices_sample"' in q["sql"]]) == 2


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite's IMMEDIATE transactions serialise writers; the race needs PostgreSQL",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_refreshes_of_overlapping_days_do_not_collide(world):
    _minutes(world.p1, 30)
    errors: list[BaseException] = []
    days = [[DAY - timedelta(days=1), DAY], [DAY, DAY + timedelta(days=1)]]

    def refresh(which: list[date]) -> None:
        try:
            for _ in range(15):
                services.refresh_daily_summaries(patient_ids=[world.p1.pk], days=which)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=refresh, args=(d,)) for d in days]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert list(DailySummary.objects.values_list("day", "steps")) == [(DAY, 3000)]
