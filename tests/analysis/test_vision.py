"""The stand-ins for TORCS (driving) and Labyrinth (maze): their tables name the substitution and
put our scores beside the reference levels."""
import json

import pandas as pd
import pytest

from analysis.__main__ import main


def test_the_driving_table_puts_our_scores_beside_the_solved_threshold(tmp_path, make_run):
    runs, out = tmp_path / "runs", tmp_path / "out"
    for seed, final in ((0, 640.0), (1, 720.0)):
        make_run(runs, "CarRacing", seed=seed, final=final, domain="driving", frames=8_000_000,
                 curve=[(4_000_000, 100.0, 300.0), (8_000_000, 200.0, final)])
    make_run(runs, "CarRacing", "a3c-lstm", final=None, domain="driving", curve=[(4_000_000, 100.0, 250.0)])
    assert main(["driving", "--runs", str(runs), "--out", str(out)]) == 0
    table = pd.read_csv(out / "driving.csv").set_index("algo")
    assert table.at["a3c", "final_score"] == 680.0 and table.at["a3c", "runs"] == 2
    assert "a3c-lstm" not in table.index  # in progress: no final score yet
    assert "| CarRacing | a3c | 680.0 | 40.0 | 60 | 680.0 | 2 | 8000000 |" in (out / "driving.md").read_text()
    assert table.at["a3c", "final_sd"] == 40.0  # two runs 80 apart, no spread within each: the runs' spread
    assert pd.read_csv(out / "driving_lstm_vs_ff.csv").empty  # the LSTM run is not complete
    refs = pd.read_csv(out / "driving_reference.csv")
    assert 900 in set(refs["value"]) and refs["comparable_with_our_runs"].str.startswith("no").any()
    summary = json.loads((out / "summary.json").read_text())
    assert "driving_curves.png" in summary["files"] and summary["complete_runs"] == 2
    assert any("CarRacing-v3 stands in for it" in note for note in summary["notes"])


def test_the_maze_target_refuses_runs_of_another_domain(tmp_path, make_run):
    runs = tmp_path / "runs"
    make_run(runs, "Maze", "a3c-lstm", domain="maze", curve=[(1000, 1.0, 2.0)])
    make_run(runs, "Pong", curve=[(1000, 1.0, -21.0)])
    assert main(["maze", "--runs", str(runs), "--out", str(tmp_path / "out")]) == 2
    assert not (tmp_path / "out").exists()


def test_the_maze_report_says_whether_the_lstm_beats_the_feed_forward_net(tmp_path, make_run):
    runs, out = tmp_path / "runs", tmp_path / "out"
    make_run(runs, "MazeApples", "a3c-lstm", final=28.7, final_std=11.6, domain="maze")
    make_run(runs, "MazeApples", "a3c", final=20.0, final_std=10.0, domain="maze")
    make_run(runs, "Maze", "a3c-lstm", final=5.0, final_std=2.0, domain="maze")
    make_run(runs, "Maze", "a3c", final=4.0, final_std=2.0, domain="maze")
    assert main(["maze", "--runs", str(runs), "--out", str(out)]) == 0
    gaps = pd.read_csv(out / "maze_lstm_vs_ff.csv").set_index("game")
    apples = gaps.loc["MazeApples"]
    assert apples["gap"] == pytest.approx(8.7)
    assert 0 < apples["ci95_low"] < 8.7 < apples["ci95_high"]  # 30 episodes each: about +-5.7
    assert (apples["runs_a3c-lstm"], apples["runs_a3c"], apples["episodes_a3c"]) == (1, 1, 30)
    assert gaps.loc["Maze", "ci95_low"] < 0 < gaps.loc["Maze", "ci95_high"]
    notes = json.loads((out / "summary.json").read_text())["notes"]
    assert any(n.startswith("MazeApples: A3C LSTM - A3C FF = +8.7") and "LSTM above FF" in n
               and "leaves out the spread between seeds" in n for n in notes)
    assert any(n.startswith("Maze: ") and "no clear difference" in n for n in notes)


def test_a_stand_in_score_weights_runs_by_their_final_episodes(tmp_path, make_run):
    runs, out = tmp_path / "runs", tmp_path / "out"
    make_run(runs, "CarRacing", seed=0, final=600.0, final_episodes=30, domain="driving")
    make_run(runs, "CarRacing", seed=1, final=900.0, final_episodes=10, domain="driving")
    assert main(["driving", "--runs", str(runs), "--out", str(out)]) == 0
    row = pd.read_csv(out / "driving.csv").set_index("algo").loc["a3c"]
    assert row["final_score"] == pytest.approx(675.0) and row["episodes"] == 40  # (30*600 + 10*900) / 40
    assert row["final_sd"] == pytest.approx((30 * 75 ** 2 + 10 * 225 ** 2) ** 0.5 / 40 ** 0.5)
