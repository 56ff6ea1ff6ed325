"""Confidence intervals that mean something: a stratified bootstrap over runs within games, over
every game of the mean whatever the seed numbers, and a reason instead of a point-sized CI."""
import re

import numpy as np
import pandas as pd
import pytest

from analysis.__main__ import main
from analysis.aggregate import interval_estimates, pooled_episodes, welch_gap

# no-op human/random: Pong 14.6 / -20.7, Breakout 30.5 / 1.7; these raw scores are k% normalised
PONG = {10: -17.17, 20: -13.64, 30: -10.11}
BREAKOUT = {50: 16.1, 60: 18.98, 70: 21.86}


def atari_summary(tmp_path, runs) -> pd.Series:
    assert main(["atari_table", "--runs", str(runs), "--out", str(tmp_path / "out")]) == 0
    table = pd.read_csv(tmp_path / "out" / "atari_table.csv", dtype={"seeds per game": str})
    return table.set_index("method").loc["ours: A3C FF"]


def interval(text: str) -> tuple[float, float]:
    low, high = re.fullmatch(r"\[(-?[\d,.]+), (-?[\d,.]+)\]", text).groups()
    return float(low.replace(",", "")), float(high.replace(",", ""))


def test_one_run_per_game_gives_no_ci_and_says_why(tmp_path, make_run):
    make_run(tmp_path / "runs", "Pong", final=PONG[10])
    make_run(tmp_path / "runs", "Breakout", final=BREAKOUT[50])
    row = atari_summary(tmp_path, tmp_path / "runs")
    for metric in ("mean", "median", "IQM"):
        assert row[f"{metric} 95% CI"] == "no CI: 1 run per game (needs >= 2 per game)"
    assert row["IQM %"] == pytest.approx(30.0, abs=0.05)


def test_several_seeds_give_a_real_interval_over_every_game_whatever_the_seed_numbers(tmp_path, make_run):
    # Pong seeds 0-2, Breakout seeds 5-7: a pivot on seed numbers would leave no game with every seed
    for seed, k in enumerate(PONG):
        make_run(tmp_path / "runs", "Pong", seed=seed, final=PONG[k])
    for seed, k in zip((5, 6, 7), BREAKOUT):
        make_run(tmp_path / "runs", "Breakout", seed=seed, final=BREAKOUT[k])
    row = atari_summary(tmp_path, tmp_path / "runs")
    assert row["games"] == 2 and row["seeds per game"] == "3"
    # IQM of [10, 20, 30, 50, 60, 70] drops one score at each end: mean of 20, 30, 50, 60
    assert row["IQM %"] == pytest.approx(40.0, abs=0.05)
    assert row["mean %"] == pytest.approx(40.0, abs=0.05)
    for metric, point in (("IQM", 40.0), ("mean", 40.0)):
        low, high = interval(row[f"{metric} 95% CI"])
        assert low < point < high  # an interval, not a point
        assert 10.0 <= low and high <= 70.0


def test_unequal_run_counts_use_every_run(tmp_path, make_run):
    for seed, k in enumerate(PONG):
        make_run(tmp_path / "runs", "Pong", seed=seed, final=PONG[k])
    for seed, k in enumerate((50, 70)):
        make_run(tmp_path / "runs", "Breakout", seed=seed, final=BREAKOUT[k])
    row = atari_summary(tmp_path, tmp_path / "runs")
    assert row["seeds per game"] == "2-3" and row["runs"] == 5
    assert row["mean %"] == pytest.approx((20.0 + 60.0) / 2, abs=0.05)
    assert row["IQM %"] == pytest.approx(np.mean([20, 30, 50]), abs=0.05)  # [10,20,30,50,70] trimmed by 1
    low, high = interval(row["IQM 95% CI"])
    assert low < high


def test_a_game_with_one_run_withholds_the_ci_and_names_the_count():
    est = interval_estimates([np.array([1.0, 2.0, 3.0]), np.array([5.0])])
    assert np.isnan(est["iqm_low"]) and est["ci_note"] == "no CI: 1 of 2 games have 1 run (needs >= 2 per game)"
    assert est["iqm"] == pytest.approx(2.5)  # [1, 2, 3, 5] trimmed by 1 at each end


def test_bootstrap_resamples_runs_within_games_only():
    # game A's runs all score 0, game B's all 100: resampling within games cannot move the mean
    est = interval_estimates([np.zeros(3), np.full(3, 100.0)], reps=200)
    assert est["mean_low"] == est["mean_high"] == 50.0
    est = interval_estimates([np.array([0.0, 10.0, 20.0]), np.array([100.0, 110.0])], reps=500)
    assert est["mean_low"] < est["mean"] < est["mean_high"]
    assert interval_estimates([np.array([0.0, 10.0, 20.0]), np.array([100.0, 110.0])], reps=500) == est


def test_pooled_episodes_equal_the_statistics_of_the_concatenated_episodes():
    rng = np.random.default_rng(0)
    runs = [rng.normal(loc, 3.0, size) for loc, size in ((10.0, 30), (14.0, 20), (9.0, 5))]
    mean, sd, count = pooled_episodes([r.mean() for r in runs], [r.std() for r in runs], [r.size for r in runs])
    everything = np.concatenate(runs)
    assert count == 55 and mean == pytest.approx(everything.mean()) and sd == pytest.approx(everything.std())


def test_welch_gap_matches_scipys_welch_test_and_has_no_interval_without_episodes():
    from scipy import stats
    rng = np.random.default_rng(1)
    a, b = rng.normal(5.0, 2.0, 30), rng.normal(3.0, 4.0, 12)
    gap, low, high = welch_gap((a.mean(), a.std(), a.size), (b.mean(), b.std(), b.size))
    expected = stats.ttest_ind(a, b, equal_var=False).confidence_interval(0.95)
    assert gap == pytest.approx(a.mean() - b.mean())
    assert (low, high) == pytest.approx((expected.low, expected.high))
    assert np.isnan(welch_gap((1.0, 0.5, 1), (0.0, 0.5, 30))[1])
    assert np.isnan(welch_gap((1.0, float("nan"), 30), (0.0, 0.5, 30))[2])
