"""The embedded queue file: WAL with synchronous=NORMAL (the main database's setting), and a
task enqueued by a process that is then killed (-9) is still there for the worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

SETUP = "import django; django.setup(); from huey.contrib.djhuey import HUEY; "


def _run(code: str, tmp_path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"PAINPATH_ENV", "DATABASE_URL"}}
    return subprocess.run(
        [sys.executable, "-c", SETUP + code],
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "painpath.settings",
            "PAINPATH_ENV": "demo",
            "PAINPATH_VAR_DIR": str(tmp_path),
            "HUEY_SQLITE_PATH": str(tmp_path / "huey.sqlite3"),
        },
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_the_queue_file_is_wal_with_normal_sync(tmp_path):
    result = _run(
        "s = HUEY.storage; print(type(HUEY).__module__, "
        "s.sql('pragma journal_mode', results=True)[0][0], "
        "s.sql('pragma synchronous', results=True)[0][0])",
        tmp_path,
    )
    assert result.stdout.split() == ["painpath.core.queue", "wal", "1"], result.stderr


def test_a_task_enqueued_before_kill_9_is_kept(tmp_path):
    killed = _run(
        "import os, signal; from painpath.alerts.tasks import evaluate_patient_task; "
        "evaluate_patient_task(41, changed_at='2026-03-10T14:00:00+00:00', kind='samples'); "
        "os.kill(os.getpid(), signal.SIGKILL)",
        tmp_path,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    after = _run(
        "import painpath.alerts.tasks; (t,) = HUEY.pending(); "
        "print(t.name.rsplit('.', 1)[-1], t.args[0], t.kwargs['kind'])",
        tmp_path,
    )
    assert after.stdout.split() == ["evaluate_patient_task", "41", "samples"], after.stderr
