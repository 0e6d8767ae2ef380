"""Makes the pgx core's VCF builder importable for the genomics tests."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "clinical" / "pgx"))


@pytest.fixture(autouse=True)
def _staged_uploads_in_tmp(settings, tmp_path):
    """Lab files are staged under VAR_DIR while their job runs: a scratch one per test."""
    settings.VAR_DIR = tmp_path
