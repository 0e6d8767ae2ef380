"""Settings from the environment: safe defaults, refusal without a secret, security headers."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

PROBE = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'debug': s.DEBUG, 'hsts': getattr(s, 'SECURE_HSTS_SECONDS', 0), "
    "'secure_cookie': s.SESSION_COOKIE_SECURE, 'csrf_secure': s.CSRF_COOKIE_SECURE, "
    "'engine': s.DATABASES['default']['ENGINE'], 'hosts': s.ALLOWED_HOSTS, "
    "'proxy_header': getattr(s, 'SECURE_PROXY_SSL_HEADER', None)}))"
)


def _settings(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PAINPATH_ENV", "SECRET_KEY", "DATABASE_URL"}
    }
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        env={**clean, "DJANGO_SETTINGS_MODULE": "painpath.settings", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_is_the_default_and_refuses_without_a_secret_key(tmp_path):
    result = _settings({"PAINPATH_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_refuses_a_short_secret(tmp_path):
    result = _settings({"SECRET_KEY": "short", "PAINPATH_VAR_DIR": str(tmp_path)})
    assert "at least 32 characters" in result.stderr


def test_production_turns_on_hsts_and_secure_cookies(tmp_path):
    result = _settings(
        {
            "SECRET_KEY": "x" * 50,
            "ALLOWED_HOSTS": "pain.example.org",
            "DATABASE_URL": "postgres://u@127.0.0.1:5432/painpath",
            "PAINPATH_VAR_DIR": str(tmp_path),
        }
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["hsts"] >= 31536000 and values["secure_cookie"] and values["csrf_secure"]
    assert values["debug"] is False and values["hosts"] == ["pain.example.org"]
    assert values["engine"] == "django.db.backends.postgresql"


def test_production_refuses_to_start_without_allowed_hosts(tmp_path):
    result = _settings({"SECRET_KEY": "x" * 50, "PAINPATH_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "ALLOWED_HOSTS is not set" in result.stderr


@pytest.mark.parametrize(
    ("behind_proxy", "expected"), [("0", None), ("1", ["HTTP_X_FORWARDED_PROTO", "https"])]
)
def test_forwarded_proto_is_trusted_only_behind_a_declared_proxy(tmp_path, behind_proxy, expected):
    env = {
        "SECRET_KEY": "x" * 50,
        "ALLOWED_HOSTS": "pain.example.org",
        "PAINPATH_VAR_DIR": str(tmp_path),
        "BEHIND_TLS_PROXY": behind_proxy,
    }
    result = _settings(env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["proxy_header"] == expected


def test_demo_runs_without_a_secret_on_embedded_sqlite(tmp_path):
    result = _settings({"PAINPATH_ENV": "demo", "PAINPATH_VAR_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["engine"] == "django.db.backends.sqlite3" and values["hsts"] == 0


def test_unknown_profile_is_refused(tmp_path):
    result = _settings({"PAINPATH_ENV": "staging", "PAINPATH_VAR_DIR": str(tmp_path)})
    assert "PAINPATH_ENV must be one of" in result.stderr


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy(client):
    response = client.get("/login/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_sqlite_runs_in_wal_mode_with_foreign_keys(django_db_blocker):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite-only pragmas")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA foreign_keys")
        assert cursor.fetchone()[0] == 1
        cursor.execute("PRAGMA journal_mode")
        # the in-memory test database cannot use WAL; a file database does (checked below)
        assert cursor.fetchone()[0] in {"wal", "memory"}


def test_sqlite_file_database_uses_wal(tmp_path):
    probe = (
        "import django; django.setup(); from django.db import connection; "
        "c = connection.cursor(); c.execute('PRAGMA journal_mode'); print(c.fetchone()[0])"
    )
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL"}}
    result = subprocess.run(
        [sys.executable, "-c", probe],
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "painpath.settings",
            "PAINPATH_ENV": "demo",
            "PAINPATH_VAR_DIR": str(tmp_path),
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stdout.strip() == "wal", result.stderr


def test_the_test_profile_queues_in_memory_never_in_the_demo_queue_file(tmp_path):
    probe = (
        "import django; django.setup(); from huey.contrib.djhuey import HUEY; "
        "print(type(HUEY).__name__)"
    )
    clean = {k: v for k, v in os.environ.items() if k not in {"PAINPATH_ENV", "DATABASE_URL"}}
    for env, expected in (("test", "MemoryHuey"), ("demo", "SqliteHuey")):
        result = subprocess.run(
            [sys.executable, "-c", probe],
            env={
                **clean,
                "DJANGO_SETTINGS_MODULE": "painpath.settings",
                "PAINPATH_ENV": env,
                "PAINPATH_VAR_DIR": str(tmp_path),
            },
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.stdout.strip() == expected, result.stderr
        if env == "test":
            assert not (tmp_path / "huey.sqlite3").exists()


def test_database_connections_are_kept_between_requests_except_in_tests(tmp_path):
    probe = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DATABASES['default']['CONN_MAX_AGE'])"
    )
    clean = {k: v for k, v in os.environ.items() if k not in {"PAINPATH_ENV", "DATABASE_URL"}}
    ages = {}
    for env in ("demo", "test"):
        result = subprocess.run(
            [sys.executable, "-c", probe],
            env={
                **clean,
                "DJANGO_SETTINGS_MODULE": "painpath.settings",
                "PAINPATH_ENV": env,
                "PAINPATH_VAR_DIR": str(tmp_path),
            },
            capture_output=True,
            text=True,
            check=False,
        )
        ages[env] = result.stdout.strip()
    # SQLite included: reconnecting per request re-ran the PRAGMAs and checkpointed the WAL.
    assert ages == {"demo": "60", "test": "0"}
