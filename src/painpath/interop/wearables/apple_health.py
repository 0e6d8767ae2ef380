"""Apple Health export (``export.xml`` or the exported zip), streamed with iterparse.

Elements are cleared as soon as they are read, so memory stays flat for exports of hundreds
of MB. Mapped record types (HealthKit identifiers as they appear in the export):

- HKQuantityTypeIdentifierHeartRate (count/min) -> heart_rate
- HKQuantityTypeIdentifierStepCount (count) -> steps
- HKQuantityTypeIdentifierAppleExerciseTime (min) -> active_minutes
- HKCategoryTypeIdentifierSleepAnalysis -> sleep (InBed is skipped: it overlaps the stages)
- HeartRateVariabilityMetadataList/InstantaneousBeatsPerMinute (beat times) -> rr_interval,
  the difference between consecutive beat times

Anything else is counted in ``skipped`` by type and ignored. A damaged zip (bad archive,
CRC mismatch, truncated data) raises ``WearableFormatError`` saying so.

Bounds (``FileLimits``), each a ``LimitExceeded`` before the parser is handed more: export.xml
may expand to at most ``expanded_cap`` (the zip's own size field is checked before a byte is
inflated, and the inflated bytes are counted too); no tag, or text between tags, may run
longer than ``max_xml_token_bytes`` without a ``<`` (expat 2.5 re-scans a token that spans
reads, so a 32 MiB attribute took 40 s); elements nest at most ``max_depth`` deep, and one
top-level element (a Record with its beats) holds at most ``max_item_bytes`` of children.
"""

from __future__ import annotations

import zipfile
import zlib
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml.ElementTree import iterparse  # type: ignore[import-untyped]

from painpath.interop.limits import (
    BoundedStream,
    FileLimits,
    LimitExceeded,
    expanded_cap,
    size_text,
)
from painpath.interop.wearables.errors import WearableFormatError
from painpath.interop.wearables.files import ReadProgress, open_tracked

__all__ = ["read_apple_health"]

QUANTITY_TYPES = {
    "HKQuantityTypeIdentifierHeartRate": "heart_rate",
    "HKQuantityTypeIdentifierStepCount": "steps",
    "HKQuantityTypeIdentifierAppleExerciseTime": "active_minutes",
}
SLEEP_TYPE = "HKCategoryTypeIdentifierSleepAnalysis"
SLEEP_VALUES = {
    "HKCategoryValueSleepAnalysisAsleep": "unknown",
    "HKCategoryValueSleepAnalysisAsleepUnspecified": "unknown",
    "HKCategoryValueSleepAnalysisAsleepCore": "light",
    "HKCategoryValueSleepAnalysisAsleepDeep": "deep",
    "HKCategoryValueSleepAnalysisAsleepREM": "rem",
    "HKCategoryValueSleepAnalysisAwake": "awake",
}
DATE_FORMAT = "%Y-%m-%d %H:%M:%S %z"
BEAT_TIME_FORMATS = ("%I:%M:%S.%f %p", "%I:%M:%S %p", "%H:%M:%S.%f", "%H:%M:%S")


def _date(text: str | None) -> datetime:
    if not text:
        raise ValueError("missing date")
    return datetime.strptime(text, DATE_FORMAT)  # noqa: DTZ007 - the format has %z


def _beat_time(text: str, day: datetime) -> datetime:
    for fmt in BEAT_TIME_FORMATS:
        try:
            clock = datetime.strptime(text.strip(), fmt)  # noqa: DTZ007 - a clock time only
        except ValueError:
            continue
        return day.replace(
            hour=clock.hour, minute=clock.minute, second=clock.second, microsecond=clock.microsecond
        )
    raise ValueError(f"unreadable beat time {text!r}")


def _rr_records(elem: Element, start: datetime, source: str) -> Iterator[dict[str, Any]]:
    previous: datetime | None = None
    for beat in elem.iter("InstantaneousBeatsPerMinute"):
        moment = _beat_time(beat.get("time", ""), start)
        if previous is not None and moment < previous:  # the list crossed midnight
            moment += timedelta(days=1)
        if previous is not None:
            rr = (moment - previous) / timedelta(milliseconds=1)
            yield {"type": "rr_interval", "unit": "ms", "value": rr, "start": moment}
        previous = moment
    _ = source


