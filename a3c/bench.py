"""Throughput benchmark: training frames/s per worker and in total, beside the environment alone.

    python -m a3c.bench --game Pong --algos a3c --workers 1 2 --seconds 20
    python -m a3c.bench --game Pong --algos a3c --breakdown 3000   # where one worker's time goes

Machines are noisy, so every training figure is printed beside the environment alone (random
actions, same preprocessing) measured in the same run, in as many parallel processes as workers,
and as a ratio to it. Frames are emulator frames (agent steps x frame skip); on MuJoCo a frame is
one environment step.

It drives the trainer through its own seams: Trainer.launched() and Trainer.poll() for the
training figures (the processes, logs and message handling of a real run), and for --breakdown a
Worker subclass whose parts (environment, learner, optimizer) are wrapped in timers.
"""
from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch.multiprocessing as mp

from a3c.config import ALGOS, Protocol, TrainConfig
from a3c.envs import make_env, resolve
from a3c.learners import Segment
from a3c.processes import one_thread
from a3c.trainer import Trainer, prepare
from a3c.worker import Worker

log = logging.getLogger("a3c.bench")
WARMUP_SECONDS = 5.0


def env_only_worker(game: str, seconds: float, seed: int, results: Any) -> None:
    one_thread()  # as in a training worker
    spec = resolve(game)
    env = make_env(spec, Protocol(), seed)
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        _, _, terminated, truncated, _ = env.step(env.action_space.sample())
        steps += 1
        if terminated or truncated:
            env.reset()
    results.put(steps * spec.frames_per_step / (time.perf_counter() - start))


def env_only_fps(game: str, processes: int, seconds: float) -> list[float]:
    """Frames/s of each of `processes` parallel environment copies with random actions."""
    ctx = mp.get_context("spawn")
    results = ctx.Queue()
    procs = [ctx.Process(target=env_only_worker, args=(game, seconds, i, results)) for i in range(processes)]
    for p in procs:
        p.start()
    fps = [results.get(timeout=seconds + 120) for _ in procs]
    for p in procs:
        p.join()
    return fps


def training_fps(game: str, algo: str, workers: int, seconds: float, autograd: bool = False,
                 diagnostics_every: int | None = None) -> float:
    """Total training frames/s of `workers` workers, measured after a warm-up."""
    with tempfile.TemporaryDirectory() as tmp:
        protocol = Protocol(eval_every=10**12)  # no evaluation during the benchmark
        extra = {} if diagnostics_every is None else {"diagnostics_every": diagnostics_every}
        cfg = TrainConfig(game=game, algo=algo, workers=workers, frames=10**12, out=tmp, protocol=protocol,
                          reuse_acting_pass=not autograd, **extra)
        spec, out = prepare(cfg, resume=False)
        trainer = Trainer(cfg, spec, Path(out), resume=False)
        trainer.open_logs()  # episodes and diagnostics are written as in a real run
        try:
            with trainer.launched():
                deadline = time.time() + 120
                while trainer.frames.value == 0 and time.time() < deadline:
                    trainer.poll()
                    time.sleep(0.1)
                time.sleep(WARMUP_SECONDS)
                f0, t0 = trainer.frames.value, time.perf_counter()
                deadline = t0 + seconds
                while time.perf_counter() < deadline:
                    trainer.poll()
                    time.sleep(0.2)
                return (trainer.frames.value - f0) / (time.perf_counter() - t0)
        finally:
            trainer.close_logs()


class StopAfter:
    """Stands in for the stop event: lets a worker run exactly `segments` segments."""

    def __init__(self, segments: int) -> None:
        self.left = segments

    def is_set(self) -> bool:
        self.left -= 1
        return self.left < 0


class Discard:
    """Stands in for the message queue of an in-process worker."""

    def put(self, message: object) -> None:
        pass


def timed(phases: dict[str, float], name: str, fn: Callable) -> Callable:
    """fn, its time added to phases[name] at every call."""
    def inner(*args, **kwargs):
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            phases[name] = phases.get(name, 0.0) + time.perf_counter() - start
    return inner


class Timed:
    """A part of the worker (its environment, learner or optimizer) whose methods named in `names`
    ({method: phase}) are timed into `phases`; everything else passes through to the part."""

    def __init__(self, part: Any, phases: dict[str, float], names: dict[str, str]) -> None:
        self._part = part
        for method, phase in names.items():
            setattr(self, method, timed(phases, phase, getattr(part, method)))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._part, name)


