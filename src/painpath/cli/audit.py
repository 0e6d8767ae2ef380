"""`painpath audit verify|anchor|seal`: check the hash chain; copy its witnesses out of the
database; seal appended rows now.

Exit status of verify and anchor: 0 intact and witnessed by anchors (or empty), 1 broken (a
row, the head, the anchors or the database's guards), 3 consistent but not proven (no anchor
of this chain: see the message for what that leaves open).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from painpath.cli import CliError
from painpath.cli._django import setup_django

if TYPE_CHECKING:
    from painpath.audit.verification import VerifyResult

EXIT_BROKEN = 1
EXIT_UNPROVEN = 3

_UNPROVEN = (
    "  Without anchors, verify proves only that the stored rows link up, none edited, removed\n"
    "  or inserted between row 1 and the head; someone able to write to the database could\n"
    "  have re-hashed the chain from any row onward or cut rows from its end. Record anchors\n"
    "  with `painpath audit anchor` (the worker does it nightly) and keep copies of the anchor\n"
    "  file where the database's users cannot write."
)


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    audit = subparsers.add_parser("audit", help="audit trail tools")
    actions = audit.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    verify = actions.add_parser(
        "verify", help="seal pending rows, check the guards, the chain and its anchors"
    )
    verify.add_argument(
        "--no-seal",
        action="store_true",
        help="check without sealing pending rows first (e.g. on a read-only copy)",
    )
    verify.set_defaults(func=run_verify)
    anchor = actions.add_parser(
        "anchor",
        help="verify, then append the chain head and checkpoints to the anchor file "
        "(PAINPATH_AUDIT_ANCHOR_FILE)",
    )
    anchor.set_defaults(func=run_anchor)
    seal = actions.add_parser("seal", help="seal the rows appended so far into the chain")
    seal.set_defaults(func=run_seal)


def _window(result: VerifyResult) -> str:
    sealed = f"sealed {result.sealed_now:,} pending rows first; " if result.sealed_now else ""
    if not result.unsealed:
        return f"  {sealed}no row waits to be sealed"
    return (
        f"  {sealed}{result.unsealed:,} rows appended but not yet sealed (the oldest at "
        f"{result.oldest_unsealed_at:%Y-%m-%d %H:%M:%S %Z}): the guards protect them, the "
        "chain not yet"
    )


def _report(result: VerifyResult, anchor_file: object) -> int:
    for problem in result.problems:
        print(f"audit guards BROKEN: {problem}")
    if result.broken is not None:
        print(
            f"audit chain BROKEN at row {result.broken.seq}: {result.broken.reason} "
            f"({result.checked:,} rows verified before it)"
        )
    if not result.ok:
        return EXIT_BROKEN
    head = f"chain {result.chain_id or '(none yet)'}; head #{result.head_seq} {result.head_hash}"
    if result.head_seq == 0:
        print(f"audit chain intact: empty ({head})")
        print(_window(result))
        return 0
    if not result.proven:
        print(
            f"audit chain consistent but NOT PROVEN: {result.checked:,} rows link up ({head}), "
            f"but no anchor of this chain is in {anchor_file}."
        )
        print(_UNPROVEN)
        print(_window(result))
        return EXIT_UNPROVEN
    print(
        f"audit chain intact: {result.checked:,} rows verified ({head}; "
        f"{result.anchors} anchors checked)"
    )
    newer = result.head_seq - result.anchored_seq
    tail = f"; rows after it ({newer:,}) await the next anchor" if newer > 0 else ""
    print(
        f"  the newest anchor ({result.anchored_at}) witnesses rows up to "
        f"#{result.anchored_seq}{tail}"
    )
    print(_window(result))
    return 0


def run_verify(args: argparse.Namespace) -> int:
    setup_django()
    from django.conf import settings

    from painpath.audit.services import verify_chain

    return _report(verify_chain(seal=not args.no_seal), settings.AUDIT_ANCHOR_FILE)


def run_anchor(args: argparse.Namespace) -> int:
    setup_django()
    from django.conf import settings

    from painpath.audit.services import record_anchor

    result, line = record_anchor()
    status = _report(result, settings.AUDIT_ANCHOR_FILE)
    if line is not None:
        print(
            f"anchored #{line['seq']} {line['hash']} ({len(line['marks'])} checkpoints) "
            f"in {settings.AUDIT_ANCHOR_FILE}"
        )
    elif status == 0:
        print("nothing to anchor: the chain is empty")
    return status


def run_seal(args: argparse.Namespace) -> int:
    setup_django()
    from painpath.audit.sealing import ChainHeadMissing, seal_pending

    try:
        print(f"sealed {seal_pending():,} rows")
    except ChainHeadMissing as exc:
        raise CliError(f"{exc}; nothing was sealed (run `painpath audit verify`)", 1) from exc
    return 0
