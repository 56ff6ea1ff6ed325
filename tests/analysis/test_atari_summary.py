"""The Atari summary: our rows carry their scale, the same-games references are rows of their own,
and flags cover mean and median against both the paper and the no-op reference."""
import json
from pathlib import Path

import pandas as pd
import pytest

from analysis.__main__ import main

REFERENCE = Path(__file__).resolve().parents[2] / "results" / "reference"
GAMES = ["Boxing", "Breakout", "Pong"]


def normalised(scores: dict[str, float], human: pd.Series, rand: pd.Series) -> dict[str, float]:
    return {g: 100 * (s - rand[g]) / (human[g] - rand[g]) for g, s in scores.items()}


def test_rows_scale_same_games_references_and_flags_on_mean_and_median(tmp_path, make_run):
    noop = pd.read_csv(REFERENCE / "atari_baselines_noop.csv").set_index("game")
    hs = pd.read_csv(REFERENCE / "atari_scores_human_starts.csv").set_index("game")
    ref = noop["a3c_noop_fortunato2018"]
    # ours: the reference's own score on Boxing and Pong, 100 points more on Breakout: the median
    # (Boxing's or Pong's) stays the reference's, the mean moves by 100/28.8*100/3 = 115.7 points
    ours = {g: float(ref[g]) + (100.0 if g == "Breakout" else 0.0) for g in GAMES}
    for game, score in ours.items():
        make_run(tmp_path / "runs", game, final=score, frames=20000, final_episodes=2)
    out = tmp_path / "out"
    assert main(["atari_table", "--runs", str(tmp_path / "runs"), "--out", str(out)]) == 0
    table = pd.read_csv(out / "atari_table.csv", dtype=str)
    methods = list(table["method"])
    i = methods.index("ours: A3C FF")
    row = table.iloc[i]
    assert (row["games"], row["which games"], row["frames per run"], row["seeds per game"],
            row["final eval episodes"], row["runs"]) == ("3", "Boxing, Breakout, Pong", "20k", "1", "2", "3")
    assert methods[i + 1] == "A3C no-op ref. (Fortunato et al. 2018), same 3 games as ours: A3C FF"
    assert methods[i + 2] == "paper Table S3: A3C FF, 1 day, same 3 games as ours: A3C FF"
    ref_norm = normalised({g: ref[g] for g in GAMES}, noop["human_noop"], noop["random_noop"])
    ours_norm = normalised(ours, noop["human_noop"], noop["random_noop"])
    assert float(table.iloc[i + 1]["mean %"]) == pytest.approx(sum(ref_norm.values()) / 3, abs=0.05)
    paper = normalised({g: hs.at[g, "a3c_ff_1day"] for g in GAMES}, hs["human"], hs["random"])
    assert float(table.iloc[i + 2]["median %"]) == pytest.approx(sorted(paper.values())[1], abs=0.05)

    comparison = pd.read_csv(out / "atari_comparison.csv").set_index(["statistic", "reference"])
    noop_label = "A3C no-op ref. (Fortunato et al. 2018)"
    mean_gap = (sum(ours_norm.values()) - sum(ref_norm.values())) / 3
    assert comparison.loc[("mean", noop_label), "gap (points)"] == pytest.approx(mean_gap, abs=0.05)
    assert mean_gap > 100
    assert comparison.loc[("mean", noop_label), "flag"] == "FLAG"
    assert comparison.loc[("median", noop_label), "gap (points)"] == pytest.approx(0.0, abs=0.05)
    assert comparison.loc[("median", noop_label), "flag"] == "ok"
    assert len(comparison) == 4  # mean and median, against the no-op reference and against the paper

    flags = json.loads((out / "summary.json").read_text())["flags"]
    assert any(f.startswith("atari_table, vs the no-op reference: ours A3C FF mean") for f in flags)
    assert not any(f.startswith("atari_table, vs the no-op reference: ours A3C FF median") for f in flags)
    paper_flags = [f for f in flags if f.startswith("atari_table, vs the paper:")]
    assert paper_flags and all("human starts" in f and "same 3 games" in f for f in paper_flags)
