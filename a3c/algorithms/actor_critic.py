"""A3C's loss: policy gradient with advantage R - V, value regression, entropy bonus.

Per segment of up to t_max steps (the paper's Algorithm S3), summed over steps:
    policy  = -sum_i log pi(a_i|s_i) * (R_i - V(s_i))      (advantage treated as a constant)
    value   =  value_coef * sum_i (R_i - V(s_i))^2
    entropy = -beta * sum_i H(pi(.|s_i))                    (maximising entropy)
"""
from __future__ import annotations

import math

import torch
from torch.nn import functional as F

from a3c.algorithms.returns import n_step_returns


def softmax_terms(logits: torch.Tensor, actions: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """log pi(a_i|s_i) and the entropy H(pi(.|s_i)) of a softmax policy, each of shape (T,)."""
    log_probs = F.log_softmax(logits, dim=-1)
    entropy = -(log_probs.exp() * log_probs).sum(-1)
    return log_probs.gather(1, actions.long().view(-1, 1)).squeeze(1), entropy


def gaussian_terms(mu: torch.Tensor, var: torch.Tensor, actions: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """log N(a|mu, var) and the differential entropy of a diagonal Gaussian, each of shape (T,).

    `actions` are the unclipped samples: clipping to the action space happens in the environment
    only, so it never reaches the gradient.
    """
    log_prob = -0.5 * ((actions - mu) ** 2 / var + torch.log(2 * math.pi * var))
    entropy = 0.5 * torch.log(2 * math.pi * math.e * var)
    return log_prob.sum(-1), entropy.sum(-1)


def actor_critic_loss(log_probs: torch.Tensor, entropy: torch.Tensor, values: torch.Tensor,
                      rewards: torch.Tensor, bootstrap: float | torch.Tensor, gamma: float,
                      beta: float, value_coef: float) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """The summed A3C loss of one segment and its parts (detached 0-d tensors, for logging:
    no .item() here, so the training loop pays for no synchronisation it does not use).

    Every input is one value per step, shape (T,): a wrong shape would broadcast silently."""
    steps = log_probs.shape
    if not (len(steps) == 1 and entropy.shape == values.shape == rewards.shape == steps):  # survives `python -O`
        raise ValueError(f"per-step inputs of shape (T,): log_probs {tuple(log_probs.shape)}, entropy "
                         f"{tuple(entropy.shape)}, values {tuple(values.shape)}, rewards {tuple(rewards.shape)}")
    returns = n_step_returns(rewards, bootstrap, gamma)
    advantages = returns - values
    policy_loss = -(log_probs * advantages.detach()).sum()
    value_loss = value_coef * advantages.pow(2).sum()
    entropy_loss = -beta * entropy.sum()
    total = policy_loss + value_loss + entropy_loss
    parts = {"policy": policy_loss.detach(), "value": value_loss.detach(),
             "entropy": entropy.detach().mean()}
    return total, parts
