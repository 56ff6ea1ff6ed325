"""Each analysis target on hand-made run directories: contents, missing games, figures."""
import json
import math

import matplotlib.image as mpimg
import numpy as np
import pandas as pd
import pytest

from analysis.__main__ import main
from analysis.loader import load_curves
from analysis.report import build_report
from analysis.scalability import speedups


def has_plotted_data(path) -> bool:
    """Coloured pixels: lines and points; an empty-axes figure ("no complete runs yet") is grey only."""
    image = mpimg.imread(path)[..., :3]
    coloured = (image.max(axis=-1) - image.min(axis=-1)) > 0.2
    return image.shape[0] > 100 and image.shape[1] > 100 and int(coloured.sum()) > 20


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
    # the IQM covers the mean's games: every run of Pong (50) and Breakout (100, 100); of 3 scores
    # the 25% trim drops none (it was Breakout alone, 100, when it pivoted on seed numbers)
    assert ours["IQM %"] == pytest.approx(np.mean([50.0, 100.0, 100.0]), abs=0.01)
    assert "paper: A3C FF, 1 day (as printed)" in summary.index
    meta = json.loads((out / "summary.json").read_text())
    assert meta["complete_runs"] == 3 and meta["partial_runs"] == 1
    assert "—" in (out / "atari_per_game.md").read_text()
    games = pd.read_csv(out / "atari_games.csv")  # the games we ran only, in the paper's order
    assert list(games["game"]) == ["Alien", "Breakout", "Pong"]
    breakout = games.set_index("game").loc["Breakout"]
    assert breakout["runs"] == 2 and breakout["seeds"] == "0 1" and breakout["in progress"] == 0
    assert breakout["ours"] == pytest.approx(30.5) and breakout["ours, % human"] == pytest.approx(100.0)
    assert breakout["paper, 1 day / 4 days (human starts)"] == pytest.approx(551.6)  # Table S3, A3C FF 1 day
    alien = games.set_index("game").loc["Alien"]
    assert alien["runs"] == 0 and alien["in progress"] == 1 and math.isnan(alien["ours"])
    assert "\\begin{tabular}" in (out / "atari_table.tex").read_text()


def test_speedup_is_time_to_reference_score_ratio():
    rows = []
    for workers, times in ((1, [100, 200, 400]), (2, [50, 100, 200]), (4, [30, 60, 120])):
        for (frames, score), wall in zip(((1, 0.0), (2, 5.0), (3, 10.0)), times):
            rows.append({"algo": "a3c", "game": "Pong", "workers": workers, "frames": frames,
                         "wall_time": wall, "mean_return": score, "seed": 0, "run": f"w{workers}",
                         "kind": "eval"})
    speed = speedups(pd.DataFrame(rows)).set_index("workers")
    assert speed.loc[1, "reference_score"] == 10.0
    assert speed.loc[2, "speedup"] == pytest.approx(2.0)
    assert speed.loc[4, "speedup"] == pytest.approx(400 / 120)


def test_speedup_uses_eval_rows_only_and_averages_per_run_times_over_seeds(tmp_path, make_run):
    runs = tmp_path / "runs"
    # (workers, seed): (eval frames differ between runs, wall times, best eval score)
    plan = {(1, 0): (0, (100, 400), 10.0), (1, 1): (10, (150, 600), 10.0),
            (2, 0): (5, (50, 200), 12.0), (2, 1): (15, (75, 300), 12.0), (2, 2): (3, (60, 250), 6.0)}
    for (workers, seed), (shift, (t1, t2), best) in plan.items():
        # the final score (50, at the run's end, 3600 s) is above every eval: it must not set the reference
        make_run(runs, "Pong", workers=workers, seed=seed, final=50.0,
                 curve=[(1000 + shift, t1, 0.0), (2000 + shift, t2, best)])
    speed = speedups(load_curves(runs)).set_index("workers")
    # best eval averaged over seeds: 10 with 1 worker, 10 with 2; the lower is the reference
    assert (speed["reference_score"] == 10.0).all()
    assert speed.loc[1, "time"] == pytest.approx(500.0)  # mean of 400 and 600
    assert speed.loc[2, "time"] == pytest.approx(250.0)  # mean of 200 and 300; seed 2 never reached 10
    assert (speed.loc[2, "runs"], speed.loc[2, "runs_reached"]) == (3, 2)
    assert speed.loc[2, "speedup"] == pytest.approx(2.0)


