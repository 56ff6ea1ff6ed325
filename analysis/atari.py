"""The Atari tables: per-game raw scores and the human-normalised summary, ours beside the paper's.

Our runs are evaluated with no-op starts, so they are normalised with the no-op human and random
scores and compared first with the A3C no-op reference (Fortunato et al. 2018). The paper's
human-start columns are shown beside them, labelled as a different protocol. Every comparison
is on the same games: each "ours" row is followed by the references over exactly its games.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import reference
from analysis.aggregate import REPS, interval_estimates
from analysis.normalize import mean_median, normalize_table
from analysis.scale import short_number

ALGO_LABELS = {"a3c": "A3C FF", "a3c-lstm": "A3C LSTM", "one-step-q": "1-step Q",
               "one-step-sarsa": "1-step SARSA", "n-step-q": "n-step Q"}
TOLERANCE_PCT = 25.0  # a summary number further than this (in normalised points) is flagged
NOOP_REF_FRAMES = "320M"
SUMMARY_COLUMNS = ["method", "protocol", "games", "which games", "frames per run", "seeds per game",
                   "final eval episodes", "runs", "mean %", "mean 95% CI", "median %", "median 95% CI",
                   "IQM %", "IQM 95% CI"]


def our_scores(runs: pd.DataFrame) -> pd.DataFrame:
    """Mean final score and run count per (game, algo) over complete runs."""
    done = runs[runs["completed"].astype(bool)]
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


def games_table(runs: pd.DataFrame) -> pd.DataFrame:
    """The games we ran, one row per (game, method): how many runs it rests on and their budget,
    our final score (mean over complete runs; the spread is over runs, or over a lone run's
    final-evaluation episodes), beside random, human, the A3C no-op reference and the paper's
    Table S3 score for the method (human starts). A run still going counts in "in progress"."""
    noop, hs = reference.noop_baselines(), reference.human_starts()
    rows = []
    for (game, algo), part in runs.groupby(["game", "algo"], sort=False):
        done = part[part["completed"].astype(bool)]
        scores = done["final_mean"].astype(float)
        spread = scores.std(ddof=1) if len(done) > 1 else (done["final_std"].iloc[0] if len(done) else np.nan)
        column = reference.PAPER_COLUMN_FOR_ALGO.get(algo)
        rows.append({"game": game, "method": ALGO_LABELS[algo], "runs": len(done),
                     "seeds": " ".join(str(int(s)) for s in sorted(done["seed"])) or "—",
                     "in progress": int(len(part) - len(done)),
                     "frames per run": short_number(float(part["frames_budget"].max())),
                     "final episodes": int(done["final_episodes"].min()) if len(done) else None,
                     "ours": scores.mean() if len(done) else np.nan,
                     "± (sd)": spread, "random": noop["random_noop"].get(game, np.nan),
                     "human": noop["human_noop"].get(game, np.nan),
                     "A3C no-op ref., 320M": noop["a3c_noop_fortunato2018"].get(game, np.nan),
                     "paper, 1 day / 4 days (human starts)": hs[column].get(game, np.nan) if column else np.nan,
                     "ours, % human": normalize_table(pd.Series({game: scores.mean()}), noop, "human_noop",
                                                      "random_noop").iloc[0] if len(done) else np.nan})
    order = {g: i for i, g in enumerate(noop.index)}
    table = pd.DataFrame(rows, columns=GAMES_COLUMNS)
    return table.sort_values(["game", "method"], key=lambda c: c.map(order) if c.name == "game" else c,
                             ignore_index=True)


GAMES_COLUMNS = ["game", "method", "runs", "seeds", "in progress", "frames per run", "final episodes", "ours",
                 "± (sd)", "random", "human", "A3C no-op ref., 320M", "paper, 1 day / 4 days (human starts)",
                 "ours, % human"]


# ---- normalised scores -------------------------------------------------------------------------

def noop_reference_norm() -> pd.Series:
    noop = reference.noop_baselines()
    return normalize_table(noop["a3c_noop_fortunato2018"], noop, "human_noop", "random_noop")


def paper_norm(column: str) -> pd.Series:
    """A paper column (Table S3) normalised as the paper's printed rows are (VideoPinball random 0)."""
    base = reference.paper_normalisation()
    return normalize_table(base[column].dropna(), base, "human", "random")


