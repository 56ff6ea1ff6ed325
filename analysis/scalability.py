"""Table 2: speedup with n workers, measured the way the paper measures it.

For one method and game, only the periodic evaluations count (eval_log.csv rows, kind == "eval"),
not the final network's score that load_curves appends to a complete run's curve. Each run's best
eval score is averaged over the runs (seeds) of its worker count; the reference score is the lowest
of these averages over worker counts, so at least one run of every worker count reaches it. Each
run's time to reach it is the wall time of its first eval at or above it (missing when the run
never gets there); a worker count's time is the mean over its runs that reached it, with the
number of runs and of runs that reached it beside it. speedup(n) = time(1 worker) / time(n
workers). Table 2 averages the speedups over games. A game where the reference score is no better
than the first evaluation (averaged over runs the same way: nothing was learned) gives no speedup:
it is reported as missing, never as 1 or 0.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import reference

PAPER_METHODS = {"a3c": "a3c", "one-step-q": "one-step-q", "one-step-sarsa": "one-step-sarsa",
                 "n-step-q": "n-step-q"}


def time_to_reach(curve: pd.DataFrame, score: float) -> float:
    """Wall time of one run's first eval at or above score; NaN when the run never reaches it."""
    hit = curve[curve["mean_return"] >= score]
    return float(hit["wall_time"].min()) if len(hit) else float("nan")


def speedups(curves: pd.DataFrame) -> pd.DataFrame:
    """Rows of (algo, game, workers, reference score, runs, runs reached, time, speedup).

    curves as load_curves returns them: one row per evaluation, with the run and kind columns.
    """
    columns = ["algo", "game", "workers", "reference_score", "runs", "runs_reached", "time", "speedup",
               "note"]
    evals = curves[curves["kind"] == "eval"].sort_values("frames") if len(curves) else curves
    if evals.empty:
        return pd.DataFrame(columns=columns)
    rows = []
    for (algo, game), sub in evals.groupby(["algo", "game"]):
        per_run = sub.groupby(["workers", "run"])["mean_return"].agg(best="max", first="first")
        by_workers = per_run.groupby("workers").mean()
        ref = float(by_workers["best"].min())
        learned = ref > float(by_workers["first"].max())
        per_run["time"] = pd.Series({key: time_to_reach(part, ref)
                                     for key, part in sub.groupby(["workers", "run"])})
        # mean over the runs that reached the reference score; a run that never did is missing
        times = per_run.groupby("workers")["time"].agg(runs="size", runs_reached="count", time="mean")
        base = float(times["time"].get(1, np.nan))
        for workers, row in times.iterrows():
            t = float(row["time"])
            speed = base / t if learned and t > 0 else float("nan")
            rows.append({"algo": algo, "game": game, "workers": int(workers), "reference_score": ref,
                         "runs": int(row["runs"]), "runs_reached": int(row["runs_reached"]), "time": t,
                         "speedup": speed,
                         "note": "" if learned else "no learning beyond the first evaluation"})
    return pd.DataFrame(rows, columns=columns)


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


def missing_note(speed: pd.DataFrame, table: pd.DataFrame, runs: pd.DataFrame, counts: list[int]) -> str:
    """Why some or all of our speedups are missing (written on the figure), or "" when none is."""
    ours = [f"ours {w}" for w in counts]
    ran = set(runs["algo"])
    missing = [m for m, row in table.set_index("method")[ours].iterrows() if row.isna().all() and m in ran]
    if not missing:
        return ""
    done = runs[runs["completed"].astype(bool)]
    if done.empty:
        return f"ours missing: no complete runs yet ({len(runs)} in progress)"
    reasons: dict[str, list[str]] = {}
    for method in missing:
        reasons.setdefault(missing_reason(speed, method), []).append(method)
    frames = "/".join(sorted({f"{int(f):,}" for f in done["frames_budget"]}))
    return f"ours missing (runs of {frames} frames): " + "; ".join(
        f"{reason} for {', '.join(methods)}" for reason, methods in reasons.items())


def missing_reason(speed: pd.DataFrame, method: str) -> str:
    sub = speed[speed["algo"] == method] if len(speed) else speed
    if sub.empty:
        return "no complete runs with periodic evaluations"
    if sub["note"].astype(str).str.contains("no learning").all():
        return f"no run learned beyond its first evaluation ({', '.join(sorted(set(sub['game'])))})"
    return "the runs did not reach the reference score"


def flags(table: pd.DataFrame, counts: list[int]) -> list[str]:
    """Our mean speedups further than half the paper's value from it."""
    out = []
    for w in counts:
        for method, o, p in zip(table["method"], table[f"ours {w}"], table[f"paper {w}"]):
            if not np.isnan(o) and not np.isnan(p) and abs(o - p) > 0.5 * p:
                out.append(f"scalability, vs the paper (Table 2): {method} with {w} workers: ours {o:.2f}x, "
                           f"paper {p:.2f}x (tolerance: half the paper's value)")
    return out
