"""Training diagnostics of one worker: running sums over its updates, reported every N updates.

What a user watches to tell a learning run from a stuck or collapsing one before the score moves
(the first 4-8M frames of Pong sit at -21 whatever the setting): the policy's entropy, the value
and policy losses, the gradient norm before clipping and how often clipping fired, the learning
rate, the update-to-weight ratio, and the fraction of dead units: units of the torso's last ReLU
layer whose output did not change over an update's observations (off throughout, or blind because
the layers below them are dead). When all are dead the network outputs constants whatever it sees,
a collapse the entropy hides, since that constant policy may be uniform. Per update the worker
only adds a few floats it already has; the one extra cost, a copy of the local parameters for the
update-to-weight ratio, is paid on the last update of each window only. The trainer writes the
rows (diagnostics.csv, TensorBoard).
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import torch

# diagnostics.csv columns; the trainer adds frames, wall_time and fps.
FIELDS = ("frames", "wall_time", "worker", "updates", "lr", "loss", "policy_loss", "value_loss",
          "entropy", "q_mean", "grad_norm", "clip_fraction", "update_ratio", "dead_units", "fps")
# Loss parts a learner may report, by the name of their column.
PARTS = {"policy": "policy_loss", "value": "value_loss", "entropy": "entropy", "q": "q_mean",
         "dead": "dead_units"}


class Diagnostics:
    """Sums over the updates of the current window; `row()` ends the window."""

    def __init__(self, every: int) -> None:
        self.every = every
        self.updates = 0  # this worker process's updates since its launch (0 again after a resume)
        self.reset()

    def reset(self) -> None:
        self.count, self.clipped = 0, 0
        self.sums: dict[str, float] = {}
        self.counts: dict[str, int] = {}  # updates that reported each value (dead units: not 1-step ones)

    def due(self) -> bool:
        """Whether the next update ends the window (then measure the update-to-weight ratio)."""
        return self.count + 1 >= self.every

    def add(self, loss: float, parts: Mapping[str, Any], grad_norm: float, clipped: bool) -> None:
        self.updates += 1
        self.count += 1
        self.clipped += int(clipped)
        values = {"loss": loss, "grad_norm": grad_norm}
        values.update({PARTS[k]: float(v) for k, v in parts.items() if k in PARTS and v is not None})
        for key, value in values.items():
            self.sums[key] = self.sums.get(key, 0.0) + value
            self.counts[key] = self.counts.get(key, 0) + 1

    def row(self, worker: int, lr: float, update_ratio: float) -> dict[str, Any]:
        """The window's means, then a new window."""
        row = {key: total / self.counts[key] for key, total in self.sums.items()}
        row.update(worker=worker, updates=self.updates, lr=lr, update_ratio=update_ratio,
                   clip_fraction=self.clipped / self.count)
        self.reset()
        return row


def dead_fraction(features: torch.Tensor) -> torch.Tensor | None:
    """The fraction of units (columns of a (steps, units) ReLU output) whose output was the same at
    every step: off throughout, or fed only constants (every unit below them dead: the Pong runs
    of the lr_study lost all of conv1 while some fc units kept firing at a constant level). None
    for a single step, where every unit is trivially constant."""
    features = features.detach().flatten(1)
    if features.shape[0] < 2:
        return None
    return (features.amax(0) == features.amin(0)).float().mean()


def snapshot(params: Sequence[torch.Tensor]) -> list[torch.Tensor]:
    return [p.detach().clone() for p in params]


def update_ratio(before: Sequence[torch.Tensor], after: Sequence[torch.Tensor]) -> float:
    """||theta_after - theta_before|| / ||theta_before||, over all parameters."""
    with torch.no_grad():
        change = sum(float(torch.sum((a - b) ** 2)) for a, b in zip(after, before))
        size = sum(float(torch.sum(b ** 2)) for b in before)
    return math.sqrt(change) / max(math.sqrt(size), 1e-12)


class HealthCheck:
    """Flags a run that is failing without a NaN, from its diagnostics rows (trainer side):

    - policy collapse (discrete policies): the entropy stays below 1% of its maximum, log(actions),
      for `patience` rows in a row: the policy acts deterministically and has stopped exploring;
    - value explosion: the value loss stays above 100x the median of all earlier rows for
      `patience` rows in a row (after `patience` rows of history).
    - dead network: every unit of the torso's last ReLU layer gave the same output for every
      observation of every update, for `patience` rows in a row: the network outputs constants
      whatever it sees (seen in the lr_study: Breakout at lr 1.5e-3 / eps 1e-8, every fc unit
      off; Pong at lr 5e-4 / eps 1e-8, every conv1 channel off).

    Each finding is logged once as a WARNING and listed in final.json["health"]."""

    COLLAPSE_FRACTION, EXPLOSION_FACTOR = 0.01, 100.0

    def __init__(self, n_actions: int | None, patience: int = 20) -> None:
        self.entropy_floor = self.COLLAPSE_FRACTION * math.log(n_actions) if n_actions and n_actions > 1 else None
        self.patience = patience
        self.low_entropy_rows = 0
        self.dead_rows = 0
        self.value_losses: list[float] = []
        self.findings: dict[str, str] = {}

    def add(self, row: Mapping[str, Any]) -> str | None:
        """Feed one diagnostics row; returns a new finding's message, if this row made one."""
        frame = f"at frame {int(row.get('frames') or 0):,}"
        found = [self.check_collapse(row.get("entropy"), frame), self.check_explosion(row.get("value_loss"), frame),
                 self.check_dead(row.get("dead_units"), frame)]
        return next((message for message in found if message), None)

    def check_collapse(self, entropy: float | None, frame: str) -> str | None:
        if self.entropy_floor is None or entropy is None:
            return None
        self.low_entropy_rows = self.low_entropy_rows + 1 if entropy < self.entropy_floor else 0
        if self.low_entropy_rows < self.patience:
            return None
        return self.found("policy_collapse", f"policy entropy below {self.entropy_floor:.4f} nats (1% of "
                          f"its maximum) for {self.patience} diagnostics rows in a row, {frame}: the policy "
                          "has collapsed")

    def check_explosion(self, value: float | None, frame: str) -> str | None:
        if value is None:
            return None
        self.value_losses.append(float(value))
        if len(self.value_losses) <= 2 * self.patience:
            return None
        earlier = sorted(self.value_losses[:-self.patience])
        baseline = earlier[len(earlier) // 2]
        if baseline <= 0 or min(self.value_losses[-self.patience:]) <= self.EXPLOSION_FACTOR * baseline:
            return None
        return self.found("value_explosion", f"value loss above {self.EXPLOSION_FACTOR:g}x its median "
                          f"({baseline:.3g}) for {self.patience} rows in a row, {frame}")

    def check_dead(self, dead: float | None, frame: str) -> str | None:
        if dead is None:
            return None
        self.dead_rows = self.dead_rows + 1 if dead >= 1.0 else 0
        if self.dead_rows < self.patience:
            return None
        return self.found("dead_network", f"every unit of the torso's last layer constant over every update's "
                          f"observations for {self.patience} diagnostics rows in a row, {frame}: the network "
                          "outputs the same whatever it sees")

    def found(self, kind: str, message: str) -> str | None:
        if kind in self.findings:
            return None
        self.findings[kind] = message
        return message

    def summary(self) -> dict[str, Any]:
        return {"ok": not self.findings, "warnings": list(self.findings.values()),
                "flags": sorted(self.findings)}
