"""One function per workflow target: read runs, write tables and figures, return a summary.

Each reads its runs through analysis.loader (bad inputs are AnalysisInputErrors naming the file)
and checks that they are of the domain it analyses. The summary carries the runs' scale
(analysis.scale), the files written, flags and notes; `python -m analysis` writes it as
summary.json last, into a fresh directory that replaces the old output as a whole.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analysis import aggregate, atari, figures, reference, scalability, study
from analysis.errors import AnalysisInputError
from analysis.loader import RunsSource, load_curves, load_runs, require_domain
from analysis.scale import describe, short_number
from analysis.tables import write_table


def run_key(run: str | Path) -> str:
    """A run directory's name in a summary: its path from the nearest `runs` directory on
    (runs/atari_table/Pong/...), the same on every machine and checkout; the resolved path when no
    parent is named `runs`."""
    resolved = Path(run).resolve()
    parents = [parent for parent in resolved.parents if parent.name == "runs"]
    return f"runs/{resolved.relative_to(parents[0]).as_posix()}" if parents else str(resolved)


def _base_summary(runs: pd.DataFrame, target: str) -> dict:
    """Run counts, scale, deviations and compute of one target's runs.

    run_worker_hours (per complete run, keyed by run_key) lets the report count a run once when
    two targets analyse the same runs (scalability and data_efficiency).
    """
    done = runs[runs["completed"].astype(bool)]
    hours = {run_key(run): float(wall * workers) / 3600
             for run, wall, workers in zip(done["run"], done["wall_time"], done["workers"])}
    deviations = sorted({d for devs in runs["deviations"] for d in devs})
    return {"complete_runs": int(len(done)), "partial_runs": int(len(runs) - len(done)),
            "scale": describe(runs, target), "compute_worker_hours": sum(hours.values()),
            "run_worker_hours": hours, "deviations": deviations, "files": [], "flags": [], "notes": []}


# The runs a table row averages (its seeds) must share one setting; a target that varies a
# setting by design (the sweeps, lr_robustness, the lr study) groups by it instead.
ROW_KEYS = {"atari_table": ["game", "algo"], "mujoco_table": ["game", "algo"], "driving": ["game", "algo"],
            "maze": ["game", "algo"], "scalability": ["game", "algo", "workers"],
            "data_efficiency": ["game", "algo", "workers"]}
SETTING_COLUMNS = ["lr", "rms_eps", "beta", "t_max", "lr_anneal_frames", "frames_budget", "life_loss", "fire_reset"]


def require_one_setting(runs: pd.DataFrame, target: str) -> None:
    """An error when the runs of one table row differ in a setting (e.g. runs of an older config
    left beside the new ones in a directory of runs): their mean would mix two experiments."""
    keys = ROW_KEYS.get(target)
    if keys is None:
        return
    for row, group in runs.groupby(keys):
        mixed = [c for c in SETTING_COLUMNS if group[c].astype(str).nunique() > 1]
        if mixed:
            values = "; ".join(f"{c}: {', '.join(sorted(group[c].astype(str).unique()))}" for c in mixed)
            raise AnalysisInputError(Path(group["run"].iloc[0]).parent,
                                     f"the runs of {' / '.join(map(str, row))} differ in {values}: one table row "
                                     "would mix them; pass the run directories of one setting to --runs")


def _load(runs_dir: RunsSource, target: str, domain: str | None = None) -> tuple[pd.DataFrame, dict, str]:
    runs = load_runs(runs_dir)
    found = require_domain(runs, target, domain)
    require_one_setting(runs, target)
    return runs, _base_summary(runs, target), found


def empty_reason(runs: pd.DataFrame, what: str = "evaluations") -> str:
    done = int(runs["completed"].astype(bool).sum())
    return f"no {what} yet: {len(runs)} run(s) found, {done} complete"


def curve_levels(runs: pd.DataFrame, domain: str, algos: list[str] | None = None) -> dict[str, dict[str, float]]:
    """Reference levels for Atari learning curves (none elsewhere); the paper's for `algos`."""
    if domain != "atari":
        return {}
    return atari.levels(sorted(set(runs["game"])), sorted(set(runs["algo"])) if algos is None else algos)


