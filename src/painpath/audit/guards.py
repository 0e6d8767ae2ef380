"""The database's own refusal to change the audit trail: triggers on SQLite and PostgreSQL.

On ``audit_auditevent``:
- INSERT only of an unsealed row (no ``seq``, ``prev_hash`` or ``hash``): a row cannot claim a
  place in the chain without the sealer;
- UPDATE only to seal an unsealed row, leaving its content as it is, at the very end of the
  chain (``seq`` one past the last sealed row, ``prev_hash`` that row's hash); a sealed row
  never changes again;
- DELETE (and TRUNCATE on PostgreSQL) never.

On ``audit_auditchainhead``: created once, empty, before any row is sealed; moved only forward,
to the last sealed row and its hash; never re-identified, deleted or truncated.

Migration ``0003`` installs these (``install``); ``audit verify`` compares what the database
holds with them (``problems``), so a dropped, disabled or rewritten trigger is reported. On
SQLite, Django alters a table by rebuilding it, which drops its triggers: a later migration
that alters either table must call ``install`` again at its end. They
stop the application, a bug or a person with ordinary write access; the owner of the tables can
still drop them, which ``verify`` then reports, and which the hash chain and its anchors make
evident for the rows themselves.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from django.db.backends.base.base import BaseDatabaseWrapper

__all__ = ["install", "lifted", "problems", "uninstall"]

GENESIS = "0" * 64
EVENT = "audit_auditevent"
HEAD = "audit_auditchainhead"
_CONTENT = (
    "id",
    "at",
    "actor_id",
    "actor_label",
    "patient_id",
    "action",
    "object_type",
    "object_id",
    "request_id",
    "client_ip",
    "detail",
)
_UNSEALED_ONLY = "audit rows are append-only: a new row arrives unsealed"
_SEAL_ONCE = "audit rows are append-only: a row is sealed once, unchanged, at the end of the chain"
_NO_DELETE = "audit rows are append-only: they cannot be deleted"
_HEAD_ONCE = "the audit chain head is created once, empty, before any row is sealed"
_HEAD_FORWARD = "the audit chain head only moves forward, to the last sealed row"
_HEAD_STAYS = "the audit chain head cannot be deleted"

# Conditions shared by both dialects (SQLite's IS NOT is PostgreSQL's IS DISTINCT FROM).
# Constant table names only (S608: no outside input reaches these strings).
_SEAL_BREAKS_CHAIN = f"""NEW.seq IS NULL OR NEW.seq < 1
      OR EXISTS (SELECT 1 FROM {EVENT} WHERE seq >= NEW.seq)
      OR NEW.prev_hash <> COALESCE(
           (SELECT hash FROM {EVENT} WHERE seq = NEW.seq - 1),
           CASE WHEN NEW.seq = 1 THEN '{GENESIS}' END, '')
      OR length(NEW.hash) <> 64"""  # noqa: S608
_HEAD_NOT_LAST = f"""NEW.seq <= OLD.seq
      OR EXISTS (SELECT 1 FROM {EVENT} WHERE seq > NEW.seq)
      OR NOT EXISTS (SELECT 1 FROM {EVENT} WHERE seq = NEW.seq AND hash = NEW.hash)"""  # noqa: S608
_HEAD_NOT_NEW = f"""EXISTS (SELECT 1 FROM {HEAD})
      OR EXISTS (SELECT 1 FROM {EVENT} WHERE seq IS NOT NULL)
      OR NEW.seq <> 0 OR NEW.hash <> '{GENESIS}'"""  # noqa: S608


def _sqlite_changed(columns: tuple[str, ...]) -> str:
    return " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in columns)


def _sqlite_trigger(name: str, when: str, table: str, condition: str, message: str) -> str:
    guard = f"\n    WHEN {condition}" if condition else ""
    return (
        f"CREATE TRIGGER {name} BEFORE {when} ON {table} FOR EACH ROW{guard}\n"
        f"    BEGIN SELECT RAISE(ABORT, '{message}'); END"
    )


SQLITE: dict[str, str] = {
    "audit_auditevent_insert_unsealed": _sqlite_trigger(
        "audit_auditevent_insert_unsealed",
        "INSERT",
        EVENT,
        "NEW.seq IS NOT NULL OR NEW.prev_hash <> '' OR NEW.hash <> ''",
        _UNSEALED_ONLY,
    ),
    "audit_auditevent_seal_only": _sqlite_trigger(
        "audit_auditevent_seal_only",
        "UPDATE",
        EVENT,
        f"OLD.seq IS NOT NULL OR {_sqlite_changed(_CONTENT)}\n      OR {_SEAL_BREAKS_CHAIN}",
        _SEAL_ONCE,
    ),
    "audit_auditevent_no_delete": _sqlite_trigger(
        "audit_auditevent_no_delete", "DELETE", EVENT, "", _NO_DELETE
    ),
    "audit_chainhead_insert_once": _sqlite_trigger(
        "audit_chainhead_insert_once", "INSERT", HEAD, _HEAD_NOT_NEW, _HEAD_ONCE
    ),
    "audit_chainhead_forward_only": _sqlite_trigger(
        "audit_chainhead_forward_only",
        "UPDATE",
        HEAD,
        f"{_sqlite_changed(('id', 'chain_id'))}\n      OR {_HEAD_NOT_LAST}",
        _HEAD_FORWARD,
    ),
    "audit_chainhead_no_delete": _sqlite_trigger(
        "audit_chainhead_no_delete", "DELETE", HEAD, "", _HEAD_STAYS
    ),
}


def _pg_row(prefix: str, columns: tuple[str, ...]) -> str:
    return "ROW(" + ", ".join(f"{prefix}.{c}" for c in columns) + ")"


POSTGRES_FUNCTIONS: dict[str, str] = {
    "audit_auditevent_guard": f"""
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.seq IS NOT NULL OR NEW.prev_hash <> '' OR NEW.hash <> '' THEN
      RAISE EXCEPTION '{_UNSEALED_ONLY}';
    END IF;
    RETURN NEW;
  ELSIF TG_OP = 'UPDATE' THEN
    IF OLD.seq IS NOT NULL
       OR {_pg_row("NEW", _CONTENT)} IS DISTINCT FROM {_pg_row("OLD", _CONTENT)}
       OR {_SEAL_BREAKS_CHAIN} THEN
      RAISE EXCEPTION '{_SEAL_ONCE}';
    END IF;
    RETURN NEW;
  END IF;
  RAISE EXCEPTION '{_NO_DELETE}';
