import math

import numpy as np
import pandas as pd
import pytest

from analysis.aggregate import iqm_with_ci
from analysis.normalize import human_normalized, mean_median, normalize_table


def test_human_normalized_by_hand():
    assert human_normalized(60.0, human=110.0, random=10.0) == pytest.approx(50.0)
    assert human_normalized(10.0, human=110.0, random=10.0) == 0.0
    assert human_normalized(210.0, human=110.0, random=10.0) == pytest.approx(200.0)


def test_missing_games_stay_missing_and_do_not_count():
    baselines = pd.DataFrame({"h": [110.0, 20.0, 5.0], "r": [10.0, 0.0, -5.0]}, index=["A", "B", "C"])
    scores = pd.Series({"A": 60.0, "B": np.nan, "C": 5.0})
    norm = normalize_table(scores, baselines, "h", "r")
    assert math.isnan(norm["B"])
    mean, median, games = mean_median(norm)
    assert games == 2 and mean == pytest.approx((50.0 + 100.0) / 2) and median == pytest.approx(75.0)


def test_nothing_to_aggregate_gives_nan_not_zero():
    mean, median, games = mean_median(pd.Series([np.nan, np.nan]))
    assert games == 0 and math.isnan(mean) and math.isnan(median)
    assert math.isnan(iqm_with_ci(np.empty((0, 0)))["iqm"])


def test_iqm_and_bootstrap_interval_are_reproducible_and_bracket_the_point():
    scores = np.array([[0.0, 10.0, 20.0, 30.0, 1000.0], [5.0, 15.0, 25.0, 35.0, 900.0]])
    a, b = iqm_with_ci(scores, reps=300), iqm_with_ci(scores, reps=300)
    assert a == b
    assert a["iqm_low"] <= a["iqm"] <= a["iqm_high"]
    assert a["iqm"] < a["mean"]  # the IQM discards the outlier game
