"""Audit trail cost: audited vs plain patient reads; sealing; chain verification vs bare hashing.

Reads are timed twice: wall clock, and CPU (this process, plus the PostgreSQL backend serving
it, read from /proc). On a shared machine the CPU figure is the steadier measure of what a read
costs; the wall clock adds waiting, e.g. PostgreSQL flushing each write's commit to disk.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from pathlib import Path

READS = 2000


def _best_of(repeats: int, fn: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def _backend_cpu() -> float:
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # the database runs elsewhere: its share is not counted
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _timed(fn: Callable[[], object]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process and its database backend)."""
    wall, cpu, backend = time.perf_counter(), time.process_time(), _backend_cpu()
    fn()
    return (
        time.perf_counter() - wall,
        time.process_time() - cpu + _backend_cpu() - backend,
    )


def run() -> list[str]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from painpath import access
    from painpath.accounts.models import User
    from painpath.analytics.synth import generate_cohort
    from painpath.audit.chain import _canonical
    from painpath.audit.models import AuditEvent
    from painpath.audit.sealing import seal_pending
    from painpath.audit.services import verify_chain
    from painpath.core.context import Actor
    from painpath.patients import services
    from painpath.patients.cohort import load_cohort
    from painpath.patients.models import Patient

    call_command("migrate", interactive=False, verbosity=0)
    if not Patient.objects.exists():
        load_cohort(
            generate_cohort(n_patients=200, seed=1, as_of=timezone.localdate()), password="x"
        )
    seal_pending()
    admin = User.objects.get(username="admin")
    actor = Actor(user=admin, client_ip="127.0.0.1")
    ids = list(Patient.objects.filter(clinic=admin.clinic).values_list("pk", flat=True))

    def plain_reads() -> None:
        for i in range(READS):
            with transaction.atomic():
                Patient.objects.select_related("clinic").get(pk=ids[i % len(ids)])

    def checked_reads() -> None:
        # the same access-checked read as the service, without its audit row
        for i in range(READS):
            with transaction.atomic():
                access.get_readable_patient(admin, ids[i % len(ids)])

    def audited_reads() -> None:
        for i in range(READS):
            services.get_patient(actor=actor, patient_id=ids[i % len(ids)])

    def sealing() -> None:
        assert seal_pending() == READS

    # Interleaved, best of five each: the machine is shared, so the quietest run of each
    # stands for its cost.
    runs: dict[str, list[tuple[float, float]]] = {}
    for _ in range(5):
        for name, fn in (
            ("plain", plain_reads),
            ("checked", checked_reads),
            ("audited", audited_reads),
            ("seal", sealing),
        ):
            runs.setdefault(name, []).append(_timed(fn))
    wall = {name: min(w for w, _ in times) for name, times in runs.items()}
    cpu = {name: min(c for _, c in times) for name, times in runs.items()}

    rows = [e.as_chain_row() for e in AuditEvent.objects.order_by("seq")]

    def hash_only() -> None:
        for row in rows:
            hashlib.sha256(_canonical(row)).hexdigest()

    hashing = _best_of(3, hash_only)
    verifying = _best_of(3, lambda: verify_chain(seal=False))
    lines = [f"database: {connection.vendor}; {READS} reads of {len(ids)} patients, best of 5"]
    for label, key in (
        ("plain (one ORM get in a transaction)", "plain"),
        ("access-checked, not audited", "checked"),
        ("audited (the service: access check + audit row)", "audited"),
    ):
        lines.append(
            f"patient read, {label}: {READS / wall[key]:,.0f} reads/s, "
            f"{READS / cpu[key]:,.0f} per CPU-second"
        )
    for basis, t in (("CPU", cpu), ("wall clock", wall)):
        lines.append(
            f"  {basis}: audited / plain {t['audited'] / t['plain']:.2f}x; audited / "
            f"access-checked {t['audited'] / t['checked']:.2f}x (the audit's own cost; "
            f"target <= 1.5x); with its share of sealing "
            f"{(t['audited'] + t['seal']) / t['checked']:.2f}x"
        )
    return [
        *lines,
        f"sealing (background): {READS / wall['seal']:,.0f} rows/s",
        f"chain verify: {len(rows) / verifying:,.0f} rows/s; hashing alone {len(rows) / hashing:,.0f}"
        f" rows/s (verify / hash-only time ratio {verifying / hashing:.2f}x, {len(rows)} rows)",
    ]
