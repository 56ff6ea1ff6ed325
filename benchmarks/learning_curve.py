"""Scripted learning benchmark: train one run (or continue it), then plot its learning curve.

    python benchmarks/learning_curve.py --out results/bench/pong_a3c -- \
        --game Pong --algo a3c --workers 2 --frames 40M --eval-every 500k --eval-episodes 5

Everything after `--` goes to `python -m a3c train` (always with --resume, so a stopped benchmark
continues where its last checkpoint was). The PNG shows the mean eval score against frames and
against wall time; the log says when the score first reached --target (or where it stood).
Stop it any time with Ctrl-C; the plot is made from whatever eval rows exist (`--plot-only`).
"""
from __future__ import annotations

import argparse
import logging
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import loader

log = logging.getLogger("benchmarks.learning_curve")
CONTINUOUS_CONTROL = ("Pendulum-v1",)  # the control tasks with a continuous action space


def read_run(out: Path) -> tuple[list[dict[str, float]], str]:
    """The run's evaluation rows and its domain ('atari', 'mujoco' or 'control'), read through the
    analysis loader (the one reader of run directories); a run that never started: none, 'atari'."""
    if not (out / "config.json").exists():
        return [], "atari"
    run = loader.read_run(out)
    rows = loader.read_eval_log(out, run["completed"]).to_dict("records")
    return rows, run["domain"]


def axis_unit(domain: str, frames_per_step: int = 1) -> str:
    """What the x axis counts: the trainer's frames are emulator frames on Atari and CarRacing
    (frames_per_step per agent step), agent steps on the maze, environment steps elsewhere."""
    if domain == "atari":
        return "frames"
    if domain == "driving":
        return f"frames, {frames_per_step} per agent step"
    return "agent steps" if domain == "maze" else "environment steps"


def frames_per_step(out: Path) -> int:
    """config.json's frames_per_step (the frame skip), 1 where it does not say."""
    try:
        return int(loader.read_json(out / "config.json").get("frames_per_step") or 1)
    except (loader.AnalysisInputError, AttributeError, TypeError, ValueError):
        return 1


def final_point(out: Path) -> dict[str, float] | None:
    """A complete run's final score (the final network over its final evaluation episodes, from
    final.json) as a point at the run's last frame; None for a run still going."""
    if not (out / "final.json").exists():
        return None
    run = loader.read_run(out)
    if not run["completed"]:
        return None
    std = run["final_std"]
    return {"frames": run["frames"], "wall_time": run["wall_time"], "mean_return": run["final_mean"],
            "std_return": 0.0 if std is None or std != std else std, "episodes": run["final_episodes"],
            "gaussian": run["final_stochastic_mean"] is not None}


def gaussian_policy(out: Path, domain: str, game: str) -> bool:
    """Whether the run's policy is Gaussian (evaluated with its mean action): a complete run says
    so in final.json (its stochastic second summary); a run still going, by its task."""
    final = final_point(out)
    if final is not None:
        return final["gaussian"]
    return domain == "mujoco" or game in CONTINUOUS_CONTROL or "Continuous" in game


def title_for(out: Path, domain: str) -> str:
    """The figure's title: the run (game, method, workers, seed) and how its evaluation episodes
    were played (no-op starts on Atari; a Gaussian policy's mean action; sampled actions for the
    other A3C policies; epsilon-greedy for the value-based methods)."""
    if not (out / "config.json").exists():
        return f"{out.name}: mean eval score"
    run = loader.read_run(out)
    if domain == "atari":
        how = "no-op starts"
    elif gaussian_policy(out, domain, run["game"]):
        how = "mean action"
    else:
        how = "sampled actions" if run["algo"].startswith("a3c") else "epsilon-greedy"
    return f"{run['game']}, {run['algo']}, {run['workers']} workers, seed {run['seed']}: mean eval score ({how})"


def plot(rows: list[dict[str, float]], title: str, png: Path, target: float | None,
         unit: str = "frames", final: dict[str, float] | None = None) -> None:
    import matplotlib.pyplot as plt

    from analysis.figures import save  # the analysis' atomic writer: a PNG is whole or absent

    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    frames = [r["frames"] / 1e6 for r in rows]
    minutes = [r["wall_time"] / 60 for r in rows]
    means = [r["mean_return"] for r in rows]
    stds = [r["std_return"] for r in rows]
    for ax, x, label in ((axes[0], frames, f"{unit} (millions)"), (axes[1], minutes, "wall time (minutes)")):
        ax.errorbar(x, means, yerr=stds, marker="o", capsize=2, label="periodic evaluations")
        if final is not None:
            at = final["frames"] / 1e6 if x is frames else final["wall_time"] / 60
            ax.errorbar([at], [final["mean_return"]], yerr=[final["std_return"]], marker="*", markersize=12,
                        color="tab:red", capsize=3, linestyle="none",
                        label="final network" + (f", {final['episodes']:.0f} episodes" if final["episodes"] else ""))
        if target is not None:
            ax.axhline(target, color="grey", linestyle="--", label=f"target {target:g}")
        if final is not None or target is not None:
            ax.legend(fontsize=8)
        ax.set_xlabel(label)
        ax.set_ylabel("mean eval score")
        ax.grid(alpha=0.3)
    fig.suptitle(title)
    save(fig, png)


