"""HRV: painpath's vectorised daily HRV vs NeuroKit2's hrv_time, same RR series, 1,000 patient-days."""

from __future__ import annotations

import time
import warnings

import numpy as np

DAYS = 1000
BEATS = 300


def run() -> list[str]:
    from painpath.analytics.hrv import hrv_by_group

    try:
        import neurokit2 as nk
    except ImportError:
        return ["skipped: neurokit2 (benchmark dependency) is not installed"]
    rng = np.random.default_rng(1)
    series = [np.round(rng.uniform(800, 1000) + rng.normal(0, 40, BEATS)) for _ in range(DAYS)]
    rr = np.concatenate(series)
    group = np.repeat(np.arange(DAYS, dtype=np.int64), BEATS)
    started = time.perf_counter()
    ours = hrv_by_group(rr, group, artifact_filter=False)
    t_ours = time.perf_counter() - started
    started = time.perf_counter()
    hrv_by_group(rr, group)
    t_filtered = time.perf_counter() - started
    ref = np.empty((DAYS, 3))
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i, s in enumerate(series):
            h = nk.hrv_time({"RRI": s, "RRI_Time": np.cumsum(s) / 1000}, sampling_rate=1000)
            ref[i] = [h["HRV_RMSSD"].iloc[0], h["HRV_SDNN"].iloc[0], h["HRV_pNN50"].iloc[0]]
    t_nk = time.perf_counter() - started
    worst = [
        float(np.max(np.abs(mine / ref[:, k] - 1)))
        for k, mine in enumerate((ours.rmssd, ours.sdnn, ours.pnn50))
    ]
    return [
        f"max relative difference vs NeuroKit2: RMSSD {worst[0]:.2e}, SDNN {worst[1]:.2e}, "
        f"pNN50 {worst[2]:.2%} (pNN50 denominators differ by one interval)",
        f"{DAYS} patient-days x {BEATS} beats: ours {t_ours * 1000:.1f} ms "
        f"(with artifact filter {t_filtered * 1000:.1f} ms), NeuroKit2 {t_nk * 1000:.0f} ms "
        f"-> {t_nk / t_ours:.0f}x faster",
        "within 1%: " + ("yes" if max(worst) < 0.01 else "NO"),
    ]
