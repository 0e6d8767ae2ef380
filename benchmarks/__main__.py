"""`python -m benchmarks [NAME ...]` (or `make bench`): run the benchmarks and print ratios.

Each benchmark module exposes ``run() -> list[str]`` (lines to print). Django-backed ones get
a scratch SQLite database under a temporary directory unless DATABASE_URL is set.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import tempfile
import time

BENCHMARKS = [
    "benchmarks.bench_audit",
    "benchmarks.bench_audit_load",
    "benchmarks.bench_ingest",
    "benchmarks.bench_hrv",
    "benchmarks.bench_pgx",
]


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("names", nargs="*", help="benchmark modules to run (default: all)")
    args = parser.parse_args()
    chosen = [f"benchmarks.{n}" if "." not in n else n for n in args.names] or BENCHMARKS
    with tempfile.TemporaryDirectory(prefix="painpath-bench-") as scratch:
        os.environ.setdefault("PAINPATH_ENV", "demo")
        os.environ.setdefault("PAINPATH_VAR_DIR", scratch)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "painpath.settings")
        for name in chosen:
            started = time.perf_counter()
            module = importlib.import_module(name)
            print(f"== {name}: {module.__doc__.splitlines()[0] if module.__doc__ else ''}")
            for line in module.run():
                print(f"   {line}")
            print(f"   ({time.perf_counter() - started:.1f} s)")
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
