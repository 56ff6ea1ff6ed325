"""The trainer: owns every process and every file write of a run.

prepare() checks every input before any work; Trainer starts N workers and one evaluator (spawn
start method; a3c/processes.py), shares the global network, the shared RMSProp statistics, the
target network and the frame counter with them, and then monitors: it writes the logs
(rundir.RunLogs), prints progress, checkpoints (rundir.save_checkpoint), detects a dead worker or a
NaN within a second, and at the end scores the final network and writes final.json (which marks
the run complete).
"""
from __future__ import annotations

import contextlib
import dataclasses
import logging
import math
import os
import signal
import time
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import torch
import torch.multiprocessing as mp

from a3c import diagnostics, footprint, vision_envs
from a3c.config import MAX_WORKERS, PER_METHOD, VALUE_BASED, Protocol, TrainConfig, validate
from a3c.envs import EnvSpec, action_size, build_env, resolve
from a3c.evaluate import EVAL_SEED_OFFSET, evaluate, evaluator_main
from a3c.models import build_model
from a3c.optim import SharedRMSprop
from a3c.processes import (
    DiagnosticsMessage,
    EpisodeMessage,
    ErrorMessage,
    EvalMessage,
    Launch,
    Message,
    Shared,
    TrainingError,
    one_thread,
)
from a3c.rundir import (
    CHECKPOINT,
    RunDirError,
    RunLogs,
    atomic_write_json,
    best_eval_row,
    check_writable,
    discard_logs,
    discard_partial_run,
    git_commit,
    last_logged_frames,
    library_versions,
    load_checkpoint,
    read_checkpoint,
    read_json,
    read_log_rows,
    run_lock,
    save_checkpoint,
)
from a3c.worker import worker_main

log = logging.getLogger(__name__)
POLL_SECONDS = 0.2
WORKER_SEED_STRIDE = MAX_WORKERS + 1  # a segment's block of worker seeds
SEGMENT_SEEDS = 100  # segments with distinct seeds; the 101st resume reuses the first's


def worker_seed(seed: int, segment: int, rank: int) -> int:
    """Worker `rank`'s seed in segment `segment` of the run seeded `seed`: seed*100,000 +
    (segment mod 100)*1,000 + rank. Each run's seeds stay in its own block of 100,000 however
    often it is resumed (a run resumed 100 times replays its first segment's seeds rather than
    take the next run seed's), and below 2^31 for every seed validate accepts."""
    return (seed * SEGMENT_SEEDS + segment % SEGMENT_SEEDS) * WORKER_SEED_STRIDE + rank


class StopRequested(Exception):
    """SIGTERM (e.g. a cluster's time limit, or `kill`): checkpoint and stop."""


@contextlib.contextmanager
def stop_signals() -> Iterator[None]:
    """Ctrl-C and SIGTERM stop the run through a checkpoint, even when the shell started us in the
    background (where SIGINT is ignored by default)."""

    def on_term(signum, frame):
        raise StopRequested()

    previous = signal.signal(signal.SIGTERM, on_term), signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous[0])
        signal.signal(signal.SIGINT, previous[1])


