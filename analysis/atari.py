"""The Atari tables: per-game raw scores and the human-normalised summary, ours beside the paper's.

Our runs are evaluated with no-op starts, so they are normalised with the no-op human and random
scores and compared first with the A3C no-op reference (Fortunato et al. 2018). The paper's
human-start columns are shown beside them, labelled as a different protocol.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import reference
from analysis.aggregate import iqm_with_ci
from analysis.normalize import mean_median, normalize_table

ALGO_LABELS = {"a3c": "A3C FF", "a3c-lstm": "A3C LSTM", "one-step-q": "1-step Q",
               "one-step-sarsa": "1-step SARSA", "n-step-q": "n-step Q"}
TOLERANCE_PCT = 25.0  # a summary number further than this (in normalised points) is flagged


def our_scores(runs: pd.DataFrame) -> pd.DataFrame:
    """Mean final score and run count per (game, algo) over complete runs."""
    done = runs[runs["completed"]]
    if done.empty:
        return pd.DataFrame(columns=["game", "algo", "score", "n_runs"])
    return done.groupby(["game", "algo"], as_index=False).agg(score=("final_mean", "mean"),
                                                              n_runs=("final_mean", "size"))


def per_game_table(runs: pd.DataFrame, algos: list[str]) -> pd.DataFrame:
    """All 57 games: ours per algo (no-op), the no-op A3C reference, and the paper's columns."""
    noop, hs = reference.noop_baselines(), reference.human_starts()
    ours = our_scores(runs)
    table = pd.DataFrame({"game": noop.index})
    for algo in algos:
        sub = ours[ours["algo"] == algo].set_index("game")
        table[f"ours {ALGO_LABELS[algo]} (no-op)"] = table["game"].map(sub["score"])
        table[f"runs {ALGO_LABELS[algo]}"] = table["game"].map(sub["n_runs"]).astype("Int64")
    table["A3C no-op ref. (Fortunato 2018)"] = table["game"].map(noop["a3c_noop_fortunato2018"])
    table["human (no-op)"] = table["game"].map(noop["human_noop"])
    table["random (no-op)"] = table["game"].map(noop["random_noop"])
    for col, label in reference.HUMAN_START_COLUMNS.items():
        table[f"paper {label} (human starts)"] = table["game"].map(hs[col])
    return table


def summary_rows(runs: pd.DataFrame, algos: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """Mean/median/IQM human-normalised per method, ours beside the references; and the flags.

    Mean and median are over every game with a complete run (games); the IQM and its CI need a
    score for every seed in every game, so they cover the games with every seed, counted in
    "games (IQM)".
    """
    noop, hs = reference.noop_baselines(), reference.human_starts()
    ours = our_scores(runs)
    rows, flags = [], []
    fortunato = normalize_table(noop["a3c_noop_fortunato2018"], noop, "human_noop", "random_noop")
    for algo in algos:
        sub = ours[ours["algo"] == algo].set_index("game")["score"]
        norm = normalize_table(sub, noop, "human_noop", "random_noop")
        mean, median, games = mean_median(norm)
        matrix = per_run_matrix(runs, algo, noop)
        ci = iqm_with_ci(matrix)
        ref_mean, ref_median, _ = mean_median(fortunato.reindex(norm.dropna().index))
        rows.append({"method": f"ours: {ALGO_LABELS[algo]}", "protocol": "no-op starts",
                     "mean %": mean, "median %": median, "IQM %": ci["iqm"],
                     "IQM 95% CI": ci_text(ci), "games (IQM)": int(matrix.shape[1]), "games": games,
                     "runs": int(runs[(runs["algo"] == algo) & runs["completed"]].shape[0]),
                     "gap to no-op A3C ref., mean": mean - ref_mean if games else np.nan,
                     "gap to no-op A3C ref., median": median - ref_median if games else np.nan})
        if games and abs(median - ref_median) > TOLERANCE_PCT:
            flags.append(f"atari_table: ours {ALGO_LABELS[algo]} median {median:.1f}% vs no-op A3C "
                         f"reference {ref_median:.1f}% on the same {games} games "
                         f"(tolerance {TOLERANCE_PCT:g} points)")
    mean, median, games = mean_median(fortunato)
    rows.append({"method": "A3C no-op reference (Fortunato et al. 2018, 320M frames)",
                 "protocol": "no-op starts", "mean %": mean, "median %": median, "games": games})
    for label, (printed_mean, printed_median) in printed_rows().items():
        rows.append({"method": f"paper: {label} (as printed)", "protocol": "human starts",
                     "mean %": printed_mean, "median %": printed_median})
    return pd.DataFrame(rows), flags


def per_run_matrix(runs: pd.DataFrame, algo: str, noop: pd.DataFrame) -> np.ndarray:
    """(seeds x games) normalised final scores for rliable; games missing a seed are dropped."""
    done = runs[runs["completed"] & (runs["algo"] == algo)]
    if done.empty:
        return np.empty((0, 0))
    pivot = done.pivot_table(index="seed", columns="game", values="final_mean", aggfunc="mean")
    pivot = pivot.dropna(axis=1)
    if pivot.empty:
        return np.empty((0, 0))
    human = noop.loc[pivot.columns, "human_noop"].to_numpy()
    rand = noop.loc[pivot.columns, "random_noop"].to_numpy()
    return 100.0 * (pivot.to_numpy() - rand) / (human - rand)


def ci_text(ci: dict) -> str:
    if np.isnan(ci["iqm"]):
        return "—"
    return f"[{ci['iqm_low']:.1f}, {ci['iqm_high']:.1f}]"


def printed_rows() -> dict[str, tuple[float, float]]:
    return {label: reference.printed_table1_row(label) for label in reference.TABLE1_METHODS}


def recomputed_table1() -> tuple[pd.DataFrame, list[str]]:
    """The paper's Table 1 recomputed from its own per-game table (Table S3) with our code."""
    hs = reference.human_starts()
    rows, notes = [], []
    for col, label in reference.HUMAN_START_COLUMNS.items():
        norm = normalize_table(hs[col].dropna(), hs, "human", "random")
        mean, median, games = mean_median(norm)
        printed_mean, printed_median = reference.printed_table1_row(label)
        match = abs(mean - printed_mean) <= 0.5 and abs(median - printed_median) <= 0.5
        rows.append({"method": label, "games": games, "printed mean %": printed_mean,
                     "recomputed mean %": mean, "printed median %": printed_median,
                     "recomputed median %": median, "matches": "yes" if match else "NO"})
        if not match:
            notes.append(f"paper Table 1, {label}: printed {printed_mean:.1f}% / {printed_median:.1f}% "
                         f"but its own per-game scores give {mean:.1f}% / {median:.1f}% over {games} games")
    return pd.DataFrame(rows), notes
