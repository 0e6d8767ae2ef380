"""Audited reads under load: a real gunicorn (painpath serve) and wrk, reads/s per core vs unaudited.

For SQLite and a scratch PostgreSQL database: `painpath serve` with 2 sync workers, a load
generator in another process (wrk, 8 connections; a Python generator where wrk is missing),
and three endpoints in the same run: `GET /api/v1/me` (authenticated, not audited: the floor
of the stack), `GET /api/v1/patients/{id}` (one audited read) and the 20-patient list (one
audited list). "Per core" divides the answered requests by the CPU seconds the server side
spent (gunicorn's processes, and PostgreSQL's backends for them), read from /proc: on a shared
2-core machine that is steadier than wall-clock rates, which are printed as well.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

DURATION_S = 10
CONNECTIONS = 8
WORKERS = 2
PATIENTS = 20
PG_ADMIN = os.environ.get("PAINPATH_BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

SETUP = f"""
import django; django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from painpath.accounts.models import Clinic, Role, User
from painpath.accounts.tokens import issue_token
from painpath.patients.models import CareTeam, Patient
clinic = Clinic.objects.create(name="Load (synthetic)", slug="load", timezone="UTC", synthetic=True)
dr = User.objects.create(username="dr-load", role=Role.CLINICIAN, clinic=clinic, synthetic=True)
team = CareTeam.objects.create(clinic=clinic, name="Load team", synthetic=True)
team.members.add(dr)
patients = [
    Patient.objects.create(clinic=clinic, mrn=f"SYN-{{i}}", given_name="Synthetic",
                           family_name=f"Person {{i}}", date_of_birth="1970-01-01",
                           sex="female", synthetic=True)
    for i in range({PATIENTS})
]
team.patients.add(*patients)
print(issue_token(user=dr, name="load").secret, *[p.pk for p in patients])
"""

ROTATE_LUA = """
local ids = {{{ids}}}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/api/v1/patients/" .. ids[(i % #ids) + 1])
end
"""

PY_LOAD = r"""
import http.client, sys, threading, time
port, seconds, conns, token, *paths = sys.argv[1:]
done = [0] * int(conns); bad = [0] * int(conns)
stop = time.monotonic() + float(seconds)
def run(n):
    i = n
    while time.monotonic() < stop:
        c = http.client.HTTPConnection("127.0.0.1", int(port), timeout=30)
        c.request("GET", paths[i % len(paths)], headers={"Authorization": "Bearer " + token})
        r = c.getresponse(); r.read(); c.close()
        done[n] += 1; bad[n] += r.status != 200; i += 1
