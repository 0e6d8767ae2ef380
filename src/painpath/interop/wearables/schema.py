"""The one sample schema: type, unit, value, time zone-aware start/end; validation of a batch.

A record is a mapping ``{"type", "unit", "value", "start", "end"?, "source"?}`` with ISO 8601
timestamps that carry an offset, starting no earlier than the data file's ``earliest_start``;
a source key is 1-64 characters without control characters (NUL, line breaks) or unpaired
surrogates (text a database can store). Valid records become columnar rows (compact integers:
milliseconds since the Unix epoch and a duration in milliseconds); invalid ones become
``SampleIssue(index, field, rule)``. Bounds and units come from ``data/sample_types.toml``.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from functools import cache
from itertools import chain, compress, repeat
from operator import attrgetter, is_not, not_, sub
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from painpath.interop.wearables.iso_times import iso_epoch_ms
from painpath.interop.wearables.sample_json import RecordColumns

__all__ = [
    "SLEEP_STAGES",
    "SOURCE_FIELD_LENGTHS",
    "SampleBatch",
    "SampleIssue",
    "SampleType",
    "ms_to_datetime",
    "sample_types",
    "source_issues",
    "storable_text",
    "to_ms",
    "type_by_code",
    "validate_samples",
]

DATA_FILE = Path(__file__).with_name("data") / "sample_types.toml"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MS = timedelta(milliseconds=1)
SLEEP_STAGES: tuple[str, ...] = ("awake", "light", "deep", "rem", "unknown")
# A batch's described source: the longest text each field stores.
SOURCE_FIELD_LENGTHS = {"key": 64, "make": 100, "model": 100, "app": 100, "firmware": 50}
TEXT_RULE = "without control characters or unpaired surrogates"
SOURCE_RULE = f"a source key of 1-64 characters, {TEXT_RULE}, is required"
_UNSTORABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


@dataclass(frozen=True)
class SampleType:
    name: str
    code: int
    unit: str
    aliases: tuple[str, ...]
    minimum: float | None
    maximum: float | None
    interval: str  # "optional" or "required"
    max_per_second: float | None = None

    def accepts_unit(self, unit: object) -> bool:
        return unit == self.unit or unit in self.aliases


@dataclass(frozen=True)
class SampleIssue:
    index: int
    field: str
    rule: str


@dataclass
class SampleBatch:
    """Valid rows in columns, plus the issues of the invalid records."""

    sources: list[str] = field(default_factory=list)
    types: list[int] = field(default_factory=list)
    start_ms: list[int] = field(default_factory=list)
    duration_ms: list[int] = field(default_factory=list)
    values: list[float] = field(default_factory=list)
    issues: list[SampleIssue] = field(default_factory=list)
    received: int = 0

    def __len__(self) -> int:
        return len(self.types)

    def extend(self, other: SampleBatch) -> None:
        """Append the rows and issues of ``other`` (a later part of the same batch)."""
        self.sources += other.sources
        self.types += other.types
        self.start_ms += other.start_ms
        self.duration_ms += other.duration_ms
        self.values += other.values
        self.issues += other.issues
        self.received += other.received

    def counts_by_type(self) -> dict[str, int]:
        names = {t.code: t.name for t in sample_types().values()}
        return {names[code]: self.types.count(code) for code in sorted(set(self.types))}


@dataclass(frozen=True)
class _Limits:
    types: dict[str, SampleType]
    max_future_skew: timedelta
    max_interval: timedelta
    earliest_ms: int
    earliest: str  # as the data file says it, for messages


@cache
def _limits() -> _Limits:
    raw = tomllib.loads(DATA_FILE.read_text(encoding="utf-8"))
    types = {
        name: SampleType(
            name=name,
            code=int(spec["code"]),
            unit=str(spec["unit"]),
            aliases=tuple(spec.get("aliases", [])),
            minimum=spec.get("min"),
            maximum=spec.get("max"),
            interval=str(spec["interval"]),
            max_per_second=spec.get("max_per_second"),
        )
        for name, spec in raw["types"].items()
    }
    earliest = datetime.fromisoformat(str(raw["earliest_start"]))
    return _Limits(
        types=types,
        max_future_skew=timedelta(seconds=int(raw["max_future_skew_seconds"])),
        max_interval=timedelta(hours=int(raw["max_interval_hours"])),
        earliest_ms=to_ms(earliest),
        earliest=earliest.date().isoformat(),
    )


def sample_types() -> dict[str, SampleType]:
    return _limits().types


def type_by_code(code: int) -> SampleType:
    for t in sample_types().values():
        if t.code == code:
            return t
    raise KeyError(code)


def to_ms(moment: datetime) -> int:
    return (moment - EPOCH) // MS


def ms_to_datetime(ms: int) -> datetime:
    return EPOCH + timedelta(milliseconds=ms)


def storable_text(text: str) -> bool:
    """No control character (NUL, line breaks, ...) and no unpaired surrogate: JSON can carry
    "\\ud800", but no database can store it."""
    return _UNSTORABLE.search(text) is None


def _storable_key(source: object) -> bool:
    return isinstance(source, str) and 0 < len(source) <= 64 and storable_text(source)


def source_issues(fields: Mapping[str, object]) -> list[tuple[str, str]]:
    """(field, rule) for each field of a batch's described source that cannot be stored:
    ``key`` is required; ``make``, ``model``, ``app``, ``firmware`` are optional text."""
    issues = []
    if not _storable_key(fields.get("key")):
        issues.append(("key", SOURCE_RULE))
    for name, limit in SOURCE_FIELD_LENGTHS.items():
        value = fields.get(name)
        if name == "key" or value is None:
            continue
        if not isinstance(value, str) or len(value) > limit or not storable_text(value):
            issues.append((name, f"at most {limit} characters, {TEXT_RULE}"))
    return issues


def _parse_time(value: object, name: str, issues: list[SampleIssue], index: int) -> int | None:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            issues.append(SampleIssue(index, name, "must be an ISO 8601 date-time"))
            return None
    else:
        issues.append(SampleIssue(index, name, "must be an ISO 8601 date-time string"))
        return None
    if moment.tzinfo is None or moment.utcoffset() is None:
        issues.append(SampleIssue(index, name, "must include a time zone offset (e.g. +02:00)"))
        return None
    return to_ms(moment)


def _finite(raw: float) -> bool:
    try:
        return math.isfinite(raw)
    except OverflowError:  # an integer too large for a float (JSON allows any length)
        return False


def _value(
    record: Mapping[str, Any], stype: SampleType, issues: list[SampleIssue], index: int
) -> float | None:
    raw = record.get("value")
    if stype.name == "sleep":
        if raw not in SLEEP_STAGES:
            issues.append(SampleIssue(index, "value", f"must be one of {', '.join(SLEEP_STAGES)}"))
            return None
        return float(SLEEP_STAGES.index(raw))
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not _finite(raw):
        issues.append(SampleIssue(index, "value", "must be a finite number"))
        return None
    if (stype.minimum is not None and raw < stype.minimum) or (
        stype.maximum is not None and raw > stype.maximum
    ):
        issues.append(
            SampleIssue(
                index,
                "value",
                f"out of plausible range {stype.minimum}-{stype.maximum} {stype.unit}",
            )
        )
        return None
    return float(raw)


def _check_one(  # noqa: PLR0911 - one early return per rule keeps the rules readable
    record: object,
    index: int,
    *,
    default_source: str | None,
    latest_ms: int,
    issues: list[SampleIssue],
) -> tuple[str, int, int, int, float] | None:
    limits = _limits()
    if not isinstance(record, Mapping):
        issues.append(SampleIssue(index, "sample", "must be a JSON object"))
        return None
    raw_type = record.get("type")
    stype = limits.types.get(raw_type) if isinstance(raw_type, str) else None
    if stype is None:
        issues.append(SampleIssue(index, "type", f"must be one of {', '.join(limits.types)}"))
        return None
    if not stype.accepts_unit(record.get("unit")):
        issues.append(SampleIssue(index, "unit", f"must be {stype.unit} for {stype.name}"))
        return None
    source = record.get("source", default_source)
    if not _storable_key(source):
        issues.append(SampleIssue(index, "source", SOURCE_RULE))
        return None
    before = len(issues)
    start = _parse_time(record.get("start"), "start", issues, index)
    end = None
    if record.get("end") is not None:
        end = _parse_time(record.get("end"), "end", issues, index)
    elif stype.interval == "required":
        issues.append(SampleIssue(index, "end", f"required for {stype.name}"))
    value = _value(record, stype, issues, index)
    if len(issues) > before or start is None or value is None:
        return None
    duration = 0 if end is None else end - start
    if duration < 0:
        issues.append(SampleIssue(index, "end", "must not be before start"))
        return None
    if start < limits.earliest_ms:
        issues.append(SampleIssue(index, "start", f"must not be before {limits.earliest}"))
        return None
    if duration > limits.max_interval // MS:
        issues.append(SampleIssue(index, "end", "interval longer than 24 hours"))
        return None
    if start + duration > latest_ms:
        issues.append(SampleIssue(index, "end" if end else "start", "must not be in the future"))
        return None
    if stype.max_per_second is not None and value > stype.max_per_second * max(duration / 1000, 1):
        issues.append(SampleIssue(index, "value", f"more than {stype.max_per_second:g} per second"))
        return None
    return source, stype.code, start, duration, value


_STAGE_INDEX = {name: float(i) for i, name in enumerate(SLEEP_STAGES)}

_Rows = tuple[list[str], list[int], list[int], list[int], list[float]]
_TZINFO = attrgetter("tzinfo")
_DAYS, _SECONDS, _MICROS = attrgetter("days"), attrgetter("seconds"), attrgetter("microseconds")


@dataclass(frozen=True)
class _Table:
    """Per-type limits as arrays indexed by type code, for whole-column checks."""

    code: dict[str, int]
    low: NDArray[np.float64]
    high: NDArray[np.float64]
    per_second: NDArray[np.float64]
    needs_end: NDArray[np.bool_]


@cache
def _table() -> _Table:
    types = _limits().types.values()
    size = max(t.code for t in types) + 1
    low, high = np.full(size, -np.inf), np.full(size, np.inf)
    per_second, needs_end = np.full(size, np.inf), np.zeros(size, dtype=np.bool_)
    for t in types:
        low[t.code] = -np.inf if t.minimum is None else t.minimum
        high[t.code] = np.inf if t.maximum is None else t.maximum
        per_second[t.code] = np.inf if t.max_per_second is None else t.max_per_second
        needs_end[t.code] = t.interval == "required"
    return _Table({t.name: t.code for t in types}, low, high, per_second, needs_end)


def _moments(raw: list[Any]) -> list[datetime] | None:
    """A column of ISO 8601 strings (or of datetimes) as datetimes with a fixed offset."""
    kinds = set(map(type, raw))
    if kinds == {str}:
        try:
            moments = list(map(datetime.fromisoformat, raw))
        except ValueError:
            return None
    elif kinds == {datetime}:
        moments = raw
    else:
        return None
    # fromisoformat gives a ``timezone`` or None; a ``timezone`` always has an offset.
    if any(type(tz) is not timezone for tz in set(map(_TZINFO, moments))):
        return None
    return moments


def _epoch_ms(moments: list[datetime]) -> NDArray[np.int64]:
    """``to_ms`` of each moment, exactly: integer parts of ``moment - EPOCH``."""
    deltas = list(map(sub, moments, repeat(EPOCH)))
    n = len(deltas)
    days = np.fromiter(map(_DAYS, deltas), np.int64, n)
    seconds = np.fromiter(map(_SECONDS, deltas), np.int64, n)
    micros = np.fromiter(map(_MICROS, deltas), np.int64, n)  # 0 <= micros < 10**6
    return np.asarray((days * 86_400 + seconds) * 1000 + micros // 1000, dtype=np.int64)


def _column_ms(raw: list[Any]) -> NDArray[np.int64] | None:
    """``to_ms`` of a column of times, if every one is a valid time with an offset: array
    operations when the strings share a layout (``iso_epoch_ms``), else one by one."""
    fast = iso_epoch_ms(raw)
    if fast is not None:
        return fast
    moments = _moments(raw)
    return None if moments is None else _epoch_ms(moments)


Records = list[dict[str, Any]] | RecordColumns


def _field(records: Records, name: str, default: Any = None) -> list[Any]:
    """One field of every record, as ``dict.get(record, name, default)`` reads it."""
    if isinstance(records, RecordColumns):
        return records.field(name, default)
    return list(map(dict.get, records, repeat(name), repeat(default)))


def _distinct_strings(*columns: list[Any]) -> list[set[str]] | None:
    """Each column's distinct values, if every value is a string (the distinct values are
    strings exactly when all values are; a set is far cheaper than a look at every value)."""
    try:  # one value throughout (the usual batch) is checked by comparing, not hashing
        distinct = [
            {column[0]} if column and column.count(column[0]) == len(column) else set(column)
            for column in columns
        ]
    except TypeError:  # a list or an object: not hashable, certainly not a string
        return None
    return distinct if set(map(type, chain(*distinct))) == {str} else None


def _column_kinds(
    records: Records, limits: _Limits, default_source: str | None
) -> tuple[list[str], list[int], NDArray[np.intp], set[str]] | None:
    """Sources, type codes (a list and an index array) and type names, if all are valid."""
    n = len(records)
    kinds, units = _field(records, "type"), _field(records, "unit")
    sources = _field(records, "source", default_source)
    distinct = _distinct_strings(kinds, units, sources)
    if distinct is None:
        return None
    names, unit_names, source_keys = distinct
    if not names <= limits.types.keys() or not all(map(_storable_key, source_keys)):
        return None
    if len(names) == 1:
        stype = limits.types[next(iter(names))]
        if not all(map(stype.accepts_unit, unit_names)):
            return None
        return sources, [stype.code] * n, np.full(n, stype.code, dtype=np.intp), names
    if not all(limits.types[k].accepts_unit(u) for k, u in set(zip(kinds, units, strict=True))):
        return None
    types = list(map(_table().code.__getitem__, kinds))
    return sources, types, np.asarray(types, dtype=np.intp), names


def _stage_values(raw: list[Any]) -> NDArray[np.float64] | None:
    """Sleep stage names as stage indexes, if every one is a stage name."""
    if not set(map(type, raw)) <= {str}:
        return None
    stages = list(map(_STAGE_INDEX.get, raw))
    return None if None in stages else np.asarray(stages, dtype=np.float64)


def _number_values(raw: list[Any], codes: NDArray[np.intp]) -> NDArray[np.float64] | None:
    """Finite numbers within each type's range, if every one is."""
    if not set(map(type, raw)) <= {int, float}:  # bool is neither
        return None
    try:
        values = np.asarray(raw, dtype=np.float64)
    except OverflowError:  # an integer too large for a float
        return None
    # An integer a float cannot hold exactly is far outside every range either way.
    table = _table()
    if (
        not np.isfinite(values).all()
        or ((values < table.low[codes]) | (values > table.high[codes])).any()
    ):
        return None
    return values


