"""Open mHealth data points (heart-rate, rr-interval, step-count, sleep-episode schemas).

Accepts a JSON array of data points, one data point, ``{"data": [...]}`` (an object's first
top-level key that is "data" or "body" tells which), or NDJSON (one data point per line).
Both are streamed (ijson for JSON) in flat memory, within bounds checked first: a JSON file's
nesting depth, token length and the size of one data point are measured from the raw bytes
(``painpath.interop.limits.check_json``) before ijson reads it, and NDJSON lines are capped
in length; a file past a bound stops with ``LimitExceeded``. Each point
is ``{"header": {"schema_id": {"name": ...}}, "body": {...}}``; the body's
``effective_time_frame`` is a ``date_time`` or a ``time_interval`` with ``start_date_time`` and
``end_date_time`` (or a ``duration``).

sleep-episode (omh:sleep-episode 1.0 and 1.1): the sleep period runs from initial sleep onset
to final awakening (1.1: the ``effective_time_frame`` interval; 1.0:
``initial_sleep_onset_date_time`` / ``final_awakening_date_time``, or the frame plus
``total_sleep_period_duration``). ``latency_to_sleep_onset`` lies before it and
``latency_to_arising`` after it, in bed and awake. Time asleep is ``total_sleep_time``, else
``sleep_maintenance_efficiency_percentage`` of the period, else the period less
``wake_after_sleep_onset``, else the whole period. The schema gives totals, not their timing,
so an episode becomes stage samples laid out as: onset latency (awake), time asleep (stage
unknown), the rest of the period (awake), arising latency (awake) — the night's duration and
efficiency come out right; the order inside the period is nominal. Naps (``is_main_sleep``
false) are not nightly sleep: they are counted as skipped.
"""

from __future__ import annotations

import io
import json
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

import ijson  # type: ignore[import-untyped]

from painpath.interop.limits import (
    FileLimits,
    JsonShape,
    LimitExceeded,
    check_json,
    size_text,
)
from painpath.interop.wearables.errors import WearableFormatError
from painpath.interop.wearables.files import ReadProgress, bounded_lines, open_tracked

__all__ = ["read_openmhealth"]

# omh:duration-unit-value units, in seconds
DURATION_UNITS = {
    "ps": 1e-12,
    "ns": 1e-9,
    "us": 1e-6,
    "ms": 0.001,
    "sec": 1,
    "s": 1,
    "min": 60,
    "h": 3600,
    "d": 86_400,
    "wk": 604_800,
}
NAP = "sleep-episode (nap: is_main_sleep false)"


def _quantity(body: dict[str, Any], key: str) -> tuple[Any, Any]:
    raw = body.get(key)
    if isinstance(raw, dict):
        return raw.get("value"), raw.get("unit")
    return raw, None


def _seconds(raw: object) -> float | None:
    """An omh:duration-unit-value in seconds, or None if absent or unreadable."""
    if not isinstance(raw, dict):
        return None
    factor = DURATION_UNITS.get(str(raw.get("unit")))
    value = raw.get("value")
    if factor is None or isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) * factor


def _plus(start: object, seconds: float | None) -> Any:
    if not isinstance(start, str) or seconds is None:
        return None
    try:
        return (datetime.fromisoformat(start) + timedelta(seconds=seconds)).isoformat()
    except ValueError:
        return None


def _frame(body: dict[str, Any]) -> tuple[Any, Any]:
    frame = body.get("effective_time_frame") or {}
    if "date_time" in frame:
        return frame["date_time"], None
    interval = frame.get("time_interval") or {}
    start, end = interval.get("start_date_time"), interval.get("end_date_time")
    if end is None:
        end = _plus(start, _seconds(interval.get("duration")))
    return start, end


def _sleep(body: dict[str, Any], source: str, skipped: Counter[str]) -> list[dict[str, Any]]:
    if body.get("is_main_sleep") is False:
        skipped[NAP] += 1
        return []
    start, end = _frame(body)
    start = body.get("initial_sleep_onset_date_time") or start
    end = body.get("final_awakening_date_time") or (
        end if end is not None else _plus(start, _seconds(body.get("total_sleep_period_duration")))
    )
    base = {"type": "sleep", "unit": "stage", "source": source}
    try:
        onset, wake = datetime.fromisoformat(start), datetime.fromisoformat(end)
    except (TypeError, ValueError):
        # Let validation name the field and rule.
        return [base | {"value": "unknown", "start": start, "end": end}]
    period = (wake - onset).total_seconds()
    asleep = _seconds(body.get("total_sleep_time"))
    efficiency, _unit = _quantity(body, "sleep_maintenance_efficiency_percentage")
    if asleep is None and isinstance(efficiency, int | float):
        asleep = period * float(efficiency) / 100
    waso = _seconds(body.get("wake_after_sleep_onset"))
    if asleep is None and waso is not None:
        asleep = period - waso
    asleep = min(max(period if asleep is None else asleep, 0.0), max(period, 0.0))
    before = _seconds(body.get("latency_to_sleep_onset")) or 0.0
    after = _seconds(body.get("latency_to_arising")) or 0.0
    asleep_end = onset + timedelta(seconds=asleep)
    stages = [
        ("awake", onset - timedelta(seconds=before), onset),
        ("unknown", onset, asleep_end),
        ("awake", asleep_end, wake),
        ("awake", wake, wake + timedelta(seconds=after)),
    ]
    out = [
        base | {"value": stage, "start": lo.isoformat(), "end": hi.isoformat()}
        for stage, lo, hi in stages
        if hi > lo
    ]
    # A zero-length or reversed period still reaches validation, which names the rule.
    return out or [base | {"value": "unknown", "start": start, "end": end}]


