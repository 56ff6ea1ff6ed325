"""One function per workflow target: read runs, write tables and figures, return a summary."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analysis import atari, figures, scalability
from analysis.loader import load_curves, load_runs
from analysis.tables import write_table


def _base_summary(runs: pd.DataFrame) -> dict:
    """Run counts, deviations and compute of one target's runs.

    run_worker_hours (per complete run, keyed by its resolved path) lets the report count a run
    once when two targets analyse the same runs (scalability and data_efficiency).
    """
    done = runs[runs["completed"]] if len(runs) else runs
    hours = {str(Path(run).resolve()): float(wall * workers) / 3600
             for run, wall, workers in zip(done["run"], done["wall_time"], done["workers"])}
    deviations = sorted({d for devs in runs["deviations"] for d in devs}) if len(runs) else []
    return {"complete_runs": int(len(done)), "partial_runs": int(len(runs) - len(done)),
            "compute_worker_hours": sum(hours.values()), "run_worker_hours": hours,
            "deviations": deviations, "files": [], "flags": [], "notes": []}


def atari_table(runs_dir: Path, out: Path) -> dict:
    runs = load_runs(runs_dir)
    summary = _base_summary(runs)
    algos = sorted(set(runs["algo"]), key=list(atari.ALGO_LABELS).index) or ["a3c", "a3c-lstm"]
    per_game = atari.per_game_table(runs, algos)
    summary["files"] += write_table(per_game, out, "atari_per_game",
                                    "Raw scores per game. Ours: mean final score over complete runs, "
                                    "no-op starts. Paper columns: human starts (a different protocol).")
    table, flags = atari.summary_rows(runs, algos)
    summary["files"] += write_table(table, out, "atari_table",
                                    "Human-normalised scores (%). Ours and the A3C no-op reference use "
                                    "the no-op human/random scores; the paper's rows use human starts.")
    t1, notes = atari.recomputed_table1()
    summary["files"] += write_table(t1, out, "table1_recomputed",
                                    "The paper's Table 1 recomputed from its own Table S3 with our code.")
    curves = load_curves(runs_dir)
    summary["files"].append(figures.learning_curves(curves, "algo", out / "atari_curves.png",
                                                    "Atari learning curves (eval score, no-op starts)"))
    summary["flags"] += flags
    summary["notes"] += notes
    return summary


def scalability_target(runs_dir: Path, out: Path) -> dict:
    runs = load_runs(runs_dir)
    summary = _base_summary(runs)
    curves = load_curves(runs_dir)
    # complete runs only: a run still going would pull the reference score down
    complete = set(runs.loc[runs["completed"].astype(bool), "run"]) if len(runs) else set()
    speed = scalability.speedups(curves[curves["run"].isin(complete)] if len(curves) else curves)
    counts = sorted(set(runs["workers"])) if len(runs) else [1, 2, 4, 8, 16]
    summary["files"] += write_table(speed, out, "speedup_per_game",
                                    "Speedup per game: time to the reference score with 1 worker / with n "
                                    "(complete runs, periodic evals only; time: mean over the runs that "
                                    "reached it).")
    table = scalability.table2(speed, counts)
    summary["files"] += write_table(table, out, "scalability",
                                    "Table 2: mean speedup over games, ours beside the paper's.")
    ys = {f"ours {r['method']}": [r[f"ours {w}"] for w in counts] for _, r in table.iterrows()
          if any(not np.isnan(r[f"ours {w}"]) for w in counts)}
    ys.update({f"paper {r['method']}": [r[f"paper {w}"] for w in counts] for _, r in table.iterrows()})
    ys["ideal"] = [float(w) for w in counts]
    summary["files"].append(figures.bar_or_line(counts, ys, out / "scalability.png",
                                                "Speedup vs workers (ours vs paper Table 2)",
                                                "workers", "speedup"))
    for w in counts:
        paper = table[f"paper {w}"]
        ours = table[f"ours {w}"]
        for method, o, p in zip(table["method"], ours, paper):
            if not np.isnan(o) and not np.isnan(p) and abs(o - p) > 0.5 * p:
                summary["flags"].append(f"scalability: {method} with {w} workers: ours {o:.2f}x, paper {p:.2f}x")
    return summary


def data_efficiency(runs_dir: Path, out: Path) -> dict:
    runs = load_runs(runs_dir)
    summary = _base_summary(runs)
    curves = load_curves(runs_dir)
    algos = sorted(set(curves["algo"])) if len(curves) else ["a3c"]
    for algo in algos:
        sub = curves[curves["algo"] == algo] if len(curves) else curves
        summary["files"].append(figures.learning_curves(
            sub, "workers", out / f"data_efficiency_{algo}.png",
            f"{algo}: score vs frames (data efficiency) and vs wall time (training speed), per worker count"))
    done = runs[runs["completed"]]
    table = (done.groupby(["algo", "game", "workers"], as_index=False)
             .agg(final_score=("final_mean", "mean"), frames=("frames", "mean"),
                  hours=("wall_time", lambda s: s.mean() / 3600), runs=("final_mean", "size"))
             if len(done) else pd.DataFrame(columns=["algo", "game", "workers", "final_score", "frames", "hours", "runs"]))
    summary["files"] += write_table(table, out, "data_efficiency", "Final score per worker count.")
    return summary


def sweep(runs_dir: Path, out: Path, param: str, name: str, logx: bool) -> dict:
    runs = load_runs(runs_dir)
    summary = _base_summary(runs)
    done = runs[runs["completed"]]
    table = (done.groupby(["game", "algo", param], as_index=False)
             .agg(final_score=("final_mean", "mean"), best_score=("best_mean", "mean"),
                  runs=("final_mean", "size"))
             if len(done) else pd.DataFrame(columns=["game", "algo", param, "final_score", "best_score", "runs"]))
    summary["files"] += write_table(table, out, name, f"Final score against {param}.")
    ys, xs = {}, sorted(set(table[param])) if len(table) else []
    for game, part in table.groupby("game") if len(table) else []:
        ys[game] = [float(part[part[param] == x]["final_score"].mean()) for x in xs]
    summary["files"].append(figures.bar_or_line(xs, ys, out / f"{name}.png", f"Final score vs {param}",
                                                param, "final score", logx=logx))
    curves = load_curves(runs_dir)
    summary["files"].append(figures.learning_curves(curves, param, out / f"{name}_curves.png",
                                                    f"Learning curves per {param}"))
    return summary


def lr_robustness(runs_dir: Path, out: Path) -> dict:
    runs = load_runs(runs_dir)
    summary = _base_summary(runs)
    done = runs[runs["completed"]]
    summary["files"].append(figures.scatter(done, "lr", "final_mean", "algo", out / "lr_robustness.png",
                                            "Final score against learning rate (LogUniform(1e-4, 1e-2))"))
    table = (done.groupby(["game", "algo"], as_index=False)
             .agg(runs=("final_mean", "size"), lr_min=("lr", "min"), lr_max=("lr", "max"),
                  median_score=("final_mean", "median"), best_score=("final_mean", "max"))
             if len(done) else pd.DataFrame(columns=["game", "algo", "runs", "lr_min", "lr_max", "median_score", "best_score"]))
    summary["files"] += write_table(table, out, "lr_robustness", "Runs per game and method, scores over learning rates.")
    return summary


def mujoco_table(runs_dir: Path, out: Path) -> dict:
    runs = load_runs(runs_dir)
    summary = _base_summary(runs)
    done = runs[runs["completed"]]
    table = (done.groupby(["game", "algo"], as_index=False)
             .agg(deterministic=("final_mean", "mean"), stochastic=("final_stochastic_mean", "mean"),
                  runs=("final_mean", "size"), frames=("frames", "mean"))
             .rename(columns={"game": "task"})
             if len(done) else pd.DataFrame(columns=["task", "algo", "deterministic", "stochastic", "runs", "frames"]))
    summary["files"] += write_table(table, out, "mujoco_table",
                                    "Final mean return (mean action; sampled actions). The paper gives "
                                    "curves only, and rewards are not comparable across MuJoCo versions: "
                                    "no paper column.")
    curves = load_curves(runs_dir)
    summary["files"].append(figures.learning_curves(curves, "algo", out / "mujoco_curves.png",
                                                    "MuJoCo learning curves (mean action)"))
    return summary


TARGETS = {
    "atari_table": atari_table,
    "scalability": scalability_target,
    "data_efficiency": data_efficiency,
    "beta_sweep": lambda r, o: sweep(r, o, "beta", "beta_sweep", logx=True),
    "tmax_sweep": lambda r, o: sweep(r, o, "t_max", "tmax_sweep", logx=False),
    "lr_robustness": lr_robustness,
    "mujoco_table": mujoco_table,
}
