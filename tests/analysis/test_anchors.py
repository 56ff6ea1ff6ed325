"""Our curves beside other implementations' published curves at equal frames (learning_anchors.csv)."""
import pandas as pd

from analysis.__main__ import main
from analysis.atari import anchor_table
from analysis.loader import load_curves


def test_each_anchor_of_a_game_and_method_we_ran_gets_our_score_at_its_frames(tmp_path, make_run):
    runs = tmp_path / "runs"
    make_run(runs, "Pong", seed=0, final=None, curve=[(4_000_096, 100.0, -20.0), (8_000_080, 200.0, -15.0)])
    make_run(runs, "Pong", seed=1, final=None, curve=[(3_990_000, 100.0, -19.0)])
    make_run(runs, "Breakout", "a3c-lstm", final=None, curve=[(20_000_000, 100.0, 5.0)])
    table = anchor_table(load_curves(runs))
    pong_ff = table[(table["game"] == "Pong") & (table["ours"] == "A3C FF")].set_index("frames")
    # A2C and PFRL's A3C FF count as A3C FF; miyosuda's A3C LSTM does not (we ran no Pong LSTM)
    assert set(pong_ff["reference"]) == {"baselines A2C", "PFRL A3C FF"}
    assert not (table["ours"] == "A3C LSTM").any()  # no Breakout LSTM anchor, no Pong LSTM run
    assert pong_ff.at["4M", "ours score"] == -19.5 and pong_ff.at["4M", "our runs there"] == 2
    assert pong_ff.at["4M", "ours - reference"] == -19.5 - -20.1
    assert pong_ff.at["8M", "ours score"] == -15.0 and pong_ff.at["8M", "our runs there"] == 1
    assert pd.isna(pong_ff.at["12M", "ours score"]) and pong_ff.at["12M", "our runs there"] == 0


def test_the_atari_table_target_writes_the_anchor_table(tmp_path, make_run):
    runs, out = tmp_path / "runs", tmp_path / "out"
    # a complete run: periodic evals up to 19M, then the final network's score at its 20M budget
    make_run(runs, "Breakout", curve=[(19_000_000, 100.0, 3.5)], frames=20_000_000, final=5.0)
    make_run(runs, "Breakout", seed=1, curve=[(20_000_000, 100.0, 3.0)], frames=20_000_000, final=7.0)
    assert main(["atari_table", "--runs", str(runs), "--out", str(out)]) == 0
    anchors = pd.read_csv(out / "atari_anchors.csv")
    row = anchors[anchors["frames"] == "20M"].iloc[0]
    # the final scores, nearest (seed 0) and preferred at equal distance (seed 1): (5 + 7) / 2
    assert row["reference"] == "muupan async-rl A3C FF" and row["ours score"] == 6.0
    assert row["our runs there"] == 2 and row["reference score"] == 2.0


def test_the_curve_panels_get_the_anchors_of_the_methods_we_ran_within_our_frames():
    from analysis.atari import anchor_points, levels
    from analysis.figures import points_in_range

    points = anchor_points(["Breakout", "Pong"], ["a3c"])
    assert ("muupan async-rl A3C FF", 20e6, 2.0) in points["Breakout"]
    assert {label for label, _, _ in points["Pong"]} == {"baselines A2C", "PFRL A3C FF"}  # no LSTM run
    ours = pd.DataFrame({"frames": [1e6, 20_000_020]})
    assert [p[1] for p in points_in_range(points["Breakout"], ours)] == [20e6]  # 40M-80M: past our runs
    assert levels(["Breakout"], ["a3c"])["Breakout"]["random (no-op starts)"] == 1.7
