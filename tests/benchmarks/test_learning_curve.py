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


def test_the_curve_is_read_through_the_analysis_loader(tmp_path):
    """A run still going (no final.json) whose last eval row was torn by the writer: the row is
    dropped (the loader's rule), the domain comes from config.json, and --plot-only draws it."""
    import json

    from benchmarks.learning_curve import read_run

    out = tmp_path / "run"
    out.mkdir()
    assert read_run(out) == ([], "atari")  # nothing yet
    config = {"game": "Hopper", "algo": "a3c", "workers": 2, "seed": 0, "lr": 3e-4, "rms_eps": 1e-5,
              "lr_anneal_frames": 0, "beta": 1e-4, "t_max": 0, "frames": 1000000, "domain": "mujoco",
              "protocol": {"eval_every": 1000, "eval_episodes": 2, "final_eval_episodes": 2}}
    (out / "config.json").write_text(json.dumps(config))
    (out / "eval_log.csv").write_text("frames,wall_time,mean_return,std_return,min_return,max_return,n_episodes\n"
                                      "1000,1.5,10.0,1.0,9.0,11.0,2\n2000,3.0,20.0,2.0,18.0,22.0,2\n3000,4.")
    rows, domain = read_run(out)
    assert domain == "mujoco" and [r["mean_return"] for r in rows] == [10.0, 20.0]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "benchmarks/learning_curve.py", "--out", str(out), "--plot-only",
                             "--target", "15"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "reached 15 at 0.00M frames" in result.stderr and (out / "learning_curve.png").exists()


def test_the_diagnostics_figure_averages_workers_per_span_of_frames(tmp_path):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import learning_curve
    import pandas as pd

    from analysis.loader import DIAGNOSTIC_COLUMNS

    assert learning_curve.plot_diagnostics(tmp_path) is None  # a run without diagnostics: no figure
    rows = [{column: 1.0 for column in DIAGNOSTIC_COLUMNS} | {"frames": f, "worker": w, "entropy": e}
            for f, w, e in [(100, 0, 1.0), (150, 1, 2.0), (900, 0, 0.5), (1000, 1, 0.25)]]
    pd.DataFrame(rows).to_csv(tmp_path / "diagnostics.csv", index=False)
    means = learning_curve.binned_diagnostics(pd.read_csv(tmp_path / "diagnostics.csv"), bins=2)
    assert list(means["entropy"]) == [1.5, 0.375] and list(means["frames"]) == [250.0, 750.0]
    assert learning_curve.plot_diagnostics(tmp_path) == tmp_path / "diagnostics.png"
    assert (tmp_path / "diagnostics.png").stat().st_size > 0


def test_a_complete_runs_curve_ends_with_its_final_score_and_names_the_run(tmp_path):
    import json

    sys.path.insert(0, str(ROOT / "benchmarks"))
    import learning_curve

    out = tmp_path / "s0"
    out.mkdir()
    config = {"game": "CarRacing", "algo": "a3c", "workers": 2, "seed": 0, "lr": 7e-4, "beta": 0.01, "t_max": 5,
              "frames": 8000, "domain": "driving"}
    (out / "config.json").write_text(json.dumps(config))
    assert learning_curve.final_point(out) is None  # still going
    (out / "final.json").write_text(json.dumps({"completed": True, "frames": 8004, "wall_time": 90.0,
                                                "final": {"mean_return": 821.0, "std_return": 76.0,
                                                          "n_episodes": 30}}))
    final = learning_curve.final_point(out)
    assert (final["frames"], final["mean_return"], final["std_return"], final["episodes"]) == (8004, 821.0, 76.0, 30)
    assert learning_curve.title_for(out, "driving") == \
        "CarRacing, a3c, 2 workers, seed 0: mean eval score (sampled actions)"
    assert learning_curve.axis_unit("driving") != learning_curve.axis_unit("maze")


def test_a_final_score_without_its_optional_fields_still_plots_and_a_gaussian_title_says_mean_action(tmp_path):
    import json

    sys.path.insert(0, str(ROOT / "benchmarks"))
    import learning_curve

    out = tmp_path / "s1"
    out.mkdir()
    (out / "config.json").write_text(json.dumps({"game": "Pendulum-v1", "algo": "a3c", "workers": 1, "seed": 1,
                                                 "lr": 1e-3, "beta": 0.01, "t_max": 5, "frames": 4000,
                                                 "domain": "control", "frames_per_step": 1}))
    (out / "eval_log.csv").write_text("frames,wall_time,mean_return,std_return,min_return,max_return,n_episodes\n"
                                      "2000,1.0,-900.0,50.0,-950.0,-850.0,2\n")
    assert learning_curve.title_for(out, "control").endswith("(mean action)")  # still going: by its task
    (out / "final.json").write_text(json.dumps({"completed": True, "frames": 4000, "wall_time": 2.0,
                                                "final": {"mean_return": -700.0}}))
    final = learning_curve.final_point(out)
    assert final["std_return"] == 0.0 and final["episodes"] is None and not final["gaussian"]
    learning_curve.plot(learning_curve.read_run(out)[0], "t", out / "curve.png", None, "steps", final)
    assert (out / "curve.png").stat().st_size > 0
    assert learning_curve.axis_unit("driving", 4) == "frames, 4 per agent step"