ts = [threading.Thread(target=run, args=(n,)) for n in range(int(conns))]
[t.start() for t in ts]; [t.join() for t in ts]
print(sum(done), sum(bad))
"""


@dataclass
class Rate:
    requests: int
    failed: int
    seconds: float
    cpu_seconds: float

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    @property
    def per_core(self) -> float:
        return self.requests / self.cpu_seconds if self.cpu_seconds else 0.0


def _run(argv: list[str], env: dict[str, str] | None = None) -> str:
    return subprocess.run(  # noqa: S603 - fixed argument lists built here
        argv, env=env, capture_output=True, text=True, check=True
    ).stdout


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLOCK_TICKS


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(p) for p in (task / "children").read_text().split()]
    return [pid, *found]


def _pg_backends(database_url: str) -> list[int]:
    if not database_url.startswith("postgres"):
        return []
    import psycopg

    name = database_url.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        ).fetchall()
    return [int(r[0]) for r in rows]


def _load(port: int, token: str, paths: list[str], seconds: int) -> tuple[int, int]:
    if Path("/usr/bin/wrk").exists():
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            ids = ", ".join(f'"{p.rsplit("/", 1)[1]}"' for p in paths)
            script.write(ROTATE_LUA.format(ids=ids) if len(paths) > 1 else "")
        out = _run(
            [
                *("/usr/bin/wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "30s"),
                *("-H", f"Authorization: Bearer {token}", "-s", script.name),
                f"http://127.0.0.1:{port}{paths[0]}",
            ]
        )
        os.unlink(script.name)
        done = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
        bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        return done, int(bad.group(1)) if bad else 0
    argv = [sys.executable, "-c", PY_LOAD, str(port), str(seconds), str(CONNECTIONS), token]
    out = _run(argv + paths)
    done, bad = (int(x) for x in out.split())
    return done, bad


def _measure(port: int, token: str, paths: list[str], pids: list[int]) -> Rate:
    _load(port, token, paths, 2)  # warm-up: imports, connections, caches
    cpu_before = _cpu_seconds(pids)
    started = time.perf_counter()
    done, bad = _load(port, token, paths, DURATION_S)
    seconds = time.perf_counter() - started
    return Rate(done, bad, seconds, _cpu_seconds(pids) - cpu_before)


def _serve(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    argv = [sys.executable, "-m", "painpath.cli", "serve", "--bind", f"127.0.0.1:{port}"]
    process = subprocess.Popen(  # noqa: S603 - fixed argument list
        [*argv, "--workers", str(WORKERS)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2)
            return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError("painpath serve did not start")


def _audit_rows(env: dict[str, str]) -> str:
    code = (
        "import django; django.setup()\n"
        "from painpath.audit.models import AuditEvent\n"
        "from painpath.audit.services import verify_chain\n"
        "r = verify_chain()\n"
        "print(AuditEvent.objects.filter(action='read').count(), r.checked, r.broken)\n"
    )
    reads, checked, broken = _run([sys.executable, "-c", code], env).split(maxsplit=2)
    return f"{reads} read rows; chain {checked} rows, break: {broken.strip()}"


def _run_database(label: str, database_url: str, var: Path) -> list[str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "PAINPATH_ENV": "demo",
        "PAINPATH_VAR_DIR": str(var),
        "DJANGO_SETTINGS_MODULE": "painpath.settings",
        "HUEY_SQLITE_PATH": str(var / "huey.sqlite3"),
        "LOG_LEVEL": "WARNING",
    }
    token, *ids = _run([sys.executable, "-c", SETUP], env).split()
    port = _free_port()
    server = _serve(env, port)
    try:
        _load(port, token, ["/api/v1/me"], 1)  # workers connect: PostgreSQL backends exist
        pids = _children(server.pid) + _pg_backends(database_url)
        me = _measure(port, token, ["/api/v1/me"], pids)
        one = _measure(port, token, [f"/api/v1/patients/{i}" for i in ids], pids)
        page = _measure(port, token, [f"/api/v1/patients?limit={PATIENTS}"], pids)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
    lines = [f"{label}:"]
    for name, rate in (
        ("GET /api/v1/me (not audited)", me),
        ("GET /api/v1/patients/{id} (audited)", one),
        (f"GET /api/v1/patients?limit={PATIENTS} (audited)", page),
    ):
        failed = f", {rate.failed} failed" if rate.failed else ""
        lines.append(
            f"  {name}: {rate.per_second:,.0f} req/s, {rate.per_core:,.0f} per core{failed}"
        )
    lines.append(
        f"  audited read / unaudited per core: {one.per_core / me.per_core:.2f} "
        f"(list: {page.per_core / me.per_core:.2f}); target >= 500 audited reads/s per core "
        "on PostgreSQL"
    )
    lines.append(f"  after the run: {_audit_rows(env)}")
    return lines


def run() -> list[str]:
    lines: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench-audit-load-") as tmp:
        lines += _run_database("SQLite", f"sqlite:///{tmp}/load.sqlite3", Path(tmp))
        try:
            import psycopg

            name = f"painpath_bench_audit_load_{os.getpid()}"
            with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as admin:
                admin.execute(f'CREATE DATABASE "{name}"')
        except Exception as exc:
            lines.append(f"PostgreSQL: skipped ({type(exc).__name__}: {exc})".splitlines()[0])
            return lines
        try:
            url = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
            lines += _run_database("PostgreSQL", url, Path(tmp))
        finally:
            with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    generator = "wrk" if Path("/usr/bin/wrk").exists() else "a Python load generator"
    lines.append(
        f"({generator}, {CONNECTIONS} connections, {DURATION_S} s per endpoint after 2 s of "
        f"warm-up; painpath serve with {WORKERS} sync workers on the same machine; per core = "
        "answered requests / server-side CPU seconds)"
    )
    return lines
