"""HRV against real NN series shipped in the pyhrv wheel, checked by NeuroKit2 and pyhrv (both
run here), and the artifact / ectopic filter against its definition."""

from __future__ import annotations

import importlib.util
import warnings
from pathlib import Path

import numpy as np
import pytest

from painpath.analytics.hrv import filter_rr, hrv_by_group, hrv_parameters, segment_starts

ZERO = np.zeros


def _pyhrv_file(name: str) -> np.ndarray:
    spec = importlib.util.find_spec("pyhrv")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("pyhrv (test dependency) is not installed")
    return np.load(Path(spec.submodule_search_locations[0]) / "files" / name).astype(float)


def _pyhrv_td():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pyhrv's plotting imports warn on import
        return pytest.importorskip("pyhrv.time_domain")


def _pyhrv(td, nni: np.ndarray) -> tuple[float, float, float, int]:
    """(RMSSD, SDNN, pNN50, NN50) from pyhrv itself."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nn50 = td.nn50(nni=nni)
        return (
            float(td.rmssd(nni=nni)["rmssd"]),
            float(td.sdnn(nni=nni)["sdnn"]),
            float(nn50["pnn50"]),
            int(nn50["nn50"]),
        )


@pytest.mark.parametrize("name", ["SampleNNISeriesShort.npy", "SampleNNISeriesLong.npy"])
def test_matches_neurokit2_and_pyhrv_on_real_nn_series(name):
    nk = pytest.importorskip("neurokit2")
    td = _pyhrv_td()
    nni = _pyhrv_file(name)
    ref = nk.hrv_time({"RRI": nni, "RRI_Time": np.cumsum(nni) / 1000}, sampling_rate=1000)
    ours = hrv_by_group(nni, ZERO(nni.size, dtype=np.int64), artifact_filter=False)
    assert ours.rmssd[0] == pytest.approx(float(ref["HRV_RMSSD"].iloc[0]), rel=1e-9)
    assert ours.sdnn[0] == pytest.approx(float(ref["HRV_SDNN"].iloc[0]), rel=1e-9)
    # NeuroKit2 divides NN50 by the number of intervals, pyhrv by the differences: within 1%.
    assert ours.pnn50[0] == pytest.approx(float(ref["HRV_pNN50"].iloc[0]), rel=0.01)
    rmssd, sdnn, pnn50, _nn50 = _pyhrv(td, nni)
    assert ours.rmssd[0] == pytest.approx(rmssd, rel=1e-9)
    assert ours.sdnn[0] == pytest.approx(sdnn, rel=1e-9)
    assert ours.pnn50[0] == pytest.approx(pnn50, rel=1e-9)  # same denominator as pyhrv


def _reference_keep(rr: list[float], starts: list[bool]) -> list[bool]:
    """The filter's definition as a plain loop: in range, and within 20% of the last kept
    interval of the segment; after N removals in a row the next in-range one is kept."""
    params = hrv_parameters()["rr_filter"]
    keep, ref, run = [], None, 0
    for value, start in zip(rr, starts, strict=True):
        if start:
            ref, run = None, 0
        ok = params["low_ms"] <= value <= params["high_ms"]
        if ok and ref is not None and run < params["reanchor_after_removed"]:
            ok = abs(value - ref) <= params["max_relative_change"] * ref
        keep.append(ok)
        ref, run = (value, 0) if ok else (ref, run + 1)
    return keep


def test_a_removed_beat_is_never_the_reference():
    # 2600 is an artifact: the 800 after it is compared with the kept 800, and stays.
    rr = np.array([800, 2600, 800, 810], dtype=float)
    assert filter_rr(rr, ZERO(4, dtype=np.int64)).tolist() == [True, False, True, True]
    # A short ectopic pair: 520 is within 20% of 500, but 500 was removed, so 520 is compared
    # with 800 and goes too; the next 800 stays.
    rr = np.array([800, 500, 520, 800, 790], dtype=float)
    assert filter_rr(rr, ZERO(5, dtype=np.int64)).tolist() == [True, False, False, True, True]


def test_a_stale_reference_is_replaced_after_three_removals():
    # An odd first beat would otherwise remove the whole segment.
    rr = np.array([500, 800, 810, 805, 795, 800], dtype=float)
    assert filter_rr(rr, ZERO(6, dtype=np.int64)).tolist() == [
        True,
        False,
        False,
        False,
        True,
        True,
    ]


def test_recording_gaps_start_new_segments():
    rr = np.array([800, 810, 820, 600, 610], dtype=float)
    t = np.cumsum(rr).astype(np.int64)
    t[3:] += 60_000  # the device stopped for a minute before the 600
    group = ZERO(5, dtype=np.int64)
    assert segment_starts(rr, group, t).tolist() == [True, False, False, True, False]
    # 600 after 820 would be a -27% change, but nothing is compared across the gap.
    assert filter_rr(rr, group, t).all()
    res = hrv_by_group(rr, group, time_ms=t)
    diffs = np.array([10.0, 10.0, 10.0])  # 800->810->820 and 600->610, never 820->600
    assert res.rmssd[0] == pytest.approx(float(np.sqrt(np.mean(diffs**2))))
    # A timestamp jump of less than the slack beyond the RR is not a gap.
    t2 = np.cumsum(rr).astype(np.int64) + np.array([0, 0, 0, 2500, 2500])
    assert not segment_starts(rr, group, t2)[3]


def test_filtered_path_matches_its_definition_and_pyhrv_on_the_kept_beats():
    """pyhrv's long NN series with out-of-range artifacts inserted: the vectorised filter
    removes exactly what the plain-loop definition removes, and RMSSD / SDNN / pNN50 of the
    kept beats equal pyhrv's own results pooled over the runs of adjacent kept beats."""
    td = _pyhrv_td()
    clean = _pyhrv_file("SampleNNISeriesLong.npy")
    rr = clean.copy()
    for at, value in ((100, 2600.0), (1000, 250.0), (1001, 240.0), (3000, 2100.0)):
        rr = np.insert(rr, at, value)
    group = ZERO(rr.size, dtype=np.int64)
    keep = filter_rr(rr, group)
    assert keep.tolist() == _reference_keep(rr.tolist(), [True] + [False] * (rr.size - 1))
    assert not keep[[100, 1000, 1001, 3000]].any()
    ours = hrv_by_group(rr, group)
    assert ours.beats[0] == rr.size and ours.kept[0] == keep.sum()
    assert ours.removed_share[0] == pytest.approx(1 - keep.sum() / rr.size)
    # Runs of adjacent kept beats; pyhrv on each, pooled.
    edges = np.flatnonzero(np.diff(np.r_[0, keep.astype(int), 0]))
    runs = [rr[a:b] for a, b in zip(edges[::2], edges[1::2], strict=True) if b - a >= 2]
    squares = diffs = nn50 = 0.0
    for run in runs:
        rmssd, _sdnn, _pnn50, run_nn50 = _pyhrv(td, run)
        squares += rmssd**2 * (run.size - 1)
        diffs += run.size - 1
        nn50 += run_nn50
    _rmssd, sdnn, _pnn50, _nn50 = _pyhrv(td, rr[keep])
    assert ours.rmssd[0] == pytest.approx(np.sqrt(squares / diffs), rel=1e-9)
    assert ours.sdnn[0] == pytest.approx(sdnn, rel=1e-9)
    assert ours.pnn50[0] == pytest.approx(100 * nn50 / diffs, rel=1e-9)


