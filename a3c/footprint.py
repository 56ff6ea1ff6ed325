"""Memory of a run's processes, per domain: the one copy of these figures, read by the trainer's
check before a run starts (a3c/trainer.py) and by the workflow's SLURM memory requests
(workflows/budget.py).

Measured as PSS (proportional set size: shared pages split between the processes sharing them, so
the figures add up) with `python benchmarks/memory.py --seconds 60`, 2 workers, A3C FF, on the
2-core dev machine on 2026-12-02: the largest worker or evaluator and the trainer, rounded up to
10 MB; Atari and the trainer take the larger figures of an earlier 20M-frame Pong run (worker
277 MB, trainer 222 MB), since a process grows a little over a long run. A worker and the
evaluator each hold an environment and a network, so both are counted at the larger figure.
"""
from __future__ import annotations

# One worker (or the evaluator), MB of PSS, by domain. Measured: Pong 235 (277 over a long run),
# CarRacing 244, Maze 1,601 (dm_control and the OSMesa-rendered maze), HalfCheetah 246, CartPole 222.
PROCESS_MB = {"atari": 280, "driving": 250, "maze": 1610, "mujoco": 250, "control": 230}
TRAINER_MB = 230  # the trainer process (shared networks, logs, TensorBoard writer): 198-224 measured


def run_mb(domain: str, workers: int) -> int:
    """Memory of one run: the trainer, its workers and its evaluator, MB of PSS."""
    return TRAINER_MB + PROCESS_MB[domain] * (workers + 1)
