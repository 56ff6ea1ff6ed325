"""A3C FF on Atari: the gradient from the acting pass equals autograd's over a second forward."""

import numpy as np
import pytest
import torch

from a3c import replay_grad
from a3c.config import TrainConfig
from a3c.envs import resolve
from a3c.learners import ActorCriticLearner, ReplayActorCriticLearner, Segment, make_learner
from a3c.models import build_model
from a3c.optim import OuterSum
from a3c.worker import Worker
from tests.processes import in_process_worker

OBS = (4, 84, 84)


def random_segment(rng: np.random.Generator, steps: int, terminal: bool) -> Segment:
    obs = [rng.integers(0, 256, OBS, dtype=np.uint8) for _ in range(steps + 1)]
    return Segment(obs=obs[:steps], actions=[int(a) for a in rng.integers(0, 6, steps)],
                   rewards=[float(r) for r in rng.choice([-1.0, 0.0, 1.0], steps)],
                   last_obs=obs[steps], terminal=terminal)


def autograd_gradients(model, seg: Segment, cfg: TrainConfig):
    learner = ActorCriticLearner(cfg, np.random.default_rng(0), discrete=True)
    return learner.gradients(model, None, seg)


def replayed_gradients(model, seg: Segment, cfg: TrainConfig):
    learner = ReplayActorCriticLearner(cfg, np.random.default_rng(0))
    with torch.inference_mode():
        for obs in seg.obs:
            replay_grad.forward(model, obs, learner.trace)
    return learner.gradients(model, None, seg)


@pytest.mark.parametrize("steps,terminal,coefs", [
    (5, False, {}), (3, True, {}), (1, False, {}),
    (5, False, {"value_coef": 0.25, "beta": 0.1, "gamma": 0.9}),  # no default hides a wrong factor
])
def test_gradient_and_loss_equal_autograds(steps, terminal, coefs):
    torch.manual_seed(steps)
    cfg = TrainConfig(game="Pong", algo="a3c", out="unused", **coefs)
    model = build_model("a3c", OBS, True, 6)
    with torch.no_grad():  # larger logits than at initialisation: every loss term matters
        model.policy.weight.mul_(30.0)
    seg = random_segment(np.random.default_rng(steps), steps, terminal)
    expected, expected_loss, expected_parts = autograd_gradients(model, seg, cfg)
    got, loss, parts = replayed_gradients(model, seg, cfg)
    assert float(loss) == pytest.approx(float(expected_loss), rel=1e-5, abs=1e-6)
    assert parts.keys() == expected_parts.keys() == {"policy", "value", "entropy", "dead"}
    assert (parts["dead"] is None) == (expected_parts["dead"] is None) == (steps == 1)
    for key in [k for k in parts if parts[k] is not None]:  # the diagnostics read the same parts on either path
        assert float(parts[key]) == pytest.approx(float(expected_parts[key]), rel=1e-5, abs=1e-6), key
    names = [name for name, _ in model.named_parameters()]
    assert isinstance(got[4], OuterSum)  # the fc weight's gradient, kept factored
    got = [g.dense() if isinstance(g, OuterSum) else g for g in got]
    for name, want, have in zip(names, expected, got):
        assert have.shape == want.shape, name
        scale = float(want.abs().max()) + 1e-8
        assert float((have - want).abs().max()) / scale < 1e-4, name


def test_a_network_whose_fc_units_never_change_reports_them_all_dead_on_either_path():
    torch.manual_seed(0)
    cfg = TrainConfig(game="Pong", algo="a3c", out="unused")
    model = build_model("a3c", OBS, True, 6)
    seg = random_segment(np.random.default_rng(0), 5, False)
    assert float(replayed_gradients(model, seg, cfg)[2]["dead"]) < 1.0  # at initialisation many respond
    with torch.no_grad():
        model.torso.fc.bias.fill_(-1e3)  # every fc unit off whatever the frame
    for gradients in (autograd_gradients, replayed_gradients):
        grads, _, parts = gradients(model, seg, cfg)
        assert float(parts["dead"]) == 1.0
        fc_grad = grads[4].dense() if isinstance(grads[4], OuterSum) else grads[4]
        assert float(fc_grad.abs().max()) == 0.0  # and no gradient reaches the torso
    with torch.no_grad():  # fc units that fire, but on constants: every conv1 channel off
        model.torso.fc.bias.fill_(1.0)
        model.torso.conv1.bias.fill_(-1e3)
    for gradients in (autograd_gradients, replayed_gradients):
        assert float(gradients(model, seg, cfg)[2]["dead"]) == 1.0


