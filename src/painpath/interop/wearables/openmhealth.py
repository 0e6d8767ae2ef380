"""Open mHealth data points (heart-rate, rr-interval, step-count, sleep-episode schemas).

Accepts a JSON array of data points, one data point, ``{"data": [...]}``, or NDJSON (one data
point per line, streamed). Each point is ``{"header": {"schema_id": {"name": ...}}, "body":
{...}}``; the body's ``effective_time_frame`` is a ``date_time`` or a ``time_interval`` with
``start_date_time`` and ``end_date_time`` (or a ``duration``).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from painpath.interop.wearables.errors import WearableFormatError

__all__ = ["read_openmhealth"]

DURATION_UNITS = {"ms": 0.001, "sec": 1, "s": 1, "min": 60, "h": 3600}


def _quantity(body: dict[str, Any], key: str) -> tuple[Any, Any]:
    raw = body.get(key)
    if isinstance(raw, dict):
        return raw.get("value"), raw.get("unit")
    return raw, None


def _frame(body: dict[str, Any]) -> tuple[Any, Any]:
    frame = body.get("effective_time_frame") or {}
    if "date_time" in frame:
        return frame["date_time"], None
    interval = frame.get("time_interval") or {}
    start, end = interval.get("start_date_time"), interval.get("end_date_time")
    duration = interval.get("duration")
    if end is None and isinstance(start, str) and isinstance(duration, dict):
        factor = DURATION_UNITS.get(str(duration.get("unit")))
        try:
            if factor is not None:
                end = (
                    datetime.fromisoformat(start) + timedelta(seconds=duration["value"] * factor)
                ).isoformat()
        except (ValueError, TypeError, KeyError):
            end = None
    return start, end


def _record(point: object, skipped: Counter[str]) -> dict[str, Any] | None:
    if not isinstance(point, dict) or not isinstance(point.get("body"), dict):
        return {"type": None}  # reported by validation as an invalid record
    name = ((point.get("header") or {}).get("schema_id") or {}).get("name")
    body = point["body"]
    start, end = _frame(body)
    source = ((point.get("header") or {}).get("acquisition_provenance") or {}).get(
        "source_name", "open-mhealth"
    )
    record: dict[str, Any] = {"start": start, "end": end, "source": str(source)[:64]}
    if name == "heart-rate":
        value, unit = _quantity(body, "heart_rate")
        record.update(type="heart_rate", value=value, unit=unit or "beats/min")
    elif name == "rr-interval":
        value, unit = _quantity(body, "rr_interval")
        record.update(type="rr_interval", value=value, unit=unit or "ms")
    elif name == "step-count":
        value, unit = _quantity(body, "step_count")
        record.update(type="steps", value=value, unit=unit or "steps")
    elif name == "sleep-episode":
        stage = body.get("sleep_stage", "unknown")
        record.update(type="sleep", value=stage, unit="stage")
    else:
        skipped[str(name)] += 1
        return None
    return record


def read_openmhealth(path: Path, *, skipped: Counter[str]) -> Iterator[dict[str, Any]]:
    if path.suffix in {".ndjson", ".jsonl"}:
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    point = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise WearableFormatError(f"line {number} is not JSON: {exc.msg}") from exc
                record = _record(point, skipped)
                if record is not None:
                    yield record
        return
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise WearableFormatError(f"not a JSON file: {exc}") from exc
    points = data.get("data", [data]) if isinstance(data, dict) else data
    if not isinstance(points, list):
        raise WearableFormatError("expected a list of Open mHealth data points")
    for point in points:
        record = _record(point, skipped)
        if record is not None:
            yield record
