"""`python -m a3c status`: the state of run directories, read without touching their lock."""
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

import pytest

from a3c import status
from a3c.rundir import run_lock

ROOT = Path(__file__).resolve().parents[2]
TRAIN_HEADER = "frames,wall_time,worker,episode_return,episode_length\n"
EVAL_HEADER = "frames,wall_time,mean_return,std_return,min_return,max_return,n_episodes\n"


def make_run(path: Path, rows: list[tuple[int, float, float]], evals: str = "", checkpoint: bool = True,
             final: dict | None = None) -> Path:
    path.mkdir(parents=True)
    (path / "config.json").write_text(json.dumps({"game": "Pong", "algo": "a3c", "workers": 2, "seed": 1,
                                                  "frames": 10_000}))
    (path / "train_log.csv").write_text(TRAIN_HEADER + "".join(f"{f},{t},0,{r},100\n" for f, t, r in rows))
    (path / "eval_log.csv").write_text(EVAL_HEADER + evals)
    if checkpoint:
        (path / "checkpoint.pt").write_bytes(b"not read by status")
    if final is not None:
        (path / "final.json").write_text(json.dumps(final))
    return path


def test_a_running_run_shows_its_holder_rate_and_eta_and_status_leaves_the_lock_alone(tmp_path):
    run = make_run(tmp_path / "r", [(1000, 10.0, -21.0), (2000, 20.0, -19.0), (4000, 30.0, -17.0)],
                   evals="2000,20.0,-20.0,1.0,-21.0,-19.0,5\n")
    with run_lock(run):  # a trainer (this process) holds it
        lock = run / ".lock"
        before = (lock.stat().st_ino, lock.stat().st_mtime_ns, lock.read_bytes())
        with mock.patch("fcntl.flock", side_effect=AssertionError("status must not take the lock")):
            found = status.read_status(run)
        assert (lock.stat().st_ino, lock.stat().st_mtime_ns, lock.read_bytes()) == before
        assert found.state == "running" and f"pid {os.getpid()}" in found.holder
        assert found.frames == 4000 and found.rate == pytest.approx(150.0)  # (4000 - 1000) / 20 s
        assert found.eta_s() == pytest.approx(40.0)  # 6000 frames left at 150 frames/s
        text = status.describe(found)
        assert "logged up to 4,000 of 10,000 frames (40.0%)" in text and "ETA 0m40s" in text
        assert "150 frames/s over the last 0m20s of training" in text
        assert "mean of the last 3 episodes: -19.00" in text and "last evaluation: -20.00 +- 1.00 (5 episodes)" in text
    assert status.read_status(run).state == "stopped"  # released: resumable from its checkpoint
    assert "the same command with --resume continues from it" in status.describe(status.read_status(run))


def test_complete_stopped_and_unstarted_runs_below_a_directory(tmp_path):
    make_run(tmp_path / "a", [(10_000, 50.0, 20.0)], final={"frames": 10_004, "wall_time": 3700.0,
                                                           "final": {"mean_return": 19.5, "std_return": 1.25,
                                                                     "n_episodes": 30}})
    make_run(tmp_path / "b", [(3000, 5.0, 1.0)])
    make_run(tmp_path / "c" / "d", [], checkpoint=False)
    states = {r.name: status.read_status(r).state for r in status.find_runs([tmp_path])}
    assert states == {"a": "complete", "b": "stopped", "d": "no checkpoint yet"}
    text = status.describe(status.read_status(tmp_path / "a"))
    assert "final score 19.50 +- 1.25 over 30 episodes; 1h01m of training" in text and "ETA" not in text


def test_a_runs_health_findings_are_shown_while_it_trains_and_once_it_is_complete(tmp_path):
    run = make_run(tmp_path / "r", [(1000, 10.0, -21.0)])
    rows = "".join(f"{1000 * k},{k},{1.0 if k >= 5 else 0.9}\n" for k in range(30))
    (run / "diagnostics.csv").write_text("frames,wall_time,dead_units\n" + rows)
    text = status.describe(status.read_status(run))
    assert "UNHEALTHY: every unit of the torso's last layer constant" in text and "at frame 24,000" in text
    (run / "diagnostics.csv").write_text("frames,wall_time,dead_units\n" + rows.replace(",1.0\n", ",0.9\n"))
    assert "UNHEALTHY" not in status.describe(status.read_status(run))
    health = {"ok": False, "warnings": ["the policy has collapsed"], "flags": ["policy_collapse"]}
    done = make_run(tmp_path / "done", [(10_000, 50.0, 20.0)], final={"frames": 10_000, "health": health})
    assert "UNHEALTHY: the policy has collapsed" in status.describe(status.read_status(done))


