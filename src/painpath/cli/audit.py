"""`painpath audit verify`: walk the hash chain and report the first broken link."""

from __future__ import annotations

import argparse
from typing import Any

from painpath.cli._django import setup_django


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    audit = subparsers.add_parser("audit", help="audit trail tools")
    actions = audit.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    verify = actions.add_parser("verify", help="check the audit hash chain; exit 1 if broken")
    verify.set_defaults(func=run_verify)


def run_verify(args: argparse.Namespace) -> int:
    setup_django()
    from painpath.audit.services import verify_chain

    result = verify_chain()
    if result.broken is None:
        print(f"audit chain intact: {result.checked} rows verified")
        return 0
    print(
        f"audit chain BROKEN at row {result.broken.seq}: {result.broken.reason} "
        f"({result.checked} rows verified before it)"
    )
    return 1
