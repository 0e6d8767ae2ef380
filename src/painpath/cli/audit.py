"""`painpath audit verify|anchor`: check the hash chain; copy its head out of the database."""

from __future__ import annotations

import argparse
from typing import Any

from painpath.cli._django import setup_django


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    audit = subparsers.add_parser("audit", help="audit trail tools")
    actions = audit.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    verify = actions.add_parser("verify", help="check the audit hash chain; exit 1 if broken")
    verify.set_defaults(func=run_verify)
    anchor = actions.add_parser(
        "anchor",
        help="verify, then append the chain head to the anchor file (PAINPATH_AUDIT_ANCHOR_FILE)",
    )
    anchor.set_defaults(func=run_anchor)


def _report(result: Any) -> int:
    if result.broken is None:
        print(
            f"audit chain intact: {result.checked} rows verified "
            f"(head #{result.head_seq} {result.head_hash}; {result.anchors} anchors checked)"
        )
        return 0
    print(
        f"audit chain BROKEN at row {result.broken.seq}: {result.broken.reason} "
        f"({result.checked} rows verified before it)"
    )
    return 1


def run_verify(args: argparse.Namespace) -> int:
    setup_django()
    from painpath.audit.services import verify_chain

    return _report(verify_chain())


def run_anchor(args: argparse.Namespace) -> int:
    setup_django()
    from django.conf import settings

    from painpath.audit.services import record_anchor

    result, line = record_anchor()
    status = _report(result)
    if line is not None:
        print(f"anchored #{line['seq']} {line['hash']} in {settings.AUDIT_ANCHOR_FILE}")
    elif status == 0:
        print("nothing to anchor: the chain is empty")
    return status
