"""The ``painpath`` command: one entry point, one sub-command module per capability.

Each module in ``_COMMAND_MODULES`` exposes ``register(subparsers)``, adding a parser whose
``func(args) -> int`` runs the command and returns the exit code. Commands that work on
pure clinical data never start Django; the others call :func:`setup_django` first.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import NoReturn

__all__ = ["CliError", "OneLineErrorParser", "main"]

_COMMAND_MODULES = [
    "painpath.cli.server",
    "painpath.cli.users",
    "painpath.cli.audit",
    "painpath.cli.score",
    "painpath.cli.mme",
    "painpath.cli.pgx",
    "painpath.cli.safety",
    "painpath.cli.alerts",
]


class CliError(Exception):
    """A user error: printed as one line, exit status 2 unless ``code`` says otherwise."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


class OneLineErrorParser(argparse.ArgumentParser):
    """argparse that reports bad arguments in one line (no usage dump) and exits 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineErrorParser(prog="painpath", description=__doc__.splitlines()[0])
    subparsers = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=OneLineErrorParser
    )
    for name in _COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
    except CliError as exc:
        print(f"painpath {args.command}: error: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if not _is_database_error(exc):
            raise
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(
            f"painpath {args.command}: error: database: {first_line} "
            "(is DATABASE_URL right, and has `painpath migrate` run?)",
            file=sys.stderr,
        )
        return 1
    return code


def _is_database_error(exc: Exception) -> bool:
    # Django is imported only by commands that need it; without it loaded, it was not Django.
    db = sys.modules.get("django.db")
    return db is not None and isinstance(exc, db.DatabaseError)


if __name__ == "__main__":
    sys.exit(main())
