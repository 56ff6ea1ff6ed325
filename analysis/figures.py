"""Figures (matplotlib, Agg): learning curves, scalability, sweeps, learning-rate scatter."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402


def save(fig, path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".png")
    os.close(fd)
    fig.tight_layout()
    fig.savefig(tmp, dpi=100)
    plt.close(fig)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)
    return path.name


def empty_note(ax, text: str = "no complete runs yet") -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, fontsize=12)


def learning_curves(curves: pd.DataFrame, group: str, path: Path, title: str) -> str:
    """Mean eval score against frames and wall time, one panel row per game, a line per group."""
    games = sorted(curves["game"].unique()) if len(curves) else []
    fig, axes = plt.subplots(max(len(games), 1), 2, figsize=(11, 3.2 * max(len(games), 1)), squeeze=False)
    for i, game in enumerate(games):
        sub = curves[curves["game"] == game]
        for key, part in sub.groupby(group):
            for ax, column, scale in ((axes[i, 0], "frames", 1e6), (axes[i, 1], "wall_time", 60.0)):
                x, mean, low, high, runs = mean_over_runs(part, column)
                label = f"{group}={key}" + (f" (mean of {runs} runs, band: min-max)" if runs > 1 else "")
                line, = ax.plot(x / scale, mean, marker="." if runs == 1 else None, label=label)
                if runs > 1:
                    ax.fill_between(x / scale, low, high, color=line.get_color(), alpha=0.2)
        for ax, xlabel in ((axes[i, 0], "frames (millions)"), (axes[i, 1], "wall time (minutes)")):
            ax.xaxis.set_major_locator(MaxNLocator(5))
            ax.set_title(game)
            ax.set_xlabel(xlabel)
            ax.set_ylabel("mean eval score")
            ax.grid(alpha=0.3)
            ax.legend(fontsize=7)
    if not games:
        empty_note(axes[0, 0])
    fig.suptitle(title)
    return save(fig, path)


def mean_over_runs(part: pd.DataFrame, x: str, points: int = 50
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    """(x, mean, min, max, runs) of the eval score against column x over the runs in `part`.

    Runs evaluate at different frames and times, so each run's curve is interpolated linearly
    onto a common grid over the x range all runs cover; one run is returned as it is."""
    runs = [r.sort_values(x) for _, r in part.groupby("run")] if "run" in part else [part.sort_values(x)]
    if len(runs) == 1:
        y = runs[0]["mean_return"].to_numpy(float)
        return runs[0][x].to_numpy(float), y, y, y, 1
    lo, hi = max(r[x].min() for r in runs), min(r[x].max() for r in runs)
    if lo >= hi:  # no common range (a run barely started): the whole range, each run where it has data
        lo, hi = min(r[x].min() for r in runs), max(r[x].max() for r in runs)
    grid = np.linspace(lo, hi, points)
    ys = np.array([np.interp(grid, r[x].to_numpy(float), r["mean_return"].to_numpy(float),
                             left=np.nan, right=np.nan) for r in runs])
    return grid, np.nanmean(ys, 0), np.nanmin(ys, 0), np.nanmax(ys, 0), len(runs)


def bar_or_line(x, ys: dict[str, list[float]], path: Path, title: str, xlabel: str, ylabel: str,
                logx: bool = False) -> str:
    fig, ax = plt.subplots(figsize=(6.5, 4))
    for label, y in ys.items():
        style = "--" if label.startswith("paper") else ":" if label == "ideal" else "-"
        ax.plot(x, y, marker="o", linestyle=style, label=label)
    if not ys:
        empty_note(ax)
    if logx:
        ax.set_xscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    if ys:
        ax.legend(fontsize=8)
    return save(fig, path)


def scatter(points: pd.DataFrame, x: str, y: str, group: str, path: Path, title: str) -> str:
    games = sorted(points["game"].unique()) if len(points) else []
    fig, axes = plt.subplots(1, max(len(games), 1), figsize=(4.5 * max(len(games), 1), 3.8), squeeze=False)
    for i, game in enumerate(games):
        sub = points[points["game"] == game]
        for key, part in sub.groupby(group):
            axes[0, i].scatter(part[x], part[y], label=str(key), s=18)
        axes[0, i].set_xscale("log")
        axes[0, i].set_title(game)
        axes[0, i].set_xlabel("learning rate")
        axes[0, i].set_ylabel("final score")
        axes[0, i].grid(alpha=0.3)
        axes[0, i].legend(fontsize=7)
    if not games:
        empty_note(axes[0, 0])
    fig.suptitle(title)
    return save(fig, path)