def atari_table(runs_dir: RunsSource, out: Path) -> dict:
    runs, summary, _ = _load(runs_dir, "atari_table", "atari")
    reference.require_known_games(runs)
    algos = sorted(set(runs["algo"]), key=list(atari.ALGO_LABELS).index)
    summary["files"] += write_table(atari.games_table(runs), out, "atari_games",
                                    "The games we ran: our final score (mean over complete runs, each a "
                                    "no-op-start evaluation of `final episodes` episodes; ± is the sd over runs, "
                                    "or over a lone run's episodes) at its budget, beside random, human, the A3C "
                                    "no-op reference at 320M frames and the paper's Table S3 score (A3C FF: 1 day "
                                    "= 320M frames; A3C LSTM: 4 days; human starts, a different protocol).")
    summary["files"] += write_table(atari.per_game_table(runs, algos), out, "atari_per_game",
                                    "Raw scores per game. Ours: mean final score over complete runs, "
                                    "no-op starts. Paper columns: human starts (a different protocol).")
    table, comparison, flags = atari.summary_rows(runs, algos)
    summary["files"] += write_table(table, out, "atari_table", ATARI_CAPTION)
    summary["files"] += write_table(comparison, out, "atari_comparison",
                                    "Ours against each reference on the same games; FLAG = further than the "
                                    "tolerance. The paper's numbers use human starts (a different protocol) and "
                                    "its normalisation (VideoPinball random = 0, see table1_recomputed).")
    summary["files"] += write_table(atari.table1_audit(), out, "table1_recomputed",
                                    "The paper's Table 1 recomputed from its own Table S3 with our code: with "
                                    "the formula as stated, and with VideoPinball's random score taken as 0.")
    summary["files"] += write_table(atari.contributions(runs, algos), out, "atari_contributions",
                                    "Which games drive each mean: points each game adds to it (normalised % / "
                                    "games; a column sums to its mean, first row). Sorted by the no-op reference.")
    curves = load_curves(runs_dir)
    summary["files"] += write_table(atari.anchor_table(curves), out, "atari_anchors",
                                    "Our evaluations (periodic, and a complete run's final 30-episode one at its "
                                    "budget) beside other implementations' published learning curves at equal "
                                    "frames (results/reference/learning_anchors.csv; settings differ as listed; "
                                    "blank: no run of ours reached that frame count yet).")
    summary["files"] += figures.learning_curves(curves, "algo", out / "atari_curves.png",
                                                "Atari learning curves (eval score, no-op starts) with reference "
                                                "scores", curve_levels(runs, "atari"),
                                                empty_reason=empty_reason(runs),
                                                points=atari.anchor_points(sorted(set(runs["game"])),
                                                                           sorted(set(runs["algo"]))))
    summary["flags"] += flags
    summary["notes"] += atari.paper_notes()
    return summary


ATARI_CAPTION = ("Human-normalised scores (%). Ours and the A3C no-op reference use the no-op human/random "
                 "scores; the paper's rows use human starts (a different protocol). Each of our rows is "
                 "followed by the references over exactly its games. CIs: 95% stratified bootstrap over runs "
                 "within games (rliable); none with fewer than 2 runs per game.")


def scalability_target(runs_dir: RunsSource, out: Path) -> dict:
    runs, summary, _ = _load(runs_dir, "scalability")
    curves = load_curves(runs_dir)
    # complete runs only: a run still going would pull the reference score down
    complete = set(runs.loc[runs["completed"].astype(bool), "run"])
    speed = scalability.speedups(curves[curves["run"].isin(complete)] if len(curves) else curves)
    counts = sorted(int(w) for w in set(runs["workers"]))
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
    note = scalability.missing_note(speed, table, runs, counts)
    summary["files"].append(figures.bar_or_line(counts, ys, out / "scalability.png",
                                                "Speedup vs workers (ours vs paper Table 2)",
                                                "workers", "speedup", note=note))
    if note:
        summary["notes"].append(f"scalability: {note}")
    summary["flags"] += scalability.flags(table, counts)
    return summary


