"""Memory of a training run's processes, per domain: the figures behind a3c/footprint.py.

    python benchmarks/memory.py --games Pong CarRacing Maze HalfCheetah CartPole-v1 --seconds 60

Each game trains a short run (`python -m a3c train`, 2 workers, in a temporary directory) while
this samples the proportional set size (PSS: shared pages split between the processes sharing
them, so the processes' figures add up) of the trainer and of each of its children (the workers
and the evaluator) every second, and prints the largest value each reached. The run's first
evaluation is made early (--eval-every) so that the evaluator's environment is part of the
measurement. Memory is not time: other load on the machine changes none of these figures much.
"""
from __future__ import annotations

import argparse
import logging
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

log = logging.getLogger("benchmarks.memory")
MB = 1024 * 1024


def pss_mb(proc: psutil.Process) -> float | None:
    try:
        return proc.memory_full_info().pss / MB
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return None


def sample_run(game: str, algo: str, workers: int, seconds: float) -> dict[str, float]:
    """Peak PSS (MB) of the trainer and of its largest child over `seconds` of a short run."""
    with tempfile.TemporaryDirectory(prefix="a3c-memory-") as tmp:
        cmd = [sys.executable, "-m", "a3c", "train", "--game", game, "--algo", algo, "--workers", str(workers),
               "--frames", "1G", "--eval-every", "2k", "--eval-episodes", "1", "--out", str(Path(tmp) / "run")]
        trainer = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        peak = {"trainer": 0.0, "child": 0.0, "children": 0}
        try:
            parent = psutil.Process(trainer.pid)
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline and trainer.poll() is None:
                peak["trainer"] = max(peak["trainer"], pss_mb(parent) or 0.0)
                children = parent.children()
                peak["children"] = max(peak["children"], len(children))
                for child in children:
                    peak["child"] = max(peak["child"], pss_mb(child) or 0.0)
                time.sleep(1.0)
            if trainer.poll() is not None:
                raise RuntimeError(f"{game}: the run ended early (exit code {trainer.returncode}): {' '.join(cmd)}")
        finally:
            trainer.terminate()
            trainer.wait(timeout=120)
    return peak


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    parser = argparse.ArgumentParser(prog="python benchmarks/memory.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--games", nargs="+", default=["Pong", "CarRacing", "Maze", "HalfCheetah", "CartPole-v1"])
    parser.add_argument("--algo", default="a3c")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=60.0, help="per game, from the trainer's start")
    args = parser.parse_args(argv)
    lines = ["| game | algo | trainer, MB PSS | largest worker or evaluator, MB PSS | processes seen |",
             "|---|---|---|---|---|"]
    for game in args.games:
        peak = sample_run(game, args.algo, args.workers, args.seconds)
        log.info("%s: trainer %.0f MB, largest child %.0f MB", game, peak["trainer"], peak["child"])
        lines.append(f"| {game} | {args.algo} | {peak['trainer']:,.0f} | {peak['child']:,.0f} | "
                     f"{peak['children']} |")
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