def _record(elem: Element, skipped: Counter[str]) -> Iterator[dict[str, Any]]:
    kind = elem.get("type", "")
    source = (elem.get("sourceName") or "apple-health")[:64]
    try:
        start, end = _date(elem.get("startDate")), _date(elem.get("endDate"))
        if kind in QUANTITY_TYPES:
            value = float(elem.get("value", "nan"))
            yield {
                "type": QUANTITY_TYPES[kind],
                "unit": elem.get("unit"),
                "value": value,
                "start": start,
                "end": end if end != start or kind != "HKQuantityTypeIdentifierHeartRate" else None,
                "source": source,
            }
        elif kind == SLEEP_TYPE and elem.get("value") in SLEEP_VALUES:
            yield {
                "type": "sleep",
                "unit": "stage",
                "value": SLEEP_VALUES[elem.get("value", "")],
                "start": start,
                "end": end,
                "source": source,
            }
        elif elem.find("HeartRateVariabilityMetadataList") is not None:
            for rec in _rr_records(elem, start, source):
                rec["source"] = source
                yield rec
        elif kind == SLEEP_TYPE:
            skipped[elem.get("value") or kind] += 1
        else:
            skipped[kind or "unnamed"] += 1
    except ValueError as exc:
        # Yield the raw record so validation reports it with its index and reason.
        yield {"type": QUANTITY_TYPES.get(kind, kind), "start": None, "error": str(exc)}


def _bounded(
    handle: IO[bytes], limits: FileLimits, cap: int, progress: ReadProgress | None
) -> BoundedStream:
    return BoundedStream(
        handle,
        max_bytes=cap,
        max_run=limits.max_xml_token_bytes,
        separator=b"<",
        what="an XML tag (or the text between two tags)",
        total_what="export.xml",
        on_read=progress.tick if progress is not None else None,
    )


def _stream(
    handle: BoundedStream, skipped: Counter[str], limits: FileLimits
) -> Iterator[dict[str, Any]]:
    try:
        # defusedxml: the export's DTD is allowed, entity declarations and external
        # references are refused (no entity-expansion or external-entity attacks).
        context = iterparse(handle, events=("start", "end"), forbid_dtd=False)
        _, root = next(context)
        depth, start_of_item = 1, 0
        for event, elem in context:
            if event == "start":
                depth += 1
                if depth > limits.max_depth:
                    raise LimitExceeded(f"XML elements nested deeper than {limits.max_depth}")
                if depth == 2:
                    start_of_item = handle.passed
                elif handle.passed - start_of_item > limits.max_item_bytes:
                    raise LimitExceeded(
                        "one element of export.xml with its children is larger than "
                        f"{size_text(limits.max_item_bytes)}"
                    )
                continue
            depth -= 1
            if elem.tag == "Record":
                yield from _record(elem, skipped)
            if depth == 1:  # a child of <HealthData> is complete: drop it and the rest
                elem.clear()
                root.clear()
    except ParseError as exc:
        raise WearableFormatError(f"export.xml is not well-formed XML: {exc}") from exc


def read_apple_health(
    path: Path,
    *,
    skipped: Counter[str],
    progress: ReadProgress | None = None,
    limits: FileLimits = FileLimits(),  # noqa: B008 - frozen, shared safely
) -> Iterator[dict[str, Any]]:
    """Records from ``export.xml`` or the export zip at ``path``, one at a time."""
    size = path.stat().st_size
    with open_tracked(path, progress) as raw:
        if not zipfile.is_zipfile(raw):
            raw.seek(0)
            yield from _stream(_bounded(raw, limits, size, progress), skipped, limits)
            return
        raw.seek(0)
        try:
            with zipfile.ZipFile(raw) as archive:
                infos = [
                    i
                    for i in archive.infolist()
                    if i.filename.endswith("/export.xml") or i.filename == "export.xml"
                ]
                if not infos:
                    raise WearableFormatError("the zip holds no export.xml (apple_health_export/)")
                cap = expanded_cap(limits, size)
                if infos[0].file_size > cap:
                    raise LimitExceeded(
                        f"export.xml would expand to {size_text(infos[0].file_size)} from a "
                        f"{size_text(size)} zip; at most {size_text(cap)} is read from a zip "
                        "this size"
                    )
                with archive.open(infos[0]) as handle:
                    yield from _stream(_bounded(handle, limits, cap, progress), skipped, limits)
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise WearableFormatError(f"the zip file is damaged: {exc}") from exc