def data_efficiency(runs_dir: RunsSource, out: Path) -> dict:
    runs, summary, domain = _load(runs_dir, "data_efficiency")
    curves = load_curves(runs_dir)
    for algo in sorted(set(runs["algo"])):
        sub = curves[curves["algo"] == algo] if len(curves) else curves
        summary["files"] += figures.learning_curves(
            sub, "workers", out / f"data_efficiency_{algo}.png",
            f"{algo}: score vs frames (data efficiency) and vs wall time (training speed), per worker count",
            curve_levels(runs, domain, [algo]),
            x_columns=("frames", "wall_time"), empty_reason=empty_reason(runs[runs["algo"] == algo]))
    done = runs[runs["completed"].astype(bool)]
    table = (done.groupby(["algo", "game", "workers"], as_index=False)
             .agg(final_score=("final_mean", "mean"), frames=("frames", "mean"),
                  hours=("wall_time", lambda s: s.mean() / 3600), runs=("final_mean", "size"))
             if len(done) else pd.DataFrame(columns=["algo", "game", "workers", "final_score", "frames", "hours", "runs"]))
    summary["files"] += write_table(table, out, "data_efficiency", "Final score per worker count.")
    return summary


def sweep(runs_dir: RunsSource, out: Path, param: str, name: str, logx: bool) -> dict:
    runs, summary, domain = _load(runs_dir, name)
    done = runs[runs["completed"].astype(bool)]
    table = (done.groupby(["game", "algo", param], as_index=False)
             .agg(final_score=("final_mean", "mean"), best_score=("best_mean", "mean"),
                  runs=("final_mean", "size"))
             if len(done) else pd.DataFrame(columns=["game", "algo", param, "final_score", "best_score", "runs"]))
    summary["files"] += write_table(table, out, name, f"Final score against {param}.")
    xs = sorted(set(table[param])) if len(table) else []
    ys = {game: [float(part[part[param] == x]["final_score"].mean()) for x in xs]
          for game, part in (table.groupby("game") if len(table) else [])}
    summary["files"].append(figures.bar_or_line(xs, ys, out / f"{name}.png", f"Final score vs {param}",
                                                param, "final score", logx=logx,
                                                note="" if ys else empty_reason(runs, "complete runs")))
    summary["files"] += figures.learning_curves(load_curves(runs_dir), param, out / f"{name}_curves.png",
                                                f"Learning curves per {param}", curve_levels(runs, domain),
                                                empty_reason=empty_reason(runs))
    return summary


LR_RANGE = (1e-4, 1e-2)  # the paper's LogUniform sampling range (the workflow's lr_robustness low/high)


def lr_robustness(runs_dir: RunsSource, out: Path) -> dict:
    runs, summary, _ = _load(runs_dir, "lr_robustness")
    done = runs[runs["completed"].astype(bool)]
    frames = short_number(max(runs["frames_budget"]))
    summary["files"].append(figures.scatter(done, "lr", "final_mean", "algo", out / "lr_robustness.png",
                                            f"Final score against learning rate, LogUniform({LR_RANGE[0]:g}, {LR_RANGE[1]:g}) draws "
                                            f"({frames} frames per run)",
                                            empty_reason=empty_reason(runs, "complete runs"),
                                            xlim=LR_RANGE))
    table = (done.groupby(["game", "algo"], as_index=False)
             .agg(runs=("final_mean", "size"), lr_min=("lr", "min"), lr_max=("lr", "max"),
                  median_score=("final_mean", "median"), best_score=("final_mean", "max"))
             if len(done) else pd.DataFrame(columns=["game", "algo", "runs", "lr_min", "lr_max", "median_score", "best_score"]))
    summary["files"] += write_table(table, out, "lr_robustness", "Runs per game and method, scores over learning rates.")
    return summary