def _records(point: object, skipped: Counter[str]) -> list[dict[str, Any]]:
    if not isinstance(point, dict) or not isinstance(point.get("body"), dict):
        return [{"type": None}]  # reported by validation as an invalid record
    header = point.get("header") or {}
    name = (header.get("schema_id") or {}).get("name")
    body = point["body"]
    source = str((header.get("acquisition_provenance") or {}).get("source_name", "open-mhealth"))
    source = source[:64]
    if name == "sleep-episode":
        return _sleep(body, source, skipped)
    start, end = _frame(body)
    record: dict[str, Any] = {"start": start, "end": end, "source": source}
    if name == "heart-rate":
        value, unit = _quantity(body, "heart_rate")
        record.update(type="heart_rate", value=value, unit=unit or "beats/min")
    elif name == "rr-interval":
        value, unit = _quantity(body, "rr_interval")
        record.update(type="rr_interval", value=value, unit=unit or "ms")
    elif name == "step-count":
        value, unit = _quantity(body, "step_count")
        record.update(type="steps", value=value, unit=unit or "steps")
    else:
        skipped[str(name)] += 1
        return []
    return [record]


def _ndjson(
    handle: BinaryIO, skipped: Counter[str], limits: FileLimits, progress: ReadProgress | None
) -> Iterator[dict[str, Any]]:
    lines = io.BufferedReader(bounded_lines(handle, limits, progress))
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            point = json.loads(line)
        except json.JSONDecodeError as exc:
            raise WearableFormatError(f"line {number} is not JSON: {exc.msg}") from exc
        except UnicodeDecodeError as exc:
            raise WearableFormatError(f"line {number} is not UTF-8 text: {exc.reason}") from exc
        except RecursionError as exc:  # a line is at most max_line_bytes: bounded work
            raise LimitExceeded(f"line {number} is JSON nested too deeply") from exc
        yield from _records(point, skipped)


def _first_byte(handle: BinaryIO) -> bytes:
    while chunk := handle.read(4096):
        stripped = chunk.lstrip().removeprefix(b"\xef\xbb\xbf").lstrip()
        if stripped:
            return stripped[:1]
    return b""


def _envelope(handle: BinaryIO) -> bool:
    """Whether a top-level object is an envelope ``{"data": [...]}`` rather than one data
    point: its first top-level key that is "data" or "body" decides. Reads only up to that
    key (the points are then streamed from the start in the one full pass)."""
    for prefix, event, value in ijson.parse(handle):
        if prefix == "" and event == "map_key" and value in {"data", "body"}:
            return bool(value == "data")
    return False


def _shape(handle: BinaryIO, limits: FileLimits, progress: ReadProgress | None) -> JsonShape:
    """Depth, token length and container sizes of the whole file, before ijson reads it."""
    size = handle.seek(0, io.SEEK_END)
    handle.seek(0)
    if size > limits.max_expanded_bytes:
        raise LimitExceeded(f"the file is larger than {size_text(limits.max_expanded_bytes)}")
    shape = check_json(
        handle,
        max_depth=limits.max_depth,
        max_token=limits.max_json_token_bytes,
        on_read=progress.tick if progress is not None else None,
    )
    handle.seek(0)
    return shape


def _json(
    handle: BinaryIO, skipped: Counter[str], limits: FileLimits, progress: ReadProgress | None
) -> Iterator[dict[str, Any]]:
    shape = _shape(handle, limits, progress)
    first = _first_byte(handle)
    handle.seek(0)
    if first == b"[":
        prefix, level = "item", 2
    elif first == b"{":
        prefix, level = ("data.item", 3) if _envelope(handle) else ("", 1)
        handle.seek(0)
    else:
        raise WearableFormatError("expected a JSON array or object of Open mHealth data points")
    if shape.largest[level - 1] > limits.max_item_bytes:
        raise LimitExceeded(
            f"a data point is larger than {size_text(limits.max_item_bytes)} of JSON "
            f"({size_text(shape.largest[level - 1])})"
        )
    for point in ijson.items(handle, prefix, use_float=True):
        yield from _records(point, skipped)


def read_openmhealth(
    path: Path,
    *,
    skipped: Counter[str],
    progress: ReadProgress | None = None,
    limits: FileLimits = FileLimits(),  # noqa: B008 - frozen, shared safely
) -> Iterator[dict[str, Any]]:
    with open_tracked(path, progress) as handle:
        try:
            if path.suffix in {".ndjson", ".jsonl"}:
                yield from _ndjson(handle, skipped, limits, progress)
            else:
                yield from _json(handle, skipped, limits, progress)
        except ijson.JSONError as exc:
            raise WearableFormatError(f"not a valid JSON file: {_first_line(exc)}") from exc


def _first_line(exc: Exception) -> str:
    """ijson's (yajl's) message is bytes with an excerpt; its first line names the error."""
    raw = exc.args[0] if exc.args else exc
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__
