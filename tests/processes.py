"""Helpers for tests that run the trainer as a real process and inject faults into it."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FAST = ["--game", "CartPole-v1", "--eval-every", "5k", "--eval-episodes", "2",
        "--final-eval-episodes", "2", "--progress-every", "1"]


def cli(*args: str) -> subprocess.Popen:
    """`python -m a3c train ARGS` in its own process; stdout and stderr merged."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-m", "a3c", "train", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def complete_run(out: Path, *args: str, timeout: float = 300) -> tuple[str, dict]:
    """Train `python -m a3c train ARGS --out OUT` to completion: its output and final.json."""
    proc = cli(*args, "--out", str(out))
    text, _ = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, text
    return text, json.loads((out / "final.json").read_text())


def children(pid: int) -> list[int]:
    """The trainer's worker and evaluator processes (not multiprocessing's resource tracker)."""
    out = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
            if b"spawn_main" in cmdline:
                out.append(int(child))
    return out


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split()[2] != "Z"


def wait_for(path: Path, text: str, timeout: float) -> None:
    """Until `text` appears in the file at `path` (e.g. run.log)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if path.exists() and text in path.read_text():
            return
        time.sleep(0.2)
    raise AssertionError(f"{text!r} never appeared in {path}")


def wait_gone(pids: list[int], timeout: float) -> float:
    """Seconds until none of `pids` is alive (AssertionError after `timeout`)."""
    start = time.time()
    while any(alive(p) for p in pids):
        if time.time() - start > timeout:
            raise AssertionError(f"still alive after {timeout} s: {[p for p in pids if alive(p)]}")
        time.sleep(0.05)
    return time.time() - start


# ----- targets for a3c.processes.Launch in tests (spawned children import them from here) -----

def finish_cleanly(shared) -> None:
    """A worker that sends one episode and ends."""
    from a3c.processes import EpisodeMessage, child_process

    with child_process(shared, 0):
        shared.messages.put(EpisodeMessage(0, 10, 1.5, 3))


def fail(shared) -> None:
    """A worker that fails: the trainer must get its traceback."""
    from a3c.processes import child_process

    with child_process(shared, 1):
        raise RuntimeError("boom in worker 1")


def wait_for_stop(shared) -> None:
    """An evaluator that runs until the stop event."""
    from a3c.processes import child_process

    with child_process(shared, "evaluator"):
        while not shared.stop.is_set() and shared.parent_alive():
            time.sleep(0.05)


def in_process_worker(cfg, spec, model, target=None, seed: int = 0):
    """A Worker in this process on `model` (in shared memory), as a trainer would start it."""
    import torch.multiprocessing as mp

    from a3c.optim import SharedRMSprop
    from a3c.processes import Shared
    from a3c.worker import Worker

    ctx = mp.get_context("spawn")
    shared = Shared(model, SharedRMSprop(model.parameters()), target, ctx.Value("q", 0), ctx.Queue(),
                    ctx.Event(), os.getppid())
    return Worker(0, cfg, spec, shared, seed=seed)


def play_until_episode_end(env, action=0) -> tuple[int, bool, bool]:
    """Step `env` with one action until its episode ends: (steps, terminated, truncated)."""
    steps, terminated, truncated = 0, False, False
    while not (terminated or truncated):
        _, _, terminated, truncated, _ = env.step(action)
        steps += 1
    return steps, terminated, truncated
