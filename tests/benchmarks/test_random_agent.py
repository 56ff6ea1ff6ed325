"""The random-agent reference for the stand-ins: measured on the trainer's environment, stored as
one row per game in a reference CSV (a re-measurement replaces the earlier row)."""
import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

import random_agent  # noqa: E402


@pytest.fixture
def reference(tmp_path):
    path = tmp_path / "vision_reference.csv"
    shutil.copy(ROOT / "results" / "reference" / "vision_reference.csv", path)
    return path


def test_a_measurement_is_stored_once_per_game_and_drawn_as_a_comparable_level(reference):
    before = pd.read_csv(reference)
    published = before[~before["quantity"].str.startswith("random agent")]
    measure = ["--game", "CarRacing", "--episodes", "1", "--reference", str(reference)]
    assert random_agent.main(measure) == 0
    assert random_agent.main(measure + ["--seed", "1"]) == 0
    after = pd.read_csv(reference)
    rows = after[(after["game"] == "CarRacing") & after["quantity"].str.startswith("random agent")]
    assert len(rows) == 1 and "--seed 1" in rows.iloc[0]["source"]  # the later one replaced the first
    assert rows.iloc[0]["comparable_with_our_runs"].startswith("yes")
    assert "benchmarks/random_agent.py --game CarRacing --episodes 1" in rows.iloc[0]["source"]
    assert rows.iloc[0]["value"] < 100  # random driving loses ~0.1 per frame and rarely finds tiles
    kept = after[~after["quantity"].str.startswith("random agent")]
    pd.testing.assert_frame_equal(kept.reset_index(drop=True), published.reset_index(drop=True))


def test_an_atari_game_is_refused_before_any_episode(reference, capsys):
    with pytest.raises(SystemExit):
        random_agent.main(["--game", "Pong", "--reference", str(reference)])
    assert "atari_baselines_noop.csv" in capsys.readouterr().err
    assert pd.read_csv(reference).equals(pd.read_csv(ROOT / "results" / "reference" / "vision_reference.csv"))


def test_the_explorer_turns_when_the_view_stops_changing_and_goes_forward_otherwise():
    explorer = random_agent.Explorer(seed=0)
    rng = np.random.default_rng(0)
    moving = [explorer.act(rng.integers(0, 256, (3, 8, 8), dtype=np.uint8)) for _ in range(50)]
    assert set(moving) <= {random_agent.FORWARD, random_agent.FORWARD_LEFT, random_agent.FORWARD_RIGHT}
    assert moving.count(random_agent.FORWARD) > 30
    wall = np.zeros((3, 8, 8), np.uint8)
    explorer.act(wall)
    turn = [explorer.act(wall) for _ in range(2)]  # the view did not change: a turn of 2-5 steps
    assert turn[0] == turn[1] and turn[0] in (random_agent.LEFT, random_agent.RIGHT)


def test_each_policy_keeps_its_own_row(reference):
    spec = random_agent.resolve("Maze")
    stats = {"n_episodes": 2, "std_return": 0.5, "mean_return": 0.5}
    for policy, value in (("random", 0.5), ("explorer", 0.75), ("explorer", 1.25)):
        row = random_agent.reference_row(spec, dict(stats, mean_return=value), "cmd", policy)
        random_agent.store(row, reference)
    maze = pd.read_csv(reference).query("game == 'Maze'")
    assert maze["quantity"].str.startswith("random agent (").sum() == 1
    explorer = maze[maze["quantity"].str.startswith("memoryless explorer (")]
    assert explorer["value"].tolist() == [1.25]  # the later measurement replaced the earlier one


def test_the_explorer_is_refused_outside_the_maze(reference, capsys):
    with pytest.raises(SystemExit):
        random_agent.main(["--game", "CarRacing", "--policy", "explorer", "--reference", str(reference)])
    assert "the maze only" in capsys.readouterr().err
