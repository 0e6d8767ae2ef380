"""Bulk insert of samples through each database's fast path, ignoring stored duplicates.

PostgreSQL: binary COPY straight into the table inside a savepoint (new samples, the common
case); if any row is already stored (a retry) the savepoint is rolled back and the rows go
through a per-connection temporary table and one INSERT ... SELECT ... ON CONFLICT DO
NOTHING. The unique primary key decides: a COPY that would store a duplicate fails whole,
so the direct path never stores a sample twice, also when two requests send the same
samples at once (the second waits for the first, then takes the conflict-safe path). The
COPY data is packed from the columns with numpy, and can be fed chunk by chunk while the
caller validates the next chunk (``stream_samples``; the API's streamed ingest goes without
the savepoint and starts again on a conflict). SQLite: executemany of INSERT OR IGNORE in
batches. Both run inside the caller's transaction and return the new count.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import connection, transaction

__all__ = [
    "BATCH",
    "SampleRows",
    "SampleStream",
    "StoredAlready",
    "can_stream",
    "insert_columns",
    "insert_samples",
    "stream_samples",
]

BATCH = 10_000
COLUMNS = "patient_id, type, start_ms, duration_ms, source_id, value"
Row = tuple[int, int, int, int, int, float]

# PostgreSQL's binary COPY: a signature, flags and extension length, then per row the field
# count and each field as (byte length, big-endian value), then -1. Types as in the table.
_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)
_COPY_TRAILER = b"\xff\xff"
_FIELDS = (
    ("patient_id", ">i8"),
    ("type", ">i2"),
    ("start_ms", ">i8"),
    ("duration_ms", ">i4"),
    ("source_id", ">i8"),
    ("value", ">f8"),
)
_TUPLE = np.dtype(
    [("fields", ">i2")]
    + [p for name, kind in _FIELDS for p in ((f"{name}_size", ">i4"), (name, kind))]
)


@dataclass(frozen=True)
class SampleRows:
    """One patient's rows as columns; ``source_id`` is one id for all rows or one per row."""

    patient_id: int
    source_id: int | Sequence[int]
    types: Sequence[int]
    start_ms: Sequence[int]
    duration_ms: Sequence[int]
    values: Sequence[float]

    def __len__(self) -> int:
        return len(self.types)


def _binary_rows(cols: SampleRows) -> bytes:
    """The rows in binary COPY layout (without the header and trailer)."""
    data = np.empty(len(cols), dtype=_TUPLE)
    data["fields"] = len(_FIELDS)
    for name, kind in _FIELDS:
        data[f"{name}_size"] = int(kind[-1])
    data["patient_id"] = cols.patient_id
    data["type"] = cols.types  # numpy refuses (OverflowError) a value the column cannot hold
    data["start_ms"] = cols.start_ms
    data["duration_ms"] = cols.duration_ms
    data["source_id"] = cols.source_id
    data["value"] = cols.values
    return data.tobytes()


class SampleStream:
    """Rows sent to PostgreSQL while the caller is still working (see ``stream_samples``)."""

    def __init__(self, copy: Any) -> None:
        self._copy = copy
        self._sent: list[bytes] = []
        self.rows = 0
        self.new = 0
        self.cancelled = False

    def write(self, cols: SampleRows) -> None:
        data = _binary_rows(cols)
        self._copy.write(data)
        self._sent.append(data)
        self.rows += len(cols)

    def cancel(self) -> None:
        """Store none of the rows written (the caller found the batch invalid)."""
        self.cancelled = True


class _Cancelled(Exception):
    pass


def can_stream() -> bool:
    return connection.vendor == "postgresql"


class StoredAlready(Exception):
    """A streamed COPY met a sample stored already: its transaction must be rolled back and
    the batch sent again through the conflict-safe path (``stream_samples(savepoint=False)``)."""