def test_scalability_target_ignores_runs_still_going(tmp_path, make_run):
    import csv

    from analysis.targets import scalability_target

    runs = tmp_path / "runs"
    curve = [(1000, 100.0, 0.0), (2000, 200.0, 10.0)]
    for w in (1, 2):
        make_run(runs, "Pong", workers=w, curve=[(f, t / w, s) for f, t, s in curve])
    # a 2-worker run still going, its best eval 2.0 so far: it must not lower the reference score
    make_run(runs, "Pong", workers=2, seed=1, final=None, curve=[(1000, 50.0, 0.0), (2000, 90.0, 2.0)])
    scalability_target(runs, tmp_path / "out")
    with open(tmp_path / "out" / "speedup_per_game.csv", newline="") as handle:
        rows = {int(r["workers"]): r for r in csv.DictReader(handle)}
    assert float(rows[2]["reference_score"]) == 10.0 and float(rows[2]["speedup"]) == pytest.approx(2.0)


def test_no_learning_gives_no_speedup():
    rows = [{"algo": "a3c", "game": "Pong", "workers": w, "frames": f, "wall_time": f * 10.0,
             "mean_return": -21.0, "seed": 0, "run": f"w{w}", "kind": "eval"} for w in (1, 2) for f in (1, 2)]
    speed = speedups(pd.DataFrame(rows))
    assert speed["speedup"].isna().all() and speed["note"].str.contains("no learning").all()


def test_every_target_writes_tables_and_non_blank_figures_and_the_report_links_them(tmp_path, make_run):
    scaling, sweeps = tmp_path / "scaling", tmp_path / "sweeps"
    curve = [(1000, 10.0, -21.0), (2000, 20.0, -15.0), (3000, 30.0, -10.0)]
    for w in (1, 2):
        make_run(scaling, "Pong", workers=w, curve=[(f, t / w, s) for f, t, s in curve], final=-10.0)
    table_run = make_run(sweeps, "Pong", curve=curve, final=-10.0)  # the table's one setting, a listed run directory
    make_run(sweeps, "Pong", lr=1e-3, beta=0.02, t_max=20, curve=curve, final=-12.0)
    mujoco = tmp_path / "mujoco"
    make_run(mujoco, "HalfCheetah", domain="mujoco", curve=[(1000, 10.0, -5.0), (2000, 20.0, 50.0)], final=60.0)
    results = tmp_path / "results"
    for target in ("atari_table", "scalability", "data_efficiency", "beta_sweep", "tmax_sweep",
                   "lr_robustness", "mujoco_table"):
        out = results / "analysis" / target
        runs = {"scalability": scaling, "data_efficiency": scaling, "mujoco_table": mujoco,
                "atari_table": table_run}.get(target, sweeps)
        assert main([target, "--runs", str(runs), "--out", str(out)]) == 0
        meta = json.loads((out / "summary.json").read_text())
        for name in meta["files"]:
            assert (out / name).exists()
            if name.endswith(".png"):
                assert has_plotted_data(out / name), name
            if name.endswith(".csv"):
                table = pd.read_csv(out / name)
                assert len(table.columns) > 2 and len(table) > 0, name
    scal = pd.read_csv(results / "analysis" / "scalability" / "scalability.csv").set_index("method")
    assert scal.loc["a3c", "ours 2"] == pytest.approx(2.0)
    assert scal.loc["a3c", "paper 2"] == pytest.approx(2.1)
    speed = pd.read_csv(results / "analysis" / "scalability" / "speedup_per_game.csv")
    assert len(speed) == 2 and speed["speedup"].notna().all()
    report = build_report(results, results / "report.md").read_text()
    assert "Deviations from the paper" in report and "no-op starts" in report
    assert "scalability.png" in report and "Table 1" in report
    # each run directory once: 2 scaling runs (1 h x 1 and 2 workers; scalability and
    # data_efficiency read both) + 2 sweep runs (1 h x 2 workers; read by four targets) + 1 MuJoCo run
    # (1 h x 2 workers) = 3 + 4 + 2
    assert "9.00 worker-hours" in report


def test_report_without_analyses_is_a_clear_error(tmp_path, caplog):
    assert main(["report", "--results", str(tmp_path / "nope"), "--out", str(tmp_path / "r.md")]) == 2
    assert "no analyses" in caplog.text
    assert not (tmp_path / "r.md").exists()


def test_a_summary_names_its_runs_from_their_runs_directory_not_by_the_machines_path(tmp_path, make_run):
    # Committed summaries are read on other machines: the report's once-per-run compute count
    # must not depend on where the checkout lies, and no absolute path may leak into results/.
    runs, out = tmp_path / "results" / "runs" / "atari_table", tmp_path / "out"
    make_run(runs, "Pong", seed=0)
    assert main(["atari_table", "--runs", str(runs), "--out", str(out)]) == 0
    keys = list(json.loads((out / "summary.json").read_text())["run_worker_hours"])
    assert keys == ["runs/atari_table/Pong/a3c/w2/s0/lr0.0007-b0.01-t5"]
    assert str(tmp_path) not in (out / "summary.json").read_text()
