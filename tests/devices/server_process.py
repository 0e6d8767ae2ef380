"""A real painpath server (gunicorn) on a free loopback port, on its own scratch database."""

from __future__ import annotations

import os
import resource
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

SETUP = """
import django; django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from painpath.accounts.models import Clinic, Role, User
from painpath.accounts.tokens import issue_token
from painpath.patients.models import Patient
clinic = Clinic.objects.create(name="Bench (synthetic)", slug="bench", timezone="UTC", synthetic=True)
user = User.objects.create(username="device-owner", role=Role.PATIENT, clinic=clinic, synthetic=True)
patient = Patient.objects.create(clinic=clinic, user=user, mrn="SYN-1", given_name="S", family_name="Y",
                                 date_of_birth="1970-01-01", sex="female", synthetic=True)
print(patient.pk, issue_token(user=user, name="device", patient_id=patient.pk).secret)
"""


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str
    patient_id: int
    token: str
    env: dict[str, str]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(process: subprocess.Popen[bytes], url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}/login/", timeout=2)  # noqa: S310 - loopback
            return
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the server did not start")


def _limit(megabytes: int | None) -> object:
    """A pre-exec hook that caps the server's address space (None: no cap)."""
    if megabytes is None:
        return None

    def cap() -> None:
        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return cap


def _launch(
    env: dict[str, str], workers: int, memory_mb: int | None = None
) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [
            str(gunicorn),
            "painpath.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=_limit(memory_mb),  # type: ignore[arg-type]  # noqa: PLW1509 - no threads yet
    )
    url = f"http://127.0.0.1:{port}"
    _wait(process, url)
    return process, url


def start_server(
    database_url: str, var_dir: Path, *, workers: int = 1, memory_mb: int | None = None
) -> Server:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "PAINPATH_ENV": "demo",
        "PAINPATH_VAR_DIR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": "painpath.settings",
        "HUEY_SQLITE_PATH": str(var_dir / "huey.sqlite3"),
        "LOG_LEVEL": "WARNING",
    }
    out = subprocess.run(
        [sys.executable, "-c", SETUP], env=env, capture_output=True, check=True, timeout=120
    )
    patient_id, token = out.stdout.decode().split()[-2:]
    process, url = _launch(
        {**env, "OPENBLAS_NUM_THREADS": "1"} if memory_mb else env, workers, memory_mb
    )
    return Server(process, url, int(patient_id), token, env)


def restart_server(server: Server, *, workers: int = 1) -> Server:
    """A new server on the same database (after ``server`` was killed): same patient, token."""
    process, url = _launch(server.env, workers)
    return Server(process, url, server.patient_id, server.token, server.env)
