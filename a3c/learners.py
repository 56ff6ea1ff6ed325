"""The seam between the worker loop and the algorithms: the Learner protocol.

A learner knows how an algorithm acts and which gradient it computes from a rollout segment; the
worker only rolls out and applies gradients, whatever learner it holds, and the evaluator only
asks it for actions. make_learner picks the learner for a config:

- ActorCriticLearner: A3C with a softmax or Gaussian policy, its gradient by autograd over
  actor_critic.actor_critic_loss;
- ReplayActorCriticLearner: A3C FF on Atari, the same gradient from the acting pass's activations
  (a3c/replay_grad.py), without autograd;
- ValueLearner: 1-step Q, 1-step SARSA and n-step Q, epsilon-greedy, target-network targets.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import torch
from torch import nn

from a3c import replay_grad
from a3c.algorithms import actor_critic, value_based
from a3c.config import TrainConfig
from a3c.diagnostics import dead_fraction
from a3c.models import State
from a3c.optim import Gradient

# d(loss)/d(parameter) for model.parameters() (None where unused), the loss, and its parts for the
# diagnostics (detached 0-d tensors, named as in a3c.diagnostics.PARTS).
Gradients = tuple[list[Gradient | None], torch.Tensor, dict[str, torch.Tensor]]


@dataclass
class Segment:
    """Up to t_max transitions of one worker (never crossing an episode boundary)."""

    obs: list[np.ndarray] = field(default_factory=list)
    actions: list = field(default_factory=list)
    rewards: list[float] = field(default_factory=list)  # clipped for learning where the protocol says
    state0: State = None  # recurrent state at the segment's first observation
    last_obs: np.ndarray | None = None  # s_{t+n}, the bootstrap observation
    last_state: State = None  # recurrent state at last_obs
    terminal: bool = False  # the episode terminated (bootstrap from 0)
    truncated: bool = False  # the episode was cut by a time limit
    next_action: object = None  # SARSA: the action actually taken at last_obs


class Learner(Protocol):
    """What the worker and the evaluator need of an algorithm (one learner per process)."""

    # The segment must carry the action chosen at its last observation (SARSA bootstraps on it).
    needs_next_action: bool

    def act(self, model: nn.Module, obs: np.ndarray, state: State, frames: int,
            deterministic: bool = False) -> tuple[Any, State]:
        """An action for `obs` (an int, or an unclipped np.ndarray for a Gaussian policy) and the
        next recurrent state. `frames`: the global frame count (exploration schedules).
        deterministic: the policy's mode or mean instead of a sample (evaluation of Gaussian
        policies); a learner without such a choice ignores it."""
        ...

    def gradients(self, model: nn.Module, target: nn.Module | None, seg: Segment) -> Gradients:
        """The gradient of the algorithm's loss over `seg` for model's parameters."""
        ...


def as_batch(obs: list[np.ndarray] | np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.asarray(obs))


def _detach(state: State) -> State:
    """A copy of a recurrent state usable under autograd (acting runs in inference mode)."""
    return None if state is None else (state[0].clone(), state[1].clone())


def autograd_gradients(model: nn.Module, loss: torch.Tensor, parts: dict[str, torch.Tensor]) -> Gradients:
    """Differentiate `loss` with autograd: the gradient of every learner but the replay one."""
    model.zero_grad(set_to_none=True)
    loss.backward()
    return [p.grad for p in model.parameters()], loss.detach(), parts


def with_dead_units(parts: dict[str, torch.Tensor], out: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """The loss parts plus the dead-unit fraction of the torso's output, where the model gives one."""
    if "features" in out:
        parts["dead"] = dead_fraction(out["features"])
    return parts


def needs_bootstrap(seg: Segment, bootstrap_truncated: bool) -> bool:
    """Whether R starts from V(s_{t+n}): not after a terminal state, nor after a time limit where
    the domain does no bootstrapping (MuJoCo)."""
    return not seg.terminal and (bootstrap_truncated or not seg.truncated)


