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


# ---- Open mHealth sleep-episode (schemas 1.0 and 1.1) ---------------------------------------

# The schemas' own valid examples (openmhealth/schemas test-data/omh/sleep-episode/*/shouldPass).
SLEEP_1_1 = {
    "effective_time_frame": {
        "time_interval": {
            "start_date_time": "2016-02-05T21:35:00Z",
            "duration": {"value": 9, "unit": "h"},
        }
    },
    "latency_to_sleep_onset": {"value": 17.5, "unit": "min"},
    "latency_to_arising": {"value": 5.2, "unit": "min"},
    "total_sleep_time": {"value": 8.5, "unit": "h"},
    "wake_after_sleep_onset": {"value": 30, "unit": "min"},
    "number_of_awakenings": 1,
    "is_main_sleep": True,
    "sleep_maintenance_efficiency_percentage": {"value": 94.4, "unit": "%"},
}
SLEEP_1_0 = {
    "initial_sleep_onset_date_time": "2016-02-05T21:35:00Z",
    "effective_time_frame": {"date_time": "2016-02-05T21:35:00Z"},
    "final_awakening_date_time": "2016-02-06T06:35:00Z",
    "latency_to_sleep_onset": {"value": 17.5, "unit": "min"},
    "latency_to_arising": {"value": 5.2, "unit": "min"},
    "total_sleep_period_duration": {"value": 9, "unit": "h"},
    "total_sleep_time": {"value": 8.5, "unit": "h"},
    "number_of_awakenings": 1,
    "is_main_sleep": True,
    "sleep_maintenance_efficiency_percentage": {"value": 94.4, "unit": "%"},
}


def _point(name: str, body: dict) -> dict:
    return {"header": {"schema_id": {"namespace": "omh", "name": name}}, "body": body}


@pytest.mark.parametrize("body", [SLEEP_1_1, SLEEP_1_0], ids=["1.1", "1.0"])
def test_sleep_episode_follows_the_schema(tmp_path, body):
    from painpath.analytics.daily_summaries import SampleColumns, summarise_days

    path = tmp_path / "sleep.json"
    path.write_text(json.dumps([_point("sleep-episode", body)]))
    batch = validate_samples(read_openmhealth(path, skipped=Counter()), now=NOW)
    assert batch.issues == []
    rows = [
        (1, t, s, d, v)
        for t, s, d, v in zip(
            batch.types, batch.start_ms, batch.duration_ms, batch.values, strict=True
        )
    ]
    (day,) = summarise_days(SampleColumns.from_rows(rows), {1: "UTC"})
    assert day.sleep_minutes == pytest.approx(8.5 * 60)
    # Efficiency = time asleep / time in bed (onset latency + the 9 h period + arising).
    assert day.sleep_efficiency == pytest.approx(510 / (17.5 + 540 + 5.2))
    assert day.sleep_efficiency < 1


def test_sleep_episode_efficiency_percentage_when_no_total_and_naps_are_skipped(tmp_path):
    night = {
        "effective_time_frame": {
            "time_interval": {
                "start_date_time": "2026-03-01T23:00:00+01:00",
                "end_date_time": "2026-03-02T07:00:00+01:00",
            }
        },
        "sleep_maintenance_efficiency_percentage": {"value": 75, "unit": "%"},
    }
    nap = dict(night, is_main_sleep=False)
    path = tmp_path / "sleep.json"
    path.write_text(
        json.dumps({"data": [_point("sleep-episode", night), _point("sleep-episode", nap)]})
    )
    skipped: Counter[str] = Counter()
    batch = validate_samples(read_openmhealth(path, skipped=skipped), now=NOW)
    asleep = sum(d for d, v in zip(batch.duration_ms, batch.values, strict=True) if v != 0)
    assert asleep == 6 * 3_600_000  # 75% of 8 hours
    assert sum(batch.duration_ms) == 8 * 3_600_000
    assert skipped == {"sleep-episode (nap: is_main_sleep false)": 1}


def test_open_mhealth_single_point_envelope_and_broken_json(tmp_path):
    hr = _point(
        "heart-rate",
        {
            "heart_rate": {"value": 61, "unit": "beats/min"},
            "effective_time_frame": {"date_time": "2026-03-01T07:00:00-05:00"},
        },
    )
    single = tmp_path / "one.json"
    single.write_text(json.dumps(hr))
    assert len(validate_samples(read_openmhealth(single, skipped=Counter()), now=NOW)) == 1
    envelope = tmp_path / "env.json"
    envelope.write_text(json.dumps({"count": 2, "data": [hr, hr]}))
    assert len(list(read_openmhealth(envelope, skipped=Counter()))) == 2
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps([hr, hr])[:-20])
    with pytest.raises(WearableFormatError, match="not a valid JSON file"):
        list(read_openmhealth(broken, skipped=Counter()))
    lines = tmp_path / "points.ndjson"
    lines.write_text(json.dumps(hr) + "\n" + "{oops\n")
    with pytest.raises(WearableFormatError, match="line 2"):
        list(read_openmhealth(lines, skipped=Counter()))


def test_open_mhealth_arrays_are_streamed_in_flat_memory(tmp_path):
    path = tmp_path / "big.json"
    with path.open("w") as out:
        out.write("[")
        for i in range(40_000):
            point = _point(
                "heart-rate",
                {
                    "heart_rate": {"value": 60 + i % 30, "unit": "beats/min"},
                    "effective_time_frame": {
                        "date_time": f"2026-03-01T{i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d}Z"
                    },
                },
            )
            out.write(("," if i else "") + json.dumps(point))
        out.write("]")
    size = path.stat().st_size
    assert size > 5_000_000
    tracemalloc.start()
    count = sum(1 for _ in read_openmhealth(path, skipped=Counter()))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert count == 40_000
    assert peak < size / 4, (peak, size)  # json.load would hold the whole file and its objects


# ---- damaged files and progress --------------------------------------------------------------


def test_csv_that_is_not_utf8_is_a_format_error(tmp_path):
    path = tmp_path / "s.csv"
    path.write_bytes(b"type,unit,value,start,end,source\nheart_rate,bpm,\xff\xfe,x,,w\n")
    with pytest.raises(WearableFormatError, match="not UTF-8"):
        list(read_csv_samples(path, skipped=Counter()))
    bom = tmp_path / "bom.csv"  # spreadsheet programs write a byte-order mark
    bom.write_bytes(b"\xef\xbb\xbftype,unit,value,start,end,source\n")
    assert list(read_csv_samples(bom, skipped=Counter())) == []


def test_damaged_zip_is_a_format_error(tmp_path):
    path = write_export(tmp_path, minutes=300, zipped=True)
    data = bytearray(path.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 64] = bytes(64)
    path.write_bytes(bytes(data))
    with pytest.raises(WearableFormatError):
        list(read_apple_health(path, skipped=Counter()))


@pytest.mark.parametrize("zipped", [False, True])
def test_progress_reports_bytes_read(tmp_path, zipped):
    from painpath.interop.wearables.files import ReadProgress

    path = write_export(tmp_path, minutes=3000, zipped=zipped)
    progress = ReadProgress()
    seen = []
    for i, _record in enumerate(read_apple_health(path, skipped=Counter(), progress=progress)):
        if i % 1000 == 0:
            seen.append(progress.bytes_read)
    assert seen == sorted(seen) and 0 < seen[len(seen) // 2] < path.stat().st_size
    assert progress.bytes_read <= path.stat().st_size
