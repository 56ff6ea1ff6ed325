"""A3C with a Gaussian policy on MuJoCo: variance, clipping, whole-episode updates."""

import numpy as np
import pytest
import torch

from a3c.config import TrainConfig
from a3c.envs import resolve
from a3c.models import GaussianActorCritic, build_model
from a3c.worker import Worker
from tests.processes import in_process_worker


def test_softplus_variance_stays_positive_for_extreme_inputs():
    model = GaussianActorCritic((4,), 2, lstm_cells=0, hidden=16)
    with torch.no_grad():
        model.var.bias.fill_(-1e4)
    out, _ = model(torch.randn(8, 4) * 1e3)
    assert (out["var"] > 0).all()


def test_policy_and_value_networks_share_no_parameters():
    model = GaussianActorCritic((11,), 3, lstm_cells=128, hidden=200)
    policy = {id(p) for m in (model.pi_torso, model.pi_core, model.mu, model.var) for p in m.parameters()}
    value = {id(p) for m in (model.v_torso, model.v_core, model.value) for p in m.parameters()}
    assert policy and value and not policy & value
    assert model.pi_torso.fc.out_features == 200 and model.pi_core.cells == 128


def make_worker(tmp_path, t_max: int = 0) -> Worker:
    cfg = TrainConfig(game="InvertedPendulum", algo="a3c", workers=1, frames=10_000, t_max=t_max,
                      beta=1e-4, out=str(tmp_path))
    spec = resolve("InvertedPendulum")
    model = build_model("a3c", (4,), False, 1, 0).share_memory()
    return in_process_worker(cfg, spec, model)


def test_actions_are_clipped_for_the_environment_only(tmp_path):
    worker = make_worker(tmp_path)
    with torch.no_grad():  # a policy whose mean lies far outside the action space [-3, 3]
        worker.local.mu.bias.fill_(50.0)
        worker.local.mu.weight.zero_()
    sent = []
    step = worker.env.step
    worker.env.step = lambda a: (sent.append(np.array(a)), step(a))[1]
    seg = worker.rollout(frames=0)
    assert max(abs(float(a[0])) for a in seg.actions) > 3.0  # the learner keeps the raw sample
    assert all(abs(float(a[0])) <= 3.0 for a in sent)  # the environment got the clipped one
    # The loss uses the raw samples: its policy term equals -sum log N(a_raw) * advantage.
    from a3c.algorithms.actor_critic import gaussian_terms

    loss, parts = worker.learner.loss(worker.local, None, seg)
    out, _ = worker.learner.outputs(worker.local, seg, bootstrap_needed=False)
    raw = torch.as_tensor(np.asarray(seg.actions), dtype=torch.float32)
    log_probs, _ = gaussian_terms(out["mu"], out["var"], raw)
    from a3c.algorithms.returns import n_step_returns

    adv = n_step_returns(torch.tensor(seg.rewards), 0.0, worker.cfg.gamma) - out["value"]
    assert np.isclose(parts["policy"], -(log_probs * adv.detach()).sum().item(), rtol=1e-4)


def test_an_update_is_one_whole_episode_without_bootstrapping(tmp_path):
    worker = make_worker(tmp_path, t_max=0)
    seg = worker.rollout(frames=0)
    assert seg.terminal or seg.truncated  # the rollout ran to the end of the episode
    assert worker.episode_length == 0  # and the worker started a new one


def _osmesa_available() -> bool:
    import ctypes.util

    return ctypes.util.find_library("OSMesa") is not None


@pytest.mark.skipif(not _osmesa_available(), reason="needs libosmesa6 (apt) for offscreen rendering")
def test_pixel_observations_feed_the_linear_conv_encoder(tmp_path):
    from a3c.config import Protocol
    from a3c.envs import make_env

    env = make_env(resolve("InvertedPendulum"), Protocol(pixels=True), seed=0)
    obs, _ = env.reset(seed=0)
    assert obs.shape == (3, 84, 84) and obs.dtype == np.uint8 and obs.std() > 0
    model = build_model("a3c-lstm", obs.shape, False, 1)
    out, state = model(torch.from_numpy(obs[None]), model.initial_state())
    assert out["mu"].shape == (1, 1) and state[0].shape == (1, 256)


def test_one_sequence_unroll_equals_acting_step_by_step():
    """The update unrolls a whole segment in one call; acting steps one observation at a time
    carrying the state: both must give the same outputs and final state."""
    torch.manual_seed(0)
    model = GaussianActorCritic((5,), 2, lstm_cells=8, hidden=16)
    obs = torch.randn(7, 5)
    state0 = (torch.randn(1, 16), torch.randn(1, 16))
    seq, seq_state = model(obs, state0)
    state, mus = state0, []
    for t in range(7):
        out, state = model(obs[t : t + 1], state)
        mus.append(out["mu"])
    assert torch.allclose(torch.cat(mus), seq["mu"], atol=1e-6)
    assert torch.allclose(state[0], seq_state[0], atol=1e-6)
    assert torch.allclose(state[1], seq_state[1], atol=1e-6)
