"""The array reading of ISO 8601 columns gives exactly what ``datetime.fromisoformat`` gives,
or steps aside (None) for anything it does not handle; the validation path uses it."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone

import pytest

from painpath.interop.wearables import schema
from painpath.interop.wearables.iso_times import iso_epoch_ms
from painpath.interop.wearables.schema import to_ms, validate_samples


def _exact(texts: list[str]) -> list[int] | None:
    """The reference: fromisoformat, an offset required, then to_ms."""
    out = []
    for text in texts:
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return None
        if moment.tzinfo is None:
            return None
        out.append(to_ms(moment))
    return out


@pytest.mark.parametrize(
    "texts",
    [
        ["2026-03-02T06:00:05+00:00", "2026-03-02T06:00:10+00:00"],
        ["2026-03-02T06:00:05Z", "2026-12-31T23:59:59Z"],
        ["2026-03-02T06:00:05.250Z", "2026-03-02T06:00:05.999Z"],
        ["2026-03-02T06:00:05.123456-05:00", "2026-03-02T06:00:05.000001+05:45"],
        ["2026-03-29T01:59:59.999+01:00", "2026-03-29T03:00:00.000+02:00"],  # a DST change
        ["2024-02-29T12:00:00Z", "2000-02-29T00:00:00Z"],  # leap days
        ["1969-12-31T23:59:59.999Z", "1900-01-01T00:00:00.001Z"],  # before 1970: floored
        ["0001-01-01T00:00:00+00:01", "9999-12-31T23:59:59+00:00"],  # the very ends
        ["9999-12-31T23:59:59.999999Z"],
        ["2026-01-01T00:00:00-00:00", "2026-01-01T00:00:00+23:59", "2026-01-01T00:00:00-23:59"],
    ],
)
def test_each_layout_gives_the_exact_milliseconds(texts):
    fast = iso_epoch_ms(texts)
    assert fast is not None
    assert fast.tolist() == _exact(texts)


@pytest.mark.parametrize(
    "texts",
    [
        ["2026-03-02T24:00:00Z"],  # hour 24
        ["2026-03-02T23:60:00Z"],
        ["2026-03-02T23:59:60Z"],  # a leap second: fromisoformat refuses it too
        ["2025-02-29T00:00:00Z"],  # not a leap year
        ["1900-02-29T00:00:00Z"],  # a century that is not a leap year
        ["2026-04-31T00:00:00Z"],
        ["2026-00-10T00:00:00Z", "2026-13-10T00:00:00Z", "2026-01-00T00:00:00Z"],
        ["0000-01-01T00:00:00Z"],
        ["2026-03-02T06:00:00+24:00"],  # an offset of a whole day
        ["2026-03-02T06:00:00+05:60"],
        ["2026-03-02t06:00:00z"],  # lower case: fromisoformat refuses it
        ["2026-03-02 06:00:00+00:00"],  # accepted by fromisoformat, left to it
        ["2026-03-02T06:00:00.5Z", "2026-03-02T06:00:00.1234567Z"],  # other fraction widths
        ["2026-03-02T06:00:00+0100"],  # an offset without a colon
        ["2026-03-02T06:00:00"],  # no offset
        ["2026-03-02T06:00:00Z", "2026-03-02T06:00:00+00:00"],  # two layouts in one column
        ["2026-03-02T06:00:00+00:0", "52026-03-02T06:00:00+00:00"],  # lengths that add up
        ["٢٠٢٦-03-02T06:00:00Z"],  # digits, but not ASCII ones
        ["2026-03-02T06:00:00Z", None],
        ["2026-03-02T06:00:00Z", 1_772_431_200_000],
        [b"2026-03-02T06:00:00Z"],
        [],
    ],
)
def test_anything_else_is_left_to_the_exact_path(texts):
    assert iso_epoch_ms(texts) is None


def test_random_columns_agree_with_fromisoformat_or_step_aside():
    rnd = random.Random(20260302)
    taken = 0
    for _ in range(3000):
        year = rnd.choice([1, 4, 1900, 1969, 1970, 2000, 2024, 2100, 9999, rnd.randint(1, 9999)])
        month = rnd.choice([0, 1, 2, 12, 13, rnd.randint(1, 12)])
        day = rnd.choice([0, 1, 28, 29, 30, 31, 32, rnd.randint(1, 31)])
        clock = f"{rnd.choice([0, 23, 24]):02d}:{rnd.choice([0, 59, 60]):02d}"
        fraction = rnd.choice(["", ".000", ".999", ".123456", ".5"])
        zone = rnd.choice(["Z", "+00:00", "-00:00", "+05:30", "-11:59", "+24:00", "+0100", ""])
        head = f"{year:04d}-{month:02d}-{day:02d}T{clock}:"
        column = [f"{head}{rnd.randint(0, 60):02d}{fraction}{zone}" for _ in range(4)]
        fast, exact = iso_epoch_ms(column), _exact(column)
        if fast is None:
            continue
        taken += 1
        assert exact is not None and fast.tolist() == exact, column
    assert taken > 100  # the fast path was really exercised


def test_random_instants_in_every_offset_are_read_exactly():
    rnd = random.Random(7)
    first = datetime(1, 1, 2, tzinfo=UTC)
    span_us = int((datetime(9999, 12, 30, tzinfo=UTC) - first) / timedelta(microseconds=1))
    for _ in range(500):
        zone = timezone(timedelta(minutes=rnd.randint(-1439, 1439)))
        base = first + timedelta(microseconds=rnd.randrange(span_us))
        moments = [
            (base + timedelta(microseconds=rnd.randrange(10**9))).astimezone(zone) for _ in range(5)
        ]
        for spec in ("seconds", "milliseconds", "microseconds"):
            column = [m.isoformat(timespec=spec) for m in moments]
            fast = iso_epoch_ms(column)
            assert fast is not None and fast.tolist() == _exact(column), column


def test_validation_gives_the_same_batch_with_and_without_the_fast_path(monkeypatch):
    now = datetime(2026, 3, 3, tzinfo=UTC)
    start = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
    records = [
        {
            "type": "sleep",
            "unit": "stage",
            "value": "light",
            "start": (start + timedelta(minutes=i)).isoformat(timespec="milliseconds"),
            "end": (start + timedelta(minutes=i, seconds=30)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        for i in range(500)
    ]
    fast = validate_samples(records, now=now, default_source="w")
    monkeypatch.setattr(schema, "iso_epoch_ms", lambda texts: None)
    exact = validate_samples(records, now=now, default_source="w")
    assert fast.issues == exact.issues == []
    assert (fast.start_ms, fast.duration_ms) == (exact.start_ms, exact.duration_ms)
    assert fast.duration_ms[0] == 30_000 and fast.start_ms[0] == to_ms(start)


def test_an_invalid_time_in_a_uniform_column_is_still_named():
    records = [
        {"type": "heart_rate", "unit": "bpm", "value": 60, "start": f"2026-03-02T06:{m:02d}:00Z"}
        for m in range(50)
    ]
    records[7]["start"] = "2026-03-02T06:61:00Z"
    batch = validate_samples(records, now=datetime(2026, 3, 3, tzinfo=UTC), default_source="w")
    assert [(i.index, i.field) for i in batch.issues] == [(7, "start")]
    assert len(batch) == 49
