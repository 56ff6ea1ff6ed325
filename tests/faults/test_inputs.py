"""Faults from the user: flags the machine cannot hold, and settings that wreck learning silently."""
import csv
import json
import re

import pytest

from a3c.cli import main
from a3c.diagnostics import HealthCheck
from a3c.rundir import best_eval_row
from tests.processes import FAST, complete_run


@pytest.mark.parametrize("args,message", [
    (["--workers", "900"], "900 workers need about"),
    (["--workers", "1000"], "workers must be in [1, 999], got 1000"),
    (["--seed", "-1"], "seed must be in [0, 20,000]"),
    (["--seed", "3000000"], "seed must be in [0, 20,000]"),
    (["--diagnostics-every", "-1"], "diagnostics_every must be >= 0"),
    (["--fire-reset"], "--fire-reset: Atari games only (CartPole-v1 is control)"),
    (["--life-loss", "--fire-reset"], "--life-loss and --fire-reset: Atari games only"),
])
def test_flags_the_machine_cannot_run_are_refused_before_any_work(tmp_path, caplog, args, message):
    out = tmp_path / "run"
    assert main(["train", *FAST, "--workers", "1", "--frames", "1000", *args, "--out", str(out)]) == 2
    assert message in caplog.text
    assert not out.exists()


def test_a_negative_annealing_horizon_is_refused():
    from a3c.config import TrainConfig, validate

    with pytest.raises(ValueError, match="lr_anneal_frames must be >= 0"):
        validate(TrainConfig(lr_anneal_frames=-5, out="x"))


def test_more_workers_than_cores_is_a_warning(tmp_path, caplog, monkeypatch):
    from a3c import trainer
    from a3c.config import TrainConfig

    monkeypatch.setattr(trainer.os, "cpu_count", lambda: 2)
    trainer.warn_if_cores_shared(TrainConfig(workers=3, out=str(tmp_path)))
    assert "3 workers on 2 cores" in caplog.text


def test_resume_and_restart_together_are_refused(tmp_path, caplog):
    assert main(["train", *FAST, "--frames", "1000", "--resume", "--restart", "--out", str(tmp_path / "r")]) == 2
    assert "contradict" in caplog.text


@pytest.mark.slow
def test_a_collapsed_policy_is_flagged_in_the_log_and_final_json(tmp_path):
    """--lr 1e3 never yields a NaN (clipping bounds each step) but the policy collapses."""
    text, final = complete_run(tmp_path / "run", *FAST, "--workers", "1", "--frames", "60k", "--lr", "1e3",
                               "--diagnostics-every", "20")
    assert "WARNING" in text and "the policy has collapsed" in text
    assert not final["health"]["ok"] and "policy_collapse" in final["health"]["flags"]
    assert re.search(r"\| UNHEALTHY: [^\n]*policy_collapse", text)  # every progress line after the finding says so


@pytest.mark.slow
def test_a_dead_network_ends_the_run_early_with_stop_on_dead_network(tmp_path):
    """lr 1e3 with RMSProp eps 1e-8 kills CartPole's network within ~5k frames (a probe: 4,418)."""
    text, final = complete_run(tmp_path / "run", *FAST, "--workers", "1", "--frames", "200k", "--lr", "1e3",
                               "--rms-eps", "1e-8", "--diagnostics-every", "20", "--stop-on-dead-network")
    assert "ending the run early" in text and "dead_network" in final["health"]["flags"]
    assert final["stopped_early"]["reason"] == "dead_network"
    assert final["stopped_early"]["frames"] <= final["frames"] < 200_000
    assert final["completed"] and final["final"]["n_episodes"] == 2
    config = json.loads((tmp_path / "run" / "config.json").read_text())
    assert config["stop_on_dead_network"] and any("ends early" in d for d in config["deviations"])


