"""Apple Health (streamed), Open mHealth and CSV readers feed the one validated schema."""

from __future__ import annotations

import json
import tracemalloc
from collections import Counter
from datetime import UTC, datetime

import pytest
from tests.interop.wearables.apple_export import write_export

from painpath.interop.wearables.apple_health import read_apple_health
from painpath.interop.wearables.csv_samples import read_csv_samples
from painpath.interop.wearables.errors import WearableFormatError
from painpath.interop.wearables.openmhealth import read_openmhealth
from painpath.interop.wearables.schema import validate_samples

NOW = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.mark.parametrize("zipped", [False, True])
def test_apple_health_export_maps_every_type(tmp_path, zipped):
    path = write_export(tmp_path, minutes=10, zipped=zipped)
    skipped: Counter[str] = Counter()
    batch = validate_samples(read_apple_health(path, skipped=skipped), now=NOW)
    assert batch.issues == []
    assert batch.counts_by_type() == {"heart_rate": 10, "steps": 10, "sleep": 1, "rr_interval": 2}
    assert skipped == {
        "HKQuantityTypeIdentifierBodyMass": 1,
        "HKCategoryValueSleepAnalysisInBed": 1,
    }
    rr = [v for t, v in zip(batch.types, batch.values, strict=True) if t == 2]
    assert rr == pytest.approx([800.0, 820.0])


def test_apple_health_streams_large_exports_in_flat_memory(tmp_path):
    path = write_export(tmp_path, minutes=10_000)  # 20,000 records, ~4 MB
    size = path.stat().st_size
    assert size > 3_500_000
    tracemalloc.start()
    count = sum(1 for _ in read_apple_health(path, skipped=Counter()))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert count == 20_003
    assert peak < size / 4, (peak, size)  # never the whole file (nor its tree) in memory


def test_apple_health_refuses_broken_xml_and_entity_declarations(tmp_path):
    bad = tmp_path / "export.xml"
    bad.write_text("<HealthData><Record type=")
    with pytest.raises(WearableFormatError, match="well-formed"):
        list(read_apple_health(bad, skipped=Counter()))
    bomb = tmp_path / "bomb.xml"
    bomb.write_text('<!DOCTYPE x [<!ENTITY a "aaaa">]><HealthData>&a;</HealthData>')
    with pytest.raises(Exception, match="Entit"):
        list(read_apple_health(bomb, skipped=Counter()))


def test_open_mhealth_points(tmp_path):
    points = [
        {
            "header": {"schema_id": {"namespace": "omh", "name": "heart-rate", "version": "2.0"}},
            "body": {
                "heart_rate": {"value": 61, "unit": "beats/min"},
                "effective_time_frame": {"date_time": "2026-03-01T07:00:00-05:00"},
            },
        },
        {
            "header": {"schema_id": {"name": "step-count"}},
            "body": {
                "step_count": {"value": 500, "unit": "steps"},
                "effective_time_frame": {
                    "time_interval": {
                        "start_date_time": "2026-03-01T08:00:00-05:00",
                        "duration": {"value": 10, "unit": "min"},
                    }
                },
            },
        },
        {
            "header": {"schema_id": {"name": "rr-interval"}},
            "body": {
                "rr_interval": {"value": 812, "unit": "ms"},
                "effective_time_frame": {"date_time": "2026-03-01T02:00:00.812-05:00"},
            },
        },
        {
            "header": {"schema_id": {"name": "sleep-episode"}},
            "body": {
                "effective_time_frame": {
                    "time_interval": {
                        "start_date_time": "2026-03-01T00:00:00-05:00",
                        "end_date_time": "2026-03-01T06:00:00-05:00",
                    }
                }
            },
        },
        {"header": {"schema_id": {"name": "body-weight"}}, "body": {}},
        {
            "header": {"schema_id": {"name": "heart-rate"}},
            "body": {
                "heart_rate": {"value": 61, "unit": "beats/s"},
                "effective_time_frame": {"date_time": "2026-03-01T07:01:00-05:00"},
            },
        },
    ]
    path = tmp_path / "omh.json"
    path.write_text(json.dumps(points))
    skipped: Counter[str] = Counter()
    batch = validate_samples(read_openmhealth(path, skipped=skipped), now=NOW)
    assert batch.counts_by_type() == {"heart_rate": 1, "steps": 1, "rr_interval": 1, "sleep": 1}
    assert skipped == {"body-weight": 1}
    assert [(i.index, i.field) for i in batch.issues] == [(4, "unit")]
    assert batch.duration_ms[1] == 600_000


def test_csv_with_documented_header_and_a_wrong_unit(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text(
        "type,unit,value,start,end,source\n"
        "steps,count,120,2026-03-01T09:00:00+01:00,2026-03-01T09:01:00+01:00,band\n"
        "heart_rate,bpm,72,2026-03-01T09:00:00+01:00,,band\n"
        "heart_rate,mmHg,72,2026-03-01T09:00:00+01:00,,band\n"
        "sleep,stage,deep,2026-03-01T01:00:00+01:00,2026-03-01T02:00:00+01:00,band\n"
    )
    batch = validate_samples(read_csv_samples(path, skipped=Counter()), now=NOW)
    assert len(batch) == 3
    assert [(i.index, i.field) for i in batch.issues] == [(2, "unit")]
    headless = tmp_path / "bad.csv"
    headless.write_text("a,b\n1,2\n")
    with pytest.raises(WearableFormatError, match="header lacks"):
        list(read_csv_samples(headless, skipped=Counter()))
