import numpy as np
import pytest
import torch

from a3c.algorithms.value_based import n_step_q_targets, one_step_q_targets, one_step_sarsa_targets, q_loss
from a3c.config import TrainConfig
from a3c.learners import epsilon_at, final_epsilon_for_rank, final_epsilons_for
from tests.processes import in_process_worker

NEXT_Q = torch.tensor([[1.0, 3.0], [2.0, 0.5], [4.0, -1.0]])  # Q(s_{i+1}, .; target)
REWARDS = torch.tensor([1.0, 0.0, 1.0])


def test_one_step_q_uses_the_max_over_next_actions():
    got = one_step_q_targets(REWARDS, NEXT_Q, terminal=False, gamma=0.5)
    assert torch.allclose(got, torch.tensor([1 + 0.5 * 3, 0 + 0.5 * 2, 1 + 0.5 * 4]))


def test_one_step_q_terminal_bootstraps_from_zero():
    got = one_step_q_targets(REWARDS, NEXT_Q, terminal=True, gamma=0.5)
    assert torch.allclose(got, torch.tensor([2.5, 1.0, 1.0]))


def test_sarsa_uses_the_next_action_actually_taken():
    next_actions = torch.tensor([0, 1, 1])
    got = one_step_sarsa_targets(REWARDS, NEXT_Q, next_actions, terminal=False, gamma=0.5)
    assert torch.allclose(got, torch.tensor([1 + 0.5 * 1, 0 + 0.5 * 0.5, 1 + 0.5 * -1]))
    got_terminal = one_step_sarsa_targets(REWARDS, NEXT_Q, next_actions, terminal=True, gamma=0.5)
    assert got_terminal[-1].item() == 1.0


def test_n_step_q_targets_for_a_five_step_segment():
    rewards = torch.tensor([0.0, 1.0, 0.0, 0.0, 1.0])
    bootstrap_q = torch.tensor([2.0, 5.0, 1.0])
    got = n_step_q_targets(rewards, bootstrap_q, terminal=False, gamma=0.9)
    expected, running = [], 5.0
    for r in reversed(rewards.tolist()):
        running = r + 0.9 * running
        expected.append(running)
    assert torch.allclose(got, torch.tensor(expected[::-1]))
    got_terminal = n_step_q_targets(rewards, bootstrap_q, terminal=True, gamma=0.9)
    assert got_terminal[-1].item() == 1.0
    assert got_terminal[0].item() == pytest.approx(0.9 + 0.9**4)


def test_q_loss_is_summed_squared_error_with_constant_targets():
    q = torch.tensor([1.0, 2.0], requires_grad=True)
    y = torch.tensor([2.0, 2.0], requires_grad=True)
    loss = q_loss(q, y)
    loss.backward()
    assert loss.item() == 1.0
    assert torch.allclose(q.grad, torch.tensor([-2.0, 0.0]))
    assert y.grad is None


def test_epsilon_anneals_linearly_from_one_to_the_final_value():
    assert epsilon_at(0, 0.1, 4_000_000) == 1.0
    assert abs(epsilon_at(2_000_000, 0.1, 4_000_000) - 0.55) < 1e-9
    assert epsilon_at(4_000_000, 0.1, 4_000_000) == pytest.approx(0.1)
    assert epsilon_at(9_000_000, 0.01, 4_000_000) == pytest.approx(0.01)


@pytest.mark.parametrize("workers, expected", [
    (1, [0.1]),
    (2, [0.1, 0.01]),
    (3, [0.1, 0.01, 0.5]),
    (16, [0.1, 0.01, 0.5] * 5 + [0.1]),
])
def test_final_epsilons_are_the_paper_mix_stratified_over_ranks(workers, expected):
    cfg = TrainConfig(workers=workers)
    assert final_epsilons_for(workers, cfg.final_epsilons, cfg.final_epsilon_probs) == expected
    assert [final_epsilon_for_rank(cfg, r) for r in range(workers)] == expected


def test_final_epsilon_mix_is_within_one_worker_of_the_paper_proportions():
    for workers in range(1, 65):
        mix = np.array(final_epsilons_for(workers, (0.1, 0.01, 0.5), (0.4, 0.3, 0.3)))
        assert len(mix) == workers
        for value, p in zip((0.1, 0.01, 0.5), (0.4, 0.3, 0.3)):
            assert abs((mix == value).sum() - p * workers) < 1


def n_step_q_worker(tmp_path):
    """An n-step Q worker in this process, with its global and target networks (40k-frame interval)."""
    from a3c.envs import resolve
    from a3c.models import build_model

    cfg = TrainConfig(game="CartPole-v1", algo="n-step-q", workers=1, frames=10**6,
                      target_update_frames=40_000, out=str(tmp_path))
    model = build_model("n-step-q", (4,), True, 2, 0).share_memory()
    target = build_model("n-step-q", (4,), True, 2, 0).share_memory()
    return in_process_worker(cfg, resolve("CartPole-v1"), model, target), model, target


def test_target_network_is_refreshed_only_when_the_global_counter_crosses_the_interval(tmp_path):
    worker, model, target = n_step_q_worker(tmp_path)

    def same() -> bool:
        return all(torch.equal(a, b) for a, b in zip(model.parameters(), target.parameters()))

    assert not same()
    worker.maybe_refresh_target(39_990, 39_999)  # no crossing: unchanged
    assert not same()
    worker.maybe_refresh_target(39_995, 40_015)  # crosses 40,000: copied
    assert same()
    with torch.no_grad():
        model.q.bias.add_(1.0)
    worker.maybe_refresh_target(40_015, 79_990)
    assert not same()
    worker.maybe_refresh_target(79_990, 80_010)
    assert same()


def test_only_the_worker_whose_own_frames_cross_the_interval_refreshes_the_target(tmp_path):
    worker, _, _ = n_step_q_worker(tmp_path)
    refreshed = []
    worker.maybe_refresh_target = lambda old, new: refreshed.append((old, new))
    worker.shared.frames.value = 30_000
    assert worker.advance_counter(5) == 30_005
    worker.shared.frames.value = 40_100  # other workers crossed 40,000 meanwhile (and refreshed)
    assert worker.advance_counter(5) == 40_105
    assert refreshed == [(30_000, 30_005), (40_100, 40_105)]  # its own additions only: no second refresh


def test_q_loss_refuses_targets_of_another_shape():
    with pytest.raises(ValueError, match=r"targets \(3, 1\)"):
        q_loss(torch.zeros(3), torch.zeros(3, 1))
