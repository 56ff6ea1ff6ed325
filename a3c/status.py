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

from a3c.diagnostics import HealthCheck
from a3c.rundir import CHECKPOINT, LOCK_NAME, RunDirError, read_json, read_log_rows

log = logging.getLogger("a3c.status")

RATE_WINDOW_S = 300.0  # frames/s over the last 5 minutes of training time
RECENT_EPISODES = 20
ACTIVE_S = 600.0  # a log written this recently may belong to a trainer on another host


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
    rate_span_s: float = 0.0  # the span of training time `rate` was measured over
    log_age_s: float | None = None  # since train_log.csv was last written
    final: dict[str, Any] | None = None
    health: list[str] = dataclasses.field(default_factory=list)  # the health check's findings so far

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
    """Who holds the run's lock ("pid P on host H, since T"), "" when nobody does, or a line
    starting "possibly" when this machine cannot tell.

    Read without touching the lock, from the kernel's list of flock holders (/proc/locks): the
    lock file's device and inode held, or the PID the lock file names holding a lock on that
    device (the lock file was replaced under the trainer). Without /proc/locks: that PID alive
    and a trainer. A lock file naming another host (a cluster's shared disk) with a training log
    written in the last ACTIVE_S seconds is "possibly running" there."""
    path = run / LOCK_NAME
    try:
        info, text = path.stat(), path.read_text().strip()
    except (OSError, UnicodeDecodeError):
        return ""
    pid, host = lock_owner(text)
    device = f"{os.major(info.st_dev):02x}:{os.minor(info.st_dev):02x}"
    held = flock_holders()
    if held is not None:
        if any(ino == info.st_ino and dev == device or p == pid and dev == device for p, dev, ino in held):
            return text or "a trainer"
    elif pid is not None and host == socket.gethostname() and trainer_alive(pid):
        return text
    if pid is not None and host != socket.gethostname() and recently_written(run):
        return f"possibly running: {text}, another host, not checked"
    return ""


def flock_holders() -> list[tuple[int, str, int]] | None:
    """(pid, device "MM:mm", inode) of each flock lock held on this machine (/proc/locks; the
    "->" lines of waiters skipped); None where there is no /proc/locks."""
    try:
        table = Path("/proc/locks").read_text()
    except OSError:
        return None
    held = []
    for fields in (line.split() for line in table.splitlines()):
        if len(fields) > 5 and fields[1] == "FLOCK" and fields[4].isdigit():
            major, minor, inode = fields[5].split(":")
            held.append((int(fields[4]), f"{major}:{minor}", int(inode)))
    return held


def lock_owner(text: str) -> tuple[int | None, str]:
    """(PID, host) from a lock file's "pid P on host H, since T"; (None, "") if it says neither."""
    words = text.replace(",", "").split()
    try:
        return int(words[1]), words[4]
    except (IndexError, ValueError):
        return None, ""