def deviations(cfg: TrainConfig, spec: EnvSpec) -> list[str]:
    """Every way this run departs from the paper's protocol, in words."""
    notes = []
    if spec.domain == "atari":
        notes.append("evaluated with up to 30 no-op starts, not the paper's human starts (not public)")
        notes.append(f"ALE via ale-py {library_versions()['ale-py']} ({cfg.protocol.env_version} "
                     "environments), newer than the paper's ALE")
        if cfg.protocol.repeat_action_probability:
            notes.append(f"sticky actions p={cfg.protocol.repeat_action_probability}")
        if cfg.protocol.terminal_on_life_loss:
            notes.append("a lost life ends the training segment as terminal (for learning only; paper silent)")
        if cfg.protocol.fire_on_reset:
            notes.append("FIRE pressed automatically after every reset and lost life, in training and evaluation "
                         "(paper silent)")
    if cfg.workers != 16:
        notes.append("fewer or more workers than the paper's 16 (each run's config.json has its count)")
    notes.append("worker processes (torch.multiprocessing), not threads")
    notes.append("the paper's tuned learning rate is not published; each run's config.json has its own")
    horizon = cfg.lr_anneal_frames or cfg.frames
    if cfg.lr_anneal and cfg.frames < horizon:
        whose = ("the paper's training" if spec.domain == "atari" else
                 f"{horizon // spec.frames_per_step:,} agent steps: the paper's Atari training in agent steps")
        notes.append(f"trains {cfg.frames:,} frames of a learning-rate schedule annealed over {horizon:,} "
                     f"({whose}); lr ends at {1 - cfg.frames / horizon:.3f} of its initial value")
    if cfg.reward_scale != 1.0:
        notes.append(f"learning rewards multiplied by reward_scale = {cfg.reward_scale:g} (scores are not; the paper "
                     "gives no reward scale)")
    if cfg.stop_on_dead_network:
        notes.append("ends early if its network dies (stop_on_dead_network; final.json's stopped_early says when)")
    if cfg.stop_at_return is not None:
        notes.append(f"ends early once an evaluation's mean return reaches {cfg.stop_at_return:g} (stop_at_return; "
                     "final.json's stopped_early says when)")
    if cfg.algo in VALUE_BASED:
        notes.append("final epsilons assigned to workers by rank in the paper's proportions, not drawn at random")
    if spec.domain == "mujoco":
        notes.append("gymnasium MuJoCo v5 tasks, not the paper's own task set; raw observations")
    notes.extend(vision_envs.deviations(spec, cfg.protocol))  # the stand-ins for TORCS and Labyrinth
    return notes


def resolved_config(cfg: TrainConfig, spec: EnvSpec) -> dict[str, Any]:
    data = cfg.to_dict()
    data.update(game=spec.name, env_id=spec.env_id, domain=spec.domain,
                frames_per_step=spec.frames_per_step, versions=library_versions(),
                git_commit=git_commit(), deviations=deviations(cfg, spec))
    return data


def prepare(cfg: TrainConfig, resume: bool, restart: bool = False) -> tuple[EnvSpec, Path]:
    """Validate everything before any work starts; raise ValueError with a clear message."""
    validate(cfg)
    spec = resolve(cfg.game, cfg.protocol)
    check_machine(cfg, spec)
    if cfg.algo in VALUE_BASED and spec.domain == "mujoco":
        raise ValueError(f"{cfg.algo} needs discrete actions; {spec.name} is continuous")
    atari_only = [flag for flag, on in (("--life-loss", cfg.protocol.terminal_on_life_loss),
                                        ("--fire-reset", cfg.protocol.fire_on_reset)) if on]
    if atari_only and spec.domain != "atari":
        raise ValueError(f"{' and '.join(atari_only)}: Atari games only ({spec.name} is {spec.domain})")
    out = Path(cfg.out)
    check_writable(out)
    if (out / "final.json").exists():
        raise ValueError(f"{out} holds a completed run (final.json); choose another --out")
    if restart:
        return spec, out  # the partial run is cleared once the directory is locked (discard_partial_run)
    if not resume and (out / CHECKPOINT).exists():
        raise ValueError(f"{out} holds a checkpoint; pass --resume to continue it "
                         "(or --restart to discard it and start over)")
    if not resume and (out / "config.json").exists():
        raise ValueError(f"{out} holds a partial run with no checkpoint yet (config.json, logs); pass --resume "
                         "to start it again from frame 0 (its logs are replaced) or --restart")
    if resume:
        check_resumable(cfg, out)
    return spec, out


def check_resumable(cfg: TrainConfig, out: Path) -> None:
    """The checkpoint loads and config.json says it is this run: else a ValueError naming the file."""
    config, checkpoint = out / "config.json", out / CHECKPOINT
    hint = "; --restart discards the partial run and starts over"
    if checkpoint.exists() and not config.exists():
        raise ValueError(f"{out} has a checkpoint but no config.json: nothing says which run it "
                         f"belongs to, so --resume refuses it{hint}")
    try:
        if config.exists():
            check_same_run(cfg, config)
        if checkpoint.exists():
            read_checkpoint(checkpoint)
    except RunDirError as exc:
        raise ValueError(f"{exc}{hint}") from None


def warn_if_cores_shared(cfg: TrainConfig) -> None:
    """More workers than cores: they share cores, and speed figures are not comparable."""
    cores = os.cpu_count() or 1
    if cfg.workers > cores:
        log.warning("%d workers on %d cores: they will share cores", cfg.workers, cores)