def per_run_scores(runs: pd.DataFrame, algo: str) -> dict[str, np.ndarray]:
    """Every complete run's normalised final score, per game (whatever the runs' seed numbers)."""
    noop = reference.noop_baselines()
    done = runs[runs["completed"].astype(bool) & (runs["algo"] == algo)]
    return {game: normalize_table(part.set_index("game")["final_mean"], noop, "human_noop",
                                  "random_noop").to_numpy(float)
            for game, part in done.groupby("game")}


# ---- the summary table -------------------------------------------------------------------------

def which_games(games: list[str]) -> str:
    if len(games) == len(reference.noop_baselines()):
        return f"all {len(games)}"
    return ", ".join(games) if len(games) <= 8 else f"{len(games)} games (see atari_per_game)"


def spread(series: pd.Series, fmt=lambda v: f"{v:g}") -> str | float:
    """'20k', '2-3': the values' range; NaN (shown as missing) when there is none."""
    vals = sorted(set(series.dropna()))
    if not vals:
        return np.nan
    return fmt(vals[0]) if len(vals) == 1 else f"{fmt(vals[0])}-{fmt(vals[-1])}"


def ci_text(est: dict, metric: str) -> str:
    """'[low, high]', or why there is no interval."""
    if est["ci_note"]:
        return est["ci_note"]
    return f"[{est[metric + '_low']:,.1f}, {est[metric + '_high']:,.1f}]"


def ours_row(runs: pd.DataFrame, algo: str, reps: int) -> tuple[dict, list[str]]:
    """Our summary row for one algo (with its scale), and its games."""
    mine = runs[runs["algo"] == algo]
    done = mine[mine["completed"].astype(bool)]
    per_game = per_run_scores(runs, algo)
    est = interval_estimates(list(per_game.values()), reps=reps)
    games = sorted(per_game)
    episodes = done["final_episodes"].fillna(done["final_eval_episodes"]) if len(done) else mine["final_eval_episodes"]
    row = {"method": f"ours: {ALGO_LABELS[algo]}", "protocol": "no-op starts", "games": len(games),
           "which games": which_games(games) if games else f"none complete ({len(mine)} in progress)",
           "frames per run": spread(mine["frames_budget"], short_number),
           "seeds per game": spread(done.groupby("game").size()), "final eval episodes": spread(episodes),
           "runs": len(done)}
    for metric in ("mean", "median", "IQM"):
        row[f"{metric} %"] = est[metric.lower()]
        row[f"{metric} 95% CI"] = ci_text(est, metric.lower())
    return row, games


def reference_row(method: str, protocol: str, norm: pd.Series, frames: str = "") -> dict:
    mean, median, games = mean_median(norm)
    return {"method": method, "protocol": protocol, "games": games,
            "which games": which_games(sorted(norm.dropna().index)), "frames per run": frames or np.nan,
            "mean %": mean, "median %": median}


def same_games_rows(algo: str, games: list[str]) -> list[dict]:
    """The references over exactly the games of one of our rows."""
    label, n = ALGO_LABELS[algo], len(games)
    same = f"same {n} game{'s' if n != 1 else ''} as ours: {label}"
    rows = [reference_row(f"{reference.NOOP_REF_LABEL}, {same}", "no-op starts",
                          noop_reference_norm().reindex(games), NOOP_REF_FRAMES)]
    column = reference.PAPER_COLUMN_FOR_ALGO.get(algo)
    if column:
        paper_label = reference.HUMAN_START_COLUMNS[column]
        rows.append(reference_row(f"paper Table S3: {paper_label}, {same}",
                                  "human starts", paper_norm(column).reindex(games)))
    return rows


def summary_rows(runs: pd.DataFrame, algos: list[str], reps: int = REPS
                 ) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """The summary table (ours with their scale, each followed by the same-games references, then
    the 57-game references), the comparison table behind the flags, and the flags."""
    rows, comparisons = [], []
    for algo in algos:
        row, games = ours_row(runs, algo, reps)
        refs = same_games_rows(algo, games) if games else []
        rows += [row] + refs
        comparisons += [compare(algo, row, ref, stat) for ref in refs for stat in ("mean", "median")]
    rows.append(reference_row(f"{reference.NOOP_REF_LABEL}, all games", "no-op starts",
                              noop_reference_norm(), NOOP_REF_FRAMES))
    counts = table1_audit().set_index("method")["games"]
    for label, (printed_mean, printed_median) in printed_rows().items():
        rows.append({"method": f"paper: {label} (as printed)", "protocol": "human starts",
                     "games": int(counts[label]), "which games": "Table 1",
                     "mean %": printed_mean, "median %": printed_median})
    comparison = pd.DataFrame(comparisons, columns=COMPARISON_COLUMNS)
    flags = [flag_text(r) for _, r in comparison.iterrows() if r["flag"] == "FLAG"]
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS), comparison, flags