def trainer_alive(pid: int) -> bool:
    """Whether process `pid` of this machine is alive and runs the trainer (not a reused PID)."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        try:
            os.kill(pid, 0)  # no /proc: alive is all that can be told
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    return b"a3c" in command


def recently_written(run: Path, seconds: float | None = None) -> bool:
    seconds = ACTIVE_S if seconds is None else seconds
    newest = max((f.stat().st_mtime for f in (run / "train_log.csv", run / "run.log") if f.exists()), default=0.0)
    return time.time() - newest < seconds


def frames_per_second(rows: list[dict[str, float | None]],
                      window_s: float = RATE_WINDOW_S) -> tuple[float, float] | None:
    """(frames/s, seconds it spans) over the last `window_s` seconds of training time of
    train_log.csv's rows (at least the last two rows); its wall_time is summed over resumed
    segments, so a stop in between does not count. None with fewer than two rows."""
    rows = [r for r in rows if r["frames"] is not None and r["wall_time"] is not None]
    if len(rows) < 2:
        return None
    last = rows[-1]
    start = next(r for r in rows[:-1] if r["wall_time"] >= last["wall_time"] - window_s or r is rows[-2])
    seconds = last["wall_time"] - start["wall_time"]
    return ((last["frames"] - start["frames"]) / seconds, seconds) if seconds > 0 else None


def read_mapping(path: Path) -> dict[str, Any]:
    data = read_json(path)
    if not isinstance(data, dict):
        raise RunDirError(f"{path} is not a JSON object")
    return data


def read_status(run: Path) -> RunStatus:
    """One run directory's state, from its files alone (RunDirError or ValueError naming the file
    that cannot be read)."""
    config = read_mapping(run / "config.json")
    rows, evals = read_rows(run / "train_log.csv"), read_rows(run / "eval_log.csv")
    recent = [r["episode_return"] for r in rows[-RECENT_EPISODES:] if r.get("episode_return") is not None]
    rate = frames_per_second(rows)
    status = RunStatus(run, "", config, int(rows[-1]["frames"] or 0) if rows else 0, len(rows),
                       sum(recent) / len(recent) if recent else None, rate[0] if rate else None,
                       evals[-1] if evals else None)
    status.rate_span_s = rate[1] if rate else 0.0
    status.log_age_s = time.time() - (run / "train_log.csv").stat().st_mtime if rows else None
    if (run / "final.json").exists():
        status.final = read_mapping(run / "final.json")
        status.state, status.frames = "complete", int(status.final.get("frames") or status.frames)
        health = status.final.get("health")
        if isinstance(health, dict) and isinstance(health.get("warnings"), list):
            status.health = [str(w) for w in health["warnings"]]  # the trainer's own, policy collapse too
        return status
    status.health = health_findings(run)
    status.holder = lock_holder(run)
    if (run / CHECKPOINT).exists():
        status.checkpoint_age_s = time.time() - (run / CHECKPOINT).stat().st_mtime
    if status.holder:
        status.state = "possibly running" if status.holder.startswith("possibly") else "running"
    else:
        status.state = "stopped" if status.checkpoint_age_s is not None else "no checkpoint yet"
    return status


def health_findings(run: Path) -> list[str]:
    """The trainer's health findings so far, from diagnostics.csv (the same check the trainer runs;
    without the policy-collapse check, whose floor needs the action count)."""
    check = HealthCheck(None)
    for row in read_rows(run / "diagnostics.csv"):
        check.add(row)
    return check.summary()["warnings"]


def read_rows(path: Path) -> list[dict[str, float | None]]:
    try:
        return read_log_rows(path)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise RunDirError(f"{path} cannot be read as a log ({exc})") from None


def fmt_duration(seconds: float) -> str:
    minutes = int(seconds // 60)
    return f"{minutes // 60}h{minutes % 60:02d}m" if minutes >= 60 else f"{minutes}m{int(seconds % 60):02d}s"


def progress_line(status: RunStatus) -> str:
    c = status.config
    what = f"{c.get('game', '?')} {c.get('algo', '?')}, {c.get('workers', '?')} workers, seed {c.get('seed', '?')}"
    share = f" ({100 * status.frames / status.budget:.1f}%)" if status.budget else ""
    if status.state == "complete":
        return f"  {what}: {status.frames:,} of {status.budget:,} frames{share}"
    line = f"  {what}: training logged up to {status.frames:,} of {status.budget:,} frames{share}"
    if status.state == "running" and status.rate:
        line += (f", {status.rate:,.0f} frames/s over the last {fmt_duration(status.rate_span_s)} of training, "
                 f"ETA {fmt_duration(status.eta_s())}")
        if status.log_age_s is not None:
            line += f"; last episode logged {fmt_duration(status.log_age_s)} ago"
    return line


def describe(status: RunStatus) -> str:
    """A few lines for one run, in the trainer's own terms (frames, frames/s, returns, ETA)."""
    head = f"{status.path}: {status.state}" + (f" ({status.holder})" if status.state == "running" else "")
    if status.state == "possibly running":
        head = f"{status.path}: {status.holder}"
    lines = [head, progress_line(status)]
    if status.final is not None:
        final = status.final.get("final") if isinstance(status.final.get("final"), dict) else {}
        lines.append(f"  final score {fmt_number(final.get('mean_return'))} +- {fmt_number(final.get('std_return'))} "
                     f"over {final.get('n_episodes', '?')} episodes; "
                     f"{fmt_duration(float(status.final.get('wall_time') or 0))} of training")
    lines += [f"  UNHEALTHY: {finding}" for finding in status.health]
    if status.recent_return is not None:
        lines.append(f"  training return, mean of the last {min(status.episodes, RECENT_EPISODES)} episodes: "
                     f"{status.recent_return:.2f} ({status.episodes:,} episodes)")
    if status.last_eval is not None:
        e = status.last_eval
        lines.append(f"  last evaluation: {fmt_number(e.get('mean_return'))} +- {fmt_number(e.get('std_return'))} "
                     f"({int(e.get('n_episodes') or 0)} episodes) at {int(e.get('frames') or 0):,} frames")
    if status.state == "stopped":
        lines.append(f"  checkpoint written {fmt_duration(status.checkpoint_age_s or 0)} ago; the same command "
                     "with --resume continues from it (rows logged after it are dropped)")
    elif status.state == "no checkpoint yet":
        lines.append("  no checkpoint: --resume starts it over from frame 0")
    elif status.checkpoint_age_s is not None:
        lines.append(f"  checkpoint written {fmt_duration(status.checkpoint_age_s)} ago")
    return "\n".join(lines)


def fmt_number(value: Any) -> str:
    return f"{value:.2f}" if isinstance(value, (int, float)) else "?"


def main(paths: list[Path]) -> int:
    """Print the status of every run in or below `paths`: 0; 1 if some run could not be read (it is
    named, with the file and the reason, and the others are still shown); 2 if there is no run."""
    try:
        runs = find_runs(paths)
    except ValueError as exc:
        log.error("invalid input: %s", exc)
        return 2
    code = 0
    for run in runs:
        try:
            text = describe(read_status(run))
        except (RunDirError, OSError, ValueError, TypeError) as exc:
            text, code = f"{run}: unreadable ({exc})", 1
        sys.stdout.write(text + "\n")
    return code
