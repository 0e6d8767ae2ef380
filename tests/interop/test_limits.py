"""The bounded readers' core: ``check_json`` measures what a byte-at-a-time reference scanner
measures (depth, longest token or gap, container sizes per level) however the bytes are cut
into chunks, escapes included; ``BoundedStream`` finds a long run across reads."""

from __future__ import annotations

import io
import json
import random

import pytest

from painpath.interop import limits
from painpath.interop.limits import BoundedStream, LimitExceeded, check_json

STRUCTURAL = set("[]{},:")


def reference(data: bytes) -> tuple[int, int, tuple[int, ...]]:
    """Depth, longest run between structural bytes outside strings, largest container per
    level (1-3): one byte at a time, the obvious way."""
    depth = deepest = 0
    in_string = escaped = False
    last, longest = -1, 0
    starts: list[int] = []
    largest = [0, 0, 0]
    for i, byte in enumerate(data):
        c = chr(byte)
        if in_string:
            if escaped:
                escaped = False
            elif c == "\\":
                escaped = True
            elif c == '"':
                in_string = False
            continue
        if c == '"':
            in_string = True
            continue
        if c in STRUCTURAL:
            longest = max(longest, i - last - 1)
            last = i
        if c in "[{":
            depth += 1
            deepest = max(deepest, depth)
            starts.append(i)
        elif c in "]}":
            start = starts.pop()
            if depth <= 3:
                largest[depth - 1] = max(largest[depth - 1], i - start + 1)
            depth -= 1
    longest = max(longest, len(data) - 1 - last)
    return deepest, longest, tuple(largest)


def random_json(rng: random.Random, depth: int = 0) -> object:
    kind = rng.random()
    if depth > 6 or kind < 0.35:
        return rng.choice(
            [
                "".join(rng.choice('ab"\\[]{},: \\n') for _ in range(rng.randrange(12))),
                rng.randrange(-(10**12), 10**12),
                rng.random() * 1e6,
                True,
                None,
                '\\\\\\"',
            ]
        )
    if kind < 0.7:
        return [random_json(rng, depth + 1) for _ in range(rng.randrange(5))]
    return {
        "".join(rng.choice('k"\\]') for _ in range(rng.randrange(4))): random_json(rng, depth + 1)
        for _ in range(rng.randrange(5))
    }


@pytest.mark.parametrize("seed", range(40))
def test_check_json_agrees_with_the_reference_in_any_chunking(seed, monkeypatch):
    rng = random.Random(seed)
    data = json.dumps(random_json(rng), indent=rng.choice([None, 1])).encode()
    expected = reference(data)
    for chunk in (1, 2, 3, 7, 64, 1 << 16):
        monkeypatch.setattr(limits, "JSON_CHUNK", chunk)
        shape = check_json(data, max_depth=100, max_token=1 << 20)
        assert (shape.depth, shape.longest_token, shape.largest) == expected, chunk
        streamed = check_json(io.BytesIO(data), max_depth=100, max_token=1 << 20)
        assert streamed == shape


def test_check_json_stops_at_the_first_chunk_past_a_limit(monkeypatch):
    monkeypatch.setattr(limits, "JSON_CHUNK", 1024)
    seen: list[int] = []
    deep = io.BytesIO(b"[" * 100_000 + b"]" * 100_000)
    with pytest.raises(LimitExceeded, match="nested deeper than 64 levels"):
        check_json(deep, max_depth=64, max_token=1 << 20, on_read=seen.append)
    assert seen == []  # refused inside the first chunk, before any progress was reported
    with pytest.raises(LimitExceeded, match="value or gap is longer than 100 bytes"):
        check_json(b'["' + b"a" * 200 + b'"]', max_depth=8, max_token=100)
    escaped = b'["' + b'\\"' * 100 + b'"]'  # quotes escaped inside one string: one token
    assert check_json(escaped, max_depth=8, max_token=1000).longest_token == 202


def test_bounded_stream_finds_a_long_run_across_reads():
    raw = io.BytesIO(b"ok\n" + b"x" * 50 + b"\nok\n")
    stream = BoundedStream(raw, max_bytes=1000, max_run=40)
    assert stream.read(10) == b"ok\n" + b"x" * 7
    with pytest.raises(LimitExceeded, match="a line is longer than 40 bytes"):
        list(iter(lambda: stream.read(10), b""))
    fine = BoundedStream(io.BytesIO(b"ab\n" * 100), max_bytes=1000, max_run=2)
    assert fine.read() == b"ab\n" * 100  # read(-1) goes chunk by chunk, every chunk checked
    big = BoundedStream(io.BytesIO(b"ab\n" * 100), max_bytes=299, max_run=2)
    with pytest.raises(LimitExceeded, match="larger than 299 bytes"):
        big.read()
    lines = io.BufferedReader(BoundedStream(io.BytesIO(b"a\n" * 5), max_bytes=99, max_run=9))
    assert list(lines) == [b"a\n"] * 5
