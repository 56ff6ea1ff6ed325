"""Worker process hygiene: one compute thread per process, whatever the environment asks for."""
import os

import pytest
import torch.multiprocessing as mp

from tests.processes import in_process_worker


def thread_counts(results) -> None:
    import cv2
    import torch

    from a3c.processes import one_thread

    before = (torch.get_num_threads(), cv2.getNumThreads())
    one_thread()
    results.put((before, (torch.get_num_threads(), cv2.getNumThreads())))


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="torch caps its threads at the core count")
def test_one_thread_overrides_what_snakemake_exports(monkeypatch):
    # Snakemake exports OMP_NUM_THREADS = the job's threads; a spawned worker inherits it
    monkeypatch.setenv("OMP_NUM_THREADS", str(os.cpu_count()))
    ctx = mp.get_context("spawn")
    results = ctx.Queue()
    proc = ctx.Process(target=thread_counts, args=(results,))
    proc.start()
    before, after = results.get(timeout=120)
    proc.join(timeout=30)
    assert before[0] > 1  # the child did inherit the setting: the check below can fail
    assert after == (1, 1)


def make_worker(tmp_path, game: str, **overrides):
    from a3c.config import VALUE_BASED, TrainConfig
    from a3c.envs import action_size, make_env, resolve
    from a3c.models import build_model

    cfg = TrainConfig(game=game, workers=1, frames=10**6, out=str(tmp_path), **overrides)
    spec = resolve(game)
    env = make_env(spec, cfg.protocol, 0)
    discrete, n = action_size(env)
    def network():
        return build_model(cfg.algo, env.observation_space.shape, discrete, n, cfg.hidden).share_memory()

    model, target = network(), (network() if cfg.algo in VALUE_BASED else None)
    return in_process_worker(cfg, spec, model, target)


def segments_until_terminal(worker, limit: int = 2000):
    for _ in range(limit):
        seg = worker.rollout(0)
        if seg.terminal:
            return seg
    raise AssertionError("no terminal segment")


@pytest.mark.parametrize("life_loss", [True, False])
def test_a_lost_life_is_terminal_for_learning_only_when_the_protocol_says(tmp_path, life_loss):
    from a3c.config import Protocol

    worker = make_worker(tmp_path, "Breakout", protocol=Protocol(terminal_on_life_loss=life_loss))
    assert worker.lives == 5
    segments_until_terminal(worker)
    if life_loss:  # one life gone, the same game goes on (no reset)
        assert worker.lives == 4 and worker.episode_length > 0
    else:  # terminal only at game over: the game was reset
        assert worker.lives == 5 and worker.episode_length == 0


def test_sarsa_takes_its_next_action_where_a_time_limit_cuts_the_episode(tmp_path):
    worker = make_worker(tmp_path, "CartPole-v1", algo="one-step-sarsa", t_max=5)
    step = worker.env.step

    def cut(action):
        obs, reward, _, _, info = step(action)
        return obs, reward, False, True, info

    worker.env.step = cut
    seg = worker.rollout(0)
    assert seg.truncated and not seg.terminal and len(seg.actions) == 1
    assert seg.next_action in (0, 1)  # chosen at the cut, for the bootstrap Q(s', a')
    worker.update(seg, 0)  # the targets accept it


def test_the_frame_counter_includes_the_fire_presses_the_environment_made(tmp_path):
    from a3c.config import Protocol

    worker = make_worker(tmp_path, "Breakout", protocol=Protocol(fire_on_reset=True))
    assert worker.unseen_steps == 1  # the press that served the first ball
    seg = worker.rollout(0)
    assert worker.frames_taken(seg) == (len(seg.rewards) + 1) * 4
    assert worker.frames_taken(seg) == len(seg.rewards) * 4  # counted once


def test_fire_on_reset_and_life_loss_are_recorded_as_deviations():
    from a3c.config import Protocol, TrainConfig
    from a3c.envs import resolve
    from a3c.trainer import deviations

    plain = deviations(TrainConfig(game="Breakout", out="x"), resolve("Breakout"))
    cfg = TrainConfig(game="Breakout", out="x", protocol=Protocol(fire_on_reset=True, terminal_on_life_loss=True))
    added = set(deviations(cfg, resolve("Breakout"))) - set(plain)
    assert len(added) == 2 and any("FIRE" in note for note in added) and any("lost life" in note for note in added)


@pytest.mark.parametrize("game,scale,raw,learned", [
    ("Pong", 1.0, [3.0, -2.0, 0.5], [1.0, -1.0, 0.5]),  # Atari: clipped to [-1, 1]
    ("CartPole-v1", 1.0, [3.0, -2.0], [3.0, -2.0]),  # control: raw
    ("CartPole-v1", 0.5, [3.0, -2.0], [1.5, -1.0]),  # scaled, not clipped
])
def test_the_learning_reward_is_clipped_on_atari_then_scaled(tmp_path, game, scale, raw, learned):
    worker = make_worker(tmp_path, game, reward_scale=scale)
    assert [worker.learning_reward(r) for r in raw] == learned


def test_carracing_learns_from_rewards_scaled_to_atari_levels_and_says_so():
    pytest.importorskip("Box2D")
    from a3c.config import TrainConfig
    from a3c.envs import resolve
    from a3c.trainer import deviations

    cfg = TrainConfig(game="CarRacing", out="x")
    assert cfg.reward_scale == 0.01 and TrainConfig(game="Pong", out="x").reward_scale == 1.0
    assert any("reward_scale = 0.01" in note for note in deviations(cfg, resolve("CarRacing")))
    assert not any("reward_scale" in note for note in deviations(TrainConfig(game="Pong", out="x"), resolve("Pong")))


def test_the_annealing_horizon_note_names_its_agent_steps_outside_atari():
    pytest.importorskip("Box2D")
    from a3c.config import TrainConfig
    from a3c.envs import resolve
    from a3c.trainer import deviations

    def horizon_note(game: str) -> str:
        return next(n for n in deviations(TrainConfig(game=game, out="x", frames=8_000_000), resolve(game))
                    if "annealed over" in n)

    assert "annealed over 320,000,000 (the paper's training)" in horizon_note("Pong")
    spec = resolve("CarRacing")
    steps = TrainConfig(game="CarRacing", out="x").lr_anneal_frames // spec.frames_per_step
    assert f"({steps:,} agent steps: the paper's Atari training in agent steps)" in horizon_note("CarRacing")
    assert steps == 80_000_000