def test_the_frame_rate_counts_training_time_only(tmp_path):
    """wall_time is summed over resumed segments: the rate comes from it, not from the clock."""
    rows = [{"frames": f, "wall_time": t} for f, t in [(0, 0.0), (1000, 100.0), (3000, 400.0), (4000, 500.0)]]
    assert status.frames_per_second(rows, window_s=150) == pytest.approx((1000 / 100, 100))  # the last 100 s
    assert status.frames_per_second(rows, window_s=50) == pytest.approx((1000 / 100, 100))  # at least two rows
    assert status.frames_per_second(rows, window_s=1000) == pytest.approx((4000 / 500, 500))
    assert status.frames_per_second(rows[:1]) is None


def test_a_trainer_whose_lock_file_was_replaced_still_shows_as_running(tmp_path):
    """The kernel's lock is on the old, deleted file: the PID the new one names holds it."""
    run = make_run(tmp_path / "r", [(1000, 10.0, 1.0), (2000, 20.0, 1.0)])
    with run_lock(run):
        text = (run / ".lock").read_text()
        (run / ".lock").unlink()
        (run / ".lock").write_text(text)  # a new inode, nobody's lock
        assert status.read_status(run).state == "running"
    assert status.read_status(run).state == "stopped"


def test_without_proc_locks_the_named_pid_decides(tmp_path, monkeypatch):
    run = make_run(tmp_path / "r", [(1000, 10.0, 1.0)])
    (run / ".lock").write_text(f"pid {os.getpid()} on host {socket.gethostname()}, since 2026-12-02 10:00:00\n")
    monkeypatch.setattr(status, "flock_holders", lambda: None)
    monkeypatch.setattr(status, "trainer_alive", lambda pid: pid == os.getpid())
    assert status.read_status(run).state == "running"
    monkeypatch.setattr(status, "trainer_alive", lambda pid: False)
    assert status.read_status(run).state == "stopped"


def test_a_lock_file_of_another_host_with_a_fresh_log_is_possibly_running(tmp_path):
    run = make_run(tmp_path / "r", [(1000, 10.0, 1.0), (2000, 20.0, 1.0)])
    (run / ".lock").write_text("pid 4242 on host node-17.cluster, since 2026-12-02 10:00:00\n")
    found = status.read_status(run)
    assert found.state == "possibly running" and "node-17.cluster" in status.describe(found)
    old = time.time() - 2 * status.ACTIVE_S
    os.utime(run / "train_log.csv", (old, old))
    assert status.read_status(run).state == "stopped"


def test_trainer_alive_tells_a_trainer_from_another_process():
    trainer = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)  # python -m a3c train"])
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        assert status.trainer_alive(trainer.pid) and not status.trainer_alive(other.pid)
    finally:
        for proc in (trainer, other):
            proc.kill()
            proc.wait()
    assert not status.trainer_alive(trainer.pid)  # gone


def test_an_unreadable_run_is_named_and_the_others_are_still_shown(tmp_path, capsys):
    make_run(tmp_path / "good", [(1000, 10.0, 1.0)])
    bad = make_run(tmp_path / "bad", [(1000, 10.0, 1.0)])
    (bad / "train_log.csv").write_text(TRAIN_HEADER + "1000,abc,0,1.0,100\n")
    (tmp_path / "worse").mkdir()
    (tmp_path / "worse" / "config.json").write_text("[1, 2]")
    assert status.main([tmp_path]) == 1
    out = capsys.readouterr().out
    assert f"{bad}: unreadable ({bad / 'train_log.csv'} cannot be read as a log" in out
    assert f"{tmp_path / 'worse'}: unreadable ({tmp_path / 'worse' / 'config.json'} is not a JSON object)" in out
    assert f"{tmp_path / 'good'}: stopped" in out


def test_a_directory_without_runs_is_a_clear_error(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-m", "a3c", "status", str(tmp_path)], capture_output=True,
                            text=True, env=env, cwd=ROOT, timeout=120)
    assert result.returncode == 2 and "holds no run directory" in result.stderr and not result.stdout
    make_run(tmp_path / "run", [(1000, 10.0, 1.0)])
    result = subprocess.run([sys.executable, "-m", "a3c", "status", str(tmp_path)], capture_output=True,
                            text=True, env=env, cwd=ROOT, timeout=120)
    assert result.returncode == 0 and f"{tmp_path / 'run'}: stopped" in result.stdout
