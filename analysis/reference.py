"""The paper's published numbers (results/reference/, sources in SOURCES.md there)."""
from __future__ import annotations

import difflib
from pathlib import Path

import pandas as pd

from analysis.errors import AnalysisInputError

REFERENCE = Path(__file__).resolve().parents[1] / "results" / "reference"
HUMAN_START_COLUMNS = {"dqn_nair2015": "DQN (Nair et al.)", "gorila": "Gorila",
                       "a3c_ff_1day": "A3C FF, 1 day", "a3c_ff_4days": "A3C FF, 4 days",
                       "a3c_lstm_4days": "A3C LSTM, 4 days"}
TABLE1_METHODS = {"DQN (Nair et al.)": ("DQN", None), "Gorila": ("Gorila", None),
                  "A3C FF, 1 day": ("A3C, FF", "1 day on CPU"),
                  "A3C FF, 4 days": ("A3C, FF", "4 days on CPU"),
                  "A3C LSTM, 4 days": ("A3C, LSTM", "4 days on CPU")}


def human_starts(reference: Path = REFERENCE) -> pd.DataFrame:
    return pd.read_csv(reference / "atari_scores_human_starts.csv").set_index("game")


def noop_baselines(reference: Path = REFERENCE) -> pd.DataFrame:
    return pd.read_csv(reference / "atari_baselines_noop.csv").set_index("game")


def table1(reference: Path = REFERENCE) -> pd.DataFrame:
    return pd.read_csv(reference / "table1.csv")


def table2(reference: Path = REFERENCE) -> pd.DataFrame:
    return pd.read_csv(reference / "table2_speedup.csv").set_index("method")


def learning_anchors(reference: Path = REFERENCE) -> pd.DataFrame:
    """Points on other implementations' published curves: game, implementation, setting, frames, score."""
    return pd.read_csv(reference / "learning_anchors.csv")


def vision_reference(domain: str, reference: Path = REFERENCE) -> pd.DataFrame:
    """Reference levels for a stand-in domain ("driving", "maze"): vision_reference.csv's rows."""
    table = pd.read_csv(reference / "vision_reference.csv")
    return table[table["domain"] == domain].reset_index(drop=True)


# Which of our methods an anchor's implementation is (by the end of its name).
ANCHOR_ALGOS = {"A3C FF": "a3c", "A2C": "a3c", "A3C LSTM": "a3c-lstm"}


def anchor_algo(implementation: str) -> str | None:
    return next((algo for tag, algo in ANCHOR_ALGOS.items() if implementation.endswith(tag)), None)


def printed_table1_row(label: str, reference: Path = REFERENCE) -> tuple[float, float]:
    """The paper's printed (mean, median) for one of our Table-1 method labels."""
    method, time = TABLE1_METHODS[label]
    t1 = table1(reference)
    rows = t1[t1["method"] == method]
    if time is not None:
        rows = rows[rows["training_time"] == time]
    row = rows.iloc[0]
    return float(row["mean_human_normalized_pct"]), float(row["median_human_normalized_pct"])


# Our methods' counterparts among the paper's per-game columns (Table S3, human starts).
PAPER_COLUMN_FOR_ALGO = {"a3c": "a3c_ff_1day", "a3c-lstm": "a3c_lstm_4days"}
NOOP_REF_LABEL = "A3C no-op ref. (Fortunato et al. 2018)"


def random_above_human(hs: pd.DataFrame | None = None) -> list[str]:
    """Games whose human-start random score is above the human score (VideoPinball)."""
    hs = human_starts() if hs is None else hs
    return sorted(hs.index[hs["random"] > hs["human"]])


def paper_normalisation(hs: pd.DataFrame | None = None) -> pd.DataFrame:
    """The human-start baselines with the random score of every game in random_above_human() set
    to 0: the normalisation that reproduces the paper's printed A3C rows of Table 1 (see
    results/reference/SOURCES.md, "Known discrepancy")."""
    hs = (human_starts() if hs is None else hs).copy()
    hs.loc[random_above_human(hs), "random"] = 0.0
    return hs


def require_known_games(runs: pd.DataFrame) -> None:
    """An error naming the first run whose game the reference tables do not have."""
    known = sorted(set(noop_baselines().index) & set(human_starts().index))
    for run, game in zip(runs["run"], runs["game"]):
        if game not in known:
            close = difflib.get_close_matches(str(game), known, n=3, cutoff=0.6)
            hint = f"; did you mean {' or '.join(close)}?" if close else ""
            raise AnalysisInputError(Path(run) / "config.json",
                                     f"game {game!r} is not in the reference tables "
                                     f"(results/reference/atari_baselines_noop.csv, 57 games){hint}")
