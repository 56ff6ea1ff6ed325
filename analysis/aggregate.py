"""Aggregates with uncertainty: mean, median and interquartile mean with stratified-bootstrap CIs.

The CIs follow rliable (Agarwal et al. 2021): runs are resampled with replacement within each
game (a stratified bootstrap), games stay fixed. Every game with a score counts, whatever its
number of runs: with equal run counts the scores form rliable's (runs x games) matrix; with
unequal counts each game's runs are resampled independently (rliable's
StratifiedIndependentBootstrap). The mean and median are over the per-game mean scores; the IQM
is the 25% trimmed mean of every run's score (rliable's aggregate_iqm, pooled over games).

A bootstrap over runs within a game needs at least MIN_RUNS_FOR_CI runs in every game: with one
run per game nothing can be resampled and the "interval" would be a point, so no CI is given and
the reason is returned instead.
"""
from __future__ import annotations

import warnings

import numpy as np

REPS = 2000
SEED = 0
MIN_RUNS_FOR_CI = 2
METRICS = ("iqm", "median", "mean")


def iqm(values: np.ndarray) -> float:
    """The 25% trimmed mean, as scipy.stats.trim_mean(values, 0.25, axis=None) (rliable's IQM)."""
    values = np.sort(np.ravel(values))
    cut = int(0.25 * values.size)
    return float(values[cut:values.size - cut].mean())


def aggregates(*per_game: np.ndarray) -> np.ndarray:
    """[IQM, median, mean] of per-game run scores: one (runs x games) matrix, or one array per game."""
    if len(per_game) == 1 and np.ndim(per_game[0]) == 2:  # (runs x games): vectorised
        matrix = np.asarray(per_game[0])
        means, pooled = matrix.mean(axis=0), matrix.ravel()
    else:
        means = np.array([np.mean(g) for g in per_game])
        pooled = np.concatenate([np.ravel(g) for g in per_game])
    return np.array([iqm(pooled), np.median(means), means.mean()])


def no_ci_reason(per_game: list[np.ndarray], min_runs: int = MIN_RUNS_FOR_CI) -> str:
    """Why no bootstrap CI can be given, or "" when it can."""
    if not per_game:
        return "no complete runs"
    short = sum(len(g) < min_runs for g in per_game)
    if not short:
        return ""
    fewest = min(len(g) for g in per_game)
    runs = f"{fewest} run{'s' if fewest != 1 else ''}"
    which = f"{runs} per game" if short == len(per_game) else f"{short} of {len(per_game)} games have {runs}"
    return f"no CI: {which} (needs >= {min_runs} per game)"


def interval_estimates(per_game: list[np.ndarray], reps: int = REPS, seed: int = SEED) -> dict:
    """Point estimates of IQM, median and mean with 95% CIs, or NaN CIs and the reason.

    per_game: one array of run scores per game (games with no score left out). Returns
    {iqm, iqm_low, iqm_high, median, ..., mean, ..., "ci_note": reason or ""}.
    """
    per_game = [np.asarray(g, dtype=float) for g in per_game if len(g)]
    nan = float("nan")
    out = {f"{m}{s}": nan for m in METRICS for s in ("", "_low", "_high")}
    out["ci_note"] = no_ci_reason(per_game)
    if not per_game:
        return out
    out.update(zip(METRICS, map(float, aggregates(*per_game))))
    if out["ci_note"]:
        return out
    low, high = bootstrap(per_game, reps, seed)
    for i, name in enumerate(METRICS):
        out[f"{name}_low"], out[f"{name}_high"] = float(low[i]), float(high[i])
    return out


def bootstrap(per_game: list[np.ndarray], reps: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """95% percentile CIs of aggregates() by rliable's stratified bootstrap (runs within games)."""
    from rliable import library as rly

    equal = len({len(g) for g in per_game}) == 1
    data = np.stack(per_game, axis=1) if equal else [g.reshape(-1, 1) for g in per_game]
    np.random.seed(seed)  # rliable's bootstrap draws from numpy's global generator too
    with warnings.catch_warnings():
        # rliable 1.2.0 hands random_state to arch's bootstrap, which arch 7.2 deprecates (both pinned)
        warnings.filterwarnings("ignore", message="random_state is deprecated", category=FutureWarning)
        _, ci = rly.get_interval_estimates({"m": data}, aggregates, reps=reps,
                                           random_state=np.random.RandomState(seed))
    return ci["m"][0], ci["m"][1]


def iqm_with_ci(scores: np.ndarray, reps: int = REPS, seed: int = SEED) -> dict:
    """interval_estimates for a (runs x games) matrix; NaN columns (missing runs) are left out."""
    scores = np.asarray(scores, dtype=float)
    if scores.ndim != 2:
        return interval_estimates([], reps, seed)
    return interval_estimates([col[~np.isnan(col)] for col in scores.T], reps, seed)


def pooled_episodes(means: np.ndarray, sds: np.ndarray, counts: np.ndarray) -> tuple[float, float, int]:
    """Mean, population sd and count of all final-evaluation episodes of several runs, from each
    run's mean, population sd (final.json's std_return) and episode count: exact, by the law of
    total variance (the spread between runs is part of it)."""
    means, sds, counts = (np.asarray(x, dtype=float) for x in (means, sds, counts))
    total = counts.sum()
    mean = float((counts * means).sum() / total)
    variance = float((counts * (sds ** 2 + (means - mean) ** 2)).sum() / total)
    return mean, variance ** 0.5, int(total)


def welch_gap(a: tuple[float, float, int], b: tuple[float, float, int], level: float = 0.95) -> tuple[float, float, float]:
    """Difference of means a - b with Welch's t confidence interval, from (mean, population sd, n)
    of each sample's episodes. NaN bounds when either sample has fewer than 2 episodes or no sd."""
    from scipy import stats
    (mean_a, sd_a, n_a), (mean_b, sd_b, n_b) = a, b
    gap = mean_a - mean_b
    if min(n_a, n_b) < 2 or not np.isfinite(sd_a + sd_b):
        return gap, float("nan"), float("nan")
    var_a, var_b = sd_a ** 2 / (n_a - 1), sd_b ** 2 / (n_b - 1)  # s^2 / n with s the unbiased sd
    se = (var_a + var_b) ** 0.5
    if se == 0:
        return gap, gap, gap
    dof = (var_a + var_b) ** 2 / (var_a ** 2 / (n_a - 1) + var_b ** 2 / (n_b - 1))
    half = float(stats.t.ppf(0.5 + level / 2, dof)) * se
    return gap, gap - half, gap + half
