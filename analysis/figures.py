"""Figures (matplotlib, Agg): learning curves, scalability, sweeps, learning-rate scatter."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
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
            mean = part.groupby("frames", as_index=False).agg(score=("mean_return", "mean"),
                                                             wall=("wall_time", "mean"))
            axes[i, 0].plot(mean["frames"] / 1e6, mean["score"], marker=".", label=f"{group}={key}")
            axes[i, 1].plot(mean["wall"] / 60, mean["score"], marker=".", label=f"{group}={key}")
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
