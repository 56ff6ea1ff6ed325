"""The scripted learning benchmark: a SIGTERM to it stops its training cleanly, then it plots."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_sigterm_reaches_the_training_which_checkpoints_and_the_curve_is_still_drawn(tmp_path):
    out = tmp_path / "run"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    cmd = [sys.executable, "benchmarks/learning_curve.py", "--out", str(out), "--", "--game",
           "CartPole-v1", "--workers", "1", "--frames", "50M", "--eval-every", "2k",
           "--eval-episodes", "1", "--progress-every", "1"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    deadline = time.time() + 120
    while not (out / "eval_log.csv").exists() or len((out / "eval_log.csv").read_text().splitlines()) < 2:
        assert time.time() < deadline and proc.poll() is None, "no evaluation row within 120 s"
        time.sleep(0.2)
    proc.send_signal(signal.SIGTERM)  # to the benchmark script only, as `kill PID` would
    text, _ = proc.communicate(timeout=90)
    assert "stopped by SIGTERM" in (out / "run.log").read_text()  # the trainer got it
    assert (out / "checkpoint.pt").exists()
    assert (out / "learning_curve.png").exists() and "figure:" in text
    assert proc.returncode == 1  # the training's own exit code: it did not complete