def lr_study(runs_dir: RunsSource, out: Path, target: str = "lr_study") -> dict:
    """The study's settings side by side; lr_study_carry (the best settings run longer) the same way."""
    runs, summary, _ = _load(runs_dir, target, "atari")
    return study.lr_study(runs, runs_dir, out, summary)


def mujoco_table(runs_dir: RunsSource, out: Path) -> dict:
    runs, summary, _ = _load(runs_dir, "mujoco_table", "mujoco")
    done = runs[runs["completed"].astype(bool)]
    table = (done.groupby(["game", "algo"], as_index=False)
             .agg(deterministic=("final_mean", "mean"), stochastic=("final_stochastic_mean", "mean"),
                  runs=("final_mean", "size"), frames=("frames", "mean"))
             .rename(columns={"game": "task"})
             if len(done) else pd.DataFrame(columns=["task", "algo", "deterministic", "stochastic", "runs", "frames"]))
    summary["files"] += write_table(table, out, "mujoco_table",
                                    "Final mean return (mean action; sampled actions). The paper gives "
                                    "curves only, and rewards are not comparable across MuJoCo versions: "
                                    "no paper column.")
    summary["files"] += figures.learning_curves(load_curves(runs_dir), "algo", out / "mujoco_curves.png",
                                                "MuJoCo learning curves (mean action)",
                                                empty_reason=empty_reason(runs))
    return summary


STAND_INS = {"driving": "TORCS (the paper's car racing) is not pip-installable: CarRacing-v3 stands in for it",
             "maze": "Labyrinth (the paper's 3D mazes, DeepMind Lab) is not pip-installable: memory-maze 9x9 "
                     "stands in for it (MazeApples: Labyrinth's apples on its mazes; Maze: its own prompted targets)"}


def final_scores(done: pd.DataFrame) -> pd.DataFrame:
    """Per game and method: the mean, sd and count of all final-evaluation episodes of its runs
    (the mean over runs when, as in every workflow run, they have equal episode counts), the mean
    best periodic evaluation, runs and frames."""
    rows = []
    for (game, algo), part in done.groupby(["game", "algo"]):
        episodes = part["final_episodes"].fillna(part["final_eval_episodes"])
        mean, sd, count = aggregate.pooled_episodes(part["final_mean"], part["final_std"], episodes)
        rows.append({"game": game, "algo": algo, "final_score": mean, "final_sd": sd,
                     "episodes": count, "best_eval": part["best_mean"].mean(), "runs": len(part),
                     "frames": int(part["frames"].mean())})  # a run's frame count, not a float of it
    return pd.DataFrame(rows, columns=["game", "algo", "final_score", "final_sd", "episodes", "best_eval", "runs",
                                       "frames"])


def memory_gaps(table: pd.DataFrame, first: str = "a3c-lstm", second: str = "a3c") -> pd.DataFrame:
    """Per game with both methods complete: first's final score minus second's, Welch's 95% CI."""
    rows = []
    for game, part in table.groupby("game"):
        by_algo = part.set_index("algo")
        if not {first, second} <= set(by_algo.index):
            continue
        a, b = (by_algo.loc[algo] for algo in (first, second))
        gap, low, high = aggregate.welch_gap((a["final_score"], a["final_sd"], int(a["episodes"])),
                                             (b["final_score"], b["final_sd"], int(b["episodes"])))
        rows.append({"game": game, first: a["final_score"], second: b["final_score"], "gap": gap,
                     "ci95_low": low, "ci95_high": high, f"runs_{first}": int(a["runs"]),
                     f"runs_{second}": int(b["runs"]), f"episodes_{first}": int(a["episodes"]),
                     f"episodes_{second}": int(b["episodes"])})
    counts = [f"{what}_{algo}" for what in ("runs", "episodes") for algo in (first, second)]
    return pd.DataFrame(rows, columns=["game", first, second, "gap", "ci95_low", "ci95_high", *counts])


