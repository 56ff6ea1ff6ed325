"""Process plumbing: the messages a process sends, how the trainer handles each, the launch of a
segment's processes, and the orphan check."""
import os
import pickle
import time

import pytest
import torch.multiprocessing as mp

from a3c.config import TrainConfig
from a3c.processes import (
    DiagnosticsMessage,
    EpisodeMessage,
    ErrorMessage,
    EvalMessage,
    Launch,
    Shared,
    TrainingError,
)
from a3c.trainer import Trainer, prepare
from tests import processes as targets

EVAL = {"frames": 2000, "wall_time": 1.0, "mean_return": 9.5, "std_return": 0.5, "min_return": 9.0,
        "max_return": 10.0, "n_episodes": 2, "returns": [9.0, 10.0]}
MESSAGES = [EpisodeMessage(1, 1000, 21.0, 21), EvalMessage(EVAL),
            DiagnosticsMessage(0, 1500, {"worker": 0, "updates": 10, "loss": 0.5, "entropy": 0.69}),
            ErrorMessage("evaluator", "Traceback ...\nValueError: x")]


@pytest.mark.parametrize("message", MESSAGES, ids=lambda m: type(m).__name__)
def test_messages_are_named_and_survive_pickling(message):
    again = pickle.loads(pickle.dumps(message))
    assert again == message and type(again) is type(message)
    assert message._fields[0] in ("rank", "result", "who")


@pytest.fixture
def trainer(tmp_path):
    cfg = TrainConfig(game="CartPole-v1", workers=1, frames=10_000, out=str(tmp_path))
    spec, out = prepare(cfg, resume=False)
    trainer = Trainer(cfg, spec, out, resume=False)
    trainer.open_logs()
    yield trainer
    trainer.close_logs()


def test_the_trainer_logs_each_kind_of_message(trainer, tmp_path):
    episode, evaluation, diagnostics, _ = MESSAGES
    for message in (episode, evaluation, diagnostics):
        trainer.handle(message)
    rows = (tmp_path / "train_log.csv").read_text().splitlines()
    assert rows[1].split(",")[0] == "1000" and rows[1].split(",")[2:] == ["1", "21.0", "21"]
    assert (tmp_path / "eval_log.csv").read_text().splitlines()[1].startswith("2000,1.0,9.5,0.5,9.0,10.0,2")
    diag = (tmp_path / "diagnostics.csv").read_text().splitlines()
    assert diag[1].startswith("1500,") and len(diag) == 2
    assert trainer.counters["episodes"] == 1
    assert list(trainer.recent) == [21.0]


def test_an_error_message_stops_the_run_with_its_traceback(trainer):
    with pytest.raises(TrainingError, match="^evaluator failed at frame 0:\nTraceback ...\nValueError: x"):
        trainer.handle(MESSAGES[-1])
    with pytest.raises(TypeError, match="not a process message"):
        trainer.handle(("episode", 0, 1, 2.0, 3))  # the old tagged tuples are refused


def test_launch_reports_a_failed_process_and_its_traceback_and_stops_the_rest():
    ctx = mp.get_context("spawn")
    shared = Shared(None, None, None, ctx.Value("q", 0), ctx.Queue(), ctx.Event(), os.getpid())
    launch = Launch.start(ctx, shared, [(targets.finish_cleanly, (shared,)), (targets.fail, (shared,))],
                          (targets.wait_for_stop, (shared,)))
    try:
        deadline = time.time() + 120
        while launch.failure() is None and time.time() < deadline:
            time.sleep(0.1)
        assert launch.failure() == "worker-1 exited with code 1"
        assert not launch.finished()
        messages = []
        while len(messages) < 2:
            message = launch.next_message(timeout=10)
            assert message is not None
            messages.append(message)
        episode = next(m for m in messages if isinstance(m, EpisodeMessage))
        error = next(m for m in messages if isinstance(m, ErrorMessage))
        assert episode == EpisodeMessage(0, 10, 1.5, 3)
        assert error.who == 1 and "RuntimeError: boom in worker 1" in error.traceback
        assert list(launch.pending()) == []
        assert launch.evaluator.is_alive()
    finally:
        launch.stop()
    assert launch.evaluator.exitcode == 0  # it saw the stop event
    assert [p.exitcode for p in launch.workers] == [0, 1]


def test_an_orphan_exits():
    shared = Shared(None, None, None, None, None, None, parent_pid=os.getppid())
    shared.exit_if_orphaned()  # our parent is alive
    assert shared.parent_alive()
    orphan = Shared(None, None, None, None, None, None, parent_pid=-1)  # the trainer is gone
    assert not orphan.parent_alive()
    with pytest.raises(SystemExit) as exit_info:
        orphan.exit_if_orphaned()
    assert exit_info.value.code == 3


def test_a_process_that_cannot_start_takes_the_started_ones_down_with_it():
    """A launch that fails part-way (e.g. ENOMEM at the third fork) leaves nothing running."""
    ctx = mp.get_context("spawn")
    shared = Shared(None, None, None, ctx.Value("q", 0), ctx.Queue(), ctx.Event(), os.getpid())
    started = []

    class FailingThirdStart:
        def Process(self, **kwargs):  # noqa: N802 (multiprocessing's name)
            if len(started) == 2:
                raise OSError(12, "Cannot allocate memory")
            started.append(ctx.Process(**kwargs))
            return started[-1]

    with pytest.raises(OSError, match="Cannot allocate memory"):
        Launch.start(FailingThirdStart(), shared, [(targets.wait_for_stop, (shared,))] * 3,
                     (targets.wait_for_stop, (shared,)))
    assert len(started) == 2 and not any(p.is_alive() for p in started)
