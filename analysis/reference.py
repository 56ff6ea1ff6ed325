"""The paper's published numbers (results/reference/, sources in SOURCES.md there)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

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


def printed_table1_row(label: str, reference: Path = REFERENCE) -> tuple[float, float]:
    """The paper's printed (mean, median) for one of our Table-1 method labels."""
    method, time = TABLE1_METHODS[label]
    t1 = table1(reference)
    rows = t1[t1["method"] == method]
    if time is not None:
        rows = rows[rows["training_time"] == time]
    row = rows.iloc[0]
    return float(row["mean_human_normalized_pct"]), float(row["median_human_normalized_pct"])
