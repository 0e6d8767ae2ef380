"""Playing the intruder who owns the database: remove the guards, then write by hand."""

from __future__ import annotations

from django.db import connection

AUDIT_TABLES = ("audit_auditevent", "audit_auditchainhead")


def drop_guards() -> None:
    """What the owner of the tables could do before tampering by hand: remove every trigger
    on the audit tables. Inside a test's transaction this is rolled back with it."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in AUDIT_TABLES:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            return
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN (%s, %s)",
            list(AUDIT_TABLES),
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f"DROP TRIGGER {name}")


def sql(statement: str, params: list[object] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])
