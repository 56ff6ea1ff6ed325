"""The actor-learner loop of one worker process: the paper's Algorithm S3 (A3C), S2 (n-step Q)
and 1 (1-step Q / SARSA), one loop for all of them.

Reading order, Algorithm S3 in code:

1. Worker.run: until the global frame counter T reaches T_max: roll out, update, T += frames.
2. Worker.rollout: act for up to t_max steps (a whole episode when t_max = 0) with the local
   network, through the learner (learners.Learner.act), collecting a learners.Segment.
3. Worker.update -> learner.gradients: the segment's loss and its gradient, e.g. for A3C
   (learners.ActorCriticLearner.loss):
   - algorithms/returns.py n_step_returns: R_i = r_i + gamma R_{i+1}, R = V(s_{t+n}) or 0;
   - algorithms/actor_critic.py actor_critic_loss: policy, value and entropy terms
     (value-based methods: algorithms/value_based.py; A3C FF on Atari: replay_grad.py computes
     the same gradient from the acting pass).
4. Worker.update: clip the gradient's global norm (optim.grad_norm, optim.clip_factor).
5. optim.SharedRMSprop.step: apply it to the global network, Hogwild (no lock), with the
   learning rate annealed over global frames (config.learning_rate).

The sync local <- global that starts each iteration runs inside the RMSProp pass that ends the
previous one (each tensor as that pass leaves it, microseconds before a separate sync would read
it; one pass over memory fewer). The worker never knows which loss it runs: the learner does.
Process plumbing (shared state, messages, signals, the orphan check) is in a3c/processes.py.
"""
from __future__ import annotations

import math

import numpy as np
import torch

from a3c.config import TrainConfig, learning_rate
from a3c.diagnostics import Diagnostics, snapshot, update_ratio
from a3c.envs import EnvSpec, action_size, make_env
from a3c.learners import Segment, make_learner
from a3c.models import build_model
from a3c.optim import clip_factor, grad_norm
from a3c.processes import DiagnosticsMessage, EpisodeMessage, Shared, add_frames, child_process

# Rewards are clipped to [-1, 1] for learning (protocol.clip_rewards) on Atari, the paper's rule;
# then multiplied by cfg.reward_scale (1 but for the TORCS stand-in: a3c/config.py).
CLIPPED_DOMAINS = ("atari",)


def worker_main(rank: int, cfg: TrainConfig, spec: EnvSpec, shared: Shared, seed: int) -> None:
    """Process entry point: run the loop; a failure is reported to the trainer (exit code 1)."""
    with child_process(shared, rank):
        Worker(rank, cfg, spec, shared, seed).run()


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
        self.clip_rewards = cfg.protocol.clip_rewards and spec.domain in CLIPPED_DOMAINS
        self.low = None if discrete else self.env.action_space.low
        self.high = None if discrete else self.env.action_space.high
        self.obs, info = self.env.reset(seed=seed)
        self.lives = info.get("lives")  # Atari only
        # Agent steps the environment took by itself (Protocol.fire_on_reset's FIRE presses),
        # counted in the frames with the next segment's.
        self.unseen_steps = info.get("unseen_steps", 0)
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
            frames = self.advance_counter(self.frames_taken(segment))
            self.shared.exit_if_orphaned()  # a worker never outlives its trainer (kill -9)

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
            self.unseen_steps += info.get("unseen_steps", 0)
            seg.obs.append(self.obs)
            seg.actions.append(action)
            reward = float(reward)
            seg.rewards.append(self.learning_reward(reward))
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

    def learning_reward(self, reward: float) -> float:
        """What the update learns from: the reward clipped to [-1, 1] (Atari), times reward_scale."""
        if self.clip_rewards:
            reward = min(max(reward, -1.0), 1.0)
        return reward * self.cfg.reward_scale

    def lost_life(self, info: dict) -> bool:
        """With Protocol.terminal_on_life_loss: did this step cost a life (the game not over)?"""
        lives = info.get("lives")
        lost = lives is not None and lives < self.lives
        self.lives = lives
        return lost

    def end_episode(self) -> None:
        self.shared.messages.put(EpisodeMessage(self.rank, self.shared.frames.value,
                                                self.episode_return, self.episode_length))
        self.obs, info = self.env.reset()
        self.lives = info.get("lives")
        self.unseen_steps += info.get("unseen_steps", 0)
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
                self.shared.messages.put(DiagnosticsMessage(self.rank, frames, diag.row(self.rank, lr, ratio)))

    def learning_rate(self, frames: int) -> float:
        return learning_rate(self.cfg, frames)

    def frames_taken(self, segment: Segment) -> int:
        """The emulator frames behind a segment: its steps and those the environment took by itself."""
        steps, self.unseen_steps = len(segment.rewards) + self.unseen_steps, 0
        return steps * self.spec.frames_per_step

    def advance_counter(self, n: int) -> int:
        """Add this segment's n frames to the global counter and return its new value. The worker
        whose own addition crosses a multiple of the interval refreshes the target network: one
        refresh per crossing (the others' additions in between are not this worker's to count)."""
        new = add_frames(self.shared.frames, n)
        self.maybe_refresh_target(new - n, new)
        return new

    def maybe_refresh_target(self, old: int, new: int) -> None:
        """Copy global -> target when the global counter crosses a multiple of the interval."""
        interval = self.cfg.target_update_frames
        if self.shared.target is not None and old // interval != new // interval:
            with torch.no_grad():
                for t, g in zip(self.shared.target.parameters(), self.shared.model.parameters()):
                    t.copy_(g)
