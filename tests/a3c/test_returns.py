import torch

from a3c.algorithms.returns import n_step_returns


def test_bootstrapped_returns_match_hand_computation():
    rewards = torch.tensor([1.0, 0.0, 2.0])
    got = n_step_returns(rewards, bootstrap=10.0, gamma=0.5)
    # R2 = 2 + 0.5*10 = 7; R1 = 0 + 0.5*7 = 3.5; R0 = 1 + 0.5*3.5 = 2.75
    assert torch.allclose(got, torch.tensor([2.75, 3.5, 7.0]))


def test_terminal_returns_bootstrap_from_zero():
    rewards = torch.tensor([1.0, 1.0, 1.0, 1.0, 1.0])
    got = n_step_returns(rewards, bootstrap=0.0, gamma=0.9)
    expected = torch.tensor([sum(0.9**k for k in range(5 - i)) for i in range(5)])
    assert torch.allclose(got, expected)


def test_returns_carry_no_gradient_from_the_bootstrap():
    value = torch.tensor(3.0, requires_grad=True)
    got = n_step_returns(torch.tensor([1.0]), bootstrap=value * 1, gamma=0.99)
    assert not got.requires_grad


def test_a_list_of_rewards_gives_the_same_returns_as_a_tensor():
    rewards = [1.0, 0.0, -1.0]
    assert torch.equal(n_step_returns(rewards, 2.0, 0.9), n_step_returns(torch.tensor(rewards), 2.0, 0.9))
