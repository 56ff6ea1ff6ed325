"""Training diagnostics of one worker: running sums over its updates, reported every N updates.

What a user watches to tell a learning run from a stuck or collapsing one before the score moves
(the first 4-8M frames of Pong sit at -21 whatever the setting): the policy's entropy, the value
and policy losses, the gradient norm before clipping and how often clipping fired, the learning
rate, and the update-to-weight ratio. Per update the worker only adds a few floats it already has;
the one extra cost, a copy of the local parameters for the update-to-weight ratio, is paid on the
last update of each window only. The trainer writes the rows (diagnostics.csv, TensorBoard).
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import torch

# diagnostics.csv columns; the trainer adds frames, wall_time and fps.
FIELDS = ("frames", "wall_time", "worker", "updates", "lr", "loss", "policy_loss", "value_loss",
          "entropy", "q_mean", "grad_norm", "clip_fraction", "update_ratio", "fps")
# Loss parts a learner may report, by the name of their column.
PARTS = {"policy": "policy_loss", "value": "value_loss", "entropy": "entropy", "q": "q_mean"}


class Diagnostics:
    """Sums over the updates of the current window; `row()` ends the window."""

    def __init__(self, every: int) -> None:
        self.every = every
        self.updates = 0  # this worker's updates since it started
        self.reset()

    def reset(self) -> None:
        self.count, self.clipped = 0, 0
        self.sums: dict[str, float] = {}

    def due(self) -> bool:
        """Whether the next update ends the window (then measure the update-to-weight ratio)."""
        return self.count + 1 >= self.every

    def add(self, loss: float, parts: Mapping[str, Any], grad_norm: float, clipped: bool) -> None:
        self.updates += 1
        self.count += 1
        self.clipped += int(clipped)
        values = {"loss": loss, "grad_norm": grad_norm}
        values.update({PARTS[k]: float(v) for k, v in parts.items() if k in PARTS})
        for key, value in values.items():
            self.sums[key] = self.sums.get(key, 0.0) + value

    def row(self, worker: int, lr: float, update_ratio: float) -> dict[str, Any]:
        """The window's means, then a new window."""
        row = {key: total / self.count for key, total in self.sums.items()}
        row.update(worker=worker, updates=self.updates, lr=lr, update_ratio=update_ratio,
                   clip_fraction=self.clipped / self.count)
        self.reset()
        return row


def snapshot(params: Sequence[torch.Tensor]) -> list[torch.Tensor]:
    return [p.detach().clone() for p in params]


def update_ratio(before: Sequence[torch.Tensor], after: Sequence[torch.Tensor]) -> float:
    """||theta_after - theta_before|| / ||theta_before||, over all parameters."""
    with torch.no_grad():
        change = sum(float(torch.sum((a - b) ** 2)) for a, b in zip(after, before))
        size = sum(float(torch.sum(b ** 2)) for b in before)
    return math.sqrt(change) / max(math.sqrt(size), 1e-12)
