"""Discounted n-step returns over one rollout segment (the paper's Algorithm S3, backward view)."""
from __future__ import annotations

import torch


def n_step_returns(rewards: torch.Tensor, bootstrap: float | torch.Tensor, gamma: float) -> torch.Tensor:
    """R_i = r_i + gamma * R_{i+1}, with R_T = bootstrap (0 after a terminal state).

    `rewards` has shape (T,); the result has shape (T,) and carries no gradient.
    """
    returns = torch.empty_like(rewards, dtype=torch.float32)
    running = torch.as_tensor(bootstrap, dtype=torch.float32).detach()
    for i in range(rewards.shape[0] - 1, -1, -1):
        running = rewards[i] + gamma * running
        returns[i] = running
    return returns
