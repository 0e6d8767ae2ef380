"""`painpath demo`, `serve`, `migrate` and `worker`: running the platform.

Both servers run gunicorn's threaded (gthread) worker: a slow client holds one thread for at
most ``BODY_TIMEOUT_SECONDS`` (painpath.core.request_body), never a whole worker. `demo`
supervises its web server and background worker (painpath.cli.supervisor): it stops both on
SIGTERM/SIGINT and starts the worker again if it dies.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
from typing import Any

from painpath.cli import CliError
from painpath.cli._django import setup_django

DEMO_PASSWORD = "painpath-demo"  # noqa: S105 - printed for the synthetic demo users only


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} must be 1 or more")
    return value


def _port(text: str) -> int:
    value = _positive(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"{text} is not a TCP port (1-65535)")
    return value


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    demo = subparsers.add_parser(
        "demo", help="migrate the SQLite default, load the synthetic cohort, serve on localhost"
    )
    demo.add_argument("--patients", type=_positive, default=60, help="cohort size (default 60)")
    demo.add_argument("--seed", type=int, default=7, help="cohort seed (default 7)")
    demo.add_argument("--port", type=_port, default=8000, help="port (default 8000)")
    demo.add_argument("--no-serve", action="store_true", help="prepare the database and stop")
    demo.set_defaults(func=run_demo)

    serve = subparsers.add_parser("serve", help="production server (gunicorn)")
    serve.add_argument("--bind", default=os.environ.get("PAINPATH_BIND", "127.0.0.1:8000"))
    serve.add_argument("--workers", type=_positive, default=int(os.environ.get("WEB_WORKERS", "3")))
    serve.add_argument(
        "--threads",
        type=_positive,
        default=int(os.environ.get("WEB_THREADS", "8")),
        help="threads per worker (default 8, or WEB_THREADS)",
    )
    serve.set_defaults(func=run_serve)

    migrate = subparsers.add_parser("migrate", help="apply database migrations")
    migrate.set_defaults(func=run_migrate)

    worker = subparsers.add_parser("worker", help="run the background task worker (huey)")
    worker.add_argument("--workers", type=_positive, default=2)
    worker.set_defaults(func=run_worker)


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _gunicorn_argv(bind: str, workers: int, threads: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "painpath.wsgi:application",
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(threads),
        "--graceful-timeout",
        "10",
        # Above the header limits of the documented proxy (deploy/nginx), which then refuses
        # oversized headers itself with the API's JSON error body.
        "--limit-request-line",
        "8190",
        "--limit-request-field_size",
        "16380",
        "--access-logfile",
        "-",
        "--forwarded-allow-ips",
        os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
    ]


def run_demo(args: argparse.Namespace) -> int:
    os.environ.setdefault("PAINPATH_ENV", "demo")
    if not args.no_serve and not _port_free(args.port):
        raise CliError(f"port {args.port} is in use; choose another with --port")
    setup_django()
    from django.core.management import call_command
    from django.utils import timezone

    from painpath.accounts.models import User
    from painpath.analytics.synth import generate_cohort
    from painpath.audit.models import AuditEvent
    from painpath.audit.services import forget_anchors, record_anchor
    from painpath.patients.cohort import load_cohort
    from painpath.patients.models import Patient

    call_command("migrate", interactive=False, verbosity=0)
    if Patient.objects.exists():
        print("The database already holds patients; the synthetic cohort was not loaded again.")
    else:
        if not AuditEvent.objects.exists():
            forget_anchors()  # a new database at the old address: old anchors do not apply
        cohort = generate_cohort(
            n_patients=args.patients, seed=args.seed, as_of=timezone.localdate()
        )
        load_cohort(cohort, password=DEMO_PASSWORD)
        print(f"Loaded a SYNTHETIC cohort: {len(cohort.patients)} patients (seed {args.seed}).")
        record_anchor()
    url = f"http://127.0.0.1:{args.port}/"
    print()
    print(f"painpath demo: {url}  (all people and data here are SYNTHETIC)")
    print(f"Demo log-ins (password for all: {DEMO_PASSWORD}):")
    for user in (
        User.objects.filter(synthetic=True)
        .select_related("clinic")
        .order_by("clinic_id", "role", "username")
    ):
        what = user.profession or user.role
        print(f"  {user.username:<22} {what:<16} {user.clinic.name if user.clinic else ''}")
    print(f"API docs: {url}api/v1/docs   OpenAPI: {url}api/v1/openapi.json")
    sys.stdout.flush()
    if args.no_serve:
        return 0
    from painpath.cli.supervisor import supervise

    return supervise(
        server=_gunicorn_argv(f"127.0.0.1:{args.port}", 2, 4),
        worker=[sys.executable, "-m", "painpath.cli", "worker"],
        env={**os.environ, "PAINPATH_ENV": os.environ["PAINPATH_ENV"]},
    )


def run_serve(args: argparse.Namespace) -> int:
    setup_django()  # refuses to start without a SECRET_KEY in production
    from django.core.management import call_command

    # Hashed, compressed static files for whitenoise; idempotent and quick after the first run.
    call_command("collectstatic", interactive=False, verbosity=0)
    argv = _gunicorn_argv(args.bind, args.workers, args.threads)
    os.execv(sys.executable, argv)  # noqa: S606 - replace this process with gunicorn
    return 0  # pragma: no cover


def run_migrate(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.management import call_command

    call_command("migrate", interactive=False)
    return 0


def run_worker(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.management import call_command

    call_command("run_huey", workers=args.workers)
    return 0
