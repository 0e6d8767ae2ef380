"""Django's ``flush`` (empty every table), with the audit trail's guards lifted meanwhile.

``flush`` removes all data on purpose (the test suite runs it between transactional tests);
the audit triggers would refuse it. They are suspended for the flush and restored exactly
after it, in the same way for every table they guard (painpath.audit.guards.lifted).
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands.flush import Command as DjangoFlush
from django.db import connections

from painpath.audit import guards


class Command(DjangoFlush):
    help = DjangoFlush.help + " The audit trail's append-only guards are lifted meanwhile."

    def handle(self, **options: Any) -> None:
        with guards.lifted(connections[options["database"]]):
            super().handle(**options)
