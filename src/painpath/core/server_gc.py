"""The garbage collector of a long-lived server process: start-up frozen, young objects
collected less often.

CPython's cycle collector runs whenever container objects allocated outnumber those freed by
a threshold (700 by default). A request that ingests a batch keeps tens of thousands of small
containers alive for a moment on their way to the database, so the collector ran about 25
times in each 10,000-sample request, found nothing to free, and promoted them to the older
generations, whose collections then walked every object Django and the apps made at start-up
as well: about 8 ms of CPU a request, a fifth of it (tests/core/test_server_gc.py measures
the collections). ``gc.freeze()`` after start-up moves those start-up objects (alive for the
life of the process anyway) out of every collection, and a young generation of 50,000 lets a
request's short-lived containers die by reference counting before a collection looks at
them. Cycles are still collected, only less often (at most 50,000 young containers, a few
megabytes, wait for it).
"""

from __future__ import annotations

import gc

__all__ = ["YOUNG_THRESHOLD", "tune_for_server"]

YOUNG_THRESHOLD = 50_000


def tune_for_server() -> None:
    """Call once the application is loaded (the WSGI module does, in each worker)."""
    gc.collect()  # what start-up left as garbage is freed, not frozen
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, older, oldest)
