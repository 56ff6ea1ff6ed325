"""The evaluation protocol: score a network on fresh environment copies.

Atari: up to 30 random no-op starts (done by the preprocessing at every reset) and episodes capped
at 108,000 frames (30 minutes of emulator time). A3C samples from its policy; the value-based
agents act epsilon-greedily with the protocol's eval_epsilon; Gaussian policies are scored both
with the mean action (deterministic) and sampled actions ("stochastic").
"""
from __future__ import annotations

import copy
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from torch import nn

from a3c.config import TrainConfig
from a3c.envs import EnvSpec, action_size, make_env
from a3c.learners import make_learner
from a3c.processes import EvalMessage, Shared, child_process

EVAL_SEED_OFFSET = 10_000_019  # evaluation episodes never share seeds with training
ABORT_CHECK_STEPS = 100  # how often a long evaluation asks whether to give up


class EvaluationAborted(Exception):
    """The run stopped or the trainer died during an evaluation."""


def summarize(returns: list[float]) -> dict[str, Any]:
    arr = np.asarray(returns, dtype=float)
    return {"mean_return": float(arr.mean()), "std_return": float(arr.std()),
            "min_return": float(arr.min()), "max_return": float(arr.max()),
            "n_episodes": int(arr.size), "returns": [float(x) for x in arr]}


def run_episodes(model: nn.Module, cfg: TrainConfig, spec: EnvSpec, episodes: int, seed: int,
                 deterministic: bool = False, abort: Callable[[], bool] | None = None) -> list[float]:
    """Play `episodes` full episodes with `model` and return their raw scores. deterministic:
    a policy's mode or mean instead of samples. `abort`, asked every ABORT_CHECK_STEPS steps,
    ends it early with EvaluationAborted."""
    env = make_env(spec, cfg.protocol, seed)
    discrete, _ = action_size(env)
    learner = make_learner(cfg, 0, np.random.default_rng(seed), discrete, spec.domain, evaluation=True)
    torch.manual_seed(seed)
    returns = []
    for episode in range(episodes):
        obs, _ = env.reset(seed=seed + episode)
        state, total, done, steps = model.initial_state(), 0.0, False, 0
        while not done:
            steps += 1
            if abort is not None and steps % ABORT_CHECK_STEPS == 0 and abort():
                env.close()
                raise EvaluationAborted()
            action, state = learner.act(model, obs, state, 0, deterministic=deterministic)
            if not discrete:
                action = np.clip(action, env.action_space.low, env.action_space.high)
            obs, reward, terminated, truncated, _ = env.step(action)
            total += float(reward)
            done = terminated or truncated
        returns.append(total)
    env.close()
    return returns


def evaluate(model: nn.Module, cfg: TrainConfig, spec: EnvSpec, episodes: int, seed: int, discrete: bool,
             abort: Callable[[], bool] | None = None) -> dict:
    """Evaluation summary of `model`. discrete: its actions are discrete (the environment's action
    space). Discrete policies are sampled; a Gaussian policy is scored with its mean action, and a
    second summary ("stochastic") with sampled actions."""
    result = summarize(run_episodes(model, cfg, spec, episodes, seed, not discrete, abort))
    if not discrete:
        result["stochastic"] = summarize(run_episodes(model, cfg, spec, episodes, seed, False, abort))
    return result


def evaluator_main(cfg: TrainConfig, spec: EnvSpec, shared: Shared, next_eval: int, clock: tuple[float, float],
                   discrete: bool) -> None:
    """Process entry point: evaluate a snapshot of the global network every eval_every frames."""
    start, offset = clock

    def abort() -> bool:
        return shared.stop.is_set() or not shared.parent_alive()

    with child_process(shared, "evaluator"):
        try:
            while not abort():
                frames = shared.frames.value
                if frames < next_eval or frames >= cfg.frames:
                    time.sleep(0.2)
                    continue
                snapshot = copy.deepcopy(shared.model)
                wall_time = offset + time.time() - start  # when the snapshot was taken, as its frames
                seed = cfg.seed + EVAL_SEED_OFFSET + frames
                result = evaluate(snapshot, cfg, spec, cfg.protocol.eval_episodes, seed, discrete, abort)
                result.update(frames=frames, wall_time=wall_time)
                shared.messages.put(EvalMessage(result))
                next_eval = (frames // cfg.protocol.eval_every + 1) * cfg.protocol.eval_every
        except EvaluationAborted:
            pass
