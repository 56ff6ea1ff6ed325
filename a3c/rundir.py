"""The run directory (docs/run_directory.md): the one atomic writer of this package, checkpoints,
append-only logs, metadata, and the lock that gives a run directory one trainer at a time."""
from __future__ import annotations

import contextlib
import csv
import errno
import fcntl
import json
import logging
import os
import platform
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

import torch

from a3c.diagnostics import FIELDS as DIAGNOSTICS_FIELDS

log = logging.getLogger(__name__)
TRAIN_FIELDS = ("frames", "wall_time", "worker", "episode_return", "episode_length")
EVAL_FIELDS = ("frames", "wall_time", "mean_return", "std_return", "min_return", "max_return", "n_episodes")


class RunDirError(RuntimeError):
    """A file of the run directory could not be written or read; the message names it and why."""


def write_error(path: Path, exc: OSError) -> RunDirError:
    """ENOSPC, EACCES, EROFS, ... as one line naming the file."""
    why = exc.strerror or str(exc)
    if exc.errno is not None:
        why += f" ({errno.errorcode.get(exc.errno, exc.errno)})"
    return RunDirError(f"cannot write {path}: {why}")


@contextlib.contextmanager
def writing(path: Path) -> Iterator[None]:
    """A write to `path`: an OSError inside (a full disk, no permission) is a RunDirError naming it."""
    try:
        yield
    except OSError as exc:
        raise write_error(path, exc) from None


def atomic_write_bytes(path: Path, writer: Callable[[BinaryIO], None],
                       verify: Callable[[str], None] | None = None) -> None:
    """Write through a temporary file in the same directory, then rename over `path`: the old
    version stays whole until the new one is complete (and, with `verify`, proven readable).
    A write failure (a full disk, no permission) is a RunDirError naming `path`."""
    with writing(path):
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            writer(handle)
            handle.flush()
            os.fsync(handle.fileno())
        if verify is not None:
            verify(tmp)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; results are meant to be shared
        os.replace(tmp, path)
    except OSError as exc:
        _remove_quietly(tmp)
        raise write_error(path, exc) from None
    except BaseException:
        _remove_quietly(tmp)
        raise