COMPARISON_COLUMNS = ["ours", "statistic", "reference", "protocol of the reference", "games", "ours %",
                      "reference %", "gap (points)", "tolerance (points)", "flag"]


def compare(algo: str, ours: dict, ref: dict, stat: str) -> dict:
    """One comparison of ours with a same-games reference, flagged beyond the tolerance."""
    gap = ours[f"{stat} %"] - ref[f"{stat} %"]
    name = ref["method"].split(", same")[0]
    return {"ours": ALGO_LABELS[algo], "statistic": stat, "reference": name,
            "protocol of the reference": ref["protocol"], "games": ours["games"], "ours %": ours[f"{stat} %"],
            "reference %": ref[f"{stat} %"], "gap (points)": gap, "tolerance (points)": TOLERANCE_PCT,
            "flag": "FLAG" if abs(gap) > TOLERANCE_PCT else ("—" if np.isnan(gap) else "ok")}


def flag_text(row: pd.Series) -> str:
    against = "the paper" if row["reference"].startswith("paper") else "the no-op reference"
    return (f"atari_table, vs {against}: ours {row['ours']} {row['statistic']} {row['ours %']:,.1f}% against "
            f"{row['reference %']:,.1f}% for {row['reference']} on the same {row['games']} "
            f"game{'s' if row['games'] != 1 else ''} "
            f"({row['protocol of the reference']}): {row['gap (points)']:+,.1f} points "
            f"(tolerance {row['tolerance (points)']:g})")


def printed_rows() -> dict[str, tuple[float, float]]:
    return {label: reference.printed_table1_row(label) for label in reference.TABLE1_METHODS}


# ---- which games drive a mean ------------------------------------------------------------------

def contributions(runs: pd.DataFrame, algos: list[str]) -> pd.DataFrame:
    """Points each game adds to each mean (normalised score / number of games; a column sums to
    its mean). The first row is the mean itself; games are sorted by the no-op reference's points."""
    sources = {f"{reference.NOOP_REF_LABEL}": noop_reference_norm()}
    for column in ("a3c_ff_1day", "a3c_ff_4days", "a3c_lstm_4days"):
        sources[f"paper {reference.HUMAN_START_COLUMNS[column]} ({zero_tag()}, as printed)"] = paper_norm(column)
    ours = our_scores(runs)
    noop = reference.noop_baselines()
    for algo in algos:
        sub = ours[ours["algo"] == algo].set_index("game")["score"]
        sources[f"ours {ALGO_LABELS[algo]}"] = normalize_table(sub, noop, "human_noop", "random_noop")
    table = pd.DataFrame({f"{label} ({int(norm.notna().sum())} games)": norm / norm.notna().sum()
                          for label, norm in sources.items()}).reindex(noop.index)
    table = table.sort_values(table.columns[0], ascending=False)
    total = pd.DataFrame([table.sum(min_count=1)], index=["mean % (sum of the column)"])
    return pd.concat([total, table]).rename_axis("game").reset_index()


def top_contributors(norm: pd.Series, k: int = 3) -> str:
    """'VideoPinball 265.0, Atlantis 44.4, ... of 536.0 points' for one mean."""
    norm = norm.dropna()
    points = (norm / len(norm)).sort_values(key=abs, ascending=False).head(k)
    parts = ", ".join(f"{game} {value:,.1f}" for game, value in points.items())
    return f"{parts} of its {norm.mean():,.1f} mean points"


# ---- the paper's Table 1, recomputed -----------------------------------------------------------

def zero_tag() -> str:
    """'VideoPinball random = 0': the paper's normalisation, named by its odd game(s)."""
    return f"{'+'.join(reference.random_above_human())} random = 0"


