"""The typed JSON reader of sample batches gives json.loads' values as columns, or steps aside."""

from __future__ import annotations

import json
import math
import random
import struct
from datetime import UTC, datetime

import pytest

from painpath.interop.wearables.sample_json import RecordColumns, read_batch
from painpath.interop.wearables.schema import validate_samples

FIELDS = ("type", "unit", "value", "start", "end", "source")


def _as_json_reads_it(body: bytes) -> tuple[list[list], object]:
    """Each sample's fields as the validation reads them (dict.get), and the batch source."""
    data = json.loads(body)
    return [[s.get(k) for k in FIELDS] for s in data["samples"]], data.get("source")


@pytest.mark.parametrize(
    "body",
    [
        b'{"samples": []}',
        b'{"source": {"key": "w", "make": "Acme", "fw": 3}, "samples": '
        b'[{"type": "heart_rate", "unit": "bpm", "value": 61.5, "start": "2026-03-02T06:00:00Z"}]}',
        b'{"source": null, "samples": [{"type": "sleep", "unit": "stage", "value": "deep", '
        b'"start": "s", "end": "e", "source": "ring", "extra": {"a": [1, 2]}}]}',
        b'{"samples": [{"type": "a", "type": "b", "unit": "u", "value": 1, "start": "s"}]}',
        b'{"samples": [], "samples": [{"type": "a", "unit": "u", "value": -0, "start": "s"}]}',
        b'{"samples": [{"type": "a", "unit": "u", "value": -0.0, "start": "s", "end": null}]}',
        b'{"samples": [{"type": "a", "unit": "u", "start": "s", '
        b'"value": 123456789012345678901234567890}]}',
        b'{"samples": [{"type": "\\u00e9\\u0000", "unit": "\xc3\xa9", "value": 1.00000000000000011,'
        b' "start": "s"}]}',
        b'{"source": {"key": "w", "model": 18446744073709551616}, "samples": []}',
    ],
)
def test_the_columns_hold_what_the_standard_library_reads(body):
    read = read_batch(body)
    assert read is not None
    columns, source = read
    records, expected_source = _as_json_reads_it(body)
    as_read = [[r.get(k) for k in FIELDS] for r in columns.records()]
    assert repr(as_read) == repr(records)  # the same values and types (an int stays an int)
    assert source == expected_source


@pytest.mark.parametrize(
    "body",
    [
        b'[{"type": "a", "unit": "u", "value": 1, "start": "s"}]',  # a top-level list
        b'{"samples": [{"type": "a", "unit": "u", "value": NaN, "start": "s"}]}',
        b'{"samples": [{"type": "a", "unit": "u", "value": 1e400, "start": "s"}]}',
        b'{"samples": [{"type": "a", "unit": "u", "value": true, "start": "s"}]}',
        b'{"samples": [{"type": "\\ud800", "unit": "u", "value": 1, "start": "s"}]}',
        b'{"samples": [{"type": "a", "unit": "u", "value": 1, "start": "s", "source": null}]}',
        b'{"samples": [{"type": "a", "unit": "u", "value": 1}]}',  # no start
        b'{"samples": [{"type": 4, "unit": "u", "value": 1, "start": "s"}]}',
        b'{"samples": [[1, 2]]}',
        b'{"samples": "many"}',
        b'{"source": {"key": "w", "make": ["nested"]}, "samples": []}',
        b'{"source": "w", "samples": []}',
        b'\xef\xbb\xbf{"samples": []}',
        b'{"samples": [' + b"[" * 100_000 + b"]" * 100_000 + b"]}",
        b'{"x": ' + b"[" * 100_000 + b"]" * 100_000 + b', "samples": []}',
        b'{"samples": [{"type": "\xff", "unit": "u", "value": 1, "start": "s"}]}',
        b"{",
        b"",
    ],
)
def test_anything_else_is_left_to_the_general_reader(body):
    assert read_batch(body) is None


def test_random_numbers_are_read_as_the_standard_library_reads_them():
    rnd = random.Random(11)
    compared = 0
    for _ in range(300):
        values = []
        for _ in range(50):
            kind = rnd.random()
            if kind < 0.4:  # any double, as repr writes it
                number = struct.unpack("d", struct.pack("Q", rnd.getrandbits(64)))[0]
                text = repr(number) if math.isfinite(number) else "0"
            elif kind < 0.8:  # long mantissas and extreme exponents
                text = f"{rnd.randint(0, 10**25)}.{rnd.randint(0, 10**25)}e{rnd.randint(-330, 300)}"
            else:  # integers of any size
                text = f"-{rnd.randint(0, 10 ** rnd.randint(1, 40))}"
            values.append(text)
        samples = ",".join(
            f'{{"type": "t", "unit": "u", "start": "s", "value": {v}}}' for v in values
        )
        body = f'{{"samples": [{samples}]}}'.encode()
        read = read_batch(body)
        if read is None:
            continue  # a number json reads as infinity: the general path
        expected = [s["value"] for s in json.loads(body)["samples"]]
        assert repr(read[0].value) == repr(expected)
        compared += len(expected)
    assert compared > 5_000


def test_sources_read_as_dict_get_reads_them():
    body = (
        b'{"samples": [{"type": "a", "unit": "u", "value": 1, "start": "s", "source": "ring"},'
        b'{"type": "a", "unit": "u", "value": 2, "start": "s"}]}'
    )
    columns, _ = read_batch(body)
    assert columns.field("source", "watch") == ["ring", "watch"]
    assert columns.field("source") == ["ring", None]
    assert columns[1:].field("source", "watch") == ["watch"]
    only_default = read_batch(
        b'{"samples": [{"type": "a", "unit": "u", "value": 1, "start": "s"}]}'
    )
    assert only_default[0].field("source", "watch") == ["watch"]
    assert [dict(r) for r in columns] == columns.records()


def _batch(n: int) -> bytes:
    samples = [
        {
            "type": "heart_rate" if i % 3 else "steps",
            "unit": "bpm" if i % 3 else "count",
            "value": 60 + i % 50,
            "start": f"2026-03-02T{i // 60 % 24:02d}:{i % 60:02d}:00+01:00",
            **({} if i % 3 else {"end": f"2026-03-02T{i // 60 % 24:02d}:{i % 60:02d}:30+01:00"}),
            **({"source": "ring"} if i % 7 == 0 else {}),
        }
        for i in range(n)
    ]
    return json.dumps({"source": {"key": "watch"}, "samples": samples}).encode()


@pytest.mark.parametrize("broken", [None, 5, 299])
def test_validation_of_columns_equals_validation_of_dicts(broken):
    body = _batch(300)
    columns, _ = read_batch(body)
    records = json.loads(body)["samples"]
    if broken is not None:  # an hour that does not exist: the record-by-record path names it
        columns.start[broken] = records[broken]["start"] = "2026-03-02T25:00:00+01:00"
    now = datetime(2026, 3, 3, tzinfo=UTC)
    from_columns = validate_samples(columns, now=now, default_source="watch", first_index=10)
    from_dicts = validate_samples(records, now=now, default_source="watch", first_index=10)
    assert from_columns == from_dicts
    assert len(from_columns.issues) == (0 if broken is None else 1)
    assert isinstance(columns, RecordColumns)
