"""The one place that reads run directories (docs/run_directory.md).

A run is complete when its final.json exists; a partial run (no final.json) is listed with
completed=False and never contributes a final score.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path

import pandas as pd

log = logging.getLogger(__name__)
RUN_COLUMNS = ["run", "game", "algo", "workers", "seed", "lr", "beta", "t_max", "frames_budget",
               "domain", "completed", "frames", "wall_time", "final_mean", "final_std",
               "final_stochastic_mean", "best_mean", "best_frames", "deviations"]


def find_runs(root: Path) -> list[Path]:
    """Every run directory (one with a config.json) below root."""
    return sorted(p.parent for p in Path(root).rglob("config.json"))


def read_run(run: Path) -> dict:
    config = json.loads((run / "config.json").read_text())
    row = {"run": str(run), "game": config["game"], "algo": config["algo"],
           "workers": int(config["workers"]), "seed": int(config["seed"]), "lr": float(config["lr"]),
           "beta": float(config["beta"]), "t_max": int(config["t_max"]),
           "frames_budget": int(config["frames"]), "domain": config.get("domain", "atari"),
           "deviations": tuple(config.get("deviations", ())), "completed": False}
    final_path = run / "final.json"
    if final_path.exists():
        final = json.loads(final_path.read_text())
        best = final.get("best") or {}
        row.update(completed=bool(final.get("completed")), frames=final["frames"],
                   wall_time=final["wall_time"], final_mean=final["final"]["mean_return"],
                   final_std=final["final"]["std_return"],
                   final_stochastic_mean=(final.get("final_stochastic") or {}).get("mean_return"),
                   best_mean=best.get("mean_return"), best_frames=best.get("frames"))
    return row


def load_runs(root: Path) -> pd.DataFrame:
    """One row per run directory below root (complete and partial)."""
    rows = [read_run(run) for run in find_runs(root)]
    frame = pd.DataFrame(rows, columns=RUN_COLUMNS)
    log.info("%s: %d runs (%d complete)", root, len(frame), int(frame["completed"].sum()) if len(frame) else 0)
    return frame


def load_curves(root: Path) -> pd.DataFrame:
    """Every eval row of every run below root, with the run's identifying columns.

    kind is "eval" for an eval_log.csv row and "final" for the final network's score that closes a
    complete run's curve (for plots; time-to-score analyses use the "eval" rows only).
    """
    parts = []
    for run in find_runs(root):
        path = run / "eval_log.csv"
        if not path.exists() or path.stat().st_size == 0:
            continue  # a run that never started logging
        curve = pd.read_csv(path)
        info = read_run(run)
        curve["kind"] = "eval"
        if info["completed"]:  # the final network's score closes the curve
            final = pd.DataFrame([{"frames": info["frames"], "wall_time": info["wall_time"],
                                   "mean_return": info["final_mean"], "std_return": info["final_std"],
                                   "kind": "final"}])
            curve = final if curve.empty else pd.concat([curve, final], ignore_index=True)
        if curve.empty:
            continue
        for key in ("run", "game", "algo", "workers", "seed", "lr", "beta", "t_max"):
            curve[key] = info[key]
        parts.append(curve)
    if not parts:
        return pd.DataFrame(columns=["run", "game", "algo", "workers", "seed", "lr", "beta", "t_max",
                                     "frames", "wall_time", "mean_return", "kind"])
    return pd.concat(parts, ignore_index=True)
