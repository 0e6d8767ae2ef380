"""Runs the real import code in a child process under an address-space limit, on a scratch
SQLite database, and reports how the job ended and what the process used.

    python -m tests.interop.sandbox setup
    python -m tests.interop.sandbox run {devices|genomics} FORMAT FILE [LIMIT_MB]
    python -m tests.interop.sandbox recover {devices|genomics}

(the database and the upload folder come from ``child_env``).

``run`` uploads FILE as the patient's clinician (create_import, as the upload page does, the
file streamed in 1 MiB chunks), runs the job as the worker does (run_import) and prints one
JSON line: status, error, seconds, peak RSS, rows stored, files left in the upload folder.
The limit (``resource.setrlimit(RLIMIT_AS)``) is set before Django is imported, so the whole
process lives under it; a bomb that got past its bound would end in MemoryError.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

SYNTHETIC_SETUP = """
from django.core.management import call_command
call_command("migrate", verbosity=0)
from painpath.accounts.models import Clinic, Role, User
from painpath.patients.models import CareTeam, Patient
clinic = Clinic.objects.create(name="Sandbox (synthetic)", slug="sandbox", timezone="UTC", synthetic=True)
doctor = User.objects.create(username="sandbox-doctor", role=Role.CLINICIAN, clinic=clinic, synthetic=True)
patient = Patient.objects.create(clinic=clinic, mrn="SYN-1", given_name="S", family_name="Y",
                                 date_of_birth="1970-01-01", sex="female", synthetic=True)
team = CareTeam.objects.create(clinic=clinic, name="Sandbox team")
team.members.add(doctor)
team.patients.add(patient)
"""


def child_env(db: Path, var_dir: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db}",
        "PAINPATH_ENV": "test",  # in-memory queue: nothing lands in ./var
        "PAINPATH_VAR_DIR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": "painpath.settings",
        "OPENBLAS_NUM_THREADS": "1",  # one BLAS thread: no per-thread arenas in the limit
        "LOG_LEVEL": "CRITICAL",
        **extra,
    }


def run_child(args: list[str], env: dict[str, str], timeout: float = 300) -> dict[str, Any]:
    """Run this module with ``args`` and return its JSON line."""
    out = subprocess.run(
        [sys.executable, "-m", "tests.interop.sandbox", *args],
        env=env,
        capture_output=True,
        timeout=timeout,
        check=False,
        cwd=Path(__file__).parents[2],
    )
    lines = out.stdout.decode().strip().splitlines()
    if out.returncode != 0 or not lines:
        raise AssertionError(f"sandbox {args[0]} failed ({out.returncode}): {out.stderr.decode()}")
    return dict(json.loads(lines[-1]))


def _setup() -> dict[str, Any]:
    exec(SYNTHETIC_SETUP, {})  # noqa: S102 - our own fixed set-up code
    return {"ok": True}


def _chunks(path: Path) -> Any:
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            yield chunk


def _run(app: str, fmt: str, path: Path) -> dict[str, Any]:
    from painpath.accounts.models import User
    from painpath.core.context import Actor
    from painpath.patients.models import Patient

    actor = Actor(user=User.objects.get(username="sandbox-doctor"))
    patient = Patient.objects.get(mrn="SYN-1")
    start = time.monotonic()
    if app == "devices":
        from painpath.devices import imports
        from painpath.devices.models import Sample

        job = imports.create_import(
            actor=actor, patient_id=patient.pk, fmt=fmt, file_name=path.name, chunks=_chunks(path)
        )
        job = imports.run_import(job_id=job.pk)
        stored = Sample.objects.count()
        folder = imports.import_dir()
    else:
        from painpath.genomics import imports as pgx_imports
        from painpath.genomics.models import PgxResult

        job = pgx_imports.create_import(
            actor=actor, patient_id=patient.pk, filename=path.name, chunks=_chunks(path)
        )
        job = pgx_imports.run_import(job_id=job.pk)
        stored = PgxResult.objects.count()
        folder = pgx_imports.import_dir()
    return {
        "status": job.status,
        "error": job.error,
        "seconds": round(time.monotonic() - start, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "stored": stored,
        "files_left": len(list(folder.iterdir())),
        "job": job.pk,
    }


def _recover(app: str) -> dict[str, Any]:
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True  # a job queued again runs here and now, as the worker would run it
    if app == "devices":
        from painpath.devices import imports
        from painpath.devices.models import ImportJob, Sample

        counts = imports.recover_imports()
        job = ImportJob.objects.get()
        return {
            "counts": counts,
            "status": job.status,
            "error": job.error,
            "attempts": job.attempts,
            "processed": job.processed,
            "new": job.new,
            "duplicates": job.duplicates,
            "stored": Sample.objects.count(),
            "files_left": len(list(imports.import_dir().iterdir())),
        }
    from painpath.genomics import imports as pgx_imports
    from painpath.genomics.models import PgxImportJob, PgxResult

    counts = pgx_imports.recover_imports()
    job = PgxImportJob.objects.get()
    return {
        "counts": counts,
        "status": job.status,
        "error": job.error,
        "attempts": job.attempts,
        "stored": PgxResult.objects.count(),
    }


def main(argv: list[str]) -> None:
    command = argv[0]
    if command == "run" and len(argv) > 4:
        limit = int(argv[4]) * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    import django

    django.setup()
    if command == "setup":
        result = _setup()
    elif command == "run":
        result = _run(argv[1], argv[2], Path(argv[3]))
    else:
        result = _recover(argv[1])
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
