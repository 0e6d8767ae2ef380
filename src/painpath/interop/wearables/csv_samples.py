"""Plain CSV of samples with a documented header, streamed row by row.

Header (first line, these names, any order; ``end`` and ``source`` may be left empty)::

    type,unit,value,start,end,source

``type`` is heart_rate, rr_interval, steps, sleep or active_minutes; ``unit`` the type's unit
(bpm, ms, count, stage, min); ``value`` a number (a stage name for sleep); ``start``/``end``
ISO 8601 with an offset, e.g. ``2026-03-01T07:30:00+01:00``. The file is UTF-8 (a leading
byte-order mark, as spreadsheet programs write, is allowed). A line longer than
``limits.max_line_bytes`` stops the import (``LimitExceeded``); a field longer than the csv
module's own limit (128 KiB) is a format error.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from painpath.interop.limits import FileLimits
from painpath.interop.wearables.errors import WearableFormatError
from painpath.interop.wearables.files import ReadProgress, bounded_lines, open_tracked

__all__ = ["CSV_HEADER", "read_csv_samples"]

CSV_HEADER = ("type", "unit", "value", "start", "end", "source")
REQUIRED = {"type", "unit", "value", "start"}


def _number(text: str) -> float | str:
    try:
        return float(text)
    except ValueError:
        return text


def _rows(reader: csv.DictReader[str]) -> Iterator[dict[str, Any]]:
    header = set(reader.fieldnames or [])
    missing = REQUIRED - header
    if missing:
        raise WearableFormatError(
            f"the CSV header lacks {', '.join(sorted(missing))}; expected {','.join(CSV_HEADER)}"
        )
    for row in reader:
        record: dict[str, Any] = {
            "type": row.get("type"),
            "unit": row.get("unit"),
            "value": row.get("value", "")
            if row.get("type") == "sleep"
            else _number(row.get("value") or ""),
            "start": row.get("start"),
            "end": row.get("end") or None,
        }
        if row.get("source"):
            record["source"] = row["source"]
        yield record


def read_csv_samples(
    path: Path,
    *,
    skipped: Counter[str],
    progress: ReadProgress | None = None,
    limits: FileLimits = FileLimits(),  # noqa: B008 - frozen, shared safely
) -> Iterator[dict[str, Any]]:
    with (
        open_tracked(path, progress) as raw,
        io.TextIOWrapper(
            io.BufferedReader(bounded_lines(raw, limits, progress)),
            encoding="utf-8-sig",
            newline="",
        ) as handle,
    ):
        reader = csv.DictReader(handle)
        try:
            yield from _rows(reader)
        except UnicodeDecodeError as exc:
            raise WearableFormatError(
                f"the CSV is not UTF-8 text (after line {reader.line_num}: {exc.reason})"
            ) from exc
        except csv.Error as exc:
            raise WearableFormatError(f"line {reader.line_num} is not valid CSV: {exc}") from exc
    _ = skipped
