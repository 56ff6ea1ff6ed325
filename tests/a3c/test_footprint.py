"""The run's memory figures: one per domain, used by the trainer's check before any work."""
import pytest

from a3c import footprint, trainer
from a3c.config import TrainConfig
from a3c.envs import EnvSpec, resolve
from a3c.games import DOMAINS


def test_every_domain_has_a_measured_figure_and_a_run_counts_its_evaluator():
    assert set(footprint.PROCESS_MB) == set(DOMAINS)
    assert footprint.run_mb("atari", 2) == footprint.TRAINER_MB + 3 * footprint.PROCESS_MB["atari"]


def test_the_memory_check_uses_the_games_own_footprint(monkeypatch):
    # The maze's processes are several times Pong's (MuJoCo rendering): 2 workers fit for Pong where
    # they do not for the maze, on the same machine
    available = (footprint.run_mb("atari", 2) + footprint.run_mb("maze", 2)) // 2
    monkeypatch.setattr(trainer, "available_memory_mb", lambda: available)
    trainer.check_machine(TrainConfig(game="Pong", workers=2, out="x"), resolve("Pong"))
    maze = EnvSpec("Maze", "maze", "memory-maze", 1)  # (resolve would need OSMesa installed)
    with pytest.raises(ValueError, match=r"2 workers need about [\d,]+ MB .* each worker and the evaluator on Maze"):
        trainer.check_machine(TrainConfig(game="Maze", workers=2, out="x"), maze)