class TimedWorker(Worker):
    """A Worker whose phases are timed: its environment's step, its learner's act and gradients
    (wrapped parts), and its own update and first sync (the loop's code itself is unchanged)."""

    def __init__(self, *args: Any, phases: dict[str, float], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.env = Timed(self.env, phases, {"step": "env step"})
        self.learner = Timed(self.learner, phases, {"act": "act (forward, sample)",
                                                    "gradients": "gradients (loss, backward)"})
        self.timed_sync = timed(phases, "sync local <- global (first; then in the step)", super().sync_from_global)
        self.timed_update = timed(phases, "update", super().update)

    def sync_from_global(self) -> None:
        self.timed_sync()

    def update(self, segment: Segment, frames: int) -> None:
        self.timed_update(segment, frames)


def breakdown(game: str, algo: str, segments: int, autograd: bool = False,
              diagnostics_every: int | None = None) -> dict[str, float]:
    """Milliseconds per segment of each phase of one worker's loop, and the frames/s it ran at."""
    one_thread()
    spec = resolve(game)
    extra = {} if diagnostics_every is None else {"diagnostics_every": diagnostics_every}
    cfg = TrainConfig(game=game, algo=algo, workers=1, frames=10**12, out=tempfile.gettempdir(),
                      reuse_acting_pass=not autograd, **extra)
    phases: dict[str, float] = {}
    trainer = Trainer(cfg, spec, Path(cfg.out), resume=False)  # the run's shared network and optimizer
    optimizer = Timed(trainer.optimizer, phases, {"step": "shared RMSProp step"})
    # In-process: our parent is its parent; nobody reads its messages; it runs a set number of segments.
    shared = dataclasses.replace(trainer.shared_state(parent_pid=os.getppid()), optimizer=optimizer,
                                 messages=Discard(), stop=StopAfter(max(1, segments // 10)))  # warm-up
    worker = TimedWorker(0, cfg, spec, shared, seed=0, phases=phases)
    worker.run()
    phases.clear()
    shared.stop = StopAfter(segments)
    frames0, start = shared.frames.value, time.perf_counter()
    worker.run()
    elapsed = time.perf_counter() - start
    per_segment = {name: seconds * 1e3 / segments for name, seconds in phases.items()}
    update = per_segment.pop("update")
    per_segment["clip (update minus gradients and step)"] = (
        update - per_segment["gradients (loss, backward)"] - per_segment["shared RMSProp step"])
    per_segment["other (Python glue)"] = elapsed * 1e3 / segments - sum(per_segment.values())
    fps = (shared.frames.value - frames0) / elapsed
    log.info("%s %s%s%s, one worker in-process: %s frames/s, %.3f ms per segment; the env step is "
             "%.0f%% of it (about the best ratio to env alone this loop could show)", game, algo,
             " (autograd)" if autograd else "",
             "" if diagnostics_every is None else f" (diagnostics every {diagnostics_every} updates)", f"{fps:,.0f}",
             elapsed * 1e3 / segments, 100 * per_segment["env step"] / (elapsed * 1e3 / segments))
    for name, ms in sorted(per_segment.items(), key=lambda kv: -kv[1]):
        log.info("  %-46s %7.3f ms/segment", name, ms)
    return per_segment


def run(game: str, algos: list[str], worker_counts: list[int], seconds: float,
        autograd: bool = False, diagnostics: list[int] | None = None) -> list[dict]:
    rows = []
    for workers in worker_counts:
        env_fps = env_only_fps(game, workers, seconds)
        env_per_proc = sum(env_fps) / len(env_fps)
        log.info("%s env alone, %d process(es): %s frames/s per process, %s total", game, workers,
                 f"{env_per_proc:,.0f}", f"{sum(env_fps):,.0f}")
        for algo in algos:
            for every in diagnostics or [None]:
                total = training_fps(game, algo, workers, seconds, autograd, every)
                per = total / workers
                row = {"game": game, "algo": algo, "workers": workers, "train_fps_total": total,
                       "train_fps_per_worker": per, "env_fps_per_process": env_per_proc,
                       "ratio_to_env": per / env_per_proc, "diagnostics_every": every}
                rows.append(row)
                log.info("%s %s%s%s, %d worker(s): %s frames/s per worker, %s total; %.3f x env alone",
                         game, algo, " (autograd)" if autograd else "",
                         "" if every is None else f" (diagnostics every {every} updates)", workers,
                         f"{per:,.0f}", f"{total:,.0f}", row["ratio_to_env"])
    report_scaling(rows)
    return rows


def report_scaling(rows: list[dict]) -> None:
    by = {(r["algo"], r.get("diagnostics_every") or 0, r["workers"]): r["train_fps_total"] for r in rows}
    for (algo, every, workers), total in sorted(by.items()):
        if workers > 1 and (algo, every, 1) in by:
            log.info("%s: %d workers = %.2fx one worker (total frames/s)", algo, workers,
                     total / by[(algo, every, 1)])


def check_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Bad input ends here, before any process starts (argparse's error: usage, exit code 2)."""
    try:
        resolve(args.game)
    except ValueError as exc:
        parser.error(str(exc))
    if min(args.workers) < 1:
        parser.error(f"--workers must be >= 1, got {min(args.workers)}")
    if args.diagnostics_every and min(args.diagnostics_every) < 0:
        parser.error("--diagnostics-every must be >= 0")
    if args.seconds <= 0 or args.breakdown < 0:
        parser.error("--seconds must be > 0 and --breakdown >= 0")


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    parser = argparse.ArgumentParser(prog="python -m a3c.bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--game", default="Pong")
    parser.add_argument("--algos", nargs="+", default=["a3c"], choices=ALGOS)
    parser.add_argument("--workers", nargs="+", type=int, default=[1, 2])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--breakdown", type=int, metavar="SEGMENTS", default=0,
                        help="instead: time each phase of one in-process worker over SEGMENTS updates")
    parser.add_argument("--autograd", action="store_true",
                        help="A3C FF on Atari: autograd over a second forward pass instead of reusing "
                             "the acting pass (as train --autograd)")
    parser.add_argument("--diagnostics-every", type=int, nargs="+", metavar="UPDATES",
                        help="train with each of these diagnostics intervals in turn (0 = none), e.g. "
                             "`0 500` for the diagnostics' cost (default: the config's)")
    args = parser.parse_args(argv)
    check_arguments(parser, args)
    if args.breakdown:
        for algo in args.algos:
            for every in args.diagnostics_every or [None]:
                breakdown(args.game, algo, args.breakdown, args.autograd, every)
        return
    run(args.game, args.algos, args.workers, args.seconds, args.autograd, args.diagnostics_every)


if __name__ == "__main__":
    main()
