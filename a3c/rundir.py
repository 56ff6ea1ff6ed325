"""The run directory (docs/run_directory.md): atomic writes, append-only logs, metadata."""
from __future__ import annotations

import csv
import json
import logging
import os
import platform
import subprocess
import tempfile
from pathlib import Path
from typing import Any, BinaryIO, Callable

import torch

log = logging.getLogger(__name__)
TRAIN_FIELDS = ("frames", "wall_time", "worker", "episode_return", "episode_length")
EVAL_FIELDS = ("frames", "wall_time", "mean_return", "std_return", "min_return", "max_return", "n_episodes")


def atomic_write_bytes(path: Path, writer: Callable[[BinaryIO], None]) -> None:
    """Write through a temporary file in the same directory, then rename over `path`."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            writer(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; results are meant to be shared
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def atomic_write_json(path: Path, data: Any) -> None:
    atomic_write_bytes(path, lambda h: h.write(json.dumps(data, indent=2, sort_keys=True).encode()))


def atomic_torch_save(path: Path, data: Any) -> None:
    atomic_write_bytes(path, lambda h: torch.save(data, h))


class CsvLog:
    """An append-only CSV log, flushed per row; `truncate_after` drops rows past a checkpoint."""

    def __init__(self, path: Path, fields: tuple[str, ...]) -> None:
        self.path, self.fields = path, fields
        new = not path.exists() or path.stat().st_size == 0
        self.handle = open(path, "a", newline="")
        self.writer = csv.DictWriter(self.handle, fieldnames=fields, extrasaction="ignore")
        if new:
            self.writer.writeheader()
            self.handle.flush()

    def write(self, row: dict[str, Any]) -> None:
        self.writer.writerow(row)
        self.handle.flush()

    def close(self) -> None:
        self.handle.close()

    @staticmethod
    def truncate_after(path: Path, frames: int) -> None:
        """Keep only the rows logged at or before `frames` (what the checkpoint covers)."""
        if not path.exists():
            return
        with open(path, newline="") as handle:
            rows = list(csv.DictReader(handle))
            fields = rows[0].keys() if rows else None
        if fields is None:
            return
        kept = [r for r in rows if complete(r) and float(r["frames"]) <= frames]
        if len(kept) < len(rows):
            log.info("%s: kept %d of %d rows (those the checkpoint covers)", path.name, len(kept), len(rows))

        def write(h):
            text = _rows_to_csv(list(fields), kept)
            h.write(text.encode())

        atomic_write_bytes(path, write)


class TensorBoardLog:
    """Scalars as TensorBoard event files in DIR/tensorboard (`tensorboard --logdir runs/`).

    On a resume, events past the checkpoint's frame are purged (like the CSV logs' rows)."""

    def __init__(self, directory: Path, resumed_at: int | None = None) -> None:
        from torch.utils.tensorboard import SummaryWriter  # needs the tensorboard package

        self.writer = SummaryWriter(str(directory), purge_step=resumed_at or None, flush_secs=30)

    def scalars(self, prefix: str, values: dict[str, Any], step: int) -> None:
        for key, value in values.items():
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value == value:
                self.writer.add_scalar(f"{prefix}/{key}", value, step)

    def close(self) -> None:
        self.writer.close()


def complete(row: dict[str, Any]) -> bool:
    """False for a row torn by a kill mid-write: missing or extra fields, or no number of frames."""
    if None in row or any(value is None for value in row.values()):
        return False
    try:
        float(row["frames"])
    except (KeyError, ValueError):
        return False
    return True


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
    for name in ("torch", "gymnasium", "ale-py", "mujoco", "numpy"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def git_commit() -> str:
    here = Path(__file__).resolve().parent
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True,
                             timeout=5, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=here,
                               capture_output=True, text=True, timeout=5).stdout.strip()
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
