"""The trainer end to end on CartPole: invalid input, checkpoints, resume, failure handling."""
import dataclasses
import json
import signal
import time

import pytest
import torch

from a3c.cli import main
from a3c.config import Protocol, TrainConfig
from a3c.trainer import Trainer, prepare
from tests.processes import FAST, alive, children, cli, in_process_worker, wait_for


@pytest.mark.parametrize("args,message", [
    (["--workers", "0"], "workers must be in [1, 999], got 0"),
    (["--frames", "0"], "frames must be > 0"),
    (["--game", "Pongg"], "did you mean"),
    (["--stop-at-return", "inf"], "stop_at_return must be a finite number"),
])
def test_invalid_arguments_fail_before_any_work(tmp_path, caplog, args, message):
    out = tmp_path / "run"
    base = ["train", "--game", "Pong", "--workers", "1", "--frames", "1000", "--out", str(out)]
    assert main(base + args) == 2
    assert message in caplog.text
    assert not out.exists()


def test_unwritable_directory_fails_before_any_work(tmp_path, caplog):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["train", "--game", "Pong", "--frames", "1000", "--out", str(blocker / "run")]) == 2
    assert "not writable" in caplog.text


def test_completed_run_and_existing_checkpoint_are_never_overwritten(tmp_path):
    (tmp_path / "checkpoint.pt").write_bytes(b"x")
    cfg = TrainConfig(game="CartPole-v1", frames=100, out=str(tmp_path))
    with pytest.raises(ValueError, match="--resume"):
        prepare(cfg, resume=False)
    (tmp_path / "final.json").write_text("{}")
    with pytest.raises(ValueError, match="completed run"):
        prepare(cfg, resume=True)


def test_checkpoint_round_trip_restores_network_optimizer_and_counters(tmp_path):
    cfg = TrainConfig(game="CartPole-v1", algo="n-step-q", workers=1, frames=1000, out=str(tmp_path))
    spec, out = prepare(cfg, resume=False)
    first = Trainer(cfg, spec, out, resume=False)
    with torch.no_grad():
        for p in first.model.parameters():
            p.add_(1.0)
        first.optimizer.square_avg[0].fill_(0.5)
    first.frames.value = 1234
    first.start = time.time()
    first.save_checkpoint()
    second = Trainer(cfg, spec, out, resume=True)
    for a, b in zip(first.model.parameters(), second.model.parameters()):
        assert torch.equal(a, b)
    assert torch.equal(second.optimizer.square_avg[0], first.optimizer.square_avg[0])
    assert second.frames.value == 1234
    assert second.target is not None
    assert second.counters["segment"] == 1


def test_short_run_writes_the_whole_run_directory(tmp_path):
    out = tmp_path / "run"
    proc = cli(*FAST, "--workers", "2", "--frames", "12k", "--seed", "3", "--out", str(out))
    text, _ = proc.communicate(timeout=240)
    assert proc.returncode == 0, text
    config = json.loads((out / "config.json").read_text())
    assert config["workers"] == 2 and config["seed"] == 3 and config["game"] == "CartPole-v1"
    assert config["protocol"]["noop_max"] == Protocol().noop_max
    assert "torch" in config["versions"] and config["deviations"]
    final = json.loads((out / "final.json").read_text())
    assert final["completed"] and final["frames"] >= 12_000
    assert final["final"]["n_episodes"] == 2
    assert (out / "train_log.csv").read_text().count("\n") > 10
    assert (out / "eval_log.csv").read_text().count("\n") >= 2
    assert "fps" in text and "eta" in text  # the progress line


def test_a_run_ends_at_the_first_evaluation_that_reaches_stop_at_return(tmp_path):
    """Every CartPole episode returns >= 1, so the first evaluation (at 5k frames) reaches 0.5."""
    out = tmp_path / "run"
    proc = cli(*FAST, "--workers", "2", "--frames", "1M", "--stop-at-return", "0.5", "--out", str(out))
    text, _ = proc.communicate(timeout=240)
    assert proc.returncode == 0, text
    final = json.loads((out / "final.json").read_text())
    stop = final["stopped_early"]
    assert stop["reason"] == "reached_return" and stop["target"] == 0.5 and stop["mean_return"] >= 0.5
    assert stop["frames"] == final["best"]["frames"] <= final["frames"] < 100_000
    assert final["completed"] and final["final"]["n_episodes"] == 2
    config = json.loads((out / "config.json").read_text())
    assert config["stop_at_return"] == 0.5 and any("ends early once" in d for d in config["deviations"])


