"""Table 2: speedup with n workers, measured the way the paper measures it.

For one method and game, the reference score is the lowest of the best eval scores reached by the
runs of every worker count (so every worker count reaches it); the time to reach it is the wall
time of the first eval at or above it; speedup(n) = time(1 worker) / time(n workers). Table 2
averages the speedups over games. A game where the reference score is no better than the first
evaluation (nothing was learned) gives no speedup: it is reported as missing, never as 1 or 0.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import reference

PAPER_METHODS = {"a3c": "a3c", "one-step-q": "one-step-q", "one-step-sarsa": "one-step-sarsa",
                 "n-step-q": "n-step-q"}


def time_to_reach(curve: pd.DataFrame, score: float) -> float:
    hit = curve[curve["mean_return"] >= score]
    return float(hit["wall_time"].min()) if len(hit) else float("nan")


def speedups(curves: pd.DataFrame) -> pd.DataFrame:
    """Rows of (algo, game, workers, reference score, time to reach it, speedup)."""
    rows = []
    if curves.empty:
        return pd.DataFrame(columns=["algo", "game", "workers", "reference_score", "time", "speedup", "note"])
    mean_curves = curves.groupby(["algo", "game", "workers", "frames"], as_index=False).agg(
        mean_return=("mean_return", "mean"), wall_time=("wall_time", "mean"))
    for (algo, game), sub in mean_curves.groupby(["algo", "game"]):
        best = sub.groupby("workers")["mean_return"].max()
        first = sub.sort_values("frames").groupby("workers")["mean_return"].first()
        ref = float(best.min())
        learned = ref > float(first.max())
        times = {w: time_to_reach(part.sort_values("frames"), ref) for w, part in sub.groupby("workers")}
        base = times.get(1, float("nan"))
        for workers, t in sorted(times.items()):
            speed = base / t if learned and t > 0 else float("nan")
            rows.append({"algo": algo, "game": game, "workers": int(workers), "reference_score": ref,
                         "time": t, "speedup": speed,
                         "note": "" if learned else "no learning beyond the first evaluation"})
    return pd.DataFrame(rows)


def table2(speed: pd.DataFrame, worker_counts: list[int]) -> pd.DataFrame:
    """Ours (mean over games, with the number of games) beside the paper's Table 2."""
    paper = reference.table2()
    rows = []
    algos = sorted(set(speed["algo"])) if len(speed) else []
    for algo in algos + [a for a in PAPER_METHODS if a not in algos]:
        sub = speed[speed["algo"] == algo] if len(speed) else speed
        row = {"method": algo}
        for w in worker_counts:
            vals = sub[sub["workers"] == w]["speedup"].dropna() if len(sub) else pd.Series(dtype=float)
            row[f"ours {w}"] = float(vals.mean()) if len(vals) else np.nan
            row[f"games {w}"] = int(len(vals))
            col = f"threads_{w}"
            row[f"paper {w}"] = float(paper.loc[algo, col]) if algo in paper.index and col in paper else np.nan
        rows.append(row)
    return pd.DataFrame(rows)
