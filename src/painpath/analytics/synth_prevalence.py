"""The shares the SYNTHETIC demo cohort is drawn to, read from ``data/synth_prevalence.toml``
(each with its source, or "none" when no published figure was at hand), and quota allocation.

Quotas rather than coin flips: a share of 0.10 of 24 patients is 2 patients in every cohort of
that size, so the demo's prevalence is what the data file says, not what a seed happened to
draw. A ``demo_floor`` keeps one patient with a pattern in any cohort that has a denominator,
so a small demo still shows it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

__all__ = ["Share", "prevalence", "quota", "share"]


@dataclass(frozen=True, slots=True)
class Share:
    name: str
    value: float
    of: str
    sources: tuple[str, ...]
    note: str
    demo_floor: int = 0


@cache
def prevalence() -> dict[str, Any]:
    text = resources.files("painpath.analytics").joinpath("data/synth_prevalence.toml")
    data: dict[str, Any] = tomllib.loads(text.read_text(encoding="utf-8"))
    known = set(data["sources"])
    for name, row in data["shares"].items():
        missing = set(row["sources"]) - known
        if missing or not 0 <= row["value"] <= 1:
            raise ValueError(f"synth_prevalence.toml: share {name!r} is malformed")
    return data


def share(name: str) -> Share:
    row = prevalence()["shares"][name]
    return Share(
        name=name,
        value=float(row["value"]),
        of=str(row["of"]),
        sources=tuple(row["sources"]),
        note=str(row["note"]),
        demo_floor=int(row.get("demo_floor", 0)),
    )


def quota(name: str, denominator: int) -> int:
    """How many of ``denominator`` people get the pattern ``name`` (never more than all)."""
    s = share(name)
    count = round(s.value * denominator)
    if denominator > 0:
        count = max(count, s.demo_floor)
    return min(count, denominator)
