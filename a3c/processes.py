"""Process plumbing shared by the trainer, its workers and its evaluator (nothing about learning).

- Shared: what the trainer shares with its processes (the global network, the optimizer's
  statistics, the frame counter, the message queue, the stop event), and the one check that the
  trainer is still alive.
- child_process: how every worker and evaluator process starts (one compute thread, Ctrl-C and
  SIGTERM left to the trainer) and fails (its traceback sent to the trainer, exit code 1).
- The messages a process sends the trainer, as small named types.
- Launch: the processes of one segment of a run, started together, polled and stopped together.
"""
from __future__ import annotations

import contextlib
import os
import queue
import signal
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from typing import Any, NamedTuple

import torch
from torch import nn

from a3c.optim import SharedRMSprop

STOP_GRACE_SECONDS = 5.0  # a process asked to stop that has not within this is killed


class TrainingError(RuntimeError):
    """A worker died, a loss went NaN, or the evaluator failed: the run stopped."""


# ----- messages: process -> trainer -----

class EpisodeMessage(NamedTuple):
    """A worker's training episode ended."""

    rank: int
    frames: int  # the global frame counter when it ended
    episode_return: float  # raw score (unclipped)
    length: int  # agent steps


class EvalMessage(NamedTuple):
    """The evaluator scored a snapshot of the global network (evaluate.summarize plus frames, wall_time)."""

    result: dict[str, Any]


class DiagnosticsMessage(NamedTuple):
    """A worker's training-diagnostics row (a3c/diagnostics.py), every diagnostics_every updates."""

    rank: int
    frames: int
    row: dict[str, Any]


class ErrorMessage(NamedTuple):
    """A process failed; the trainer stops the run with this traceback."""

    who: int | str  # a worker's rank, or "evaluator"
    traceback: str


Message = EpisodeMessage | EvalMessage | DiagnosticsMessage | ErrorMessage


# ----- what every process shares -----

@dataclass
class Shared:
    """Everything the trainer shares with its processes (all picklable under spawn)."""

    model: nn.Module  # the global network, in shared memory
    optimizer: SharedRMSprop
    target: nn.Module | None  # shared target network (value-based methods)
    frames: Any  # multiprocessing.Value('q'): the global frame counter
    messages: Any  # multiprocessing.Queue of Message: processes -> trainer
    stop: Any  # multiprocessing.Event: set by the trainer to stop everyone
    parent_pid: int  # the trainer

    def parent_alive(self) -> bool:
        """False once the trainer died (e.g. kill -9): this process was re-parented. A process
        must never outlive its run; getppid is a ~1 us system call."""
        return os.getppid() == self.parent_pid

    def exit_if_orphaned(self) -> None:
        if not self.parent_alive():
            raise SystemExit(3)


def add_frames(counter: Any, n: int) -> int:
    """Add n to the global frame counter; return its new value."""
    with counter.get_lock():
        counter.value += n
        return counter.value


# ----- how every child process starts and fails -----

def one_thread() -> None:
    """One compute thread in this process: torch's and OpenCV's (the Atari preprocessing resizes
    screens with cv2, whose pool would otherwise start a thread per core in every worker)."""
    torch.set_num_threads(1)
    try:
        import cv2
    except ImportError:  # MuJoCo-only installs
        return
    cv2.setNumThreads(1)


def ignore_interrupts() -> None:
    """Ctrl-C and a group-wide SIGTERM reach every process: the trainer alone handles them
    (checkpoint, then it stops the workers through the stop event, or kills them)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


@contextlib.contextmanager
def child_process(shared: Shared, who: int | str) -> Iterator[None]:
    """The body of a worker or evaluator process: one thread, signals left to the trainer; a
    failure is reported to the trainer (ErrorMessage) and exits with code 1. An orphan does not
    wait at exit for the queue's feeder: nobody reads the messages it still holds."""
    ignore_interrupts()
    one_thread()
    try:
        yield
    except Exception:
        shared.messages.put(ErrorMessage(who, traceback.format_exc()))
        raise SystemExit(1) from None
    finally:
        if not shared.parent_alive():
            shared.messages.cancel_join_thread()


# ----- the trainer's side -----

class Launch:
    """The worker processes and the evaluator of one segment of a run, sharing `shared`."""

    def __init__(self, shared: Shared, workers: list[BaseProcess], evaluator: BaseProcess | None) -> None:
        self.shared, self.workers, self.evaluator = shared, workers, evaluator

    @classmethod
    def start(cls, ctx: Any, shared: Shared, workers: list[tuple[Callable, tuple]],
              evaluator: tuple[Callable, tuple]) -> Launch:
        """Start worker k as workers[k] = (target, args) named worker-k, then the evaluator. If one
        fails to start (e.g. out of memory), those already started are killed before the error
        propagates: they ignore SIGTERM, and the interpreter's exit would wait for them otherwise."""
        launch = cls(shared, [], None)
        try:
            for rank, (target, args) in enumerate(workers):
                launch.workers.append(launch.spawn(ctx, target, args, f"worker-{rank}"))
            launch.evaluator = launch.spawn(ctx, *evaluator, "evaluator")
        except BaseException:
            launch.stop(at_once=True)
            raise
        return launch

    @staticmethod
    def spawn(ctx: Any, target: Callable, args: tuple, name: str) -> BaseProcess:
        proc = ctx.Process(target=target, name=name, daemon=True, args=args)
        proc.start()
        return proc

    @property
    def processes(self) -> list[BaseProcess]:
        """The workers and the evaluator (once started)."""
        return self.workers + ([self.evaluator] if self.evaluator is not None else [])

    def finished(self) -> bool:
        """Every worker has exited cleanly (the evaluator runs until stopped)."""
        return all(p.exitcode == 0 for p in self.workers)

    def failure(self) -> str | None:
        """'NAME exited with code N' for the first process that exited with an error, else None."""
        for proc in self.processes:
            if proc.exitcode not in (None, 0):
                return f"{proc.name} exited with code {proc.exitcode}"
        return None

    def pending(self) -> Iterator[Message]:
        """The messages waiting in the queue, without blocking."""
        while True:
            try:
                yield self.shared.messages.get_nowait()
            except queue.Empty:
                return

    def next_message(self, timeout: float) -> Message | None:
        """The next message within timeout seconds, else None."""
        try:
            return self.shared.messages.get(timeout=timeout)
        except queue.Empty:
            return None

    def stop(self, at_once: bool = False) -> None:
        """Ask everyone to stop; kill what has not stopped within STOP_GRACE_SECONDS (they ignore
        SIGTERM), or at once after a failure or a stop request (nothing they would still do is kept)."""
        self.shared.stop.set()
        for proc in self.processes:
            if at_once and proc.is_alive():
                proc.kill()
            proc.join(timeout=STOP_GRACE_SECONDS)
            if proc.is_alive():
                proc.kill()
                proc.join(timeout=STOP_GRACE_SECONDS)
