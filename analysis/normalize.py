"""Human-normalised scores: 100 x (agent - random) / (human - random)."""
from __future__ import annotations

import numpy as np
import pandas as pd


def human_normalized(score: pd.Series | float, human: pd.Series | float,
                     random: pd.Series | float) -> pd.Series | float:
    """Per-game normalised score in percent; NaN stays NaN (a missing game is never zero)."""
    return 100.0 * (score - random) / (human - random)


def normalize_table(scores: pd.Series, baselines: pd.DataFrame, human_col: str,
                    random_col: str) -> pd.Series:
    """Normalise a per-game score Series (index = game) with a baseline table's columns."""
    aligned = baselines.reindex(scores.index)
    return human_normalized(scores.astype(float), aligned[human_col], aligned[random_col])


def mean_median(normalized: pd.Series) -> tuple[float, float, int]:
    """(mean, median, number of games) over the games that have a score."""
    values = normalized.dropna()
    if values.empty:
        return float("nan"), float("nan"), 0
    return float(values.mean()), float(np.median(values)), int(values.size)