def table1_audit() -> pd.DataFrame:
    """The paper's Table 1 recomputed from its own per-game table (Table S3): with the formula as
    stated, and with the paper's normalisation (random = 0 where random > human: VideoPinball)."""
    hs, zero = reference.human_starts(), reference.paper_normalisation()
    tag, rows = zero_tag(), []
    for col, label in reference.HUMAN_START_COLUMNS.items():
        scores = hs[col].dropna()
        norm, norm0 = (normalize_table(scores, b, "human", "random") for b in (hs, zero))
        (mean, median, games), (mean0, median0, _) = mean_median(norm), mean_median(norm0)
        printed_mean, printed_median = reference.printed_table1_row(label)
        row = {"method": label, "games": games, "printed mean %": printed_mean, "recomputed mean %": mean,
               f"recomputed mean %, {tag}": mean0, "printed median %": printed_median,
               "recomputed median %": median, f"recomputed median %, {tag}": median0,
               "matches": match(printed_mean, printed_median, mean, median),
               f"matches with {tag}": match(printed_mean, printed_median, mean0, median0)}
        for game in reference.random_above_human(hs):
            row[f"{game} % (as stated)"] = norm.get(game, np.nan)
            row[f"{game} %, random = 0"] = norm0.get(game, np.nan)
        rows.append(row)
    return pd.DataFrame(rows)


def recomputed_table1() -> tuple[pd.DataFrame, list[str]]:
    """The Table 1 audit and what it finds (paper_notes)."""
    return table1_audit(), paper_notes()


def match(printed_mean: float, printed_median: float, mean: float, median: float, tol: float = 0.5) -> str:
    return "yes" if abs(mean - printed_mean) <= tol and abs(median - printed_median) <= tol else "NO"


def paper_notes() -> list[str]:
    """What the Table 1 audit finds, with the computation that shows it (from the reference files)."""
    table, tag = table1_audit().set_index("method"), zero_tag()
    odd = reference.random_above_human()
    notes = [f"paper Table 1, {label}: printed {r['printed mean %']:.1f}% / {r['printed median %']:.1f}% "
             f"(mean / median); its own Table S3 scores give {r['recomputed mean %']:.1f}% / "
             f"{r['recomputed median %']:.1f}% over {r['games']} games with 100 x (score - random) / "
             f"(human - random), and {r[f'recomputed mean %, {tag}']:.1f}% / {r[f'recomputed median %, {tag}']:.1f}% "
             f"with {' and '.join(odd)}'s random score taken as 0 (matches the printed row: {r[f'matches with {tag}']})"
             for label, r in table.iterrows() if r["matches"] != "yes"]
    notes += [odd_game_note(game, table) for game in odd]
    notes.append(noop_reference_note())
    return notes


def odd_game_note(game: str, table: pd.DataFrame) -> str:
    """Why one game (VideoPinball) moves the paper's A3C means, computed for A3C FF, 1 day."""
    hs = reference.human_starts()
    human, rand = hs.at[game, "human"], hs.at[game, "random"]
    label = "A3C FF, 1 day"
    score, games = hs.at[game, "a3c_ff_1day"], int(table.at[label, "games"])
    stated, zero = 100 * (score - rand) / (human - rand), 100 * score / human
    shift, before = (zero - stated) / games, table.at[label, "recomputed mean %"]
    plain = [m for m, r in table.iterrows() if r["matches"] == "yes"]
    return (f"Why: under human starts {game}'s random score ({rand:,.1f}) is above its human score "
            f"({human:,.1f}), so 100 x (score - random) / (human - random) turns a high {game} score into a "
            f"large negative percentage. {label} scores {score:,.1f}: 100 x ({score:,.1f} - {rand:,.1f}) / "
            f"({human:,.1f} - {rand:,.1f}) = {stated:,.1f}%; with random = 0, 100 x {score:,.1f} / {human:,.1f} = "
            f"{zero:,.1f}%. Over {games} games that moves the mean by ({zero:,.1f} - ({stated:,.1f})) / {games} = "
            f"{shift:.1f} points ({before:.1f} -> {before + shift:.1f}). "
            + (f"The {' and '.join(plain)} rows (copied from Nair et al. 2015) match with the formula as stated."
               if plain else ""))