@contextmanager
def stream_samples(*, savepoint: bool = True) -> Iterator[SampleStream]:
    """PostgreSQL: a binary COPY into the table, fed while the caller works (the server
    inserts one chunk while the caller validates the next). When the block ends the COPY
    completes: ``new`` is then the number of rows stored. Needs the caller's transaction.

    If any row is stored already (a retry, or the same samples sent at once by another
    request, which the unique primary key makes this one wait for), the rows written go
    through the conflict-safe path: within a savepoint, rolled back first; with
    ``savepoint=False`` (two round trips fewer, for a caller that can start again) the
    transaction is marked for rollback and ``StoredAlready`` raised. A cancel stores none
    of the rows (without a savepoint: the transaction is marked for rollback)."""
    from psycopg.errors import UniqueViolation  # noqa: PLC0415 - PostgreSQL only

    if not connection.in_atomic_block:
        raise RuntimeError("stream_samples() runs inside the caller's transaction")
    with connection.cursor() as cursor:
        finishing = False
        try:
            with (
                # a savepoint: a conflict or a cancel undoes this COPY only
                transaction.atomic() if savepoint else nullcontext(),
                cursor.cursor.copy(
                    f"COPY devices_sample ({COLUMNS}) FROM STDIN (FORMAT BINARY)"
                ) as copy,
            ):
                copy.write(_COPY_HEADER)
                stream = SampleStream(copy)
                yield stream
                if stream.cancelled:
                    raise _Cancelled
                copy.write(_COPY_TRAILER)
                finishing = True  # what fails from here on is the COPY itself
        except _Cancelled:
            if not savepoint:
                transaction.set_rollback(True)
            return
        except UniqueViolation as exc:
            if not finishing:
                raise
            if not savepoint:
                transaction.set_rollback(True)
                raise StoredAlready from exc
            stream.new = _insert_ignoring_stored(cursor, b"".join(stream._sent))
        else:
            stream.new = stream.rows


def _insert_ignoring_stored(cursor: Any, rows: bytes) -> int:
    cursor.execute(
        "CREATE TEMP TABLE IF NOT EXISTS devices_sample_in "
        "(patient_id bigint, type smallint, start_ms bigint, duration_ms integer, "
        "source_id bigint, value double precision) ON COMMIT DELETE ROWS"
    )
    cursor.execute("DELETE FROM devices_sample_in")
    with cursor.cursor.copy(
        f"COPY devices_sample_in ({COLUMNS}) FROM STDIN (FORMAT BINARY)"
    ) as copy:
        copy.write(_COPY_HEADER + rows + _COPY_TRAILER)
    cursor.execute(
        f"INSERT INTO devices_sample ({COLUMNS}) SELECT {COLUMNS} FROM devices_sample_in "  # noqa: S608 - constant SQL
        "ON CONFLICT DO NOTHING"
    )
    new = cursor.rowcount
    cursor.execute("DELETE FROM devices_sample_in")
    return int(new)


def _postgres(cols: SampleRows) -> int:
    with stream_samples() as stream:
        stream.write(cols)
    return stream.new


def _sqlite(cols: SampleRows) -> int:
    # Ids the same for every row go into the statement as integer literals (int() of ids
    # read from our own tables, never user text), so SQLite binds 4 or 5 values a row, not 6.
    columns = [cols.types, cols.start_ms, cols.duration_ms, cols.values]
    if isinstance(cols.source_id, int):
        source = str(int(cols.source_id))
    else:
        source = "?"
        columns.append(cols.source_id)
    sql = (
        "INSERT OR IGNORE INTO devices_sample "  # noqa: S608 - integer literals only
        "(patient_id, type, start_ms, duration_ms, value, source_id) "
        f"VALUES ({int(cols.patient_id)}, ?, ?, ?, ?, {source})"
    )
    new = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the sqlite3 cursor: "?" parameters, rows straight from zip
        for i in range(0, len(cols), BATCH):
            raw.executemany(sql, zip(*(c[i : i + BATCH] for c in columns), strict=True))
            new += raw.rowcount
    return new


def insert_columns(cols: SampleRows) -> int:
    """Insert one patient's rows given as columns; return how many were new.

    Runs in the caller's transaction, or its own when there is none: the PostgreSQL staging
    table empties on commit, so COPY and INSERT must never be split by autocommit."""
    if not len(cols):
        return 0
    with transaction.atomic():
        if connection.vendor == "postgresql":
            return _postgres(cols)
        return _sqlite(cols)


def insert_samples(rows: Sequence[Row]) -> int:
    """Insert ``rows`` (patient, type, start_ms, duration_ms, source, value); return new count."""
    if not rows:
        return 0
    by_patient: dict[int, list[Row]] = {}
    for row in rows:
        by_patient.setdefault(row[0], []).append(row)
    new = 0
    with transaction.atomic():
        for patient_id, own in by_patient.items():
            _, types, starts, durations, sources, values = zip(*own, strict=True)
            new += insert_columns(SampleRows(patient_id, sources, types, starts, durations, values))
    return new
