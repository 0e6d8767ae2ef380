"""The clinic's questionnaire policy (defaults, grace, expiry, urgent flags) from data/."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

__all__ = ["Policy", "policy"]

DATA = Path(__file__).with_name("data") / "policy.toml"


@dataclass(frozen=True)
class Policy:
    version: str
    source: str
    grace_days: int
    reminder_expiry_days: int
    defaults: tuple[tuple[str, int | None], ...]  # (instrument, every_days; None = at intake)
    urgent_labels: frozenset[str]


@cache
def policy() -> Policy:
    raw = tomllib.loads(DATA.read_text(encoding="utf-8"))
    return Policy(
        version=raw["policy"]["version"],
        source=raw["policy"]["source"],
        grace_days=int(raw["policy"]["grace_days"]),
        reminder_expiry_days=int(raw["policy"]["reminder_expiry_days"]),
        defaults=tuple((d["instrument"], int(d["every_days"]) or None) for d in raw["defaults"]),
        urgent_labels=frozenset(raw["urgent"]["labels"]),
    )
