"""HRV against real NN series shipped in the pyhrv wheel, checked by NeuroKit2 and pyhrv."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from painpath.analytics.hrv import filter_rr, hrv_by_group


def _pyhrv_file(name: str) -> np.ndarray:
    spec = importlib.util.find_spec("pyhrv")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("pyhrv (test dependency) is not installed")
    return np.load(Path(spec.submodule_search_locations[0]) / "files" / name).astype(float)


@pytest.mark.parametrize("name", ["SampleNNISeriesShort.npy", "SampleNNISeriesLong.npy"])
def test_matches_neurokit2_and_pyhrv_on_real_nn_series(name):
    nk = pytest.importorskip("neurokit2")
    nni = _pyhrv_file(name)
    ref = nk.hrv_time({"RRI": nni, "RRI_Time": np.cumsum(nni) / 1000}, sampling_rate=1000)
    ours = hrv_by_group(nni, np.zeros(nni.size, dtype=np.int64), artifact_filter=False)
    assert ours.rmssd[0] == pytest.approx(float(ref["HRV_RMSSD"].iloc[0]), rel=1e-9)
    assert ours.sdnn[0] == pytest.approx(float(ref["HRV_SDNN"].iloc[0]), rel=1e-9)
    # NeuroKit2 divides NN50 by the number of intervals, pyhrv by the differences: within 1%.
    assert ours.pnn50[0] == pytest.approx(float(ref["HRV_pNN50"].iloc[0]), rel=0.01)


def test_known_values_of_the_short_series():
    # Agreed by NeuroKit2 0.2.13 and pyhrv 0.5.0 on pyhrv's SampleNNISeriesShort.npy.
    nni = _pyhrv_file("SampleNNISeriesShort.npy")
    ours = hrv_by_group(nni, np.zeros(nni.size, dtype=np.int64), artifact_filter=False)
    assert ours.rmssd[0] == pytest.approx(101.3006, abs=1e-3)
    assert ours.sdnn[0] == pytest.approx(95.6904, abs=1e-3)
    assert ours.pnn50[0] == pytest.approx(48.5119, abs=1e-3)


def test_artifacts_and_ectopic_beats_are_removed_and_counted():
    rr = np.array([800, 810, 2500, 805, 500, 800, 812, 250, 808, 815], dtype=float)
    keep = filter_rr(rr, np.zeros(rr.size, dtype=np.int64))
    # 2500 and 250: out of range; 805 after 2500 and 500 (-37%) and 800 after 500 (+60%): ectopic.
    assert keep.tolist() == [True, True, False, False, False, False, True, False, False, True]
    res = hrv_by_group(rr, np.zeros(rr.size, dtype=np.int64))
    assert res.removed_share[0] == pytest.approx(0.6)
    # Only 800->810 is a pair of adjacent kept beats: fewer than 2 differences gives NaN.
    assert np.isnan(res.rmssd[0])


def test_groups_are_independent_and_never_bridge():
    a = np.array([800, 820, 800, 830], dtype=float)
    rr = np.concatenate([a, a + 200])
    group = np.array([0] * 4 + [7] * 4, dtype=np.int64)
    res = hrv_by_group(rr, group)
    assert res.groups.tolist() == [0, 7]
    expected = np.sqrt(np.mean(np.diff(a) ** 2))
    assert res.rmssd.tolist() == pytest.approx([expected, expected])
    assert res.sdnn[0] == pytest.approx(np.std(a, ddof=1))
