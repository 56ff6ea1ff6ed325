"""Aggregates with uncertainty: interquartile mean and stratified-bootstrap CIs (rliable)."""
from __future__ import annotations

import warnings

import numpy as np

REPS = 2000
SEED = 0


def iqm_with_ci(scores: np.ndarray, reps: int = REPS, seed: int = SEED) -> dict[str, float]:
    """IQM, median and mean of a (runs x games) score matrix with 95% stratified-bootstrap CIs.

    Returns NaNs when there is nothing to aggregate. Uses rliable with a fixed random_state.
    """
    scores = np.asarray(scores, dtype=float)
    if scores.size == 0 or np.isnan(scores).all():
        nan = float("nan")
        return {f"{m}{s}": nan for m in ("iqm", "median", "mean") for s in ("", "_low", "_high")}
    from rliable import library as rly
    from rliable import metrics

    def fns(x):
        return np.array([metrics.aggregate_iqm(x), metrics.aggregate_median(x), metrics.aggregate_mean(x)])

    np.random.seed(seed)  # rliable's bootstrap draws from numpy's global generator too
    with warnings.catch_warnings():
        # rliable 1.2.0 hands random_state to arch's bootstrap, which arch 7.2 deprecates (both pinned)
        warnings.filterwarnings("ignore", message="random_state is deprecated", category=FutureWarning)
        point, ci = rly.get_interval_estimates({"m": scores}, fns, reps=reps,
                                               random_state=np.random.RandomState(seed))
    out = {}
    for i, name in enumerate(("iqm", "median", "mean")):
        out[name] = float(point["m"][i])
        out[f"{name}_low"], out[f"{name}_high"] = float(ci["m"][0, i]), float(ci["m"][1, i])
    return out