class ActorCriticLearner:
    """A3C with a softmax (discrete) or Gaussian (continuous) policy; gradient by autograd."""

    needs_next_action = False

    def __init__(self, cfg: TrainConfig, rng: np.random.Generator, discrete: bool,
                 bootstrap_truncated: bool = True) -> None:
        self.cfg = cfg
        self.rng = rng
        self.discrete = discrete
        self.bootstrap_truncated = bootstrap_truncated

    @torch.inference_mode()
    def act(self, model: nn.Module, obs: np.ndarray, state: State, frames: int,
            deterministic: bool = False) -> tuple[object, State]:
        """Sample from the policy; deterministic: its mode (softmax) or mean (Gaussian)."""
        out, state = model(as_batch(obs[None]), state)
        if self.discrete:
            if deterministic:
                return int(out["logits"].argmax(-1)), state
            return sample_categorical(out["logits"][0], self.rng), state
        if deterministic:
            return out["mu"][0].numpy(), state
        return torch.normal(out["mu"], out["var"].sqrt())[0].numpy(), state

    def gradients(self, model: nn.Module, target: nn.Module | None, seg: Segment) -> Gradients:
        loss, parts = self.loss(model, target, seg)
        return autograd_gradients(model, loss, parts)

    def loss(self, model: nn.Module, target: nn.Module | None, seg: Segment) -> tuple[torch.Tensor, dict]:
        out, bootstrap = self.outputs(model, seg, needs_bootstrap(seg, self.bootstrap_truncated))
        actions = torch.as_tensor(np.asarray(seg.actions))
        if self.discrete:
            log_probs, entropy = actor_critic.softmax_terms(out["logits"], actions)
        else:
            log_probs, entropy = actor_critic.gaussian_terms(out["mu"], out["var"], actions.float())
        rewards = torch.as_tensor(seg.rewards, dtype=torch.float32)
        loss, parts = actor_critic.actor_critic_loss(log_probs, entropy, out["value"], rewards, bootstrap,
                                                     self.cfg.gamma, self.cfg.beta, self.cfg.value_coef)
        return loss, with_dead_units(parts, out)

    @staticmethod
    def outputs(model: nn.Module, seg: Segment, bootstrap_needed: bool) -> tuple[dict, torch.Tensor | float]:
        """Outputs for the segment's observations and, if needed, V(s_{t+n}) (no gradient).

        A feed-forward network scores s_{t+n} in the same batch as the segment.
        """
        if seg.state0 is None and bootstrap_needed:
            out = model(as_batch(seg.obs + [seg.last_obs]), None)[0]
            bootstrap = out["value"][-1].detach()
            return {k: v[:-1] for k, v in out.items()}, bootstrap
        out = model(as_batch(seg.obs), _detach(seg.state0))[0]  # one unroll over the segment
        if not bootstrap_needed:
            return out, 0.0
        with torch.no_grad():
            return out, model(as_batch(seg.last_obs[None]), _detach(seg.last_state))[0]["value"][0]


class ReplayActorCriticLearner:
    """A3C FF on Atari, its gradient from the acting pass's activations (a3c/replay_grad.py):
    the same gradient as ActorCriticLearner's, without a second forward pass or autograd. Every
    action it takes is traced for the gradient of the segment it belongs to."""

    needs_next_action = False

    def __init__(self, cfg: TrainConfig, rng: np.random.Generator) -> None:
        self.cfg = cfg
        self.rng = rng
        self.trace = replay_grad.Trace()

    @torch.inference_mode()
    def act(self, model: nn.Module, obs: np.ndarray, state: State, frames: int,
            deterministic: bool = False) -> tuple[object, State]:
        logits, _ = replay_grad.forward(model, obs, self.trace)
        if deterministic:
            return int(logits.argmax(-1)), None
        return sample_categorical(logits[0], self.rng), None

    def gradients(self, model: nn.Module, target: nn.Module | None, seg: Segment) -> Gradients:
        if len(self.trace) != len(seg.actions):
            raise RuntimeError(f"{len(self.trace)} traced acting passes for a segment of "
                               f"{len(seg.actions)} steps: every step must be acted by this learner")
        bootstrap = 0.0
        if needs_bootstrap(seg, bootstrap_truncated=True):
            with torch.inference_mode():
                bootstrap = float(replay_grad.forward(model, seg.last_obs)[1])
        grads, loss, parts = replay_grad.gradients(model, self.trace, seg.actions, seg.rewards, bootstrap,
                                                   self.cfg.gamma, self.cfg.beta, self.cfg.value_coef)
        self.trace.clear()
        return grads, loss, parts