def test_random_series_match_the_definition_in_every_group():
    rng = np.random.default_rng(3)
    rr = rng.normal(850, 60, 5000)
    rr[rng.random(rr.size) < 0.05] *= rng.choice([0.5, 1.6, 3.0], size=1)[0]
    group = np.repeat(np.arange(50, dtype=np.int64), 100)
    t = np.cumsum(rr).astype(np.int64)
    t[rng.integers(0, rr.size, 20)] += 10_000  # a few gaps
    t = np.maximum.accumulate(t)
    starts = segment_starts(rr, group, t).tolist()
    assert filter_rr(rr, group, t).tolist() == _reference_keep(rr.tolist(), starts)


def test_artifacts_and_ectopic_beats_are_removed_and_counted():
    rr = np.array([800, 810, 2500, 805, 500, 800, 812, 250, 808, 815], dtype=float)
    keep = filter_rr(rr, ZERO(rr.size, dtype=np.int64))
    # 2500 and 250: out of range; 500 (-38% from 805): ectopic; every other beat is within
    # 20% of the last kept one.
    assert keep.tolist() == [True, True, False, True, False, True, True, False, True, True]
    res = hrv_by_group(rr, ZERO(rr.size, dtype=np.int64))
    assert res.removed_share[0] == pytest.approx(0.3)
    # Differences only between adjacent kept beats: 800->810, 800->812, 808->815.
    assert res.rmssd[0] == pytest.approx(float(np.sqrt(np.mean([10**2, 12**2, 7**2]))))


def test_groups_are_independent_and_never_bridge():
    a = np.array([800, 820, 800, 830], dtype=float)
    rr = np.concatenate([a, a + 200])
    group = np.array([0] * 4 + [7] * 4, dtype=np.int64)
    res = hrv_by_group(rr, group)
    assert res.groups.tolist() == [0, 7]
    expected = np.sqrt(np.mean(np.diff(a) ** 2))
    assert res.rmssd.tolist() == pytest.approx([expected, expected])
    assert res.sdnn[0] == pytest.approx(np.std(a, ddof=1))