def test_a_runs_config_json_can_be_fed_back_as_a_config_file(tmp_path):
    from a3c.trainer import resolved_config

    cfg = TrainConfig(game="Pong", algo="n-step-q", workers=3, frames=5000, out=str(tmp_path))
    spec, _ = prepare(cfg, resume=False)
    again = TrainConfig.from_dict(json.loads(json.dumps(resolved_config(cfg, spec))))
    assert again == cfg


def test_unknown_config_keys_are_rejected():
    with pytest.raises(ValueError, match="unknown config keys"):
        TrainConfig.from_dict({"gamme": 0.9})


def test_a_non_finite_loss_stops_with_the_frame_it_happened_at(tmp_path):

    from a3c.envs import resolve
    from a3c.models import build_model

    cfg = TrainConfig(game="CartPole-v1", workers=1, frames=1000, out=str(tmp_path))
    model = build_model("a3c", (4,), True, 2, 0).share_memory()
    worker = in_process_worker(cfg, resolve("CartPole-v1"), model)
    worker.learner.loss = lambda *args: (torch.tensor(float("nan"), requires_grad=True), {})
    with pytest.raises(FloatingPointError, match="at global frame 4321"):
        worker.update(worker.rollout(4321), 4321)


@pytest.mark.parametrize("signum,how", [(signal.SIGINT, "stopped by the user (Ctrl-C)"),
                                        (signal.SIGTERM, "stopped by SIGTERM")])
def test_ctrl_c_and_sigterm_checkpoint_and_stop_cleanly(tmp_path, signum, how):
    """Ctrl-C from a terminal; SIGTERM from `kill` or a cluster's time limit."""
    out = tmp_path / "run"
    proc = cli(*FAST, "--workers", "2", "--frames", "50M", "--out", str(out))
    wait_for(out / "run.log", "eval at frame", 120)  # training is under way
    workers = children(proc.pid)
    proc.send_signal(signum)
    text, _ = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert how in text and "--resume" in text
    assert "Traceback" not in text  # workers ignore the signal; no noise
    assert torch.load(out / "checkpoint.pt", weights_only=False)["frames"] > 0
    for pid in workers:
        assert not alive(pid)


def test_resume_refuses_a_different_run_but_may_extend_it(tmp_path):
    from a3c.rundir import atomic_write_json
    from a3c.trainer import resolved_config

    cfg = TrainConfig(game="Pong", workers=2, frames=5000, out=str(tmp_path))
    spec, _ = prepare(cfg, resume=False)
    atomic_write_json(tmp_path / "config.json", resolved_config(cfg, spec))
    prepare(dataclasses.replace(cfg, frames=10_000, workers=4), resume=True)  # longer, wider: fine
    for other in (dataclasses.replace(cfg, game="SpaceInvaders"), dataclasses.replace(cfg, lr=1e-3)):
        with pytest.raises(ValueError, match="settings differ"):
            prepare(other, resume=True)


def attempt_without_checkpoint(out, cfg):
    """What a run killed before its first checkpoint leaves: config.json and a few log rows."""
    from a3c.rundir import atomic_write_json
    from a3c.trainer import resolved_config

    spec, _ = prepare(cfg, resume=False)
    atomic_write_json(out / "config.json", resolved_config(cfg, spec))
    (out / "eval_log.csv").write_text("frames,wall_time,mean_return\n1000,1.0,9.0\n")
    (out / "train_log.csv").write_text("frames,wall_time,worker,episode_return,episode_length\n500,1.0,0,9.0,9\n")
    return spec


def test_a_partial_run_without_checkpoint_restarts_from_zero_with_fresh_logs(tmp_path):
    cfg = TrainConfig(game="CartPole-v1", workers=1, frames=10_000, out=str(tmp_path))
    spec = attempt_without_checkpoint(tmp_path, cfg)
    with pytest.raises(ValueError, match="partial run with no checkpoint yet"):
        prepare(cfg, resume=False)  # not silently over it
    prepare(cfg, resume=True)
    trainer = Trainer(cfg, spec, tmp_path, resume=True)  # the workflow always passes --resume
    assert trainer.frames.value == 0
    assert not (tmp_path / "eval_log.csv").exists() and not (tmp_path / "train_log.csv").exists()
    assert trainer.next_eval_point() == cfg.protocol.eval_every