def gap_note(row: pd.Series) -> str:
    """One sentence: does the LSTM beat the feed-forward net, and how sure is that."""
    if not np.isfinite(row["ci95_low"]):
        verdict = "no CI (too few episodes or no sd recorded)"
    elif row["ci95_low"] > 0:
        verdict = "LSTM above FF"
    elif row["ci95_high"] < 0:
        verdict = "FF above LSTM"
    else:
        verdict = "no clear difference"
    runs = int(row["runs_a3c-lstm"]), int(row["runs_a3c"])
    if min(runs) == 1:
        verdict += "; one run of a method: the CI leaves out the spread between seeds"
    return (f"{row['game']}: A3C LSTM - A3C FF = {row['gap']:+.1f} (95% CI {row['ci95_low']:+.1f} to "
            f"{row['ci95_high']:+.1f}, runs {runs[0]} vs {runs[1]}): {verdict}")


def vision_table(runs_dir: RunsSource, out: Path, target: str) -> dict:
    """The stand-ins for TORCS (driving) and Labyrinth (maze): final scores per method beside the
    reference levels of results/reference/vision_reference.csv, and learning curves."""
    runs, summary, _ = _load(runs_dir, target, target)
    table = final_scores(runs[runs["completed"].astype(bool)])
    summary["files"] += write_table(table, out, target, f"{STAND_INS[target]}. Final score of the final network "
                                    "(mean over all final-evaluation episodes of its runs), their sd (between-run "
                                    "spread included) and their number, and the best periodic evaluation, per method.")
    gaps = memory_gaps(table)
    summary["files"] += write_table(gaps, out, f"{target}_lstm_vs_ff",
                                    "A3C LSTM minus A3C FF, final scores, with Welch's 95% CI over the final-evaluation "
                                    "episodes. With one run per method the CI covers episode-to-episode noise only, "
                                    "not the spread between seeds.")
    summary["notes"] += [gap_note(row) for _, row in gaps.iterrows()]
    refs = reference.vision_reference(target)
    summary["files"] += write_table(refs[["game", "quantity", "value", "value_high", "unit", "comparable_with_our_runs",
                                          "source"]], out, f"{target}_reference",
                                    "Reference levels: the stand-in's own (comparable) and the paper's (a different "
                                    "environment, shown for context only).")
    comparable = refs[refs["comparable_with_our_runs"].str.startswith("yes")]
    levels = {game: {row["quantity"].split(" (")[0]: float(row["value"]) for _, row in part.iterrows()}
              for game, part in comparable.groupby("game")}
    summary["files"] += figures.learning_curves(load_curves(runs_dir), "algo", out / f"{target}_curves.png",
                                                f"{target}: learning curves (eval score) with reference levels",
                                                levels, empty_reason=empty_reason(runs))
    summary["notes"].append(f"{target}: {STAND_INS[target]}; see the protocol table in the README.")
    return summary


TARGETS = {
    "atari_table": atari_table,
    "scalability": scalability_target,
    "data_efficiency": data_efficiency,
    "beta_sweep": lambda r, o: sweep(r, o, "beta", "beta_sweep", logx=True),
    "tmax_sweep": lambda r, o: sweep(r, o, "t_max", "tmax_sweep", logx=False),
    "lr_robustness": lr_robustness,
    "mujoco_table": mujoco_table,
    "lr_study": lr_study,
    "lr_study_carry": lambda r, o: lr_study(r, o, "lr_study_carry"),
    "driving": lambda r, o: vision_table(r, o, "driving"),
    "maze": lambda r, o: vision_table(r, o, "maze"),
}
