"""Targets of the three asynchronous value-based methods (the paper's Algorithms 1 and S2).

Each takes the segment's rewards (T,), the target network's Q-values where it needs them, and
whether the segment ended in a terminal state (terminal states bootstrap from 0). The loss is
sum_i (y_i - Q(s_i, a_i))^2 over the segment: gradients accumulated over I_AsyncUpdate steps.
"""
from __future__ import annotations

import torch

from a3c.algorithms.returns import n_step_returns


def _not_terminal(n: int, terminal: bool) -> torch.Tensor:
    mask = torch.ones(n)
    if terminal:
        mask[-1] = 0.0
    return mask


def one_step_q_targets(rewards: torch.Tensor, next_q_target: torch.Tensor, terminal: bool,
                       gamma: float) -> torch.Tensor:
    """y_i = r_i + gamma * max_a' Q(s_{i+1}, a'; target); next_q_target has shape (T, A)."""
    best = next_q_target.max(dim=1).values
    return rewards + gamma * best * _not_terminal(len(rewards), terminal)


def one_step_sarsa_targets(rewards: torch.Tensor, next_q_target: torch.Tensor,
                           next_actions: torch.Tensor, terminal: bool, gamma: float) -> torch.Tensor:
    """y_i = r_i + gamma * Q(s_{i+1}, a_{i+1}; target), a_{i+1} the action actually taken next."""
    taken = next_q_target.gather(1, next_actions.long().view(-1, 1)).squeeze(1)
    return rewards + gamma * taken * _not_terminal(len(rewards), terminal)


def n_step_q_targets(rewards: torch.Tensor, bootstrap_q_target: torch.Tensor, terminal: bool,
                     gamma: float) -> torch.Tensor:
    """Backward view: R = max_a Q(s_{t+n}, a; target) (0 if terminal); R_i = r_i + gamma R_{i+1}."""
    bootstrap = 0.0 if terminal else bootstrap_q_target.max().item()
    return n_step_returns(rewards, bootstrap, gamma)


def q_loss(q_taken: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """sum_i (y_i - Q(s_i, a_i))^2, the targets held constant; both of shape (T,)."""
    if not (q_taken.dim() == 1 and q_taken.shape == targets.shape):  # raised: `python -O` must not drop it
        raise ValueError(f"Q(s_i, a_i) {tuple(q_taken.shape)} and targets {tuple(targets.shape)} must both be (T,)")
    return (targets.detach() - q_taken).pow(2).sum()