class ValueLearner:
    """1-step Q, 1-step SARSA and n-step Q: epsilon-greedy acting, target-network targets.

    In training, worker `rank` anneals epsilon from 1 to its final value (final_epsilon_for_rank);
    a learner made for evaluation acts with the protocol's eval_epsilon throughout."""

    def __init__(self, cfg: TrainConfig, rank: int, rng: np.random.Generator, evaluation: bool = False) -> None:
        self.cfg = cfg
        self.rng = rng
        self.final_epsilon = final_epsilon_for_rank(cfg, rank)
        self.fixed_epsilon = cfg.protocol.eval_epsilon if evaluation else None
        self.needs_next_action = cfg.algo == "one-step-sarsa"

    def epsilon(self, frames: int) -> float:
        return epsilon_at(frames, self.final_epsilon, self.cfg.epsilon_anneal_frames)

    @torch.inference_mode()
    def act(self, model: nn.Module, obs: np.ndarray, state: State, frames: int,
            deterministic: bool = False) -> tuple[int, State]:
        """Epsilon-greedy (epsilon-greedy in evaluation too, whatever `deterministic` says)."""
        eps = self.epsilon(frames) if self.fixed_epsilon is None else self.fixed_epsilon
        q = model(as_batch(obs[None]), None)[0]["q"][0]
        if self.rng.random() < eps:
            return int(self.rng.integers(q.shape[0])), None
        return int(q.argmax()), None

    def gradients(self, model: nn.Module, target: nn.Module | None, seg: Segment) -> Gradients:
        loss, parts = self.loss(model, target, seg)
        return autograd_gradients(model, loss, parts)

    def loss(self, model: nn.Module, target: nn.Module, seg: Segment) -> tuple[torch.Tensor, dict]:
        out = model(as_batch(seg.obs), None)[0]
        q = out["q"]
        actions = torch.as_tensor(seg.actions, dtype=torch.long)
        q_taken = q.gather(1, actions.view(-1, 1)).squeeze(1)
        targets = self.targets(target, seg)
        return value_based.q_loss(q_taken, targets), with_dead_units({"q": q_taken.detach().mean()}, out)

    @torch.no_grad()
    def targets(self, target: nn.Module, seg: Segment) -> torch.Tensor:
        rewards = torch.as_tensor(seg.rewards, dtype=torch.float32)
        gamma, terminal = self.cfg.gamma, seg.terminal
        if self.cfg.algo == "n-step-q":
            bootstrap_q = target(as_batch(seg.last_obs[None]), None)[0]["q"][0]
            return value_based.n_step_q_targets(rewards, bootstrap_q, terminal, gamma)
        next_obs = as_batch(seg.obs[1:] + [seg.last_obs])
        next_q = target(next_obs, None)[0]["q"]
        if self.cfg.algo == "one-step-q":
            return value_based.one_step_q_targets(rewards, next_q, terminal, gamma)
        if seg.next_action is None and not terminal:
            raise RuntimeError("SARSA needs the action taken at the segment's last observation")
        last = 0 if seg.next_action is None else seg.next_action  # terminal: masked out
        next_actions = torch.as_tensor(seg.actions[1:] + [last], dtype=torch.long)
        return value_based.one_step_sarsa_targets(rewards, next_q, next_actions, terminal, gamma)


def sample_categorical(logits: torch.Tensor, rng: np.random.Generator) -> int:
    """Draw an action from softmax(logits) by inverting the CDF (cheaper than torch.multinomial)."""
    cdf = np.cumsum(torch.softmax(logits, -1).numpy())
    return min(int(np.searchsorted(cdf, rng.random() * cdf[-1], side="right")), len(cdf) - 1)


def final_epsilons_for(workers: int, values: tuple[float, ...], probs: tuple[float, ...]) -> list[float]:
    """The final epsilon of each of `workers` ranks: the paper's mix ({0.1, 0.01, 0.5} w.p.
    {0.4, 0.3, 0.3}, each thread drawing its own) stratified over the ranks instead of drawn, so
    any worker count gets the mix as closely as it can (largest-remainder apportionment; ties go
    to the value listed first), and interleaved so the first ranks already cover every value:
    1 worker -> [0.1]; 2 -> [0.1, 0.01]; 3 -> [0.1, 0.01, 0.5]; 16 -> six 0.1, five 0.01, five 0.5.
    (Drawn at random, two workers share one value with probability 0.34.)"""
    quotas = [p * workers for p in probs]
    counts = [int(q) for q in quotas]
    by_remainder = sorted(range(len(values)), key=lambda i: (-(quotas[i] - counts[i]), i))
    for i in by_remainder[: workers - sum(counts)]:
        counts[i] += 1
    order: list[float] = []
    while len(order) < workers:
        for i, value in enumerate(values):
            if counts[i]:
                order.append(float(value))
                counts[i] -= 1
    return order


def final_epsilon_for_rank(cfg: TrainConfig, rank: int) -> float:
    """Worker `rank`'s final epsilon (see final_epsilons_for)."""
    mix = final_epsilons_for(cfg.workers, cfg.final_epsilons, cfg.final_epsilon_probs)
    return mix[rank % len(mix)]


def epsilon_at(frames: int, final: float, anneal_frames: int) -> float:
    """Linear annealing from 1 to `final` over the first `anneal_frames` global frames."""
    fraction = min(1.0, frames / anneal_frames) if anneal_frames > 0 else 1.0
    return 1.0 + (final - 1.0) * fraction


def make_learner(cfg: TrainConfig, rank: int, rng: np.random.Generator, discrete: bool, domain: str,
                 model: nn.Module | None = None, evaluation: bool = False) -> Learner:
    """The learner for cfg.algo in worker `rank`. Given the worker's `model`, A3C FF on Atari
    reuses its acting pass for the gradient (unless cfg.reuse_acting_pass is off); a learner for
    `evaluation` acts by the evaluation protocol and never learns."""
    if cfg.algo == "a3c" and cfg.reuse_acting_pass and not evaluation and model is not None \
            and replay_grad.supports(model):
        return ReplayActorCriticLearner(cfg, rng)
    if cfg.algo in ("a3c", "a3c-lstm"):
        # MuJoCo: the paper does no bootstrapping; each episode is one update.
        return ActorCriticLearner(cfg, rng, discrete, bootstrap_truncated=domain != "mujoco")
    return ValueLearner(cfg, rank, rng, evaluation)
