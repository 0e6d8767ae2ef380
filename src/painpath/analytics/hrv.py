"""Time-domain HRV from RR intervals, vectorised over many (patient, night) groups at once.

Filtering (parameters and sources in ``data/daily_summaries.toml``): intervals outside
300-2000 ms are artifacts; an interval differing from its predecessor by more than 20% is an
ectopic beat (Malik's rule, as in hrv-analysis and the PhysioNet Cardiovascular Signal
Toolbox). Removed beats are not interpolated: successive differences are taken only between
two kept beats that were adjacent in the recording, so a removed beat never bridges a gap.
RMSSD, SDNN (sample SD, ddof=1) and pNN50 follow the Task Force 1996 definitions.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["HrvResult", "filter_rr", "hrv_by_group", "hrv_parameters"]

DATA_FILE = Path(__file__).with_name("data") / "daily_summaries.toml"


@cache
def hrv_parameters() -> dict[str, Any]:
    return tomllib.loads(DATA_FILE.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class HrvResult:
    """One entry per group (``groups`` ascending); NaN where fewer than 2 differences."""

    groups: NDArray[np.int64]
    beats: NDArray[np.int64]
    kept: NDArray[np.int64]
    removed_share: NDArray[np.float64]
    rmssd: NDArray[np.float64]
    sdnn: NDArray[np.float64]
    pnn50: NDArray[np.float64]


def filter_rr(rr_ms: NDArray[np.float64], group: NDArray[np.int64]) -> NDArray[np.bool_]:
    """True for intervals kept as normal-to-normal. ``rr_ms`` is time-ordered within groups."""
    params = hrv_parameters()["rr_filter"]
    keep = (rr_ms >= params["low_ms"]) & (rr_ms <= params["high_ms"])
    if rr_ms.size > 1:
        same = group[1:] == group[:-1]
        change = np.abs(np.diff(rr_ms)) > params["max_relative_change"] * rr_ms[:-1]
        keep[1:] &= ~(same & change)
    return np.asarray(keep, dtype=np.bool_)


def hrv_by_group(
    rr_ms: NDArray[np.float64], group: NDArray[np.int64], *, artifact_filter: bool = True
) -> HrvResult:
    """RR intervals sorted by group then time -> one HRV row per group. ``artifact_filter``
    False treats every interval as NN (for series already cleaned, e.g. reference data)."""
    rr_ms = np.asarray(rr_ms, dtype=np.float64)
    group = np.asarray(group, dtype=np.int64)
    groups, inverse = np.unique(group, return_inverse=True)
    size = groups.size
    keep = filter_rr(rr_ms, group) if artifact_filter else np.ones(rr_ms.size, dtype=bool)
    beats = np.bincount(inverse, minlength=size)
    kept = np.bincount(inverse, weights=keep, minlength=size)
    total = np.bincount(inverse, weights=np.where(keep, rr_ms, 0.0), minlength=size)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / kept
        dev = np.where(keep, rr_ms - mean[inverse], 0.0)
        sdnn = np.sqrt(np.bincount(inverse, weights=dev * dev, minlength=size) / (kept - 1))
        if rr_ms.size > 1:
            pair = (group[1:] == group[:-1]) & keep[1:] & keep[:-1]
            diff = np.where(pair, np.diff(rr_ms), 0.0)
            idx = inverse[1:]
            n_diff = np.bincount(idx, weights=pair, minlength=size)
            rmssd = np.sqrt(np.bincount(idx, weights=diff * diff, minlength=size) / n_diff)
            nn50 = np.bincount(
                idx,
                weights=pair & (np.abs(diff) > hrv_parameters()["hrv"]["nn50_ms"]),
                minlength=size,
            )
            pnn50 = 100.0 * nn50 / n_diff
        else:
            n_diff = np.zeros(size, dtype=np.float64)
            rmssd = pnn50 = np.full(size, np.nan)
        removed = 1.0 - kept / beats
    enough = n_diff >= 2
    return HrvResult(
        groups=groups,
        beats=beats.astype(np.int64),
        kept=kept.astype(np.int64),
        removed_share=removed,
        rmssd=np.where(enough, rmssd, np.nan),
        sdnn=np.where(enough, sdnn, np.nan),
        pnn50=np.where(enough, pnn50, np.nan),
    )