def _column_values(
    records: Records, names: set[str], codes: NDArray[np.intp]
) -> NDArray[np.float64] | None:
    raw = _field(records, "value")
    if "sleep" not in names:
        return _number_values(raw, codes)
    if names == {"sleep"}:
        return _stage_values(raw)
    # A mixed batch: stage names where the type is sleep, numbers elsewhere.
    is_sleep = codes == _table().code["sleep"]
    flags = is_sleep.tolist()
    stages = _stage_values(list(compress(raw, flags)))
    numbers = _number_values(list(compress(raw, map(not_, flags))), codes[~is_sleep])
    if stages is None or numbers is None:
        return None
    values = np.empty(len(raw), dtype=np.float64)
    values[is_sleep], values[~is_sleep] = stages, numbers
    return values


def _column_times(
    records: Records, codes: NDArray[np.intp], latest_ms: int, max_ms: int
) -> tuple[NDArray[np.int64], NDArray[np.int64]] | None:
    """Start and duration in milliseconds, if every time and interval is valid."""
    start_ms = _column_ms(_field(records, "start"))
    if start_ms is None:
        return None
    if (start_ms < _limits().earliest_ms).any():
        return None
    raw_ends = _field(records, "end")
    if raw_ends.count(None) == len(raw_ends):  # instants only (heart rate, RR intervals)
        has_end = np.zeros(len(raw_ends), dtype=np.bool_)
    else:
        has_end = np.fromiter(map(is_not, raw_ends, repeat(None)), np.bool_, len(raw_ends))
    duration = np.zeros(len(raw_ends), dtype=np.int64)
    if has_end.any():
        end_ms = _column_ms([e for e in raw_ends if e is not None])
        if end_ms is None:
            return None
        duration[has_end] = end_ms - start_ms[has_end]
    if (_table().needs_end[codes] & ~has_end).any():
        return None
    if (duration < 0).any() or (duration > max_ms).any() or (start_ms + duration > latest_ms).any():
        return None
    return start_ms, duration