# The training diagnostics drawn beside the curve (diagnostics.csv's columns), with their scales.
DIAGNOSTIC_PANELS = (("entropy", "policy entropy (nats)", False), ("value_loss", "value loss", True),
                     ("policy_loss", "policy loss", False), ("grad_norm", "gradient norm before clipping", True),
                     ("clip_fraction", "fraction of updates clipped", False),
                     ("update_ratio", "update-to-weight ratio", True),
                     ("dead_units", "fraction of dead units (last ReLU layer)", False))
DIAGNOSTIC_BINS = 100


def binned_diagnostics(table: pd.DataFrame, bins: int = DIAGNOSTIC_BINS) -> pd.DataFrame:
    """The diagnostics averaged over workers within `bins` equal spans of frames (their centres)."""
    edges = np.linspace(0, table["frames"].max(), bins + 1)
    span = pd.cut(table["frames"], edges, include_lowest=True, labels=False)
    means = table.groupby(span).mean(numeric_only=True)
    means["frames"] = (edges[means.index] + edges[means.index + 1]) / 2
    return means.reset_index(drop=True)


def plot_diagnostics(out: Path, unit: str = "frames") -> Path | None:
    """diagnostics.png beside the curve: the diagnostics that tell why a run learns or does not
    (entropy collapsing, value loss exploding, clipping firing); None for a run without them."""
    import matplotlib.pyplot as plt

    from analysis.figures import save

    table = loader.read_diagnostics(out)
    if table.empty:
        return None
    means = binned_diagnostics(table)
    panels = [p for p in DIAGNOSTIC_PANELS if means[p[0]].notna().any()]
    columns = 4 if len(panels) > 6 else 3
    fig, axes = plt.subplots(2, columns, figsize=(4.4 * columns, 6.5))
    for ax, (column, label, log_scale) in zip(axes.flat, panels):
        ax.plot(means["frames"] / 1e6, means[column])
        if log_scale and (means[column] > 0).all():
            ax.set_yscale("log")
        ax.set_title(label, fontsize=10)
        ax.set_xlabel(f"{unit} (millions)")
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(panels):]:
        ax.set_visible(False)
    fig.suptitle(f"{out.name}: training diagnostics, mean over workers per 1/{DIAGNOSTIC_BINS} of the run")
    png = out / "diagnostics.png"
    save(fig, png)
    return png


def summarize(rows: list[dict[str, float]], target: float | None) -> None:
    if not rows:
        log.info("no evaluation rows yet")
        return
    if target is not None:
        for row in rows:
            if row["mean_return"] >= target:
                log.info("reached %g at %.2fM frames, %.1f minutes", target, row["frames"] / 1e6,
                         row["wall_time"] / 60)
                return
    last, best = rows[-1], max(rows, key=lambda r: r["mean_return"])
    prefix = f"target {target:g} not reached: " if target is not None else ""
    log.info("%slast eval %.2f at %.2fM frames / %.1f min; best %.2f at %.2fM frames", prefix,
             last["mean_return"], last["frames"] / 1e6, last["wall_time"] / 60,
             best["mean_return"], best["frames"] / 1e6)


def run_training(cmd: list[str]) -> int:
    """Run the trainer; SIGTERM is passed on to it, and after Ctrl-C (which the terminal sends
    to both of us) we wait for it to checkpoint, so the plot below sees its last rows."""
    proc = subprocess.Popen(cmd)
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: proc.send_signal(signum))
    try:
        while True:
            try:
                return proc.wait()
            except KeyboardInterrupt:
                continue
    finally:
        signal.signal(signal.SIGTERM, previous)


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    argv = sys.argv[1:]
    train_args = argv[argv.index("--") + 1 :] if "--" in argv else []
    own = argv[: argv.index("--")] if "--" in argv else argv
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--target", type=float, default=None)
    parser.add_argument("--plot-only", action="store_true")
    args = parser.parse_args(own)
    if args.plot_only and not (args.out / "eval_log.csv").exists():
        parser.error(f"--plot-only: {args.out / 'eval_log.csv'} does not exist")
    code = 0
    if not args.plot_only:
        cmd = [sys.executable, "-m", "a3c", "train", *train_args, "--out", str(args.out), "--resume"]
        code = run_training(cmd)
    rows, domain = read_run(args.out)
    png = args.out / "learning_curve.png"
    final = final_point(args.out)
    unit = axis_unit(domain, frames_per_step(args.out))
    plot(rows, title_for(args.out, domain), png, args.target, unit, final)
    summarize(rows, args.target)
    if final is not None:
        log.info("final network: %.2f +- %.2f over %s episodes at %.2fM", final["mean_return"],
                 final["std_return"], final["episodes"] or "?", final["frames"] / 1e6)
    log.info("figure: %s", png)
    diagnostics = plot_diagnostics(args.out, unit)
    if diagnostics is not None:
        log.info("diagnostics: %s", diagnostics)
    return code


if __name__ == "__main__":
    sys.exit(main())
