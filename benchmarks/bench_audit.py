"""Audit trail cost: audited vs plain patient reads; chain verification vs bare hashing."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

READS = 2000


def _best_of(repeats: int, fn: Callable[[], None]) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def run() -> list[str]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from painpath.accounts.models import User
    from painpath.analytics.synth import generate_cohort
    from painpath.audit.chain import _canonical
    from painpath.audit.models import AuditEvent
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
    admin = User.objects.get(username="admin")
    actor = Actor(user=admin, client_ip="127.0.0.1")
    ids = list(Patient.objects.filter(clinic=admin.clinic).values_list("pk", flat=True))

    def plain_reads() -> None:
        for i in range(READS):
            with transaction.atomic():
                Patient.objects.select_related("clinic").get(pk=ids[i % len(ids)])

    def audited_reads() -> None:
        for i in range(READS):
            services.get_patient(actor=actor, patient_id=ids[i % len(ids)])

    plain = _best_of(3, plain_reads)
    audited = _best_of(3, audited_reads)

    rows = [e.as_chain_row() for e in AuditEvent.objects.order_by("seq")]

    def hash_only() -> None:
        for row in rows:
            hashlib.sha256(_canonical(row)).hexdigest()

    hashing = _best_of(3, hash_only)
    verifying = _best_of(3, verify_chain)
    return [
        f"patient read, plain:   {READS / plain:,.0f} reads/s",
        f"patient read, audited: {READS / audited:,.0f} reads/s  "
        f"(audited / plain time ratio {audited / plain:.2f}x)",
        f"chain verify: {len(rows) / verifying:,.0f} rows/s; hashing alone {len(rows) / hashing:,.0f}"
        f" rows/s (verify / hash-only time ratio {verifying / hashing:.2f}x, {len(rows)} rows)",
    ]