@pytest.mark.slow
def test_a_healthy_run_says_so_and_its_best_is_the_eval_logs_best_row(tmp_path):
    out = tmp_path / "run"
    _, final = complete_run(out, *FAST, "--workers", "2", "--frames", "40k", "--lr", "2e-3",
                            "--diagnostics-every", "50")
    assert final["health"] == {"ok": True, "warnings": [], "flags": []}
    rows = list(csv.DictReader(open(out / "eval_log.csv")))
    best = max(rows, key=lambda r: float(r["mean_return"]))
    assert final["best"]["frames"] == int(best["frames"])
    assert final["best"]["mean_return"] == float(best["mean_return"])


def test_best_eval_row_reads_the_log_whatever_arrived_after_a_checkpoint(tmp_path):
    """An evaluation that lands after the stop's checkpoint is in the log, and so in "best"."""
    path = tmp_path / "eval_log.csv"
    path.write_text("frames,wall_time,mean_return,std_return,min_return,max_return,n_episodes\n"
                    "1000,1.0,5.0,0,5,5,2\n3000,3.0,9.0,0,9,9,2\n2000,2.0,9.0,0,9,9,2\n4000,4.0,7\n")
    assert best_eval_row(path) == {"frames": 3000, "wall_time": 3.0, "mean_return": 9.0, "std_return": 0.0,
                                   "min_return": 9.0, "max_return": 9.0, "n_episodes": 2}
    assert best_eval_row(tmp_path / "missing.csv") is None


def test_health_check_flags_collapse_and_explosion_once_and_only_when_sustained():
    check = HealthCheck(n_actions=6, patience=3)
    rows = [{"entropy": 1.7, "value_loss": 1.0}] * 10
    assert all(check.add(r) is None for r in rows)
    assert check.add({"entropy": 0.001, "value_loss": 1.0}) is None  # one row is not a collapse
    assert check.add({"entropy": 1.0, "value_loss": 1.0}) is None
    for _ in range(2):
        assert check.add({"entropy": 0.001, "value_loss": 1.0}) is None
    assert "collapsed" in check.add({"entropy": 0.001, "value_loss": 1.0})
    assert check.add({"entropy": 0.001, "value_loss": 1.0}) is None  # said once
    for _ in range(2):
        assert check.add({"entropy": 1.0, "value_loss": 500.0}) is None
    assert "value loss above 100x" in check.add({"entropy": 1.0, "value_loss": 500.0})
    assert check.summary()["flags"] == ["policy_collapse", "value_explosion"]
    assert HealthCheck(n_actions=None).add({"entropy": -3.0}) is None  # Gaussian entropy may be < 0


def test_health_check_flags_a_dead_network_only_when_every_unit_stays_constant():
    check = HealthCheck(n_actions=4, patience=3)
    for dead in (1.0, 1.0, 0.99, 1.0, 1.0):  # a window where one unit fired resets the count
        assert check.add({"entropy": 1.386, "value_loss": 0.05, "dead_units": dead}) is None
    message = check.add({"entropy": 1.386, "value_loss": 0.05, "dead_units": 1.0, "frames": 160_000})
    assert "outputs the same whatever it sees" in message and "160,000" in message
    assert check.add({"entropy": 1.386, "value_loss": 0.05, "dead_units": 1.0}) is None  # said once
    for _ in range(3):  # a finding does not stop the other checks
        check.add({"entropy": 1.386, "value_loss": 500.0, "dead_units": 1.0})
    assert check.summary()["flags"] == ["dead_network", "value_explosion"]
    assert HealthCheck(n_actions=4, patience=1).add({"entropy": 1.0}) is None  # logs without the column


def test_a_finding_on_rows_read_back_from_csv_names_the_frame_as_an_integer():
    check = HealthCheck(n_actions=4, patience=1)  # a resumed run re-reads diagnostics.csv: frames as floats
    message = check.add({"entropy": 1.386, "dead_units": 1.0, "frames": 209492.0})
    assert "at frame 209,492:" in message
