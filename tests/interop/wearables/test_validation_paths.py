"""The validator's fast path (whole columns at once) accepts exactly the records the full
per-record check accepts, gives the same rows, and leaves every issue to it: table-driven
edge cases and a seeded random search over the same kinds of values."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from painpath.interop.wearables import schema
from painpath.interop.wearables.schema import validate_samples

NOW = datetime(2026, 11, 1, tzinfo=UTC)
T0 = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
MISSING = object()  # the key is left out


def _iso(moment: datetime, offset_minutes: int = 0) -> str:
    return moment.astimezone(timezone(timedelta(minutes=offset_minutes))).isoformat()


def reference(records: list[Any], default_source: str | None) -> tuple[list[tuple], list]:
    """What the full check alone says, record by record."""
    issues: list = []
    latest = schema.to_ms(NOW + schema._limits().max_future_skew)
    rows = [
        schema._check_one(r, i, default_source=default_source, latest_ms=latest, issues=issues)
        for i, r in enumerate(records)
    ]
    return [row for row in rows if row is not None], issues


def assert_same(records: list[Any], default_source: str | None = "w") -> schema.SampleBatch:
    rows, issues = reference(records, default_source)
    for given in (records, iter(records)):  # a list may go by columns; an iterator cannot
        batch = validate_samples(given, now=NOW, default_source=default_source)
        got = list(
            zip(
                batch.sources,
                batch.types,
                batch.start_ms,
                batch.duration_ms,
                batch.values,
                strict=True,
            )
        )
        assert got == rows
        assert [tuple(map(type, row)) for row in got] == [tuple(map(type, r)) for r in rows]
        assert batch.issues == issues
        assert batch.received == len(records)
    return batch


def columns(records: list[Any], default_source: str | None = "w") -> object:
    limits = schema._limits()
    latest = schema.to_ms(NOW + limits.max_future_skew)
    return schema._columns(
        records, limits, default_source, latest, limits.max_interval // schema.MS
    )


def hr(i: int = 0, **extra: Any) -> dict[str, Any]:
    return {
        "type": "heart_rate",
        "unit": "bpm",
        "value": 60 + i % 30,
        "start": _iso(T0 + timedelta(seconds=5 * i)),
    } | extra


def steps(i: int = 0, **extra: Any) -> dict[str, Any]:
    start = T0 + timedelta(minutes=i)
    return {
        "type": "steps",
        "unit": "count",
        "value": 80 + i,
        "start": _iso(start),
        "end": _iso(start + timedelta(minutes=1)),
    } | extra


def sleep(i: int = 0, **extra: Any) -> dict[str, Any]:
    start = T0 + timedelta(hours=i)
    return {
        "type": "sleep",
        "unit": "stage",
        "value": ("light", "deep", "rem", "awake", "unknown")[i % 5],
        "start": _iso(start, 60),
        "end": _iso(start + timedelta(minutes=30), 60),
    } | extra


CONTEXTS = {
    "heart_rate": [hr(i) for i in range(5)],
    "steps": [steps(i) for i in range(5)],
    "sleep": [sleep(i) for i in range(5)],
    "mixed": [hr(0), steps(1), hr(2), steps(3), hr(4)],
    "mixed with sleep": [hr(0), sleep(1), steps(2), sleep(3), hr(4)],
}

# Each breaks exactly one rule: a batch holding one of them must go record by record.
INVALID = {
    "not a dict": "heart_rate 60",
    "list record": [hr()],
    "type unknown": hr(type="pulse"),
    "type list": hr(type=["heart_rate"]),
    "type missing": {k: v for k, v in hr().items() if k != "type"},
    "unit wrong": hr(unit="count"),
    "unit list": hr(unit=["bpm"]),
    "unit missing": {k: v for k, v in hr().items() if k != "unit"},
    "source empty": hr(source=""),
    "source 65 chars": hr(source="x" * 65),
    "source number": hr(source=7),
    "source list": hr(source=["w"]),
    "source null": hr(source=None),
    "value true": hr(value=True),
    "value false": hr(value=False),
    "value huge int": hr(value=10**400),
    "value big int": hr(value=10**30),
    "value nan": hr(value=math.nan),
    "value inf": hr(value=math.inf),
    "value -inf": hr(value=-math.inf),
    "value string number": hr(value="60"),
    "value list": hr(value=[60]),
    "value dict": hr(value={"bpm": 60}),
    "value null": hr(value=None),
    "value below range": hr(value=19.999),
    "value above range": hr(value=300.0001),
    "value missing": {k: v for k, v in hr().items() if k != "value"},
    "sleep stage unknown": sleep(value="dozing"),
    "heart rate given a stage": hr(value="rem"),
    "sleep stage number": sleep(value=2),
    "sleep stage list": sleep(value=["rem"]),
    "steps too fast": steps(value=301, end=_iso(T0 + timedelta(seconds=60))),
    "steps too fast within a second": steps(value=5.01, end=_iso(T0 + timedelta(milliseconds=500))),
    "steps value true": steps(value=True),
    "steps value false": steps(value=False),
    "steps below zero": steps(value=-1),
    "active minutes over a day": {
        **steps(),
        "type": "active_minutes",
        "unit": "min",
        "value": 1441,
    },
    "start naive": hr(start="2026-03-01T07:00:00"),
    "start naive datetime": hr(start=datetime(2026, 3, 1, 7)),  # noqa: DTZ001 - the point
    "start not a date": hr(start="2026-13-01T07:00:00+00:00"),
    "start number": hr(start=1_772_344_800),
    "start list": hr(start=[_iso(T0)]),
    "start missing": {k: v for k, v in hr().items() if k != "start"},
    "start in the future": hr(start=_iso(NOW + timedelta(minutes=5, milliseconds=1))),
    "end in the future": steps(
        start=_iso(NOW), end=_iso(NOW + timedelta(minutes=5, milliseconds=1))
    ),
    "end before start": steps(end=_iso(T0 - timedelta(seconds=1))),
    "end naive": steps(end="2026-03-01T06:01:00"),
    "end not a date": steps(end="yesterday"),
    "end number": steps(end=5),
    "end list": steps(end=[_iso(T0)]),
    "end missing where required": {k: v for k, v in steps().items() if k != "end"},
    "end null where required": steps(end=None),
    "sleep end missing": {k: v for k, v in sleep().items() if k != "end"},
    "active minutes end missing": {
        "type": "active_minutes",
        "unit": "min",
        "value": 3,
        "start": _iso(T0),
    },
    "interval over 24 h": steps(end=_iso(T0 + timedelta(hours=24, milliseconds=1))),
    # A device clock never set, or a typing error: before 2000 (the data file's bound).
    "before 1970": hr(start="1969-12-31T23:59:59.999+00:00"),
    "in 1900": hr(start="1900-01-01T00:00:00+00:00"),
    "year 1": hr(start="0001-01-01T00:00:00+00:00"),
    "a millisecond before 2000": hr(start="1999-12-31T23:59:59.999+00:00"),
    "before 2000 in its own zone": hr(start="2000-01-01T04:59:59+05:00"),
    "before 2000 as a datetime": hr(start=datetime(1999, 12, 31, tzinfo=UTC)),
    # Text no database can store.
    "source with a lone surrogate": hr(source="\ud800"),
    "source with NUL": hr(source="watch\x00"),
    "source with a line break": hr(source="watch\n"),
}

# Valid, if unusual: the column path takes these too, and must give the same rows.
VALID = {
    "Z suffix": hr(start="2026-03-01T07:00:00Z"),
    "offset +05:45 with microseconds": hr(start="2026-03-01T07:00:00.123456+05:45"),
    "offset -03:30": hr(start="2026-03-01T07:00:00.999-03:30"),
    "space separator": hr(start="2026-03-01 07:00:00+00:00"),
    "basic format": hr(start="20260301T070000Z"),
    "aware datetime": hr(start=T0 + timedelta(microseconds=1500)),
    "offset seconds": hr(start="2026-03-01T07:00:00+01:00:30"),
    "the earliest start": hr(start="2000-01-01T00:00:00+00:00"),
    "the earliest start, local": hr(start="2000-01-01T05:00:00+05:00"),
    "unit alias": hr(unit="count/min"),
    "float value": hr(value=72.25),
    "range edges": hr(value=20),
    "range top": hr(value=300.0),
    "own source": hr(source="ring"),
    "64-char source": hr(source="s" * 64),
    "end equals start": steps(end=steps()["start"], value=5),
    "exactly 24 h": steps(end=_iso(T0 + timedelta(hours=24))),
    "exactly the skew": hr(start=_iso(NOW + timedelta(minutes=5))),
    "steps at the cadence limit": steps(value=300, end=_iso(T0 + timedelta(seconds=60))),
    "steps at the limit within a second": steps(
        value=5, end=_iso(T0 + timedelta(milliseconds=500))
    ),
    "zero steps": steps(value=0),
    "null end where optional": hr(end=None),
    "heart rate over an interval": hr(end=_iso(T0 + timedelta(minutes=1))),
    "extra keys": hr(note="ignored"),
    "rr interval with an offset": {
        "type": "rr_interval",
        "unit": "ms",
        "value": 812.5,
        "start": "2026-03-01T02:00:00.812-05:00",
    },
    "sleep stage among numbers": sleep(value="rem"),
}


@pytest.mark.parametrize("context", sorted(CONTEXTS))
@pytest.mark.parametrize("name", sorted(INVALID))
def test_a_batch_with_one_invalid_record_goes_record_by_record(context, name):
    records = [*CONTEXTS[context][:3], INVALID[name], *CONTEXTS[context][3:]]
    assert columns(records) is None
    batch = assert_same(records)
    assert {i.index for i in batch.issues} == {3}


@pytest.mark.parametrize("name", sorted(VALID))
def test_unusual_valid_records_are_taken_by_columns_with_the_same_rows(name):
    context = CONTEXTS["steps" if VALID[name]["type"] == "steps" else "heart_rate"]
    if isinstance(VALID[name]["start"], datetime):  # a column is all strings or all datetimes
        context = [hr(i, start=T0 + timedelta(seconds=i)) for i in range(5)]
    records = [*context, VALID[name]]
    assert columns(records) is not None
    assert assert_same(records).issues == []


@pytest.mark.parametrize("context", sorted(CONTEXTS))
def test_valid_batches_never_reach_the_per_record_checks(context, monkeypatch):
    records = CONTEXTS[context] * 40
    expected, _ = reference(records, "w")

    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("went record by record")

    monkeypatch.setattr(schema, "_check_one", fail)
    batch = validate_samples(records, now=NOW, default_source="w")
    assert len(batch) == len(expected) == 200
    assert batch.start_ms == [row[2] for row in expected]
    assert batch.values == [row[4] for row in expected]


def test_no_default_source_means_each_record_names_its_own():
    assert columns([hr(0), hr(1)], default_source=None) is None
    assert assert_same([hr(0), hr(1)], default_source=None).issues[0].field == "source"
    assert assert_same([hr(0, source="a"), hr(1, source="b")], default_source=None).issues == []


# ---- a seeded random search over the same kinds of values ----------------------------------

TYPES_UNITS = {
    "heart_rate": ["bpm", "beats/min", "count/min", "1/min"],
    "rr_interval": ["ms"],
    "steps": ["count", "steps"],
    "sleep": ["stage"],
    "active_minutes": ["min", "minutes"],
}
ODD_TYPES = ["HEART_RATE", "pulse", None, 1, True, ["steps"]]
ODD_UNITS = ["BPM", "", None, 5, ["bpm"], "count/min "]
VALUES = [
    0, 1, 5, 19, 20, 60, 72.5, 200, 299.99, 300, 301, 1440, 1441, 3000, 3001, 100_000,
    100_001, -1, -0.0, 1e-300, True, False, 10**400, 10**30, -(10**30), 2**63, math.nan,
    math.inf, -math.inf, "60", "rem", "deep", "awake", "light", "unknown", "dozing", None,
    [60], {"v": 1},
]  # fmt: skip
OFFSETS = [0, 60, -300, 345, -210, 840]
STARTS_S = [0, 1, 59, 3600, 86_399, -1]
INTERVALS_MS = [0, 1, 999, 1000, 60_000, 60_500, 3_600_000, 86_400_000, 86_400_001, -1]
ODD_TIMES = [
    "2026-03-01T07:00:00",
    "2026-02-30T07:00:00+00:00",
    "garbage",
    "",
    1_772_344_800,
    None,
    ["2026-03-01T07:00:00Z"],
    datetime(2026, 3, 1, 7),  # noqa: DTZ001 - naive on purpose
    datetime(2026, 3, 1, 7, tzinfo=ZoneInfo("Europe/Paris")),
    _iso(NOW + timedelta(minutes=5)),
    _iso(NOW + timedelta(minutes=5, milliseconds=1)),
    "1999-12-31T23:59:59.999Z",
    "2000-01-01T00:00:00Z",
    datetime(1969, 12, 31, 23, tzinfo=UTC),
]
SOURCES = ["w", "ring", "", "x" * 64, "x" * 65, None, 7, ["w"], "\udfff", "a\x00", "\x7f"]


def _pick(rng: random.Random, common: list[Any], odd: list[Any], p_odd: float) -> Any:
    return rng.choice(odd) if rng.random() < p_odd else rng.choice(common)


def _record(rng: random.Random, p_odd: float) -> Any:
    if rng.random() < p_odd / 10:
        return rng.choice(["sample", 5, None, ["heart_rate"]])
    kind = _pick(rng, list(TYPES_UNITS), ODD_TYPES, p_odd)
    units = TYPES_UNITS.get(kind, ["bpm"]) if isinstance(kind, str) else ["bpm"]
    start = T0 + timedelta(seconds=rng.choice(STARTS_S), milliseconds=rng.randrange(1000))
    offset = rng.choice(OFFSETS)
    record: dict[str, Any] = {
        "type": kind,
        "unit": _pick(rng, units, ODD_UNITS, p_odd),
        "value": rng.choice(VALUES),
        "start": _pick(rng, [_iso(start, offset), start], ODD_TIMES, p_odd),
    }
    if kind == "sleep" and rng.random() > p_odd:
        record["value"] = rng.choice(schema.SLEEP_STAGES)
    elif rng.random() > p_odd:
        record["value"] = rng.choice([60, 61.5, 250, 800, 1000, 10])
    if kind in ("steps", "sleep", "active_minutes") or rng.random() < 0.3:
        end = start + timedelta(milliseconds=rng.choice(INTERVALS_MS))
        record["end"] = _pick(rng, [_iso(end, rng.choice(OFFSETS)), end], ODD_TIMES, p_odd)
    if rng.random() < 0.3:
        record["source"] = _pick(rng, ["w", "ring"], SOURCES, p_odd)
    for key in ("type", "unit", "value", "start", "end"):
        if key in record and rng.random() < p_odd / 8:
            del record[key]
    return record


@pytest.mark.parametrize("seed", range(8))
def test_random_batches_agree_with_the_full_check(seed):
    rng = random.Random(seed)
    by_columns = 0
    for _ in range(200):
        p_odd = rng.choice([0.0, 0.0, 0.01, 0.05, 0.3])
        size = rng.choice([1, 2, 5, 30])
        records = [_record(rng, p_odd) for _ in range(size)]
        default = rng.choice(["w", "w", None])
        taken = columns(records, default) is not None
        batch = assert_same(records, default)
        if taken:
            by_columns += 1
            assert batch.issues == []
    assert by_columns > 10  # the search reached the column path, not only the fallback
