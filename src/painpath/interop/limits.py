"""Bounds for reading outside files: how many bytes, how long a line or token, how deep.

Parsers of uploaded files (Apple Health XML, Open mHealth JSON, CSV, lab files) read through
``BoundedStream``, which counts what passes and refuses, with ``LimitExceeded``, a stream that
grows past its size or holds a run of bytes without a separator longer than allowed (a line
without ``\\n``; for XML, a tag or text without ``<``: expat re-scans a token that spans reads,
so one long attribute costs time in the square of its length). ``check_json`` measures JSON
nesting and token length from the raw bytes before any parser builds anything (ijson's
``items`` keeps a prefix string per level, so memory grows with the square of the depth).

No Django here: callers pass the limits (the web app takes them from settings).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, BinaryIO

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "BoundedStream",
    "FileLimits",
    "JsonShape",
    "LimitExceeded",
    "check_json",
    "expanded_cap",
    "size_text",
]

KiB = 1024
MiB = 1024 * KiB
GiB = 1024 * MiB
JSON_CHUNK = 64 * KiB
SPAN_LEVELS = 3


class LimitExceeded(ValueError):
    """The input is larger, longer or deeper than a limit allows (the message says which)."""


@dataclass(frozen=True)
class FileLimits:
    """Limits for one uploaded file. ``max_expanded_bytes`` and ``max_ratio`` bound what a
    compressed file (zip, gzip) expands to; the rest bound what a parser is handed."""

    max_expanded_bytes: int = 4 * GiB
    max_ratio: int = 100
    max_line_bytes: int = 1 * MiB
    max_xml_token_bytes: int = 64 * KiB
    max_depth: int = 64  # JSON nesting, XML element nesting
    max_json_token_bytes: int = 1 * MiB
    max_item_bytes: int = 1 * MiB  # one data point (an Open mHealth object, an XML record)


def expanded_cap(limits: FileLimits, compressed_bytes: int) -> int:
    """How far ``compressed_bytes`` of zip or gzip may expand: ``max_ratio`` times its size
    (never below 64 MiB, so small files are not held to a ratio), at most
    ``max_expanded_bytes``."""
    return min(limits.max_expanded_bytes, max(limits.max_ratio * compressed_bytes, 64 * MiB))


def size_text(n: int) -> str:
    """A byte count for messages: MiB, KiB or bytes."""
    return f"{n / MiB:.4g} MiB" if n >= MiB else f"{n / KiB:.4g} KiB" if n >= KiB else f"{n} bytes"


class BoundedStream(io.RawIOBase):
    """A read-only binary stream over ``raw`` that refuses to pass more than ``max_bytes``
    or a run longer than ``max_run`` bytes without ``separator``.

    ``what`` names the run in the error ("a line", "an XML tag"), ``on_read`` is called
    with the bytes passed so far after each read (progress, a heartbeat).
    """

    def __init__(
        self,
        raw: IO[bytes],
        *,
        max_bytes: int,
        max_run: int,
        separator: bytes = b"\n",
        what: str = "a line",
        total_what: str = "the file",
        on_read: Callable[[int], None] | None = None,
    ) -> None:
        super().__init__()
        if len(separator) != 1:
            raise ValueError("separator must be one byte")
        self._raw = raw
        self._max_bytes = max_bytes
        self._max_run = max_run
        self._sep = separator[0]
        self._what = what
        self._total_what = total_what
        self._on_read = on_read
        self.passed = 0
        self._run = 0  # bytes since the last separator

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        data = self._raw.read(len(buffer))
        if not data:
            return 0
        self._check(data)
        n = len(data)
        buffer[:n] = data
        return n

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            return self.readall()  # chunk by chunk, each checked: never past max_bytes
        data = self._raw.read(size)
        if data:
            self._check(data)
        return data

    def _check(self, data: bytes) -> None:
        self.passed += len(data)
        if self.passed > self._max_bytes:
            raise LimitExceeded(
                f"{self._total_what} is larger than {size_text(self._max_bytes)} when read"
            )
        first = data.find(self._sep)
        if first < 0:
            self._run += len(data)
        else:
            longest = max(self._run + first, _longest_gap(data, self._sep))
            self._run = len(data) - 1 - data.rfind(self._sep)
            self._run_check(longest)
        self._run_check(self._run)
        if self._on_read is not None:
            self._on_read(self.passed)

    def _run_check(self, run: int) -> None:
        if run > self._max_run:
            raise LimitExceeded(
                f"{self._what} is longer than {size_text(self._max_run)} "
                f"(within the first {size_text(self.passed)})"
            )


def _longest_gap(data: bytes, separator: int) -> int:
    """The longest run of bytes between two separators inside ``data``."""
    positions = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == separator)
    if positions.size < 2:
        return 0
    return int(np.diff(positions).max()) - 1


@dataclass(frozen=True)
class JsonShape:
    """What ``check_json`` measured: the deepest nesting, the longest token, and per level
    (1: the top value, 2: its members, 3: theirs) the largest container in bytes."""

    depth: int
    longest_token: int
    largest: tuple[int, ...]


_QUOTE, _BACKSLASH = ord('"'), ord("\\")
_BACKSLASH_BYTE = b"\\"
_NESTING = np.zeros(256, dtype=np.int8)
_NESTING[[ord("["), ord("{")]] = 1
_NESTING[[ord("]"), ord("}")]] = -1
_STRUCTURAL = np.zeros(256, dtype=np.bool_)
_STRUCTURAL[[ord(c) for c in "[]{},:"]] = True


class _JsonScan:
    """State carried from one chunk to the next by ``check_json``. Works on the positions of
    the few bytes that matter (quotes, backslashes before them, brackets, commas, colons), so
    the full-length work per chunk is a handful of byte comparisons."""

    def __init__(self, max_depth: int, max_token: int) -> None:
        self.max_depth, self.max_token = max_depth, max_token
        self.offset = 0  # bytes before this chunk
        self.depth = 0
        self.deepest = 0
        self.in_string = False
        self.backslashes = 0  # trailing run of backslashes of the previous chunk
        self.last_structural = -1  # absolute offset of the last structural byte
        self.longest = 0
        self.opened: list[int | None] = [None] * SPAN_LEVELS  # open container per level
        self.largest = [0] * SPAN_LEVELS

    @property
    def open_run(self) -> int:
        """Bytes since the last structural character (a value not yet closed)."""
        return self.offset - 1 - self.last_structural

    def feed(self, data: bytes) -> None:
        a: NDArray[np.uint8] = np.frombuffer(data, dtype=np.uint8)
        quotes = self._unescaped_quotes(data, a)
        marks = np.flatnonzero(_STRUCTURAL[a])
        # A mark is inside a string when an odd number of quotes (plus the carried state)
        # precede it.
        before = np.searchsorted(quotes, marks) + self.in_string
        marks = marks[before % 2 == 0]
        if marks.size:
            levels = self.depth + np.cumsum(_NESTING[a[marks]], dtype=np.int64)
            self.deepest = max(self.deepest, int(levels.max()))
            self.depth = int(levels[-1])
            if self.deepest > self.max_depth:
                raise LimitExceeded(f"JSON nested deeper than {self.max_depth} levels")
            marks = marks + self.offset
            self._spans(a, marks - self.offset, marks, levels)
            gaps = np.diff(np.concatenate(([self.last_structural], marks))) - 1
            self.longest = max(self.longest, int(gaps.max()))
            self.last_structural = int(marks[-1])
        self.in_string = bool((quotes.size + self.in_string) % 2)
        self.offset += a.size
        if max(self.longest, self.open_run) > self.max_token:
            raise LimitExceeded(
                f"a JSON value or gap is longer than {size_text(self.max_token)} "
                f"(within the first {size_text(self.offset)})"
            )

    def _spans(
        self,
        a: NDArray[np.uint8],
        local: NDArray[np.intp],
        marks: NDArray[np.intp],
        levels: NDArray[np.int64],
    ) -> None:
        """Sizes of the containers opened at levels 1..SPAN_LEVELS: at one level, opens and
        closes alternate, so pairing them in order pairs each container's ends."""
        step = _NESTING[a[local]]
        for level in range(1, SPAN_LEVELS + 1):
            opens = marks[(step == 1) & (levels == level)]
            closes = marks[(step == -1) & (levels == level - 1)]
            pending = self.opened[level - 1]
            if pending is not None:
                opens = np.concatenate(([pending], opens))
            paired = min(opens.size, closes.size)
            if paired:
                spans = closes[:paired] - opens[:paired] + 1
                self.largest[level - 1] = max(self.largest[level - 1], int(spans.max()))
            self.opened[level - 1] = int(opens[-1]) if opens.size > paired else None

    def finish(self) -> JsonShape:
        end = self.offset
        largest = [
            max(size, end - start) if start is not None else size
            for size, start in zip(self.largest, self.opened, strict=True)
        ]
        return JsonShape(self.deepest, max(self.longest, self.open_run), tuple(largest))

    def _unescaped_quotes(self, data: bytes, a: NDArray[np.uint8]) -> NDArray[np.intp]:
        """Positions of the quotes not escaped by an odd run of backslashes before them."""
        quotes = np.flatnonzero(a == _QUOTE)
        carried, self.backslashes = self.backslashes, _trailing_backslashes(data, self.backslashes)
        if not quotes.size or (_BACKSLASH_BYTE not in data and not carried):
            return quotes
        # Only a quote right after a backslash can be escaped; count each one's run of
        # backslashes from the last other byte before it.
        after_bs = np.zeros(quotes.size, dtype=np.bool_)
        inner = quotes > 0
        after_bs[inner] = a[quotes[inner] - 1] == _BACKSLASH
        after_bs[~inner] = carried > 0
        if not after_bs.any():
            return quotes
        suspects = quotes[after_bs]
        slashes = np.flatnonzero(a == _BACKSLASH)
        fresh = np.ones(slashes.size, dtype=np.bool_)  # a backslash that starts a run
        fresh[1:] = np.diff(slashes) != 1
        run_first = np.maximum.accumulate(np.where(fresh, np.arange(slashes.size), 0))
        runs = np.full(suspects.size, carried, dtype=np.int64)  # a quote at byte 0
        inner = suspects > 0
        if inner.any():
            ends = suspects[inner]
            first = slashes[run_first[np.searchsorted(slashes, ends - 1)]]
            runs[inner] = ends - first + np.where(first == 0, carried, 0)
        keep = np.ones(quotes.size, dtype=np.bool_)
        keep[after_bs] = runs % 2 == 0
        return quotes[keep]


def _trailing_backslashes(data: bytes, carried: int) -> int:
    stripped = len(data) - len(data.rstrip(_BACKSLASH_BYTE))
    return stripped + carried if stripped == len(data) else stripped


def check_json(
    source: bytes | BinaryIO,
    *,
    max_depth: int,
    max_token: int,
    on_read: Callable[[int], None] | None = None,
) -> JsonShape:
    """Measure nesting depth and the longest run between structural characters (a string, a
    number, or whitespace) of JSON bytes without parsing them; ``LimitExceeded`` as soon as
    either passes its limit. Not a validator: the parser still checks the syntax."""
    scan = _JsonScan(max_depth, max_token)
    if isinstance(source, bytes | bytearray | memoryview):
        view = memoryview(source)
        for lo in range(0, len(view), JSON_CHUNK):
            scan.feed(bytes(view[lo : lo + JSON_CHUNK]))
    else:
        while chunk := source.read(JSON_CHUNK):
            scan.feed(chunk)
            if on_read is not None:
                on_read(scan.offset)
    return scan.finish()