def noop_reference_note() -> str:
    norm = noop_reference_norm().dropna()
    top = (norm / len(norm)).idxmax()
    rest = norm.drop(top)
    return (f"The A3C no-op reference (Fortunato et al. 2018) averages {norm.mean():.1f}% (median "
            f"{norm.median():.1f}%) over {len(norm)} games, and {top} alone carries "
            f"{norm[top] / len(norm):.1f} of those mean points ({norm[top]:,.1f}% / {len(norm)}); without "
            f"{top} the mean over {len(rest)} games is {rest.mean():.1f}% (median {rest.median():.1f}%). "
            f"A mean over a few games swings with which games it includes: compare the same-games rows.")


ANCHOR_WINDOW = 0.05  # an eval counts at an anchor's frame count within 5% of it (evals land near multiples)


def score_near(curve: pd.DataFrame, frames: float) -> float:
    """A run's evaluation score nearest to `frames`, if one lies within ANCHOR_WINDOW of it: a
    periodic one, or the final network's (its budget's 30-episode score, which takes the place of
    the periodic evaluation there; preferred at equal distance)."""
    evals = curve[curve["kind"].isin(("eval", "final"))]
    if evals.empty:
        return float("nan")
    gaps = (evals["frames"] - frames).abs()
    if gaps.min() > ANCHOR_WINDOW * frames:
        return float("nan")
    nearest = evals[gaps == gaps.min()]
    final = nearest[nearest["kind"] == "final"]
    return float((final if len(final) else nearest)["mean_return"].iloc[0])


def anchor_table(curves: pd.DataFrame) -> pd.DataFrame:
    """Our eval scores beside other implementations' published curves at equal frames, for each
    anchor on a game and method we ran (mean over the runs whose curve reached that point)."""
    rows = []
    anchors = reference.learning_anchors()
    for _, anchor in anchors.iterrows():
        algo = reference.anchor_algo(anchor["implementation"])
        ours = curves[(curves["game"] == anchor["game"]) & (curves["algo"] == algo)] if len(curves) else curves
        if ours.empty:
            continue
        scores = [score_near(curve, anchor["frames"]) for _, curve in ours.groupby("run")]
        scores = [v for v in scores if not np.isnan(v)]
        mean = float(np.mean(scores)) if scores else float("nan")
        rows.append({"game": anchor["game"], "ours": ALGO_LABELS[algo], "frames": short_number(anchor["frames"]),
                     "ours score": mean, "our runs there": len(scores), "reference": anchor["implementation"],
                     "reference score": anchor["score"], "ours - reference": mean - anchor["score"],
                     "reference setting": anchor["setting"], "how read": anchor["how_read"]})
    columns = ["game", "ours", "frames", "ours score", "our runs there", "reference", "reference score",
               "ours - reference", "reference setting", "how read"]
    return pd.DataFrame(rows, columns=columns)


def anchor_points(games: list[str], algos: list[str]) -> dict[str, list[tuple[str, float, float]]]:
    """Other implementations' published curve points (learning_anchors.csv) for the curve panels:
    per game, (implementation, frames, score) of each anchor whose method we ran."""
    out: dict[str, list[tuple[str, float, float]]] = {}
    for _, anchor in reference.learning_anchors().iterrows():
        if anchor["game"] in games and reference.anchor_algo(anchor["implementation"]) in algos:
            out.setdefault(anchor["game"], []).append((anchor["implementation"], float(anchor["frames"]),
                                                       float(anchor["score"])))
    return out


def levels(games: list[str], algos: list[str]) -> dict[str, dict[str, float]]:
    """Reference levels for each game's learning-curve panel: the A3C no-op reference and the
    paper's Table S3 score of each of our A3C variants (raw scores; the paper's under human starts)."""
    noop, hs = reference.noop_baselines(), reference.human_starts()
    out = {}
    for game in games:
        if game not in noop.index:
            continue
        game_levels = {f"{reference.NOOP_REF_LABEL} (no-op starts)": float(noop.at[game, "a3c_noop_fortunato2018"]),
                       "random (no-op starts)": float(noop.at[game, "random_noop"])}
        for algo in algos:
            column = reference.PAPER_COLUMN_FOR_ALGO.get(algo)
            if column and game in hs.index and pd.notna(hs.at[game, column]):
                label = f"paper Table S3: {reference.HUMAN_START_COLUMNS[column]} (human starts)"
                game_levels[label] = float(hs.at[game, column])
        out[game] = game_levels
    return out
