"""The random-agent reference for the stand-ins: measured on the trainer's environment, stored as
one row per game in a reference CSV (a re-measurement replaces the earlier row)."""
import shutil
import sys
from pathlib import Path

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