END
""",
    "audit_auditchainhead_guard": f"""
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF {_HEAD_NOT_NEW} THEN
      RAISE EXCEPTION '{_HEAD_ONCE}';
    END IF;
    RETURN NEW;
  ELSIF TG_OP = 'UPDATE' THEN
    IF ROW(NEW.id, NEW.chain_id) IS DISTINCT FROM ROW(OLD.id, OLD.chain_id)
       OR {_HEAD_NOT_LAST} THEN
      RAISE EXCEPTION '{_HEAD_FORWARD}';
    END IF;
    RETURN NEW;
  END IF;
  RAISE EXCEPTION '{_HEAD_STAYS}';
END
""",
}

# name -> (timing and events, table, row or statement, function); written as
# pg_get_triggerdef() prints them, so what the database holds can be compared as text.
POSTGRES_TRIGGERS: dict[str, tuple[str, str, str, str]] = {
    "audit_auditevent_insert_unsealed": ("BEFORE INSERT", EVENT, "ROW", "audit_auditevent_guard"),
    "audit_auditevent_seal_only": ("BEFORE UPDATE", EVENT, "ROW", "audit_auditevent_guard"),
    "audit_auditevent_no_delete": ("BEFORE DELETE", EVENT, "ROW", "audit_auditevent_guard"),
    "audit_auditevent_no_truncate": (
        "BEFORE TRUNCATE",
        EVENT,
        "STATEMENT",
        "audit_auditevent_guard",
    ),
    "audit_chainhead_insert_once": ("BEFORE INSERT", HEAD, "ROW", "audit_auditchainhead_guard"),
    "audit_chainhead_forward_only": ("BEFORE UPDATE", HEAD, "ROW", "audit_auditchainhead_guard"),
    "audit_chainhead_no_delete": ("BEFORE DELETE", HEAD, "ROW", "audit_auditchainhead_guard"),
    "audit_chainhead_no_truncate": (
        "BEFORE TRUNCATE",
        HEAD,
        "STATEMENT",
        "audit_auditchainhead_guard",
    ),
}


def _pg_trigger_sql(name: str) -> str:
    timing, table, level, function = POSTGRES_TRIGGERS[name]
    return (
        f"CREATE TRIGGER {name} {timing} ON {table} FOR EACH {level} EXECUTE FUNCTION {function}()"
    )


def install(connection: BaseDatabaseWrapper) -> None:
    """Create (or re-create) every guard; other database engines get none."""
    uninstall(connection)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for sql in SQLITE.values():
                cursor.execute(sql)
        elif connection.vendor == "postgresql":
            for name, body in POSTGRES_FUNCTIONS.items():
                cursor.execute(
                    f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger "
                    f"LANGUAGE plpgsql AS $guard${body}$guard$"
                )
            for name in POSTGRES_TRIGGERS:
                cursor.execute(_pg_trigger_sql(name))


def uninstall(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name in SQLITE:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        elif connection.vendor == "postgresql":
            for name, (_, table, _, _) in POSTGRES_TRIGGERS.items():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            for name in POSTGRES_FUNCTIONS:
                cursor.execute(f"DROP FUNCTION IF EXISTS {name}()")


def _normal(sql: str) -> str:
    return re.sub(r"\s+", " ", sql).strip()


def _sqlite_problems(connection: BaseDatabaseWrapper) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        held = dict(cursor.fetchall())
    found = []
    for name, sql in SQLITE.items():
        if name not in held:
            found.append(f"trigger {name} is missing")
        elif _normal(held[name]) != _normal(sql):
            found.append(f"trigger {name} was altered")
    return found


def _pg_problems(connection: BaseDatabaseWrapper) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t.tgname, t.tgenabled, pg_get_triggerdef(t.oid) FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal "
            "AND c.relname IN (%s, %s) AND c.relnamespace = to_regnamespace(current_schema())",
            [EVENT, HEAD],
        )
        triggers = {name: (enabled, definition) for name, enabled, definition in cursor}
        cursor.execute(
            "SELECT proname, prosrc FROM pg_proc WHERE proname = ANY(%s) "
            "AND pronamespace = to_regnamespace(current_schema())",
            [list(POSTGRES_FUNCTIONS)],
        )
        functions = dict(cursor.fetchall())
    found = []
    for name, body in POSTGRES_FUNCTIONS.items():
        if name not in functions:
            found.append(f"function {name} is missing")
        elif _normal(functions[name]) != _normal(body):
            found.append(f"function {name} was altered")
    for name in POSTGRES_TRIGGERS:
        if name not in triggers:
            found.append(f"trigger {name} is missing")
            continue
        enabled, definition = triggers[name]
        if enabled == "D":
            found.append(f"trigger {name} is disabled")
        if _normal(re.sub(r"\bON \w+\.", "ON ", definition)) != _normal(_pg_trigger_sql(name)):
            found.append(f"trigger {name} was altered")
    return found


def problems(connection: BaseDatabaseWrapper) -> list[str]:
    """What is missing, disabled or altered among the guards (empty when all hold)."""
    if connection.vendor == "sqlite":
        return _sqlite_problems(connection)
    if connection.vendor == "postgresql":
        return _pg_problems(connection)
    return [f"no append-only guards exist for the {connection.vendor} database engine"]


@contextmanager
def lifted(connection: BaseDatabaseWrapper) -> Iterator[None]:
    """Suspend the guards, then restore them exactly: for ``flush``, which empties every table
    on purpose (the test suite between tests), and for tests that play the intruder."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in (EVENT, HEAD):
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                for table in (EVENT, HEAD):
                    cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        return
    held: list[str] = []
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master "
                "WHERE type = 'trigger' AND tbl_name IN (%s, %s)",
                [EVENT, HEAD],
            )
            rows = cursor.fetchall()
            for name, sql in rows:
                cursor.execute(f"DROP TRIGGER {name}")
                held.append(sql)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for sql in held:
                cursor.execute(sql)