def check_machine(cfg: TrainConfig, spec: EnvSpec) -> None:
    """More workers than the available memory holds: refused before any process starts."""
    available = available_memory_mb()
    need = footprint.run_mb(spec.domain, cfg.workers)
    if available is not None and need > available:
        raise ValueError(f"{cfg.workers} workers need about {need:,} MB ({footprint.PROCESS_MB[spec.domain]} MB for "
                         f"each worker and the evaluator on {spec.name}, {footprint.TRAINER_MB} MB for the trainer; "
                         f"measured, a3c/footprint.py); this machine has {available:,} MB available")


def available_memory_mb() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) // 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


# What a resumed run may change: its length, its parallelism and its bookkeeping (stop_on_dead_network
# and stop_at_return too: a run started before the study turned it on resumes with it).
RESUMABLE_CHANGES = {"frames", "workers", "out", "checkpoint_every", "progress_every", "stop_on_dead_network",
                     "stop_at_return",
                     "protocol.eval_every", "protocol.eval_episodes", "protocol.final_eval_episodes"}


def check_same_run(cfg: TrainConfig, saved_path: Path) -> None:
    """A resume continues the run in saved_path: refuse a different game, network or setting."""
    try:
        saved = TrainConfig.from_dict(read_json(saved_path))
    except ValueError as exc:
        raise RunDirError(f"{saved_path} is not a valid run config: {exc}") from None
    now, then = flatten(cfg.to_dict()), flatten(saved.to_dict())
    changed = [f"{key}: {then[key]!r} -> {now[key]!r}" for key in sorted(now)
               if key not in RESUMABLE_CHANGES and now[key] != then[key]
               and not (key == "lr_anneal_frames" and now[key] == 0)]  # 0: the run's own (keep_schedule)
    if changed:
        raise ValueError(f"--resume continues the run in {saved_path.parent}, whose settings differ: "
                         + "; ".join(changed) + per_method_hint(changed))


def per_method_hint(changed: list[str]) -> str:
    """For a run started before the value-based methods' Atari default turned life loss and FIRE
    on: the flags that continue it as it was."""
    fields = {f.name: f for f in dataclasses.fields(Protocol)}
    flags = ["--no-" + fields[key].metadata["flag"].removeprefix("--") for key in PER_METHOD
             if any(c.startswith(f"protocol.{key}: False -> True") for c in changed)]
    return (f" (the value-based methods default to them on Atari since 2026-12-07; {' '.join(flags)} "
            "continues an older run as it started)") if flags else ""


def keep_schedule(cfg: TrainConfig, saved: TrainConfig) -> TrainConfig:
    """On a resume, the learning-rate horizon of the run's first segment: lr_anneal_frames 0 means
    "over the run's own frames", which a resume with other --frames would move mid-run. The first
    segment's length (recorded in config.json from the second segment on) is kept instead."""
    if cfg.lr_anneal_frames != 0:
        return cfg
    horizon = saved.lr_anneal_frames or saved.frames
    if horizon != cfg.frames:
        log.warning("this run's learning rate anneals over its first %s frames (lr_anneal_frames 0 when it "
                    "started); resumed with --frames %s, it keeps that schedule%s", f"{horizon:,}",
                    f"{cfg.frames:,}", ": lr is 0 after that frame" if cfg.frames > horizon else "")
    return dataclasses.replace(cfg, lr_anneal_frames=horizon)


def flatten(config: dict[str, Any]) -> dict[str, Any]:
    flat = {k: v for k, v in config.items() if k != "protocol"}
    flat.update({f"protocol.{k}": v for k, v in config["protocol"].items()})
    return flat


def train(cfg: TrainConfig, resume: bool = False, restart: bool = False) -> dict[str, Any]:
    """Run one training run to completion; return the final.json content. Every check runs before
    anything is written; the run directory is locked for the whole run (a second trainer on it is
    refused: rundir.run_lock)."""
    prepare(cfg, resume, restart)
    with run_lock(Path(cfg.out)):
        return train_locked(cfg, resume, restart)


def train_locked(cfg: TrainConfig, resume: bool = False, restart: bool = False) -> dict[str, Any]:
    """train() for a caller that holds the run's lock (the CLI takes it before run.log)."""
    spec, out = prepare(cfg, resume, restart)  # again, now that no one else can write here
    warn_if_cores_shared(cfg)
    if restart:
        discard_partial_run(out)
        log.info("--restart: discarded the partial run in %s", out)
    one_thread()
    return Trainer(cfg, spec, out, resume).run()


