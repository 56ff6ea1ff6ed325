import pytest
import torch
import torch.multiprocessing as mp
from torch import nn

from a3c.optim import SharedRMSprop, clip_factor, grad_norm


def test_statistics_are_created_eagerly_in_shared_memory():
    model = nn.Linear(3, 2).share_memory()
    opt = SharedRMSprop(model.parameters())
    assert opt.is_shared()
    assert all(s.abs().sum() == 0 for s in opt.square_avg)


def test_step_matches_hand_computation():
    param = torch.tensor([1.0, -2.0]).share_memory_()
    opt = SharedRMSprop([param], alpha=0.9, eps=0.1)
    grad = torch.tensor([0.5, -1.0])
    opt.step([grad], lr=0.01)
    g = 0.1 * grad**2
    expected = torch.tensor([1.0, -2.0]) - 0.01 * grad / torch.sqrt(g + 0.1)
    assert torch.allclose(param, expected)
    assert torch.allclose(opt.square_avg[0], g)
    opt.step([grad], lr=0.01)
    g2 = 0.9 * g + 0.1 * grad**2
    assert torch.allclose(opt.square_avg[0], g2)
    assert torch.allclose(param, expected - 0.01 * grad / torch.sqrt(g2 + 0.1))


def test_mean_square_starts_at_init_and_sets_the_first_step():
    """From g = 0 a tiny eps makes the first step a sign step of lr / sqrt(1 - alpha) per weight; from
    g = 1 (TensorFlow's start) it is about plain SGD."""
    grads = torch.tensor([0.5, -1.0])
    steps = {}
    for init in (0.0, 1.0):
        param = torch.zeros(2).share_memory_()
        opt = SharedRMSprop([param], alpha=0.99, eps=1e-8, init=init)
        assert torch.all(opt.square_avg[0] == init)
        opt.step([grads], lr=0.01)
        steps[init] = -param
    assert torch.allclose(steps[0.0], 0.01 * grads.sign() / 0.1, rtol=1e-4)
    assert torch.allclose(steps[1.0], 0.01 * grads / torch.sqrt(torch.tensor(0.99) + 0.01 * grads**2), rtol=1e-5)


def test_rejects_parameters_outside_shared_memory():
    import pytest

    with pytest.raises(ValueError, match="shared memory"):
        SharedRMSprop(nn.Linear(2, 2).parameters())


def _apply(opt: SharedRMSprop, index: int) -> None:
    grad = torch.zeros(4)
    grad[index] = 1.0
    opt.step([grad], lr=1.0)


def test_two_processes_updates_both_reach_the_shared_parameters():
    param = torch.zeros(4).share_memory_()
    opt = SharedRMSprop([param], alpha=0.5, eps=0.5)
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_apply, args=(opt, i)) for i in (0, 1)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    assert param[0] < 0 and param[1] < 0  # both moved against their gradient
    assert param[2] == 0 and param[3] == 0
    assert opt.steps.item() == 2
    assert opt.square_avg[0][0] > 0 and opt.square_avg[0][1] > 0


def test_clip_factor_matches_torch_clip_grad_norm():
    torch.manual_seed(0)
    grads = [torch.randn(5, 3) * 10, torch.randn(7) * 10]
    clipped = [g.clone() for g in grads]
    params = [torch.zeros_like(g, requires_grad=True) for g in grads]
    for p, g in zip(params, clipped):
        p.grad = g
    torch.nn.utils.clip_grad_norm_(params, 4.0)
    scale = clip_factor(grad_norm(grads), 4.0)
    assert scale < 1.0
    for g, c in zip(grads, clipped):
        assert torch.allclose(g * scale, c, atol=1e-6)
    assert clip_factor(grad_norm([torch.full((3,), 1e-3)]), 40.0) == 1.0  # small gradients are left alone


def test_step_applies_the_gradient_scale_and_accepts_non_contiguous_gradients():
    param = torch.zeros(2, 3).share_memory_()
    opt = SharedRMSprop([param], alpha=0.9, eps=0.1)
    grad = torch.arange(6, dtype=torch.float32).view(3, 2).t()  # non-contiguous
    opt.step([grad], lr=0.01, grad_scale=0.5)
    d = 0.5 * grad
    g = 0.1 * d**2
    assert torch.allclose(opt.square_avg[0], g)
    assert torch.allclose(param, -0.01 * d / torch.sqrt(g + 0.1))


def test_parameters_without_gradient_are_left_alone():
    a, b = torch.ones(2).share_memory_(), torch.ones(2).share_memory_()
    opt = SharedRMSprop([a, b])
    opt.step([None, torch.ones(2)], lr=0.1)
    assert torch.equal(a, torch.ones(2)) and (b < 1).all()


def test_step_with_sync_to_leaves_the_local_copy_equal_to_the_shared_parameters():
    shared = [torch.tensor([1.0, -2.0]).share_memory_(), torch.tensor([3.0]).share_memory_()]
    reference = [p.clone().share_memory_() for p in shared]
    local = [torch.zeros(2), torch.zeros(1)]
    opt, ref_opt = SharedRMSprop(shared, 0.9, 0.1), SharedRMSprop(reference, 0.9, 0.1)
    grads = [torch.tensor([0.5, -1.0]), None]  # a parameter without gradient is synced too
    opt.step(grads, lr=0.01, grad_scale=0.5, sync_to=local)
    ref_opt.step(grads, lr=0.01, grad_scale=0.5)
    for p, r, mine in zip(shared, reference, local):
        assert torch.equal(p, r)  # the same update as without sync_to
        assert torch.equal(mine, p)  # and the local copy holds it


def test_a_factored_gradient_updates_and_clips_as_its_dense_matrix():
    from a3c.optim import OuterSum

    torch.manual_seed(0)
    left, right = torch.randn(5, 7), torch.randn(5, 11)  # gradient left.T @ right: (7, 11)
    factored = OuterSum(left, right)
    dense = left.t() @ right
    assert torch.allclose(factored.dense(), dense)
    expected = clip_factor(grad_norm([dense, torch.ones(3)]), 4.0)
    assert clip_factor(grad_norm([factored, torch.ones(3)]), 4.0) == pytest.approx(expected, rel=1e-5)
    for sync in (False, True):
        params = [torch.randn(7, 11).share_memory_() for _ in range(2)]
        params[1].copy_(params[0])
        opts = [SharedRMSprop([p], alpha=0.9, eps=0.1) for p in params]
        local = [torch.zeros(7, 11)] if sync else None
        for _ in range(2):  # twice: the second step uses the statistics of the first
            opts[0].step([factored], lr=0.01, grad_scale=0.5, sync_to=local)
            opts[1].step([dense], lr=0.01, grad_scale=0.5)
        assert torch.allclose(params[0], params[1], atol=1e-6)
        assert torch.allclose(opts[0].square_avg[0], opts[1].square_avg[0], atol=1e-6)
        if sync:
            assert torch.equal(local[0], params[0])


def test_step_refuses_a_gradient_list_of_the_wrong_length():
    opt = SharedRMSprop([torch.zeros(2).share_memory_()])
    with pytest.raises(ValueError, match="2 gradients"):
        opt.step([torch.ones(2), torch.ones(2)], lr=0.1)
