"""`python -m a3c status DIR...`: where runs stand, read from their run directories.

For each run (DIR itself, or every run directory below it): complete (its final score), running
(the trainer holding the directory's lock, its frames, frames/s over the last minutes, recent
returns, last evaluation and ETA), stopped (resumable from a checkpoint, and how old it is) or
started without a checkpoint. It only reads: it never takes the run's lock, so it cannot get in
the way of a trainer starting, and it works while the run trains.
"""
from __future__ import annotations

import dataclasses
import logging
import os
import socket
import sys
import time
from pathlib import Path
from typing import Any

from a3c.rundir import CHECKPOINT, LOCK_NAME, RunDirError, read_json, read_log_rows

log = logging.getLogger("a3c.status")

RATE_WINDOW_S = 300.0  # frames/s over the last 5 minutes of training time
RECENT_EPISODES = 20


@dataclasses.dataclass
class RunStatus:
    path: Path
    state: str  # complete | running | stopped | no checkpoint yet
    config: dict[str, Any]
    frames: int  # the last logged training episode's frame count (complete: final.json's)
    episodes: int
    recent_return: float | None
    rate: float | None  # frames/s over the last RATE_WINDOW_S of training time
    last_eval: dict[str, float | None] | None
    holder: str = ""  # running: who holds the lock
    checkpoint_age_s: float | None = None
    final: dict[str, Any] | None = None

    @property
    def budget(self) -> int:
        return int(self.config.get("frames", 0))

    def eta_s(self) -> float | None:
        if self.state != "running" or not self.rate:
            return None
        return max(self.budget - self.frames, 0) / self.rate


def find_runs(paths: list[Path]) -> list[Path]:
    """The run directories (those with a config.json) among `paths` and below them, sorted."""
    runs: set[Path] = set()
    for path in paths:
        if not path.is_dir():
            raise ValueError(f"{path} is not a directory")
        found = [path] if (path / "config.json").exists() else [p.parent for p in path.rglob("config.json")]
        if not found:
            raise ValueError(f"{path} holds no run directory (no config.json in it or below it)")
        runs.update(found)
    return sorted(runs)


def lock_holder(run: Path) -> str:
    """Who holds the run's lock ("pid P on host H, since T"), or "" when nobody does.

    Read from /proc/locks (the kernel's list of flock holders, matched by the lock file's device
    and inode) without touching the lock; where there is no /proc/locks, the PID written in the
    lock file is checked for life instead (same host only)."""
    path = run / LOCK_NAME
    try:
        info, text = path.stat(), path.read_text().strip()
    except (OSError, UnicodeDecodeError):
        return ""
    key = f"{os.major(info.st_dev):02x}:{os.minor(info.st_dev):02x}:{info.st_ino}"
    try:
        table = Path("/proc/locks").read_text()
    except OSError:
        return text if pid_alive(text) else ""
    held = any(fields[1] == "FLOCK" and key in fields for fields in
               (line.split() for line in table.splitlines()) if len(fields) > 5)
    return (text or "a trainer") if held else ""


def pid_alive(holder: str) -> bool:
    """Whether "pid P on host H, ..." names a live process of this host."""
    words = holder.replace(",", "").split()
    try:
        pid, host = int(words[1]), words[4]
    except (IndexError, ValueError):
        return False
    if host != socket.gethostname():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def frames_per_second(rows: list[dict[str, float | None]], window_s: float = RATE_WINDOW_S) -> float | None:
    """Frames/s over the last `window_s` seconds of training time of train_log.csv's rows (its
    wall_time is summed over resumed segments, so a stop in between does not count)."""
    if len(rows) < 2:
        return None
    last = rows[-1]
    start = next((r for r in rows if r["wall_time"] >= last["wall_time"] - window_s), rows[0])
    if start is last:
        start = rows[-2]
    seconds = last["wall_time"] - start["wall_time"]
    return (last["frames"] - start["frames"]) / seconds if seconds > 0 else None


def read_status(run: Path) -> RunStatus:
    """One run directory's state, from its files alone."""
    config = read_json(run / "config.json")
    rows = read_log_rows(run / "train_log.csv")
    evals = read_log_rows(run / "eval_log.csv")
    recent = [r["episode_return"] for r in rows[-RECENT_EPISODES:] if r["episode_return"] is not None]
    status = RunStatus(run, "", config, int(rows[-1]["frames"]) if rows else 0, len(rows),
                       sum(recent) / len(recent) if recent else None, frames_per_second(rows),
                       evals[-1] if evals else None)
    if (run / "final.json").exists():
        status.final = read_json(run / "final.json")
        status.state, status.frames = "complete", int(status.final.get("frames", status.frames))
        return status
    status.holder = lock_holder(run)
    if (run / CHECKPOINT).exists():
        status.checkpoint_age_s = time.time() - (run / CHECKPOINT).stat().st_mtime
    status.state = ("running" if status.holder else
                    "stopped" if status.checkpoint_age_s is not None else "no checkpoint yet")
    return status


def fmt_duration(seconds: float) -> str:
    minutes = int(seconds // 60)
    return f"{minutes // 60}h{minutes % 60:02d}m" if minutes >= 60 else f"{minutes}m{int(seconds % 60):02d}s"


def describe(status: RunStatus) -> str:
    """A few lines for one run, in the trainer's own terms (frames, frames/s, returns, ETA)."""
    c = status.config
    head = f"{status.path}: {status.state}"
    if status.state == "running":
        head += f" ({status.holder})"
    lines = [head]
    what = f"{c.get('game', '?')} {c.get('algo', '?')}, {c.get('workers', '?')} workers, seed {c.get('seed', '?')}"
    share = f" ({100 * status.frames / status.budget:.1f}%)" if status.budget else ""
    progress = f"  {what}: {status.frames:,} of {status.budget:,} frames{share}"
    if status.state == "running" and status.rate:
        progress += (f", {status.rate:,.0f} frames/s over the last {RATE_WINDOW_S / 60:.0f} min, "
                     f"ETA {fmt_duration(status.eta_s())}")
    lines.append(progress)
    if status.final is not None:
        final = status.final.get("final", {})
        lines.append(f"  final score {final.get('mean_return', float('nan')):.2f} +- "
                     f"{final.get('std_return', float('nan')):.2f} over {final.get('n_episodes', '?')} episodes; "
                     f"{fmt_duration(float(status.final.get('wall_time', 0)))} of training")
    if status.recent_return is not None:
        lines.append(f"  training return, mean of the last {min(status.episodes, RECENT_EPISODES)} episodes: "
                     f"{status.recent_return:.2f} ({status.episodes:,} episodes)")
    if status.last_eval is not None:
        e = status.last_eval
        lines.append(f"  last evaluation: {e['mean_return']:.2f} +- {e['std_return'] or 0:.2f} "
                     f"({int(e['n_episodes'] or 0)} episodes) at {int(e['frames']):,} frames")
    if status.checkpoint_age_s is not None:
        lines.append(f"  checkpoint written {fmt_duration(status.checkpoint_age_s)} ago"
                     + ("; continue with the same command and --resume" if status.state == "stopped" else ""))
    return "\n".join(lines)


def main(paths: list[Path]) -> int:
    """Print the status of every run in or below `paths`; 2 (with the reason) if there is none."""
    try:
        runs = find_runs(paths)
        text = "\n".join(describe(read_status(run)) for run in runs)
    except (ValueError, RunDirError) as exc:
        log.error("invalid input: %s", exc)
        return 2
    sys.stdout.write(text + "\n")  # the command's report, as `games` writes its list
    return 0
