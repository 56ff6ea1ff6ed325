"""The actor-learner loop of one worker process (the paper's Algorithm S3 / S2 / 1).

sync local <- global; roll out up to t_max steps; the learner's gradient of its loss; clip; apply
the local gradients to the global network through the shared RMSProp (Hogwild, no lock). The
sync that starts each iteration runs inside the RMSProp pass that ends the previous one (each
tensor as that pass leaves it, microseconds before a separate sync would read it; one pass over
memory fewer). The worker never knows which
loss it runs: the learner does.
"""
from __future__ import annotations

import logging
import math
import os
import signal
import traceback
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from a3c.config import TrainConfig, learning_rate
from a3c.diagnostics import Diagnostics, snapshot, update_ratio
from a3c.envs import EnvSpec, action_size, make_env
from a3c.learners import Segment, make_learner
from a3c.models import build_model
from a3c.optim import SharedRMSprop, clip_factor, grad_norm

log = logging.getLogger(__name__)


@dataclass
class Shared:
    """Everything the trainer shares with its processes (all picklable under spawn)."""

    model: nn.Module  # the global network, in shared memory
    optimizer: SharedRMSprop
    target: nn.Module | None  # shared target network (value-based methods)
    frames: Any  # multiprocessing.Value('q'): the global frame counter
    messages: Any  # multiprocessing.Queue: episodes, evaluations, errors -> trainer
    stop: Any  # multiprocessing.Event: set by the trainer to stop everyone
    parent_pid: int


def worker_main(rank: int, cfg: TrainConfig, spec: EnvSpec, shared: Shared, seed: int) -> None:
    """Process entry point: run the loop, report any failure to the trainer, exit non-zero."""
    ignore_interrupts()
    one_thread()
    try:
        Worker(rank, cfg, spec, shared, seed).run()
    except Exception:  # report, then exit with an error code the trainer sees
        shared.messages.put(("error", rank, traceback.format_exc()))
        raise SystemExit(1) from None


def one_thread() -> None:
    """One compute thread in this process: torch's and OpenCV's (the Atari preprocessing resizes
    screens with cv2, whose pool would otherwise start a thread per core in every worker)."""
    torch.set_num_threads(1)
    try:
        import cv2
    except ImportError:  # MuJoCo-only installs
        return
    cv2.setNumThreads(1)


