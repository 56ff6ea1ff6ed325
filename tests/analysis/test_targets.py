"""Each analysis target on hand-made run directories: contents, missing games, figures."""
import json
import math

import matplotlib.image as mpimg
import pandas as pd
import pytest

from analysis.__main__ import main
from analysis.report import build_report
from analysis.scalability import speedups



def not_blank(path) -> bool:
    image = mpimg.imread(path)
    return image.shape[0] > 100 and image.shape[1] > 100 and image.std() > 0.01


def test_atari_table_shows_ours_beside_the_references_and_missing_as_missing(tmp_path, make_run):
    runs, out = tmp_path / "runs", tmp_path / "out"
    # Pong: no-op human 14.6, random -20.7; a score of -3.05 is 50% human-normalised.
    make_run(runs, "Pong", final=-3.05)
    make_run(runs, "Breakout", final=30.5, seed=0)  # 100% (human 30.5)
    make_run(runs, "Breakout", final=30.5, seed=1)
    make_run(runs, "Alien", final=None)  # partial: no final.json
    assert main(["atari_table", "--runs", str(runs), "--out", str(out)]) == 0
    per_game = pd.read_csv(out / "atari_per_game.csv").set_index("game")
    assert len(per_game) == 57
    assert per_game.loc["Pong", "ours A3C FF (no-op)"] == pytest.approx(-3.05)
    assert per_game.loc["Breakout", "runs A3C FF"] == 2
    assert math.isnan(per_game.loc["Alien", "ours A3C FF (no-op)"])  # missing, not zero
    summary = pd.read_csv(out / "atari_table.csv").set_index("method")
    ours = summary.loc["ours: A3C FF"]
    assert ours["mean %"] == pytest.approx(75.0, abs=0.01) and ours["median %"] == pytest.approx(75.0, abs=0.01)
    assert ours["games"] == 2 and ours["runs"] == 3
    assert "paper: A3C FF, 1 day (as printed)" in summary.index
    meta = json.loads((out / "summary.json").read_text())
    assert meta["complete_runs"] == 3 and meta["partial_runs"] == 1
    assert "—" in (out / "atari_per_game.md").read_text()
    assert "\\begin{tabular}" in (out / "atari_table.tex").read_text()


def test_speedup_is_time_to_reference_score_ratio():
    rows = []
    for workers, times in ((1, [100, 200, 400]), (2, [50, 100, 200]), (4, [30, 60, 120])):
        for (frames, score), wall in zip(((1, 0.0), (2, 5.0), (3, 10.0)), times):
            rows.append({"algo": "a3c", "game": "Pong", "workers": workers, "frames": frames,
                         "wall_time": wall, "mean_return": score, "seed": 0})
    speed = speedups(pd.DataFrame(rows)).set_index("workers")
    assert speed.loc[1, "reference_score"] == 10.0
    assert speed.loc[2, "speedup"] == pytest.approx(2.0)
    assert speed.loc[4, "speedup"] == pytest.approx(400 / 120)


def test_no_learning_gives_no_speedup():
    rows = [{"algo": "a3c", "game": "Pong", "workers": w, "frames": f, "wall_time": f * 10.0,
             "mean_return": -21.0, "seed": 0} for w in (1, 2) for f in (1, 2)]
    speed = speedups(pd.DataFrame(rows))
    assert speed["speedup"].isna().all() and speed["note"].str.contains("no learning").all()


def test_every_target_writes_tables_and_non_blank_figures_and_the_report_links_them(tmp_path, make_run):
    scaling, sweeps = tmp_path / "scaling", tmp_path / "sweeps"
    curve = [(1000, 10.0, -21.0), (2000, 20.0, -15.0), (3000, 30.0, -10.0)]
    for w in (1, 2):
        make_run(scaling, "Pong", workers=w, curve=[(f, t / w, s) for f, t, s in curve], final=-10.0)
    make_run(sweeps, "Pong", curve=curve, final=-10.0)
    make_run(sweeps, "Pong", lr=1e-3, beta=0.02, t_max=20, curve=curve, final=-12.0)
    results = tmp_path / "results"
    for target in ("atari_table", "scalability", "data_efficiency", "beta_sweep", "tmax_sweep",
                   "lr_robustness", "mujoco_table"):
        out = results / "analysis" / target
        runs = scaling if target in ("scalability", "data_efficiency") else sweeps
        assert main([target, "--runs", str(runs), "--out", str(out)]) == 0
        meta = json.loads((out / "summary.json").read_text())
        for name in meta["files"]:
            assert (out / name).exists()
            if name.endswith(".png"):
                assert not_blank(out / name), name
            if name.endswith(".csv"):
                table = pd.read_csv(out / name)
                assert len(table.columns) > 2
    scal = pd.read_csv(results / "analysis" / "scalability" / "scalability.csv").set_index("method")
    assert scal.loc["a3c", "ours 2"] == pytest.approx(2.0)
    assert scal.loc["a3c", "paper 2"] == pytest.approx(2.1)
    report = build_report(results, results / "report.md").read_text()
    assert "Deviations from the paper" in report and "no-op starts" in report
    assert "scalability.png" in report and "Table 1" in report


def test_missing_runs_directory_is_a_clear_error(tmp_path, caplog):
    assert main(["atari_table", "--runs", str(tmp_path / "nope"), "--out", str(tmp_path / "o")]) == 2
    assert "does not exist" in caplog.text
    assert not (tmp_path / "o").exists()
