import numpy as np
import pytest
import torch

from a3c.algorithms.value_based import (n_step_q_targets, one_step_q_targets, one_step_sarsa_targets,
                                        q_loss)
from a3c.config import TrainConfig
from a3c.learners import epsilon_at, sample_final_epsilon

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


def test_final_epsilon_sampling_follows_the_paper_distribution():
    cfg = TrainConfig()
    rng = np.random.default_rng(0)
    draws = np.array([sample_final_epsilon(cfg, rng) for _ in range(20_000)])
    assert set(np.unique(draws)) == {0.01, 0.1, 0.5}
    for value, p in zip((0.1, 0.01, 0.5), (0.4, 0.3, 0.3)):
        assert abs((draws == value).mean() - p) < 0.02
