"""Time-domain HRV from RR intervals, vectorised over many (patient, night) groups at once.

Segments: a group (one patient-night) is split wherever the beat timestamps jump, i.e. the
time between two consecutive beats exceeds the later RR interval by more than ``max_gap_ms``
(the device stopped recording). Nothing is compared or differenced across a segment border.

Filtering (parameters in ``data/daily_summaries.toml``):

- artifacts: intervals outside 300-2000 ms are removed (hrv-analysis ``remove_outliers``
  defaults);
- ectopic beats: an interval differing by more than 20% from the *last kept* interval of its
  segment is removed (Malik's 20% criterion). This is painpath's rule, not a copy of a
  library: hrv-analysis 1.0.x ``remove_ectopic_beats(method="malik")`` compares each interval
  with its raw predecessor and keeps the interval after a removed one without comparing it.
  Comparing with the last kept interval means a removed beat is never the reference, so
  800, 2600, 800 keeps both 800s. After ``reanchor_after_removed`` removals in a row the
  reference is stale and the next in-range interval starts a new one (painpath's choice), so
  one odd first beat cannot remove the rest of a segment.

Removed beats are not interpolated: successive differences are taken only between two kept
beats that were adjacent in the recording. RMSSD, SDNN (sample SD, ddof=1) and pNN50 follow
the Task Force 1996 definitions.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["HrvResult", "filter_rr", "hrv_by_group", "hrv_parameters", "segment_starts"]

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


def segment_starts(
    rr_ms: NDArray[np.float64],
    group: NDArray[np.int64],
    time_ms: NDArray[np.int64] | None = None,
) -> NDArray[np.bool_]:
    """True where a new segment starts: a new group, or a jump in the beat timestamps."""
    start = np.ones(rr_ms.size, dtype=np.bool_)
    if rr_ms.size > 1:
        start[1:] = group[1:] != group[:-1]
        if time_ms is not None:
            gap = hrv_parameters()["rr_filter"]["max_gap_ms"]
            start[1:] |= np.diff(time_ms) - rr_ms[1:] > gap
    return start


def _walk(
    rr: NDArray[np.float64],
    in_range: NDArray[np.bool_],
    seg_start: NDArray[np.bool_],
    simple: NDArray[np.bool_],
) -> NDArray[np.bool_]:
    """Exact last-kept-reference filter. ``simple`` assumed the raw predecessor was the
    reference, which is right wherever that predecessor was kept; only the stretches after a
    removed beat are walked beat by beat (a few per cent of beats)."""
    params = hrv_parameters()["rr_filter"]
    limit, reanchor = params["max_relative_change"], params["reanchor_after_removed"]
    keep = simple.copy()
    bad = np.flatnonzero(~simple)
    n = rr.size
    k = 0
    while k < bad.size:
        i = int(bad[k])
        ref = None if seg_start[i] else i - 1  # keep[i - 1] is settled and true here
        run = 1
        j = i + 1
        while j < n:
            if seg_start[j]:
                ref, run = None, 0
                kept = bool(in_range[j])
            elif ref is None or run >= reanchor:
                kept = bool(in_range[j])
            else:
                kept = bool(in_range[j]) and abs(rr[j] - rr[ref]) <= limit * rr[ref]
            keep[j] = kept
            if kept:
                break
            run += 1
            j += 1
        # From j + 1 on the raw predecessor is kept again, so ``simple`` is exact up to the
        # next beat it removed.
        k = int(np.searchsorted(bad, j + 1))
    return keep


def _filter(rr: NDArray[np.float64], seg_start: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """``filter_rr`` given the segment starts (which ``hrv_by_group`` needs too)."""
    params = hrv_parameters()["rr_filter"]
    in_range = (rr >= params["low_ms"]) & (rr <= params["high_ms"])
    simple = in_range & seg_start
    if rr.size > 1:
        agrees = np.abs(np.diff(rr)) <= params["max_relative_change"] * rr[:-1]
        simple[1:] |= ~seg_start[1:] & in_range[1:] & in_range[:-1] & agrees
    return _walk(rr, in_range, seg_start, simple)


def filter_rr(
    rr_ms: NDArray[np.float64],
    group: NDArray[np.int64],
    time_ms: NDArray[np.int64] | None = None,
) -> NDArray[np.bool_]:
    """True for intervals kept as normal-to-normal. ``rr_ms`` is time-ordered within groups."""
    rr_ms = np.asarray(rr_ms, dtype=np.float64)
    return _filter(rr_ms, segment_starts(rr_ms, group, time_ms))


def hrv_by_group(
    rr_ms: NDArray[np.float64],
    group: NDArray[np.int64],
    *,
    time_ms: NDArray[np.int64] | None = None,
    artifact_filter: bool = True,
) -> HrvResult:
    """RR intervals sorted by group then time -> one HRV row per group. ``time_ms`` (beat
    timestamps) splits groups at recording gaps. ``artifact_filter`` False treats every
    interval as NN (for series already cleaned, e.g. reference data)."""
    rr_ms = np.asarray(rr_ms, dtype=np.float64)
    group = np.asarray(group, dtype=np.int64)
    groups, inverse = np.unique(group, return_inverse=True)
    size = groups.size
    seg_start = segment_starts(rr_ms, group, time_ms)
    keep = _filter(rr_ms, seg_start) if artifact_filter else np.ones(rr_ms.size, dtype=np.bool_)
    beats = np.bincount(inverse, minlength=size)
    kept = np.bincount(inverse, weights=keep, minlength=size)
    total = np.bincount(inverse, weights=np.where(keep, rr_ms, 0.0), minlength=size)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / kept
        dev = np.where(keep, rr_ms - mean[inverse], 0.0)
        sdnn = np.sqrt(np.bincount(inverse, weights=dev * dev, minlength=size) / (kept - 1))
        if rr_ms.size > 1:
            pair = ~seg_start[1:] & keep[1:] & keep[:-1]
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
