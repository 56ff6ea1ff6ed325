"""A3C FF on Atari: the segment's gradient from the activations its acting pass computed.

Within a segment the local network does not change (it is synced at the segment's start and
updated only after it), so the forward pass that chose each action already computed every
activation the loss needs. The generic path (learners.ActorCriticLearner + autograd) runs the
network a second time over the segment and lets autograd differentiate it; this module keeps the
acting pass's activations instead and backpropagates through the paper's network by hand:

    x -> conv1 8x8/4 -> ReLU -> conv2 4x4/2 -> ReLU -> fc 256 -> ReLU -> {policy logits, value}

The gradient is the same (tests/a3c/test_replay_grad.py checks it against autograd); the
second forward and the autograd bookkeeping are gone, which is ~40% of a worker's network time.
Only V(s_{t+n}), the bootstrap, needs one extra forward (no gradient).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
from torch.nn import functional as F

from a3c.algorithms.returns import n_step_returns
from a3c.diagnostics import dead_fraction
from a3c.models import ActorCritic, AtariTorso
from a3c.optim import Gradient, OuterSum


def supports(model: torch.nn.Module) -> bool:
    """True for the paper's feed-forward Atari actor-critic (no LSTM)."""
    return (isinstance(model, ActorCritic) and isinstance(model.torso, AtariTorso)
            and model.core.lstm is None)


@dataclass
class Trace:
    """Activations of the acting passes of one segment, one entry per step."""

    x: list[torch.Tensor] = field(default_factory=list)  # (1, 4, 84, 84) float input
    h1: list[torch.Tensor] = field(default_factory=list)  # (1, 16, 20, 20) after ReLU
    h2: list[torch.Tensor] = field(default_factory=list)  # (1, 32, 9, 9) after ReLU
    h3: list[torch.Tensor] = field(default_factory=list)  # (1, 256) after ReLU
    logits: list[torch.Tensor] = field(default_factory=list)  # (1, actions)
    value: list[torch.Tensor] = field(default_factory=list)  # (1,)

    def __len__(self) -> int:
        return len(self.x)

    def clear(self) -> None:
        for name in ("x", "h1", "h2", "h3", "logits", "value"):
            getattr(self, name).clear()


def forward(model: ActorCritic, obs: np.ndarray, trace: Trace | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """(logits, value) of one observation, the activations appended to `trace` if given.

    The same arithmetic as ActorCritic.forward; call it with gradients disabled."""
    torso = model.torso
    # channels_last throughout: oneDNN's convolution backward is ~2x faster in that layout
    x = torch.from_numpy(obs).unsqueeze(0).to(memory_format=torch.channels_last, dtype=torch.float32)
    x.div_(255.0)
    h1 = F.conv2d(x, torso.conv1.weight, torso.conv1.bias, torso.conv1.stride).relu_()
    h2 = F.conv2d(h1, torso.conv2.weight, torso.conv2.bias, torso.conv2.stride).relu_()
    h3 = F.linear(h2.reshape(1, -1), torso.fc.weight, torso.fc.bias).relu_()
    logits = F.linear(h3, model.policy.weight, model.policy.bias)
    value = F.linear(h3, model.value.weight, model.value.bias).view(1)
    if trace is not None:
        for name, tensor in (("x", x), ("h1", h1), ("h2", h2), ("h3", h3), ("logits", logits), ("value", value)):
            getattr(trace, name).append(tensor)
    return logits, value


@torch.no_grad()
def gradients(model: ActorCritic, trace: Trace, actions: list[int], rewards: list[float],
              bootstrap: float, gamma: float, beta: float, value_coef: float
              ) -> tuple[list[Gradient], torch.Tensor, dict[str, torch.Tensor]]:
    """d(loss)/d(parameter) for every parameter of `model` (in model.parameters() order; the fc
    layer's 2592x256 weight gradient as its factors, an optim.OuterSum), the loss and its parts
    (as actor_critic_loss reports them), for the A3C
    loss of actor_critic.actor_critic_loss:

        -sum log pi(a|s) (R - V)  +  value_coef sum (R - V)^2  -  beta sum H(pi(.|s))
    """
    torso = model.torso
    steps = len(trace)
    logits, values = torch.cat(trace.logits), torch.cat(trace.value)
    if not (len(actions) == len(rewards) == steps and logits.shape == (steps, model.policy.out_features)
            and values.shape == (steps,)):  # raised, not asserted: `python -O` must not drop it
        raise ValueError(f"{steps} traced steps, {len(actions)} actions, {len(rewards)} rewards, "
                         f"logits {tuple(logits.shape)}, values {tuple(values.shape)}")
    log_p = F.log_softmax(logits, -1)
    p = log_p.exp()
    entropy = -(p * log_p).sum(-1)
    returns = n_step_returns(rewards, bootstrap, gamma)
    adv = returns - values
    taken = torch.tensor(actions, dtype=torch.long).view(-1, 1)
    policy_loss = -(log_p.gather(1, taken).squeeze(1) * adv).sum()
    value_loss = value_coef * adv.pow(2).sum()
    entropy_loss = -beta * entropy.sum()

    # d loss / d logits: policy -A (onehot - p); entropy beta p (log p + H). d loss / d V: -2c A.
    d_logits = p * (adv.unsqueeze(1) + beta * (log_p + entropy.unsqueeze(1)))
    d_logits.scatter_add_(1, taken, -adv.unsqueeze(1))
    d_value = (-2.0 * value_coef) * adv

    h3, h2 = torch.cat(trace.h3), torch.cat(trace.h2)
    h1, x = torch.cat(trace.h1), torch.cat(trace.x)
    d_h3 = torch.addmm(torch.outer(d_value, model.value.weight[0]), d_logits, model.policy.weight)
    d_h3 = torch.ops.aten.threshold_backward(d_h3, h3, 0.0)  # ReLU: zero where the unit was off
    flat_h2 = h2.reshape(steps, -1)  # (channel, row, column) order, as the fc weight
    d_h2 = (d_h3 @ torso.fc.weight).view(h2.shape).contiguous(memory_format=torch.channels_last)
    d_h2 = torch.ops.aten.threshold_backward(d_h2, h2, 0.0)
    d_h1, d_w2, d_b2 = torch.ops.aten.convolution_backward(
        d_h2, h1, torso.conv2.weight, [torso.conv2.out_channels], list(torso.conv2.stride), [0, 0],
        [1, 1], False, [0, 0], 1, [True, True, True])
    d_h1 = torch.ops.aten.threshold_backward(d_h1, h1, 0.0)
    _, d_w1, d_b1 = torch.ops.aten.convolution_backward(
        d_h1, x, torso.conv1.weight,
        [torso.conv1.out_channels], list(torso.conv1.stride), [0, 0], [1, 1], False, [0, 0], 1,
        [False, True, True])
    grads = [d_w1, d_b1, d_w2, d_b2, OuterSum(d_h3, flat_h2), d_h3.sum(0),
             d_logits.t() @ h3, d_logits.sum(0), d_value.unsqueeze(0) @ h3, d_value.sum(0, keepdim=True)]
    parts = {"policy": policy_loss, "value": value_loss, "entropy": entropy.mean(), "dead": dead_fraction(h3)}
    return grads, policy_loss + value_loss + entropy_loss, parts
