import math

import torch

from a3c.algorithms.actor_critic import actor_critic_loss, gaussian_terms, softmax_terms


def test_advantage_is_return_minus_value_and_value_loss_scale():
    log_probs = torch.tensor([-1.0, -2.0], requires_grad=True)
    values = torch.tensor([0.5, 1.0], requires_grad=True)
    entropy = torch.zeros(2)
    rewards = torch.tensor([1.0, 1.0])
    total, parts = actor_critic_loss(log_probs, entropy, values, rewards, bootstrap=0.0, gamma=1.0,
                                     beta=0.0, value_coef=0.5)
    # returns: [2, 1]; advantages: [1.5, 0]
    assert math.isclose(parts["policy"], -(-1.0 * 1.5 + -2.0 * 0.0))
    assert math.isclose(parts["value"], 0.5 * (1.5**2 + 0.0))
    total.backward()
    # d/dlogp = -advantage; d/dV = -value_coef * 2 * advantage
    assert torch.allclose(log_probs.grad, torch.tensor([-1.5, 0.0]))
    assert torch.allclose(values.grad, torch.tensor([-1.5, 0.0]))


def test_policy_term_treats_the_advantage_as_a_constant():
    log_probs = torch.tensor([-1.0], requires_grad=True)
    values = torch.tensor([0.25], requires_grad=True)
    total, _ = actor_critic_loss(log_probs, torch.zeros(1), values, torch.tensor([1.0]), 0.0, 0.99,
                                 beta=0.0, value_coef=0.0)
    total.backward()
    assert values.grad.item() == 0.0
    assert log_probs.grad.item() == -0.75


def test_entropy_bonus_lowers_the_loss_for_a_more_uniform_policy():
    actions = torch.tensor([0])
    uniform = torch.zeros(1, 4)
    peaked = torch.tensor([[5.0, 0.0, 0.0, 0.0]])
    losses = []
    for logits in (uniform, peaked):
        lp, ent = softmax_terms(logits, actions)
        total, _ = actor_critic_loss(lp * 0, ent, torch.zeros(1), torch.zeros(1), 0.0, 0.99, beta=0.01, value_coef=0.5)
        losses.append(total.item())
    assert losses[0] < losses[1]
    assert math.isclose(losses[0], -0.01 * math.log(4), rel_tol=1e-5)


def test_softmax_terms_against_closed_form():
    logits = torch.tensor([[1.0, 2.0, 3.0]])
    lp, ent = softmax_terms(logits, torch.tensor([2]))
    p = torch.softmax(logits, -1)[0]
    assert math.isclose(lp.item(), math.log(p[2].item()), rel_tol=1e-5)
    assert math.isclose(ent.item(), -(p * p.log()).sum().item(), rel_tol=1e-5)


def test_gaussian_log_prob_and_entropy_closed_forms():
    mu = torch.tensor([[0.5, -1.0]])
    var = torch.tensor([[0.25, 4.0]])
    a = torch.tensor([[1.0, 1.0]])
    lp, ent = gaussian_terms(mu, var, a)
    dist = torch.distributions.Normal(mu, var.sqrt())
    assert torch.allclose(lp, dist.log_prob(a).sum(-1))
    assert torch.allclose(ent, dist.entropy().sum(-1))
    expected = sum(0.5 * math.log(2 * math.pi * math.e * v) for v in (0.25, 4.0))
    assert math.isclose(ent.item(), expected, rel_tol=1e-5)


def test_categorical_sampling_follows_the_softmax():
    import numpy as np

    from a3c.learners import sample_categorical

    logits = torch.log(torch.tensor([0.1, 0.6, 0.3]))
    rng = np.random.default_rng(0)
    draws = np.array([sample_categorical(logits, rng) for _ in range(20_000)])
    assert np.allclose(np.bincount(draws, minlength=3) / draws.size, [0.1, 0.6, 0.3], atol=0.015)


def test_a_wrongly_shaped_input_is_refused_at_the_loss_instead_of_broadcasting():
    import pytest

    per_step = torch.zeros(3)
    with pytest.raises(ValueError, match=r"values \(3, 1\)"):  # (T, 1) - (T,) would broadcast to (T, T)
        actor_critic_loss(per_step, per_step, torch.zeros(3, 1), per_step, 0.0, 0.99, 0.01, 0.5)
    with pytest.raises(ValueError, match=r"rewards \(2,\)"):
        actor_critic_loss(per_step, per_step, per_step, torch.zeros(2), 0.0, 0.99, 0.01, 0.5)
