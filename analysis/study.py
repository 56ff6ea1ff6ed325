"""The learning-rate / RMSProp-eps study (the `lr_study` target): which setting learns, by the
paper's rule.

The paper's Atari curves are the best of 50 learning rates drawn from LogUniform(1e-4, 1e-2), and
its 57-game table uses settings tuned on six games only (BeamRider, Breakout, Pong, Qbert,
Seaquest, SpaceInvaders). Its RMSProp eps is not printed (the talk: 1e-8; the authors' e-mail and
PFRL: 0.1, inside the square root). This target groups the study's runs by (game, lr, eps) and
reports, per setting: seeds, the final score, the best evaluation, the score at fixed frame counts
(the curves' early part, where settings first separate), and late training diagnostics (entropy,
value loss, gradient norm, clipping) as early signals. Each method's chosen setting is its one with
the best mean final score over the tuning games, as the paper chose (it tuned every method on its
own); the mean is taken over human-normalised scores (no-op baselines), since raw scores are on each
game's own scale.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from a3c.games import TUNING_GAMES  # the paper's six
from analysis import figures, reference
from analysis.loader import RunsSource, load_curves, read_diagnostics
from analysis.normalize import human_normalized
from analysis.scale import short_number
from analysis.tables import write_table

SETTING = ["game", "algo", "lr", "rms_eps", "lr_anneal_frames"]  # lr_anneal_frames 0: over the run's own frames
LATE_FRACTION = 0.2  # diagnostics averaged over the last 20% of each run's frames


def setting_label(lr: float, eps: float) -> str:
    return f"lr {lr:.2g}, eps {eps:g}"


def score_at(curves: pd.DataFrame, run: str, frames: float) -> float:
    """The run's eval score at `frames` (linear interpolation between evaluations; NaN if not reached)."""
    rows = curves[curves["run"] == run].sort_values("frames")  # evals, then the final score
    if rows.empty or rows["frames"].max() < frames:
        return float("nan")
    return float(np.interp(frames, rows["frames"], rows["mean_return"]))


# The diagnostics the study reports over the last LATE_FRACTION of each run (dead_units: empty
# for runs written before that column).
LATE_COLUMNS = ("entropy", "value_loss", "grad_norm", "clip_fraction", "dead_units")


def late_diagnostics(run: str) -> dict[str, float]:
    table = read_diagnostics(Path(run))
    if table.empty:
        return {}
    late = table[table["frames"] >= table["frames"].max() * (1 - LATE_FRACTION)]
    return {f"late_{c}": float(late[c].mean()) for c in LATE_COLUMNS}


def per_run(runs: pd.DataFrame, curves: pd.DataFrame, checkpoints: list[float]) -> pd.DataFrame:
    rows = []
    runs = runs.assign(lr_anneal_frames=runs["lr_anneal_frames"].fillna(0))  # older runs: their own frames
    for _, run in runs.iterrows():
        row = {k: run[k] for k in SETTING + ["seed", "completed", "final_mean", "best_mean"]}
        row["frames"] = float(curves.loc[curves["run"] == run["run"], "frames"].max() or 0)
        row.update({f"score_at_{short_number(f)}": score_at(curves, run["run"], f) for f in checkpoints})
        row.update(late_diagnostics(run["run"]))
        rows.append(row)
    return pd.DataFrame(rows)


def per_setting(table: pd.DataFrame) -> pd.DataFrame:
    """Means over the seeds of each setting; `runs` and `complete` count them."""
    numeric = [c for c in table.columns if c not in SETTING + ["seed", "completed"]]
    grouped = table.groupby(SETTING, as_index=False)
    out = grouped[numeric].mean()
    out.insert(len(SETTING), "runs", grouped.size()["size"].to_numpy())
    out.insert(len(SETTING) + 1, "complete", grouped["completed"].sum()["completed"].astype(int).to_numpy())
    return out.sort_values(["game", "final_mean"], ascending=[True, False], na_position="last")


def normalised_final(settings: pd.DataFrame) -> pd.Series:
    """Each setting's mean final score in % of human (no-op baselines): raw scores are on each
    game's own scale (Pong -21..21, Breakout to 800), so a mean over games needs a common one."""
    noop = reference.noop_baselines()
    return human_normalized(settings["final_mean"], settings["game"].map(noop["human_noop"]),
                            settings["game"].map(noop["random_noop"]))