def test_the_bootstrap_value_enters_the_gradient():
    """A bootstrapped and a terminal segment differ only in V(s_{t+n}): so must their gradients."""
    torch.manual_seed(0)
    cfg = TrainConfig(game="Pong", algo="a3c", out="unused")
    model = build_model("a3c", OBS, True, 6)
    with torch.no_grad():
        model.value.bias.fill_(5.0)
    seg = random_segment(np.random.default_rng(0), 5, terminal=False)
    bootstrapped, _, _ = replayed_gradients(model, seg, cfg)
    seg.terminal = True
    terminal, _, _ = replayed_gradients(model, seg, cfg)
    assert not torch.allclose(bootstrapped[-1], terminal[-1])  # the value bias gradient


def test_only_the_paper_ff_atari_network_takes_the_replay_path():
    cfg = TrainConfig(game="Pong", algo="a3c", out="unused")
    rng = np.random.default_rng(0)
    ff = build_model("a3c", OBS, True, 6)
    assert isinstance(make_learner(cfg, 0, rng, True, "atari", ff), ReplayActorCriticLearner)
    lstm_cfg = TrainConfig(game="Pong", algo="a3c-lstm", out="unused")
    lstm = build_model("a3c-lstm", OBS, True, 6)
    assert type(make_learner(lstm_cfg, 0, rng, True, "atari", lstm)) is ActorCriticLearner
    cartpole = build_model("a3c", (4,), True, 2)
    assert type(make_learner(cfg, 0, rng, True, "classic", cartpole)) is ActorCriticLearner
    off = TrainConfig(game="Pong", algo="a3c", out="unused", reuse_acting_pass=False)
    assert type(make_learner(off, 0, rng, True, "atari", ff)) is ActorCriticLearner


def pong_worker(tmp_path, reuse: bool) -> Worker:
    torch.manual_seed(0)
    cfg = TrainConfig(game="Pong", algo="a3c", workers=1, frames=10**6, out=str(tmp_path),
                      reuse_acting_pass=reuse)
    model = build_model("a3c", OBS, True, 6).share_memory()
    return in_process_worker(cfg, resolve("Pong"), model, seed=3)


def test_a_worker_update_matches_the_autograd_workers(tmp_path):
    """Same seed, same Pong segments: the shared network ends the same after three updates."""
    workers = [pong_worker(tmp_path / "replay", True), pong_worker(tmp_path / "autograd", False)]
    assert isinstance(workers[0].learner, ReplayActorCriticLearner)
    assert type(workers[1].learner) is ActorCriticLearner
    for worker in workers:
        worker.sync_from_global()  # as Worker.run does once; every update then syncs (fused)
        for _ in range(3):
            worker.update(worker.rollout(0), 0)
            local, shared = worker.local.parameters(), worker.shared.model.parameters()
            assert all(torch.equal(a, b) for a, b in zip(local, shared))
    for a, b in zip(workers[0].shared.model.parameters(), workers[1].shared.model.parameters()):
        assert torch.allclose(a, b, rtol=1e-4, atol=1e-6)
    initial = pong_worker(tmp_path / "initial", True).shared.model.parameters()
    assert not all(torch.equal(a, b) for a, b in zip(initial, workers[0].shared.model.parameters()))


def test_a_non_finite_loss_on_the_replay_path_stops_the_worker(tmp_path):
    worker = pong_worker(tmp_path, True)
    with torch.no_grad():
        worker.shared.model.value.bias.fill_(float("nan"))
    worker.sync_from_global()
    with pytest.raises(FloatingPointError, match="at global frame 77"):
        worker.update(worker.rollout(77), 77)


def test_a_segment_not_acted_by_the_learner_is_refused():
    cfg = TrainConfig(game="Pong", algo="a3c", out="unused")
    learner = ReplayActorCriticLearner(cfg, np.random.default_rng(0))
    seg = random_segment(np.random.default_rng(0), 5, terminal=False)
    with pytest.raises(RuntimeError, match="0 traced acting passes for a segment of 5 steps"):
        learner.gradients(build_model("a3c", OBS, True, 6), None, seg)
