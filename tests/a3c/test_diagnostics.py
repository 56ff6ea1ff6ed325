"""Training diagnostics: the worker's window sums, the CSV columns, and the TensorBoard events."""
import csv
import math

import pytest
import torch

from a3c.config import Protocol, TrainConfig
from a3c.diagnostics import FIELDS, Diagnostics, dead_fraction, update_ratio
from a3c.trainer import train


def test_a_window_reports_means_and_the_clipping_fraction_then_starts_afresh():
    diag = Diagnostics(every=4)
    for i in range(4):
        assert diag.due() == (i == 3)
        parts = {"policy": torch.tensor(float(i)), "value": torch.tensor(2.0), "entropy": torch.tensor(1.5)}
        diag.add(loss=float(i), parts=parts, grad_norm=10.0 * (i + 1), clipped=i >= 2)
    row = diag.row(worker=3, lr=5e-4, update_ratio=1e-3)
    assert row["policy_loss"] == pytest.approx(1.5) and row["loss"] == pytest.approx(1.5)
    assert row["value_loss"] == 2.0 and row["entropy"] == 1.5 and row["grad_norm"] == 25.0
    assert row["clip_fraction"] == 0.5 and row["updates"] == 4 and row["worker"] == 3
    assert set(row) <= set(FIELDS)
    assert not diag.due()  # a new window
    diag.add(loss=1.0, parts={"q": torch.tensor(7.0)}, grad_norm=1.0, clipped=False)
    assert diag.row(0, 1e-3, 0.0)["q_mean"] == 7.0


def test_a_unit_is_dead_if_its_output_is_the_same_at_every_step_of_the_segment():
    features = torch.tensor([[0.0, 0.0, 2.0, 0.7, 3.0], [0.0, 0.5, 0.0, 0.7, 3.1], [0.0, 0.0, 0.0, 0.7, 3.2]])
    assert float(dead_fraction(features)) == pytest.approx(0.4)  # unit 0 (off) and unit 3 (on, but blind)
    assert float(dead_fraction(torch.zeros(5, 8))) == 1.0
    assert dead_fraction(features[:1]) is None  # one step: every unit is trivially constant
    diag = Diagnostics(every=3)
    for dead in (0.25, None, 0.75):  # a 1-step segment does not count in the mean
        diag.add(loss=0.0, parts={"dead": None if dead is None else torch.tensor(dead)}, grad_norm=1.0,
                 clipped=False)
    row = diag.row(0, 1e-3, 0.0)
    assert row["dead_units"] == 0.5 and row["grad_norm"] == 1.0


def test_update_ratio_is_the_relative_change_of_all_parameters():
    before = [torch.ones(3), torch.zeros(2)]
    after = [torch.tensor([1.0, 1.0, 1.3]), torch.tensor([0.4, 0.0])]
    assert update_ratio(before, after) == pytest.approx(0.5 / math.sqrt(3))


@pytest.mark.slow
@pytest.mark.parametrize("algo", ["a3c", "n-step-q"])
def test_a_run_writes_diagnostics_csv_and_tensorboard_events(tmp_path, algo):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    out = tmp_path / "run"
    protocol = Protocol(eval_every=5_000, eval_episodes=2, final_eval_episodes=2)
    train(TrainConfig(game="CartPole-v1", algo=algo, workers=2, frames=20_000, lr=1e-3, lr_anneal_frames=0,
                      diagnostics_every=20, hidden=32, progress_every=1.0, out=str(out), protocol=protocol))
    with open(out / "diagnostics.csv", newline="") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames) == FIELDS
        rows = list(reader)
    assert len(rows) >= 10 and {r["worker"] for r in rows} == {"0", "1"}
    for row in rows:
        assert float(row["grad_norm"]) > 0 and 0 <= float(row["clip_fraction"]) <= 1
        assert 0 < float(row["lr"]) <= 1e-3 and float(row["update_ratio"]) > 0
        assert 0 <= float(row["dead_units"]) < 1  # a learning network keeps units alive
    if algo == "a3c":
        assert all(0 < float(r["entropy"]) <= math.log(2) + 1e-6 for r in rows)
    else:
        assert all(r["q_mean"] != "" and r["entropy"] == "" for r in rows)
    for worker in ("0", "1"):  # each worker's rows in frame order (workers interleave)
        frames = [int(r["frames"]) for r in rows if r["worker"] == worker]
        assert frames == sorted(frames)

    events = EventAccumulator(str(out / "tensorboard"))
    events.Reload()
    tags = set(events.Tags()["scalars"])
    assert {"diagnostics/grad_norm", "diagnostics/lr", "diagnostics/update_ratio", "diagnostics/dead_units",
            "train/episode_return",
            "eval/mean_return"} <= tags
    assert len(events.Scalars("diagnostics/grad_norm")) == len(rows)
