import torch
import torch.multiprocessing as mp
from torch import nn

from a3c.optim import SharedRMSprop


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
