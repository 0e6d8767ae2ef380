"""A JSON batch of samples read straight into columns, for the samples API.

``{"source": {...}, "samples": [{"type", "unit", "value", "start", "end"?, "source"?}, ...]}``
is decoded by msgspec against the schema's field types into one list per field: no dict per
sample, and the columns the validation reads are built in C. This is only a faster reader of
the common body, never a judge of it: whenever a body does not decode this way (a field of
another type or missing, a top-level list, NaN, a lone surrogate, nesting, a number beyond a
double's range...) ``read_batch`` gives None and the caller reads the body the general way,
whose validation names every offending sample. Where it decodes, the values are those
``json.loads`` gives (integers of any size exactly, the last of duplicate keys, the same
floats), which the tests check against the standard library.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

import msgspec

__all__ = ["RecordColumns", "read_batch"]

Scalar = str | int | float | bool | None


class _Sample(msgspec.Struct, gc=False):
    type: str
    unit: str
    value: int | float | str
    start: str
    end: str | None = None  # absent and null alike, as dict.get reads them
    source: str | msgspec.UnsetType = msgspec.UNSET  # null is not a key: the general path


class _Batch(msgspec.Struct, gc=False):
    samples: list[_Sample]
    source: dict[str, Scalar] | None = None


_DECODER = msgspec.json.Decoder(_Batch)
_FIELDS = ("type", "unit", "value", "start", "end", "source")


@dataclass(frozen=True)
class RecordColumns:
    """Sample records as one list per field (``source``: UNSET where a record has none)."""

    type: list[str]
    unit: list[str]
    value: list[int | float | str]
    start: list[str]
    end: list[str | None]
    source: list[str | msgspec.UnsetType]

    def __len__(self) -> int:
        return len(self.type)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.records())

    def __getitem__(self, part: slice) -> RecordColumns:
        return RecordColumns(*(getattr(self, name)[part] for name in _FIELDS))

    def field(self, name: str, default: Any = None) -> list[Any]:
        """The column as ``dict.get(record, name, default)`` reads each record."""
        column: list[Any] = getattr(self, name)
        unset = column.count(msgspec.UNSET) if name == "source" else 0
        if not unset:
            return list(column)
        if unset == len(column):  # no record names its own source
            return [default] * len(column)
        return [default if key is msgspec.UNSET else key for key in column]

    def records(self) -> list[dict[str, Any]]:
        """The records as dicts (for the record-by-record checks of a batch with errors)."""
        out = []
        for row in zip(*(getattr(self, name) for name in _FIELDS), strict=True):
            record = dict(zip(_FIELDS, row, strict=True))
            if record["source"] is msgspec.UNSET:
                del record["source"]
            out.append(record)
        return out


def read_batch(body: bytes) -> tuple[RecordColumns, dict[str, Scalar] | None] | None:
    """The samples as columns and the batch's ``source`` object, or None (see above)."""
    try:
        batch = _DECODER.decode(body)
    except (msgspec.DecodeError, RecursionError, UnicodeDecodeError):
        return None  # msgspec.ValidationError is a DecodeError
    samples = batch.samples
    columns = RecordColumns(
        type=list(map(attrgetter("type"), samples)),
        unit=list(map(attrgetter("unit"), samples)),
        value=list(map(attrgetter("value"), samples)),
        start=list(map(attrgetter("start"), samples)),
        end=list(map(attrgetter("end"), samples)),
        source=list(map(attrgetter("source"), samples)),
    )
    return columns, batch.source