def _remove_quietly(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def atomic_write_json(path: Path, data: Any) -> None:
    atomic_write_bytes(path, lambda h: h.write(json.dumps(data, indent=2, sort_keys=True).encode()))


def atomic_torch_save(path: Path, data: Any) -> None:
    """torch.save, atomically; the new file is loaded back before it replaces the old one."""
    atomic_write_bytes(path, lambda h: torch.save(data, h), verify=lambda tmp: read_checkpoint(Path(tmp)))


CHECKPOINT = "checkpoint.pt"
CHECKPOINT_KEYS = ("model", "optimizer", "frames", "counters")


def save_checkpoint(out: Path, model: torch.nn.Module, optimizer: Any, target: torch.nn.Module | None,
                    frames: int, counters: dict[str, Any]) -> None:
    """DIR/checkpoint.pt: the global network, the shared RMSProp statistics, the target network,
    the global frame count and the run's counters (wall_time, episodes, segment, best)."""
    state = {"model": model.state_dict(), "optimizer": optimizer.state_dict(),
             "target": None if target is None else target.state_dict(),
             "frames": frames, "counters": counters}
    atomic_torch_save(out / CHECKPOINT, state)


def load_checkpoint(out: Path, model: torch.nn.Module, optimizer: Any,
                    target: torch.nn.Module | None) -> tuple[int, dict[str, Any]]:
    """Load DIR/checkpoint.pt into the networks and the optimizer; return (frames, counters)."""
    state = read_checkpoint(out / CHECKPOINT)
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    if target is not None:
        target.load_state_dict(state["target"])
    return state["frames"], state["counters"]


def read_checkpoint(path: Path) -> dict[str, Any]:
    """A checkpoint's content; a truncated or garbage file is a RunDirError naming it."""
    try:
        state = torch.load(path, weights_only=False, map_location="cpu")
    except Exception as exc:  # torch raises many kinds for a bad file (EOFError, RuntimeError, ...)
        raise RunDirError(f"checkpoint {path} cannot be read ({type(exc).__name__}: {exc}); "
                          "it is truncated or corrupt") from None
    missing = [key for key in CHECKPOINT_KEYS if not isinstance(state, dict) or key not in state]
    if missing:
        raise RunDirError(f"checkpoint {path} is not a checkpoint of this trainer (missing {missing})")
    return state


def read_json(path: Path) -> Any:
    """A JSON file's content; an unreadable or invalid file is a RunDirError naming it."""
    try:
        return json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RunDirError(f"{path} cannot be read as JSON ({exc})") from None


class CsvLog:
    """An append-only CSV log, flushed per row; `truncate_after` drops rows past a checkpoint."""

    def __init__(self, path: Path, fields: tuple[str, ...]) -> None:
        self.path, self.fields = path, fields
        with writing(path):
            new = not path.exists() or path.stat().st_size == 0
            if not new:
                self.upgrade_header(path, fields)
            self.handle = open(path, "a", newline="")  # kept open for the run; closed by close()
            self.writer = csv.DictWriter(self.handle, fieldnames=fields, extrasaction="ignore")
            if new:
                self.writer.writeheader()
                self.handle.flush()

    @staticmethod
    def upgrade_header(path: Path, fields: tuple[str, ...]) -> None:
        """A log written by an older version (fewer columns, e.g. before dead_units) is rewritten,
        atomically, with this version's columns, its rows' new cells left empty: appended rows
        must line up with the header."""
        with open(path, newline="") as handle:
            reader = csv.DictReader(handle)
            old_fields = list(reader.fieldnames or [])
            if old_fields == list(fields) or not set(old_fields) <= set(fields):
                return  # current, or not an older version of this log (left as it is)
            rows = [r for r in reader if complete(r)]
        log.info("%s: added the column(s) %s to its %d rows (an older version's log)", path.name,
                 ", ".join(f for f in fields if f not in old_fields), len(rows))
        rewrite_csv(path, list(fields), rows)

    def write(self, row: dict[str, Any]) -> None:
        with writing(self.path):
            self.writer.writerow(row)
            self.handle.flush()

    def close(self) -> None:
        with contextlib.suppress(OSError):  # a full disk already failed the run, loudly
            self.handle.close()

    @staticmethod
    def truncate_after(path: Path, frames: int) -> None:
        """Keep only the rows logged at or before `frames` (what the checkpoint covers)."""
        if not path.exists():
            return
        with writing(path), open(path, newline="") as handle:
            rows = list(csv.DictReader(handle))
            fields = rows[0].keys() if rows else None
        if fields is None:
            return
        kept = [r for r in rows if complete(r) and float(r["frames"]) <= frames]
        if len(kept) < len(rows):
            log.info("%s: kept %d of %d rows (those the checkpoint covers)", path.name, len(kept), len(rows))
        rewrite_csv(path, list(fields), kept)


def quiet_writer_thread_errors() -> None:
    """TensorBoard's writer thread keeps the OSError that stopped it (a full disk) and the next
    call raises it, where it becomes the run's one clear RunDirError; without this hook the thread
    would also print its own traceback on stderr."""
    previous = threading.excepthook
    if getattr(previous, "quiets_writer_threads", False):
        return

    def hook(args: threading.ExceptHookArgs) -> None:
        if type(args.thread).__name__ == "_AsyncWriterThread" and isinstance(args.exc_value, OSError):
            return
        previous(args)

    hook.quiets_writer_threads = True  # type: ignore[attr-defined]
    threading.excepthook = hook


class TensorBoardLog:
    """Scalars as TensorBoard event files in DIR/tensorboard (`tensorboard --logdir runs/`).

    On a resume, events past the checkpoint's frame are purged (like the CSV logs' rows). The
    writer's thread writes the files; a failure there (a full disk) surfaces at the next call, as
    a RunDirError naming the directory like every other write of the run."""

    def __init__(self, directory: Path, resumed_at: int | None = None) -> None:
        from torch.utils.tensorboard import SummaryWriter  # needs the tensorboard package

        self.directory = directory
        quiet_writer_thread_errors()
        with writing(directory):  # it creates the directory and its first event file
            self.writer = SummaryWriter(str(directory), purge_step=resumed_at or None, flush_secs=30)

    def scalars(self, prefix: str, values: dict[str, Any], step: int) -> None:
        with writing(self.directory):
            for key, value in values.items():
                if isinstance(value, (int, float)) and not isinstance(value, bool) and value == value:
                    self.writer.add_scalar(f"{prefix}/{key}", value, step)

    def flush(self) -> None:
        with writing(self.directory):
            self.writer.flush()

    def close(self) -> None:
        with contextlib.suppress(OSError):  # a full disk already failed the run, loudly
            self.writer.close()


LOG_FILES = ("train_log.csv", "eval_log.csv", "diagnostics.csv")


class RunLogs:
    """The run's logs, appended to on a resume: train_log.csv (one row per training episode),
    eval_log.csv (one per evaluation), diagnostics.csv (training diagnostics) and TensorBoard."""

    def __init__(self, out: Path, resumed_at: int | None = None) -> None:
        self.train = CsvLog(out / "train_log.csv", TRAIN_FIELDS)
        self.eval = CsvLog(out / "eval_log.csv", EVAL_FIELDS)
        self.diagnostics = CsvLog(out / "diagnostics.csv", DIAGNOSTICS_FIELDS)
        self.tensorboard = TensorBoardLog(out / "tensorboard", resumed_at)

    @staticmethod
    def rewind(out: Path, frames: int) -> None:
        """On a resume: drop the rows logged after the checkpoint's frame."""
        for name in LOG_FILES:
            CsvLog.truncate_after(out / name, frames)

    def episode(self, row: dict[str, Any]) -> None:
        self.train.write(row)
        self.tensorboard.scalars("train", {"episode_return": row["episode_return"],
                                           "episode_length": row["episode_length"]}, row["frames"])

    def evaluation(self, result: dict[str, Any]) -> None:
        self.eval.write(result)
        self.tensorboard.scalars("eval", {"mean_return": result["mean_return"],
                                          "std_return": result["std_return"]}, result["frames"])

    def diagnostics_row(self, row: dict[str, Any]) -> None:
        self.diagnostics.write(row)
        self.tensorboard.scalars("diagnostics", {k: v for k, v in row.items()
                                                 if k not in ("frames", "wall_time", "worker")}, row["frames"])

    def flush(self) -> None:
        self.tensorboard.flush()

    def close(self) -> None:
        for handle in (self.train, self.eval, self.diagnostics, self.tensorboard):
            handle.close()


def discard_logs(out: Path) -> None:
    """Remove the logs (CSV and TensorBoard) of an attempt that left no checkpoint to resume."""
    import shutil

    for name in LOG_FILES:
        (out / name).unlink(missing_ok=True)
    shutil.rmtree(out / "tensorboard", ignore_errors=True)


def discard_partial_run(out: Path) -> None:
    """--restart: a partial run's checkpoint, config.json and logs (never a completed run's)."""
    for name in (CHECKPOINT, "config.json"):
        (out / name).unlink(missing_ok=True)
    discard_logs(out)


def read_log_rows(path: Path) -> list[dict[str, float | None]]:
    """A CSV log's complete rows as numbers (an empty cell: None); [] if there is no log."""
    if not path.exists():
        return []
    with open(path, newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if complete(r)]
    return [{k: float(v) if v not in ("", None) else None for k, v in row.items()} for row in rows]


def last_logged_frames(path: Path) -> int:
    """The frame count of a CSV log's last complete row; 0 if it has none."""
    rows = read_log_rows(path)
    return int(rows[-1]["frames"]) if rows else 0


def best_eval_row(path: Path) -> dict[str, Any] | None:
    """The eval_log.csv row with the highest mean_return (the first such), as numbers; None if none.
    final.json's "best" is read from here, so the two always agree."""
    if not path.exists():
        return None
    with open(path, newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if complete(r)]
    if not rows:
        return None
    best = max(rows, key=lambda r: float(r["mean_return"]))  # max keeps the first of equals
    return {k: int(float(v)) if k in ("frames", "n_episodes") else float(v) for k, v in best.items()}


def complete(row: dict[str, Any]) -> bool:
    """False for a row torn by a kill mid-write: missing or extra fields, or no number of frames."""
    if None in row or any(value is None for value in row.values()):
        return False
    try:
        float(row["frames"])
    except (KeyError, ValueError):
        return False
    return True


def rewrite_csv(path: Path, fields: list[str], rows: list[dict]) -> None:
    """Replace a CSV log, atomically, with `rows` under the header `fields` (missing cells empty)."""
    atomic_write_bytes(path, lambda h: h.write(_rows_to_csv(fields, rows).encode()))


def _rows_to_csv(fields: list[str], rows: list[dict]) -> str:
    import io

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fields)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def library_versions() -> dict[str, str]:
    from importlib import metadata

    versions = {"python": platform.python_version(), "platform": platform.platform()}
    # box2d and pygame-ce: CarRacing (driving); memory-maze, dm-control, labmaze: the maze.
    for name in ("torch", "gymnasium", "ale-py", "mujoco", "numpy", "box2d", "pygame-ce", "memory-maze", "dm-control",
                 "labmaze"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def git_commit() -> str:
    """HEAD, with "-dirty" when tracked files outside results/ differ from it (a run in progress
    changes its own tracked logs there; that is not a change to the code that trains)."""
    here = Path(__file__).resolve().parent
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True,
                             timeout=5, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", ":(top)",
                                ":(exclude,top)results"], cwd=here, capture_output=True, text=True,
                               timeout=5).stdout.strip()
        return out + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def check_writable(out: Path) -> None:
    """Create `out` if needed and prove we can write there; raise ValueError otherwise."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".write_probe"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        raise ValueError(f"output directory {out} is not writable: {exc}") from exc


LOCK_NAME = ".lock"
_held_locks: dict[str, list[int]] = {}  # real path of a run directory -> [fd, depth] in this process


class RunInUse(ValueError):
    """Another trainer holds the run directory."""


@contextlib.contextmanager
def run_lock(out: Path) -> Iterator[None]:
    """Hold DIR/.lock exclusively (an OS file lock, `flock`) while training into DIR.

    The kernel releases it when the holder exits or dies (even by kill -9), so a lock is never
    stale; a second trainer on the same directory is refused at once, told the holder's PID and
    host. Re-entrant within one process. (On NFS, Linux maps flock to POSIX locks, which work
    across hosts.)"""
    key = os.path.realpath(out)
    if key in _held_locks:
        _held_locks[key][1] += 1
        try:
            yield
        finally:
            _held_locks[key][1] -= 1
        return
    fd = _acquire(Path(out) / LOCK_NAME)
    _held_locks[key] = [fd, 1]
    try:
        yield
    finally:
        del _held_locks[key]
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _acquire(path: Path) -> int:
    with writing(path):
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 400, 0).decode(errors="replace").strip() or "a process that has not said who it is"
        os.close(fd)
        raise RunInUse(f"{path.parent} is in use by another trainer ({holder}); wait for it to finish or "
                       "stop it, then run again. Two trainers must never write one run directory") from None
    stamp = time.strftime("%Y-%m-%d %H:%M:%S")
    try:
        with writing(path):
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"pid {os.getpid()} on host {socket.gethostname()}, since {stamp}\n".encode(), 0)
    except RunDirError:
        os.close(fd)  # releases the lock too
        raise
    return fd
