#!/usr/bin/env bash
# Creates the separate benchmark environment with pypgx 0.27 (the baseline of bench_pgx).
# pypgx is installed ONLY here, never in the project's .venv. pandas is pinned to 2.2.3 because
# pypgx 0.27's chip pipeline fails under pandas 3 ("setting an array element with a sequence").
set -euo pipefail
VENV="${PAINPATH_PYPGX_VENV:-var/bench-pypgx-venv}"
PYTHON="${PYTHON:-python3.11}"
if [ ! -x "$VENV/bin/pypgx" ]; then
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  "$VENV/bin/python" -m pip install --quiet "pypgx==0.27.0" "pandas==2.2.3"
fi
echo "$VENV"