def ignore_interrupts() -> None:
    """Ctrl-C and a group-wide SIGTERM reach every process: the trainer alone handles them
    (checkpoint, then it stops the workers through the stop event, or kills them)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def add_frames(counter: Any, n: int) -> int:
    with counter.get_lock():
        counter.value += n
        return counter.value


class Worker:
    def __init__(self, rank: int, cfg: TrainConfig, spec: EnvSpec, shared: Shared, seed: int) -> None:
        self.rank, self.cfg, self.spec, self.shared = rank, cfg, spec, shared
        torch.manual_seed(seed)
        self.rng = np.random.default_rng(seed)
        self.env = make_env(spec, cfg.protocol, seed)
        discrete, n = action_size(self.env)
        self.discrete = discrete
        self.local = build_model(cfg.algo, self.env.observation_space.shape, discrete, n, cfg.hidden)
        self.local_params = list(self.local.parameters())
        self.global_params = list(shared.model.parameters())
        self.learner = make_learner(cfg, rank, self.rng, discrete, spec.domain, self.local)
        self.clip_rewards = cfg.protocol.clip_rewards and spec.domain == "atari"
        self.low = None if discrete else self.env.action_space.low
        self.high = None if discrete else self.env.action_space.high
        self.obs, info = self.env.reset(seed=seed)
        self.lives = info.get("lives")  # Atari only
        self.life_loss = cfg.protocol.terminal_on_life_loss
        self.state = self.local.initial_state()
        self.pending_action = None
        self.episode_return, self.episode_length = 0.0, 0
        self.diagnostics = Diagnostics(cfg.diagnostics_every) if cfg.diagnostics_every else None

    def run(self) -> None:
        frames = self.shared.frames.value
        self.sync_from_global()  # then after every update, fused into the shared RMSProp step
        while frames < self.cfg.frames and not self.shared.stop.is_set():
            segment = self.rollout(frames)
            self.update(segment, frames)
            old = frames
            frames = add_frames(self.shared.frames, len(segment.rewards) * self.spec.frames_per_step)
            self.maybe_refresh_target(old, frames)
            self.check_parent()

    def sync_from_global(self) -> None:
        with torch.no_grad():
            torch._foreach_copy_(self.local_params, self.global_params)

    def rollout(self, frames: int) -> Segment:
        """Act for up to t_max steps (a whole episode when t_max = 0) or until the episode ends."""
        seg = Segment(state0=self.state)
        limit = self.cfg.t_max or math.inf
        while len(seg.rewards) < limit:
            action = self.pending_action
            if action is None:
                action, self.state = self.learner.act(self.local, self.obs, self.state, frames)
            self.pending_action = None
            env_action = action if self.discrete else np.clip(action, self.low, self.high)
            next_obs, reward, terminated, truncated, info = self.env.step(env_action)
            seg.obs.append(self.obs)
            seg.actions.append(action)
            reward = float(reward)
            seg.rewards.append(min(max(reward, -1.0), 1.0) if self.clip_rewards else reward)
            self.episode_return += reward
            self.episode_length += 1
            self.obs = next_obs
            if terminated or truncated:
                seg.terminal, seg.truncated = bool(terminated), bool(truncated)
                seg.last_obs, seg.last_state = next_obs, self.state
                if not terminated and self.learner.needs_next_action:  # SARSA bootstraps at a cut
                    seg.next_action, _ = self.learner.act(self.local, next_obs, self.state, frames)
                self.end_episode()
                return seg
            if self.life_loss and self.lost_life(info):  # terminal for learning only: the game goes on
                seg.terminal = True
                seg.last_obs, seg.last_state = next_obs, self.state
                return seg
        seg.last_obs, seg.last_state = self.obs, self.state
        if self.learner.needs_next_action:
            self.pending_action, self.state = self.learner.act(self.local, self.obs, self.state, frames)
            seg.next_action = self.pending_action
        return seg

    def lost_life(self, info: dict) -> bool:
        """With Protocol.terminal_on_life_loss: did this step cost a life (the game not over)?"""
        lives = info.get("lives")
        lost = lives is not None and lives < self.lives
        self.lives = lives
        return lost

    def end_episode(self) -> None:
        self.shared.messages.put(("episode", self.rank, self.shared.frames.value,
                                  self.episode_return, self.episode_length))
        self.obs, info = self.env.reset()
        self.lives = info.get("lives")
        self.state = self.local.initial_state()
        self.episode_return, self.episode_length = 0.0, 0

    def update(self, segment: Segment, frames: int) -> None:
        grads, loss, parts = self.learner.gradients(self.local, self.shared.target, segment)
        loss_value = float(loss)
        if not math.isfinite(loss_value):
            raise FloatingPointError(f"non-finite loss {loss_value} at global frame {frames} "
                                     f"(worker {self.rank})")
        norm = grad_norm([g for g in grads if g is not None])
        scale, lr = clip_factor(norm, self.cfg.max_grad_norm), self.learning_rate(frames)
        diag = self.diagnostics
        before = snapshot(self.local_params) if diag is not None and diag.due() else None
        self.shared.optimizer.step(grads, lr, grad_scale=scale, sync_to=self.local_params)
        if diag is not None:
            diag.add(loss_value, parts, norm, scale < 1.0)
            if before is not None:  # the window's last update: send its row to the trainer
                ratio = update_ratio(before, self.local_params)  # local == global after the step
                self.shared.messages.put(("diagnostics", self.rank, frames, diag.row(self.rank, lr, ratio)))

    def learning_rate(self, frames: int) -> float:
        return learning_rate(self.cfg, frames)

    def maybe_refresh_target(self, old: int, new: int) -> None:
        """Copy global -> target when the global counter crosses a multiple of the interval."""
        interval = self.cfg.target_update_frames
        if self.shared.target is not None and old // interval != new // interval:
            with torch.no_grad():
                for t, g in zip(self.shared.target.parameters(), self.shared.model.parameters()):
                    t.copy_(g)

    def check_parent(self) -> None:
        """Exit if the trainer died (e.g. kill -9): a worker must never outlive its run. Asked
        after every update (getppid is a ~1 us system call); messages still queued are dropped,
        since nobody reads them any more."""
        if os.getppid() != self.shared.parent_pid:
            self.shared.messages.cancel_join_thread()
            raise SystemExit(3)
