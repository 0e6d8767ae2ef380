"""Accepted stimulator program parameters per device kind, from ``data/stim_ranges.toml``.

Acceptance ranges against entry and unit errors (not clinical advice): each bound names its
source, and a refused value's error says the range and where it comes from.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["PARAMETERS", "Bound", "out_of_range", "ranges_for"]

DATA_FILE = Path(__file__).with_name("data") / "stim_ranges.toml"
PARAMETERS = ("frequency_hz", "pulse_width_us", "amplitude_ma")
_UNITS = {"frequency_hz": "Hz", "pulse_width_us": "µs", "amplitude_ma": "mA"}
_SUFFIX = {"_hz": "frequency_hz", "_us": "pulse_width_us", "_ma": "amplitude_ma"}


@dataclass(frozen=True)
class Bound:
    low: float
    high: float
    unit: str
    source: str

    def holds(self, value: float) -> bool:
        return math.isfinite(value) and self.low <= value <= self.high

    def rule(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        return f"From {self.low:g} to {self.high:g}{unit} for this kind of device ({self.source})."


@cache
def _data() -> dict[str, Any]:
    return tomllib.loads(DATA_FILE.read_text(encoding="utf-8"))


def ranges_for(kind: str) -> dict[str, Bound]:
    """The frequency, pulse width and amplitude bounds of a device kind (SCS, DRG, PNS, TENS)."""
    spec = _data()["kinds"][kind]
    return {
        name: Bound(
            float(spec[name]["min"]), float(spec[name]["max"]), _UNITS[name], spec[name]["source"]
        )
        for name in PARAMETERS
    }


def _burst_bound(kind: str, name: str) -> Bound:
    burst = _data()["burst"]
    if name in burst and isinstance(burst[name], dict):
        spec = burst[name]
        return Bound(float(spec["min"]), float(spec["max"]), "", spec["source"])
    for suffix, parameter in _SUFFIX.items():
        if name.endswith(suffix):
            return ranges_for(kind)[parameter]
    return Bound(0.0, float(burst["other_max"]), "", "engineering")


def out_of_range(kind: str, values: dict[str, Any]) -> list[tuple[str, str]]:
    """(field, rule) for every number of a program outside its device kind's range: the three
    pulse parameters, the patient's amplitude range and each burst parameter."""
    bounds = ranges_for(kind)
    found: list[tuple[str, str]] = []
    for name in PARAMETERS:
        value = values.get(name)
        if isinstance(value, int | float) and not bounds[name].holds(float(value)):
            found.append((name, bounds[name].rule()))
    for name in ("amplitude_min_ma", "amplitude_max_ma"):
        value = values.get(name)
        if isinstance(value, int | float) and not bounds["amplitude_ma"].holds(float(value)):
            found.append((name, bounds["amplitude_ma"].rule()))
    burst = values.get("burst") or {}
    if isinstance(burst, dict):
        for key, value in sorted(burst.items()):
            bound = _burst_bound(kind, str(key))
            if isinstance(value, int | float) and not bound.holds(float(value)):
                found.append((f"burst.{key}", bound.rule()))
    return found