def rank(settings: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """One method's settings ranked by the paper's rule: the mean final score (human-normalised)
    over the tuning games studied, among the settings with complete runs on every one of them; and
    those games."""
    done = settings[settings["complete"] > 0]
    games = sorted(set(done["game"]) & set(TUNING_GAMES))
    part = done[done["game"].isin(games)]
    ranked = part.groupby(["algo", "lr", "rms_eps", "lr_anneal_frames"], as_index=False).agg(
        score=("final_pct_human", "mean"), games=("game", "nunique"), runs=("complete", "sum"))
    ranked = ranked[ranked["games"] == len(games)].sort_values(  # ties: the smaller lr, then eps, first
        ["score", "lr", "rms_eps"], ascending=[False, True, True], kind="stable", ignore_index=True)
    return ranked, games


def rank_per_method(settings: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """Each method ranked on its own (the paper tuned every method separately: a setting good for
    A3C FF says nothing about A3C LSTM), one block per method; and each method's tuning games."""
    blocks, games = [], {}
    for algo in sorted(settings["algo"].unique()):
        ranked, games[algo] = rank(settings[settings["algo"] == algo])
        blocks.append(ranked)
    columns = ["algo", "lr", "rms_eps", "lr_anneal_frames", "score", "games", "runs"]
    return (pd.concat(blocks, ignore_index=True) if blocks else pd.DataFrame(columns=columns)), games


def choose(ranked: pd.DataFrame, games: list[str], algo: str) -> tuple[pd.Series | None, str]:
    """The paper's rule for one method, from its ranking (rank): the best mean final score
    (human-normalised) over the tuning games that every setting ran."""
    if not games:
        return None, f"{algo}: no complete run on a tuning game yet: no setting chosen"
    if ranked.empty:
        return None, f"{algo}: no setting has complete runs on every tuning game studied ({', '.join(games)})"
    best = ranked.iloc[0]
    return best, (f"chosen by the paper's rule (best mean final score, in % of human, over {', '.join(games)}): "
                  f"{algo}, {setting_label(best['lr'], best['rms_eps'])} ({best['score']:.1f}% of human)")


def setting_record(row: pd.Series) -> dict:
    """A setting as summary.json keeps it (the workflow's lr_study_carry reads `ranked`)."""
    return {"algo": row["algo"], "lr": float(row["lr"]), "rms_eps": float(row["rms_eps"]),
            "lr_anneal_frames": int(row["lr_anneal_frames"])}


def readable(table: pd.DataFrame) -> pd.DataFrame:
    """lr, eps and the horizon as short text (the tables would print them to one decimal)."""
    return table.assign(lr=table["lr"].map(lambda v: f"{v:.3g}"), rms_eps=table["rms_eps"].map(lambda v: f"{v:g}"),
                        lr_anneal_frames=table["lr_anneal_frames"].map(lambda v: short_number(v) if v else "own"))


def significant(value: float) -> str:
    """3 significant digits, thousands written out (a diverging run's gradient norm: 1,234, not 1.23e+03)."""
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"


# The Markdown and LaTeX tables print frames short and the diagnostics to 3 significant digits
# (one decimal would show a value loss of 0.16 as 0.2 and 2% clipping as 0.0).
FORMATS = {"frames": short_number, "late_entropy": significant, "late_value_loss": significant,
           "late_grad_norm": significant, "late_clip_fraction": significant, "late_dead_units": significant}


def lr_study(runs: pd.DataFrame, runs_dir: RunsSource, out: Path, summary: dict) -> dict:
    curves = load_curves(runs_dir)
    budget = float(runs["frames_budget"].max())
    checkpoints = [f for f in (5e6, 10e6, 20e6, 40e6) if f < budget] + [budget]
    table = per_run(runs, curves, checkpoints)
    settings = per_setting(table)
    settings.insert(settings.columns.get_loc("final_mean") + 1, "final_pct_human", normalised_final(settings))
    summary["files"] += write_table(readable(table), out, "lr_study_runs", "Every run of the study, with its score at "
                                    "fixed frame counts and its late training diagnostics. frames: where the run "
                                    "ended (before its budget if it stopped early: stop_on_dead_network).", FORMATS)
    summary["files"] += write_table(readable(settings), out, "lr_study", "Per setting (game, lr, RMSProp eps): means over "
                                    "seeds. Late diagnostics: means over the last 20% of frames.", FORMATS)
    ranked, games = rank_per_method(settings)
    summary["chosen"] = {}  # per method: the paper tuned each one
    for algo, tuned_on in games.items():
        best, note = choose(ranked[ranked["algo"] == algo].reset_index(drop=True), tuned_on, algo)
        summary["notes"].append(note)
        summary["chosen"][algo] = None if best is None else setting_record(best)
    summary["ranked"] = [{**setting_record(row), "pct_human": float(row["score"])} for _, row in ranked.iterrows()]
    studied = "; ".join(f"{algo}: {', '.join(g) or 'none yet'}" for algo, g in games.items()) or "none yet"
    summary["files"] += write_table(readable(ranked.rename(columns={"score": "mean % human"})), out, "lr_study_ranking",
                                    "Settings ranked by the paper's rule, each method on its own: mean final score "
                                    f"in % of human (no-op baselines) over the tuning games studied ({studied}); "
                                    "runs: the complete runs (seeds x games) it rests on.")
    done = runs[runs["completed"].astype(bool)]
    methods = runs["algo"].nunique() > 1  # then every label names its method
    hue = [f"{a}, eps {e:g}" if methods else f"{e:g}" for a, e in zip(done["algo"], done["rms_eps"])]
    summary["files"].append(figures.scatter(done.assign(eps=hue), "lr", "final_mean", "eps", out / "lr_study.png",
                                            "Final score against learning rate, by RMSProp eps"
                                            + (" and method" if methods else ""),
                                            empty_reason="no complete runs yet"))
    own = ["run", "rms_eps", "lr_anneal_frames"] + [c for c in ("algo",) if c not in curves.columns]
    labelled = curves.merge(runs[own], on="run")
    labelled["setting"] = [(f"{a}, " if methods else "") + setting_label(lr, e)
                           + (f", anneal {short_number(h)}" if h == h and h else ", anneal own")
                           for a, lr, e, h in zip(labelled["algo"], labelled["lr"], labelled["rms_eps"],
                                                  labelled["lr_anneal_frames"])]
    summary["files"] += figures.learning_curves(labelled, "setting", out / "lr_study_curves.png",
                                                "Learning curves per setting (lr, RMSProp eps)")
    return summary
