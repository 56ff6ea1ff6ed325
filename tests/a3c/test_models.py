"""a3c/models.py: the recurrent network acts one step at a time (torch.lstm_cell) and trains on an
unrolled segment (nn.LSTM); both must compute the same outputs, or the gradient is for another policy."""
import pytest
import torch

from a3c.models import build_model


@pytest.mark.parametrize("obs_shape", [(4,), (4, 84, 84)])
def test_acting_step_by_step_equals_the_unrolled_training_pass(obs_shape):
    torch.manual_seed(0)
    model = build_model("a3c-lstm", obs_shape, True, 3)
    obs = torch.rand(6, *obs_shape) * (255 if len(obs_shape) == 3 else 1)
    state0 = (torch.randn(1, model.core.cells), torch.randn(1, model.core.cells))  # mid-episode
    with torch.no_grad():
        state, stepped = state0, []
        for t in range(len(obs)):
            out, state = model(obs[t:t + 1], state)
            stepped.append(out)
        unrolled, last = model(obs, state0)
    assert torch.allclose(torch.cat([o["logits"] for o in stepped]), unrolled["logits"], atol=1e-5)
    assert torch.allclose(torch.cat([o["value"] for o in stepped]), unrolled["value"], atol=1e-5)
    assert all(torch.allclose(a, b, atol=1e-5) for a, b in zip(state, last))  # the next segment starts here


def test_the_lstm_state_carries_memory_and_the_initial_state_is_zero():
    torch.manual_seed(0)
    model = build_model("a3c-lstm", (4,), True, 3)
    h, c = model.initial_state()
    assert not h.any() and not c.any()
    obs = torch.rand(1, 4)
    with torch.no_grad():
        fresh, _ = model(obs, model.initial_state())
        _, state = model(torch.rand(1, 4), model.initial_state())
        remembered, _ = model(obs, state)
    assert not torch.allclose(fresh["logits"], remembered["logits"])  # the state is an input
