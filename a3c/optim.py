"""Shared RMSProp: one set of squared-gradient statistics g for all workers (the paper's
"shared RMSProp", protocol.md "Shared by all experiments"), applied lock-free (Hogwild):

    g     <- alpha * g + (1 - alpha) * grad^2
    theta <- theta - lr * grad / sqrt(g + eps)

The statistics are created eagerly in shared memory, so every worker process updates the same g.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence

import torch


class SharedRMSprop:
    """RMSProp whose statistics live in shared memory; `step` is called from any worker."""

    def __init__(self, params: Iterable[torch.Tensor], alpha: float = 0.99, eps: float = 0.1) -> None:
        self.params = list(params)
        self.alpha = alpha
        self.eps = eps
        self.square_avg = [torch.zeros_like(p).share_memory_() for p in self.params]
        self.steps = torch.zeros(1, dtype=torch.int64).share_memory_()
        if not all(p.is_shared() for p in self.params):
            raise ValueError("SharedRMSprop needs parameters in shared memory (model.share_memory())")

    def is_shared(self) -> bool:
        return all(s.is_shared() for s in self.square_avg) and self.steps.is_shared()

    @torch.no_grad()
    def step(self, grads: Sequence[torch.Tensor | None], lr: float) -> None:
        """Apply one update from a worker's local gradients to the shared parameters."""
        triples = [(p, g, d) for p, g, d in zip(self.params, self.square_avg, grads) if d is not None]
        params, stats, grads = (list(x) for x in zip(*triples))
        torch._foreach_mul_(stats, self.alpha)
        torch._foreach_addcmul_(stats, grads, grads, value=1 - self.alpha)
        denom = torch._foreach_add(stats, self.eps)
        torch._foreach_sqrt_(denom)
        torch._foreach_addcdiv_(params, grads, denom, value=-lr)
        self.steps += 1

    def state_dict(self) -> dict:
        return {"square_avg": [s.clone() for s in self.square_avg], "steps": self.steps.clone(),
                "alpha": self.alpha, "eps": self.eps}

    def load_state_dict(self, state: dict) -> None:
        for mine, saved in zip(self.square_avg, state["square_avg"]):
            mine.copy_(saved)
        self.steps.copy_(state["steps"])
