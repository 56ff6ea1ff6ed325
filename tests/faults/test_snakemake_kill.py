"""kill -9 of Snakemake mid-grid, then the re-run a user would make.

Snakemake killed with -9 leaves its training job running as an orphan. The re-run (after
--unlock, with --rerun-incomplete) must not start a second trainer in the same directory: the
run directory's lock refuses it, the job fails naming the orphan's PID, and nothing is mixed.
Once the orphan is stopped (SIGTERM: it checkpoints), the next re-run resumes the run.
"""
import csv
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from tests.processes import ROOT, alive, wait_for

pytestmark = pytest.mark.slow
SNAKEMAKE = [sys.executable, "-m", "snakemake", "--cores", "2"]


def grid_config(tmp_path: Path, frames: int) -> Path:
    """The smoke scale with one MuJoCo run (fast on a CPU) of `frames` steps."""
    config = yaml.safe_load((ROOT / "workflows/config/default.yaml").read_text())
    config["scales"]["smoke"]["mujoco_table"].update(tasks=["InvertedPendulum"], algos=["a3c"], workers=1,
                                                     seeds=[0], frames=frames)
    path = tmp_path / f"config_{frames}.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def snakemake(tmp_path: Path, config: Path, target: str, *extra: str, **popen) -> subprocess.Popen:
    """Snakemake in the background, its output to a file (a pipe would stay open in the orphan)."""
    cmd = SNAKEMAKE + [target, *extra, "--configfile", str(config), "--config", "scale=smoke",
                       f"results_dir={tmp_path / 'results'}"]  # --config takes every word after it
    with open(tmp_path / "snakemake.out", "a") as out:
        return subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, **popen)


def finish(proc: subprocess.Popen, tmp_path: Path, timeout: float) -> str:
    proc.wait(timeout=timeout)
    return (tmp_path / "snakemake.out").read_text()


def holder_pid(run: Path) -> int:
    return int(re.match(r"pid (\d+)", (run / ".lock").read_text()).group(1))


def test_kill_9_of_snakemake_then_rerun_never_mixes_two_trainers(tmp_path):
    run = tmp_path / "results/runs/mujoco_table/InvertedPendulum/a3c/w1/default/s0"
    target = str(run / "final.json")
    long_grid = grid_config(tmp_path, 50_000_000)
    first = snakemake(tmp_path, long_grid, target, start_new_session=True)
    orphan = None
    try:
        wait_for(run / "run.log", "fps", 180)
        orphan = holder_pid(run)
        os.kill(first.pid, signal.SIGKILL)  # Snakemake alone: its job goes on as an orphan
        first.wait(timeout=30)
        assert alive(orphan)

        unlock = snakemake(tmp_path, long_grid, target, "--unlock")
        finish(unlock, tmp_path, 120)
        rerun = snakemake(tmp_path, long_grid, target, "--rerun-incomplete")
        text = finish(rerun, tmp_path, 300)
        assert rerun.returncode != 0, text
        log_text = (run / "snakemake.log").read_text()
        assert f"in use by another trainer (pid {orphan} on host" in log_text
        assert alive(orphan)  # the orphan is untouched and still the only writer
        frames = [int(r["frames"]) for r in csv.DictReader(open(run / "train_log.csv"))]
        assert frames == sorted(frames)

        os.kill(orphan, signal.SIGTERM)  # stop it the documented way: it checkpoints
        deadline = time.time() + 60
        while alive(orphan) and time.time() < deadline:
            time.sleep(0.2)
        assert not alive(orphan)
        saved = json.loads((run / "config.json").read_text())["frames"]
        assert saved == 50_000_000

        # A shorter grid: the checkpoint is already past its frames, so the resume ends at once.
        final = snakemake(tmp_path, grid_config(tmp_path, 20_000), target, "--rerun-incomplete")
        text = finish(final, tmp_path, 600)
        assert final.returncode == 0, text[-3000:]
        assert "resumed from checkpoint" in (run / "run.log").read_text()
        assert json.loads((run / "final.json").read_text())["completed"]
    finally:
        if orphan is not None and alive(orphan):
            os.kill(orphan, signal.SIGKILL)