def test_an_evaluation_lost_to_a_stop_is_made_at_once_on_resume(tmp_path):
    cfg = TrainConfig(game="CartPole-v1", workers=1, frames=10**7, out=str(tmp_path),
                      protocol=Protocol(eval_every=1_000_000))
    spec, out = prepare(cfg, resume=False)
    trainer = Trainer(cfg, spec, out, resume=False)
    (out / "eval_log.csv").write_text("frames,wall_time,mean_return\n1000040,1.0,9.0\n3000100,3.0,9.5\n")
    trainer.frames.value = 4_200_000  # the checkpoint's frame: the evaluation at 4M never logged
    assert trainer.next_eval_point() == 4_000_000  # due now, not at 5M
    (out / "eval_log.csv").write_text("frames,wall_time,mean_return\n4000100,4.0,9.7\n")
    assert trainer.next_eval_point() == 5_000_000


def test_the_health_check_remembers_the_segments_before_a_resume(tmp_path):
    from a3c.diagnostics import FIELDS

    cfg = TrainConfig(game="CartPole-v1", workers=1, frames=10**6, out=str(tmp_path))
    spec, out = prepare(cfg, resume=False)
    trainer = Trainer(cfg, spec, out, resume=False)
    rows = [",".join(str(1e-4) if f == "entropy" else str(1000 * (i + 1)) if f == "frames" else "0.1" for f in FIELDS)
            for i in range(25)]
    (out / "diagnostics.csv").write_text(",".join(FIELDS) + "\n" + "\n".join(rows) + "\n")
    trainer.open_logs()
    try:
        assert "policy_collapse" in json.dumps(trainer.health.summary())
    finally:
        trainer.close_logs()


def test_a_run_annealed_over_its_own_length_keeps_its_schedule_when_resumed_with_other_frames(tmp_path):
    from a3c.config import learning_rate
    from a3c.trainer import check_same_run, keep_schedule

    cfg = TrainConfig(game="CartPole-v1", workers=1, frames=10_000, out=str(tmp_path))
    assert cfg.lr_anneal_frames == 0
    first = Trainer(cfg, *prepare(cfg, resume=False), resume=False)
    first.frames.value = 5_000
    first.start = 0.0
    first.save_checkpoint()
    from a3c.rundir import atomic_write_json
    from a3c.trainer import resolved_config
    atomic_write_json(tmp_path / "config.json", resolved_config(cfg, first.spec))
    longer = dataclasses.replace(cfg, frames=20_000)
    check_same_run(longer, tmp_path / "config.json")  # a longer run is allowed...
    resumed = Trainer(longer, *prepare(longer, resume=True), resume=True)
    assert resumed.cfg.lr_anneal_frames == 10_000  # ...with the schedule it started with
    assert learning_rate(resumed.cfg, 7_500) == learning_rate(cfg, 7_500)
    atomic_write_json(tmp_path / "config.json", resolved_config(resumed.cfg, resumed.spec))  # its 2nd segment
    check_same_run(dataclasses.replace(cfg, frames=30_000), tmp_path / "config.json")  # 0 = the recorded one
    assert keep_schedule(dataclasses.replace(cfg, lr_anneal_frames=5_000), cfg).lr_anneal_frames == 5_000


def test_worker_seeds_stay_in_their_runs_block_however_often_it_is_resumed():
    from a3c.config import MAX_SEED, MAX_WORKERS
    from a3c.trainer import worker_seed

    run = {worker_seed(3, segment, rank) for segment in range(250) for rank in range(MAX_WORKERS)}
    assert min(run) == 300_000 and max(run) < 400_000  # never the next seed's (4's) block
    assert worker_seed(3, 1, 0) != worker_seed(3, 0, 0) and worker_seed(3, 100, 5) == worker_seed(3, 0, 5)
    assert worker_seed(MAX_SEED, 99, MAX_WORKERS - 1) < 2**31
