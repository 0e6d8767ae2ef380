"""Bulk insert of samples through each database's fast path, ignoring stored duplicates.

PostgreSQL: binary COPY straight into the table inside a savepoint (new samples, the common
case); if any row is already stored (a retry) the savepoint is rolled back and the rows go
through a per-connection temporary table and one INSERT ... SELECT ... ON CONFLICT DO
NOTHING. SQLite: executemany of INSERT OR IGNORE in batches. Both run inside the caller's
transaction and return how many rows were new.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, transaction

__all__ = ["BATCH", "insert_samples"]

BATCH = 10_000
COLUMNS = "patient_id, type, start_ms, duration_ms, source_id, value"
Row = tuple[int, int, int, int, int, float]


def _copy(cursor: object, table: str, rows: Sequence[Row]) -> None:
    raw = cursor.cursor  # type: ignore[attr-defined]  # the psycopg cursor under Django's
    with raw.copy(f"COPY {table} ({COLUMNS}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(["int8", "int2", "int8", "int4", "int8", "float8"])
        for row in rows:
            copy.write_row(row)


def _postgres(rows: Sequence[Row]) -> int:
    from psycopg.errors import UniqueViolation  # noqa: PLC0415 - PostgreSQL only

    with connection.cursor() as cursor:
        try:
            with transaction.atomic():  # a savepoint: a conflict undoes only this COPY
                _copy(cursor, "devices_sample", rows)
        except UniqueViolation:
            pass  # some rows are stored already: the conflict-safe path below
        else:
            return len(rows)
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS devices_sample_in "
            "(patient_id bigint, type smallint, start_ms bigint, duration_ms integer, "
            "source_id bigint, value double precision) ON COMMIT DELETE ROWS"
        )
        cursor.execute("DELETE FROM devices_sample_in")
        _copy(cursor, "devices_sample_in", rows)
        cursor.execute(
            f"INSERT INTO devices_sample ({COLUMNS}) SELECT {COLUMNS} FROM devices_sample_in "  # noqa: S608 - constant SQL
            "ON CONFLICT DO NOTHING"
        )
        new = cursor.rowcount
        cursor.execute("DELETE FROM devices_sample_in")
    return int(new)


def _sqlite(rows: Sequence[Row]) -> int:
    new = 0
    sql = f"INSERT OR IGNORE INTO devices_sample ({COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s)"  # noqa: S608
    with connection.cursor() as cursor:
        for i in range(0, len(rows), BATCH):
            cursor.executemany(sql, rows[i : i + BATCH])
            new += cursor.rowcount
    return new


def insert_samples(rows: Sequence[Row]) -> int:
    """Insert ``rows`` (patient, type, start_ms, duration_ms, source, value); return new count.

    Runs in the caller's transaction, or its own when there is none: the PostgreSQL staging
    table empties on commit, so COPY and INSERT must never be split by autocommit."""
    if not rows:
        return 0
    with transaction.atomic():
        if connection.vendor == "postgresql":
            return _postgres(rows)
        return _sqlite(rows)
