"""Makes the pgx core's VCF builder importable for the genomics tests."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "clinical" / "pgx"))
