"""The embedded task queue (huey on a SQLite file) at the main database's durability.

huey's SQLite storage runs with ``synchronous=FULL`` (a WAL flush to disk at every enqueue),
or ``OFF`` when asked. Each data request enqueues its follow-up work (rule evaluation, rollup
refresh) before it answers, so two flushes a request cost more than the request's own commit,
which painpath's database makes with WAL and ``synchronous=NORMAL``. The queue gets that same
setting: an enqueued task survives the process being killed (kill -9), like the data it refers
to; a power cut may lose the last moments of both (never corrupts either). Production queues
on Redis (``REDIS_URL``) are unaffected.
"""

from __future__ import annotations

import sqlite3

import huey
from huey.storage import SqliteStorage as _SqliteStorage

__all__ = ["SqliteHuey", "SqliteStorage"]


class SqliteStorage(_SqliteStorage):  # type: ignore[misc]
    def _create_connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection = super()._create_connection()
        conn.execute("PRAGMA synchronous=NORMAL")
        return conn


class SqliteHuey(huey.SqliteHuey):  # type: ignore[misc]
    storage_class = SqliteStorage