class Trainer:
    """One run (or its next segment, on a resume): the shared networks, the processes, the logs.

    run() is the whole run. The seam for other drivers (the throughput benchmark, a3c/bench.py): open_logs(),
    then `with trainer.launched():` the processes run while poll() handles their messages and
    failures as run() does; leaving the block stops them."""

    def __init__(self, cfg: TrainConfig, spec: EnvSpec, out: Path, resume: bool) -> None:
        self.cfg, self.spec, self.out = cfg, spec, out
        self.ctx = mp.get_context("spawn")
        probe = build_env(spec, cfg.protocol)  # only its spaces: never reset, so nothing is simulated
        self.obs_shape = probe.observation_space.shape
        self.discrete, self.n_actions = action_size(probe)
        probe.close()
        torch.manual_seed(cfg.seed)
        self.model = self.new_model().share_memory()
        self.optimizer = SharedRMSprop(self.model.parameters(), cfg.rms_alpha, cfg.rms_eps, cfg.rms_init)
        if not self.optimizer.is_shared():
            raise RuntimeError("shared RMSProp statistics are not in shared memory")
        self.target = None
        if cfg.algo in VALUE_BASED:
            self.target = self.new_model().share_memory()
            self.target.load_state_dict(self.model.state_dict())
        self.frames = self.ctx.Value("q", 0)
        self.counters = {"wall_time": 0.0, "episodes": 0, "segment": 0}
        self.resumed_at: int | None = None
        if resume and (out / CHECKPOINT).exists():
            if (out / "config.json").exists():  # prepare() refuses a checkpoint without it
                self.cfg = cfg = keep_schedule(cfg, TrainConfig.from_dict(read_json(out / "config.json")))
            self.load_checkpoint()
        else:  # from frame 0: an earlier attempt killed before its first checkpoint left only logs
            discard_logs(out)
        self.recent: deque[float] = deque(maxlen=20)

    def new_model(self) -> torch.nn.Module:
        return build_model(self.cfg.algo, self.obs_shape, self.discrete, self.n_actions, self.cfg.hidden)

    # ----- checkpoints (the format: rundir.save_checkpoint) -----
    def load_checkpoint(self) -> None:
        frames, self.counters = load_checkpoint(self.out, self.model, self.optimizer, self.target)
        self.frames.value = frames
        self.counters["segment"] += 1
        RunLogs.rewind(self.out, frames)
        self.resumed_at = frames
        log.info("resumed from checkpoint at frame %s (segment %d)", f"{frames:,}", self.counters["segment"])

    def save_checkpoint(self) -> None:
        frames = self.frames.value
        save_checkpoint(self.out, self.model, self.optimizer, self.target, frames,
                        dict(self.counters, wall_time=self.elapsed()))
        self.last_checkpoint = time.monotonic()
        log.info("checkpoint at frame %s", f"{frames:,}")

    def elapsed(self) -> float:
        return self.counters["wall_time"] + time.time() - self.start

    # ----- processes -----
    def shared_state(self, parent_pid: int | None = None) -> Shared:
        """What the workers share: the global network, optimizer, counter and channels."""
        return Shared(self.model, self.optimizer, self.target, self.frames, self.ctx.Queue(),
                      self.ctx.Event(), os.getpid() if parent_pid is None else parent_pid)

    @contextlib.contextmanager
    def launched(self) -> Iterator[Launch]:
        """The workers and the evaluator running (call open_logs first); on leaving, they are
        stopped (at once after an exception: nothing they would still do is kept), the messages
        left in the queue are logged and TensorBoard is flushed."""
        shared = self.shared_state()
        segment = self.counters["segment"]
        next_eval = self.next_eval_point()
        workers = [(worker_main, (rank, self.cfg, self.spec, shared, worker_seed(self.cfg.seed, segment, rank)))
                   for rank in range(self.cfg.workers)]
        clock = (self.start, self.counters["wall_time"])
        evaluator = (evaluator_main, (self.cfg, self.spec, shared, next_eval, clock, self.discrete))
        self.launch = Launch.start(self.ctx, shared, workers, evaluator)
        completed = False
        try:
            yield self.launch
            completed = True
        finally:
            self.launch.stop(at_once=not completed)
            self.drain_quietly()
            self.logs.flush()

    def next_eval_point(self) -> int:
        """The frame count of the next periodic evaluation: the multiple of eval_every after the last
        one logged, so that one whose result was lost (the run stopped or killed mid-evaluation) is
        made at once on a resume rather than skipped."""
        every = self.cfg.protocol.eval_every
        return (last_logged_frames(self.out / "eval_log.csv") // every + 1) * every

    def poll(self) -> None:
        """Handle every message waiting; fail fast (TrainingError) if a process failed."""
        self.drain()
        self.check_processes()

    def check_processes(self) -> None:
        failure = self.launch.failure()
        if failure is not None:
            self.drain_error(timeout=0.5)
            raise TrainingError(f"{failure} at frame {self.frames.value:,}; the run stopped (resume with --resume)")

    def drain(self) -> None:
        for message in self.launch.pending():
            self.handle(message)

    def drain_quietly(self) -> None:
        """Log what is left in the queue after a stop; a second error must not mask the first."""
        try:
            self.drain()
        except TrainingError as exc:
            log.debug("after the stop: %s", exc)

    def drain_error(self, timeout: float) -> None:
        """Give a dying process's error report a moment to arrive, so it is not lost."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = self.launch.next_message(timeout=0.1)
            if message is not None:
                self.handle(message)

    # ----- the run -----
    def run(self) -> dict[str, Any]:
        atomic_write_json(self.out / "config.json", resolved_config(self.cfg, self.spec))
        self.open_logs()
        log.info("training %s on %s with %d workers for %s frames -> %s", self.cfg.algo,
                 self.spec.name, self.cfg.workers, f"{self.cfg.frames:,}", self.out)
        try:
            with self.launched():
                try:
                    with stop_signals():
                        self.monitor()
                except (KeyboardInterrupt, StopRequested) as stop:
                    self.save_checkpoint()
                    how = "SIGTERM" if isinstance(stop, StopRequested) else "the user (Ctrl-C)"
                    raise TrainingError(f"stopped by {how} at frame {self.frames.value:,}; "
                                        "continue with --resume") from None
            self.save_checkpoint()
            return self.final_evaluation()
        finally:
            self.close_logs()

    def open_logs(self) -> None:
        """The run's logs (appended to on a resume) and the clocks of this segment of the run."""
        self.logs = RunLogs(self.out, self.resumed_at)
        self.fps = 0.0
        self.health = diagnostics.HealthCheck(self.n_actions if self.discrete else None)
        self.stopped_early: dict[str, Any] | None = None
        for row in read_log_rows(self.out / "diagnostics.csv"):  # the earlier segments' rows, if resumed
            self.health.add(row)
        self.start = time.time()
        self.last_checkpoint = self.last_progress = self.progress_time = time.monotonic()
        self.progress_frames = self.frames.value

    def close_logs(self) -> None:
        self.logs.close()

    def monitor(self) -> None:
        """Poll until every worker finished (or the run ends early); fail fast on any error."""
        while True:
            self.poll()
            if self.launch.finished() or self.ends_early():
                return
            now = time.monotonic()
            if now - self.last_progress >= self.cfg.progress_every:
                self.report_progress(now)
            if now - self.last_checkpoint >= self.cfg.checkpoint_every:
                self.save_checkpoint()
            time.sleep(POLL_SECONDS)

    def ends_early(self) -> bool:
        """Whether the run ends before its budget: an evaluation reached cfg.stop_at_return
        (note_target_reached), or, with cfg.stop_on_dead_network, the health check has found a dead
        network (on a resume, in the earlier segments' diagnostics rows too); sets self.stopped_early once."""
        finding = self.health.findings.get("dead_network") if self.cfg.stop_on_dead_network else None
        if finding and self.stopped_early is None:
            self.stopped_early = {"reason": "dead_network", "frames": self.frames.value, "finding": finding}
            log.warning("ending the run early at frame %s (--stop-on-dead-network): %s",
                        f"{self.frames.value:,}", finding)
        return self.stopped_early is not None

    def note_target_reached(self, result: dict[str, Any]) -> None:
        """With cfg.stop_at_return: end the run once an evaluation's mean return reaches it."""
        target = self.cfg.stop_at_return
        if target is None or self.stopped_early is not None or result["mean_return"] < target:
            return
        self.stopped_early = {"reason": "reached_return", "frames": result["frames"],
                              "mean_return": result["mean_return"], "target": target}
        log.info("ending the run early at frame %s (--stop-at-return): evaluation mean %.2f >= %g",
                 f"{result['frames']:,}", result["mean_return"], target)

    def handle(self, message: Message) -> None:
        """One message from a process (a3c/processes.py): log it; an error stops the run."""
        match message:
            case EpisodeMessage():
                self.counters["episodes"] += 1
                self.recent.append(message.episode_return)
                self.logs.episode({"frames": message.frames, "wall_time": round(self.elapsed(), 3),
                                   "worker": message.rank, "episode_return": message.episode_return,
                                   "episode_length": message.length})
            case EvalMessage():
                result = message.result
                self.logs.evaluation(result)
                log.info("eval at frame %s: mean %.2f +- %.2f over %d episodes", f"{result['frames']:,}",
                         result["mean_return"], result["std_return"], result["n_episodes"])
                self.note_target_reached(result)
            case DiagnosticsMessage():
                row = dict(message.row, frames=message.frames, wall_time=round(self.elapsed(), 3),
                           fps=round(self.fps, 1))
                self.logs.diagnostics_row(row)
                finding = self.health.add(row)
                if finding:
                    log.warning("%s", finding)
            case ErrorMessage():
                who = f"worker {message.who}" if isinstance(message.who, int) else message.who
                raise TrainingError(f"{who} failed at frame {self.frames.value:,}:\n{message.traceback}")
            case _:
                raise TypeError(f"not a process message: {message!r}")

    def report_progress(self, now: float) -> None:
        frames = self.frames.value
        fps = self.fps = (frames - self.progress_frames) / max(now - self.progress_time, 1e-9)
        self.progress_frames, self.progress_time, self.last_progress = frames, now, now
        eta = (self.cfg.frames - frames) / fps if fps > 0 else math.inf
        log.info("%s", progress_line(frames, self.cfg.frames, fps, list(self.recent), self.counters["episodes"],
                                     eta, self.health.summary()["flags"]))

    def final_evaluation(self) -> dict[str, Any]:
        episodes = self.cfg.protocol.final_eval_episodes
        log.info("final evaluation of the final network: %d episodes", episodes)
        seed = self.cfg.seed + 2 * EVAL_SEED_OFFSET
        trained_for = self.elapsed()  # training time: the evaluation's own time is not in it
        final = evaluate(self.model, self.cfg, self.spec, episodes, seed, self.discrete)
        result = {"frames": self.frames.value, "wall_time": trained_for, "final": final,
                  "best": best_eval_row(self.out / "eval_log.csv"), "episodes": self.counters["episodes"],
                  "health": self.health.summary(), "completed": True}
        if "stochastic" in final:
            result["final_stochastic"] = final.pop("stochastic")
        if self.stopped_early is not None:
            result["stopped_early"] = self.stopped_early
        atomic_write_json(self.out / "final.json", result)
        log.info("final score %.2f +- %.2f (%d episodes); wrote %s", final["mean_return"],
                 final["std_return"], final["n_episodes"], self.out / "final.json")
        return result


def progress_line(frames: int, total: int, fps: float, recent: list[float], episodes: int, eta: float,
                  flags: list[str]) -> str:
    """The periodic progress line. workflows/budget.py reads the UNHEALTHY suffix back from run.log
    (tests/workflows/test_budget.py ties the two formats together)."""
    mean = f"{sum(recent) / len(recent):.2f}" if recent else "n/a"
    # A finding stays on every progress line: a one-off WARNING scrolls away (a Pong LSTM run
    # trained 17.7M frames on a dead network, its warning unread).
    unhealthy = f" | UNHEALTHY: {', '.join(flags)} (see its WARNING)" if flags else ""
    return (f"frames {frames:,}/{total:,} ({100 * frames / total:.1f}%) | fps {fps:,.0f} | "
            f"return(last {len(recent)}) {mean} | episodes {episodes} | eta {format_eta(eta)}{unhealthy}")


def format_eta(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "?"
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    return f"{hours}h{rest // 60:02d}m" if hours else f"{rest // 60}m{rest % 60:02d}s"