def _columns(
    records: list[Any] | RecordColumns,
    limits: _Limits,
    default_source: str | None,
    latest_ms: int,
    max_ms: int,
) -> _Rows | None:
    """The whole batch in column operations when every record is a plain, valid one (the
    device posting thousands of samples, a file import's chunk: ingestion speed). None means
    "look closer": the caller then checks record by record (``_check_one``), which accepts
    exactly the records this accepts, gives the same rows, and names the rule that any other
    breaks. Never rejects itself."""
    if not isinstance(records, RecordColumns) and set(map(type, records)) != {dict}:
        return None  # (a RecordColumns has objects of the schema's field types only)
    if not records:
        return None
    kinds = _column_kinds(records, limits, default_source)
    if kinds is None:
        return None
    sources, types, codes, names = kinds
    values = _column_values(records, names, codes)
    times = None if values is None else _column_times(records, codes, latest_ms, max_ms)
    if values is None or times is None:
        return None
    start_ms, duration = times
    if (values > _table().per_second[codes] * np.maximum(duration / 1000, 1)).any():
        return None
    return sources, types, start_ms.tolist(), duration.tolist(), values.tolist()


def validate_samples(
    records: Iterable[object] | RecordColumns,
    *,
    now: datetime,
    default_source: str | None = None,
    first_index: int = 0,
) -> SampleBatch:
    """Check every record; valid ones go into the batch's columns, the rest into ``issues``."""
    batch = SampleBatch()
    limits = _limits()
    latest_ms = to_ms(now + limits.max_future_skew)
    max_ms = limits.max_interval // MS
    if isinstance(records, list | RecordColumns):
        columns = _columns(records, limits, default_source, latest_ms, max_ms)
        if columns is not None:
            batch.received = len(records)
            batch.sources, batch.types, batch.start_ms, batch.duration_ms, batch.values = columns
            return batch
    if isinstance(records, RecordColumns):
        records = records.records()
    sources, types, starts = batch.sources, batch.types, batch.start_ms
    durations, values = batch.duration_ms, batch.values
    for index, record in enumerate(records, start=first_index):
        batch.received += 1
        row = _check_one(
            record, index, default_source=default_source, latest_ms=latest_ms, issues=batch.issues
        )
        if row is not None:
            sources.append(row[0])
            types.append(row[1])
            starts.append(row[2])
            durations.append(row[3])
            values.append(row[4])
    return batch
