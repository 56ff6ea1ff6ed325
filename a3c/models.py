"""Networks: the paper's Atari torso (FF and LSTM), an MLP torso, and the heads.

Every network maps (observation batch, recurrent state) to a dict of outputs and a new state, so
the worker and the evaluator never need to know which one they hold. The discrete-action networks
also return their torso's output as "features" (the last ReLU layer: the dead-unit diagnostic).
"""
from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

State = tuple[torch.Tensor, torch.Tensor] | None


def paper_convs(in_channels: int, screen: int) -> tuple[nn.Conv2d, nn.Conv2d, int]:
    """conv 16x8x8 stride 4, conv 32x4x4 stride 2, and their flattened output size."""
    side = ((screen - 8) // 4 + 1 - 4) // 2 + 1
    return nn.Conv2d(in_channels, 16, 8, stride=4), nn.Conv2d(16, 32, 4, stride=2), 32 * side * side


class AtariTorso(nn.Module):
    """conv 16x8x8/4, conv 32x4x4/2, fc 256, ReLU after each (protocol.md "Atari")."""

    def __init__(self, in_channels: int = 4, screen: int = 84) -> None:
        super().__init__()
        self.conv1, self.conv2, conv_out = paper_convs(in_channels, screen)
        self.fc = nn.Linear(conv_out, 256)
        self.out_dim = 256

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        # channels_last: oneDNN's convolutions (the backward of conv1 above all) run ~2x faster
        # on CPU in that layout; the weights and the results are unchanged.
        x = (obs.float() / 255.0).contiguous(memory_format=torch.channels_last)
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        return F.relu(self.fc(x.flatten(1)))


class MLPTorso(nn.Module):
    """One hidden ReLU layer (the paper's MuJoCo encoder uses 200 units)."""

    def __init__(self, obs_dim: int, hidden: int) -> None:
        super().__init__()
        self.fc = nn.Linear(obs_dim, hidden)
        self.out_dim = hidden

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        return F.relu(self.fc(obs.float()))


class PixelTorso(nn.Module):
    """MuJoCo from pixels: two convolutions with no nonlinearity or pooling (protocol.md)."""

    def __init__(self, in_channels: int = 3, screen: int = 84) -> None:
        super().__init__()
        self.conv1, self.conv2, self.out_dim = paper_convs(in_channels, screen)

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        return self.conv2(self.conv1(obs.float() / 255.0)).flatten(1)


def make_torso(obs_shape: tuple[int, ...], hidden: int, linear_conv: bool = False) -> nn.Module:
    if len(obs_shape) == 3 and linear_conv:
        return PixelTorso(obs_shape[0], obs_shape[1])
    if len(obs_shape) == 3:
        return AtariTorso(obs_shape[0], obs_shape[1])
    return MLPTorso(int(math.prod(obs_shape)), hidden)


class Recurrent(nn.Module):
    """Optional LSTM after the torso (256 cells for Atari, 128 for MuJoCo).

    The batch dimension of a recurrent network's input is time: the observations of one worker's
    segment (or whole episode) in order, unrolled in one nn.LSTM call (a C++ loop, much faster
    than stepping an LSTMCell from Python over a 1000-step MuJoCo episode). Acting is a
    sequence of length 1. The state is (h, c), each of shape (1, cells).
    """

    def __init__(self, in_dim: int, cells: int) -> None:
        super().__init__()
        self.cells = cells
        self.lstm = nn.LSTM(in_dim, cells) if cells else None
        self.out_dim = cells or in_dim

    def initial_state(self) -> State:
        if self.lstm is None:
            return None
        zeros = torch.zeros(1, self.cells)
        return zeros, zeros.clone()

    def forward(self, x: torch.Tensor, state: State) -> tuple[torch.Tensor, State]:
        if self.lstm is None:
            return x, None
        if state is None:
            state = self.initial_state()
        if x.shape[0] == 1:  # one step (acting): the cell alone is ~5x faster than nn.LSTM's T=1 path
            h, c = torch.lstm_cell(x, (state[0], state[1]), *self.lstm.all_weights[0])
            return h, (h, c)
        out, (h, c) = self.lstm(x, (state[0], state[1]))  # unbatched: (time, features)
        return out, (h, c)


class ActorCritic(nn.Module):
    """Softmax policy and linear value sharing one torso (discrete actions, Atari)."""

    def __init__(self, obs_shape: tuple[int, ...], n_actions: int, lstm_cells: int = 0,
                 hidden: int = 64) -> None:
        super().__init__()
        self.torso = make_torso(obs_shape, hidden)
        self.core = Recurrent(self.torso.out_dim, lstm_cells)
        self.policy = nn.Linear(self.core.out_dim, n_actions)
        self.value = nn.Linear(self.core.out_dim, 1)

    def initial_state(self) -> State:
        return self.core.initial_state()

    def forward(self, obs: torch.Tensor, state: State = None) -> tuple[dict, State]:
        features = self.torso(obs)
        x, state = self.core(features, state)
        return {"logits": self.policy(x), "value": self.value(x).squeeze(-1), "features": features}, state


class GaussianActorCritic(nn.Module):
    """Continuous control: separate policy and value networks (no shared parameters).

    Each is the paper's encoder (one hidden layer of 200 ReLU units) into an LSTM of 128 cells;
    the policy outputs a mean (linear) and a variance (SoftPlus of a linear layer).
    """

    def __init__(self, obs_shape: tuple[int, ...], action_dim: int, lstm_cells: int = 128,
                 hidden: int = 200) -> None:
        super().__init__()
        self.pi_torso = make_torso(obs_shape, hidden, linear_conv=True)
        self.pi_core = Recurrent(self.pi_torso.out_dim, lstm_cells)
        self.mu = nn.Linear(self.pi_core.out_dim, action_dim)
        self.var = nn.Linear(self.pi_core.out_dim, action_dim)
        self.v_torso = make_torso(obs_shape, hidden, linear_conv=True)
        self.v_core = Recurrent(self.v_torso.out_dim, lstm_cells)
        self.value = nn.Linear(self.v_core.out_dim, 1)

    def initial_state(self) -> State:
        pi, v = self.pi_core.initial_state(), self.v_core.initial_state()
        return None if pi is None else (torch.cat([pi[0], v[0]], 1), torch.cat([pi[1], v[1]], 1))

    def _split(self, state: State) -> tuple[State, State]:
        if state is None:
            return None, None
        n = self.pi_core.cells
        return (state[0][:, :n], state[1][:, :n]), (state[0][:, n:], state[1][:, n:])

    def forward(self, obs: torch.Tensor, state: State = None) -> tuple[dict, State]:
        pi_state, v_state = self._split(state)
        x, pi_state = self.pi_core(self.pi_torso(obs), pi_state)
        y, v_state = self.v_core(self.v_torso(obs), v_state)
        out = {"mu": self.mu(x), "var": F.softplus(self.var(x)) + 1e-5,
               "value": self.value(y).squeeze(-1)}
        if pi_state is None:
            return out, None
        return out, (torch.cat([pi_state[0], v_state[0]], 1), torch.cat([pi_state[1], v_state[1]], 1))


class QNetwork(nn.Module):
    """The A3C FF torso with one linear Q output per action (value-based methods)."""

    def __init__(self, obs_shape: tuple[int, ...], n_actions: int, hidden: int = 64) -> None:
        super().__init__()
        self.torso = make_torso(obs_shape, hidden)
        self.q = nn.Linear(self.torso.out_dim, n_actions)

    def initial_state(self) -> State:
        return None

    def forward(self, obs: torch.Tensor, state: State = None) -> tuple[dict, State]:
        features = self.torso(obs)
        return {"q": self.q(features), "features": features}, None


def build_model(algo: str, obs_shape: tuple[int, ...], discrete: bool, n_actions: int,
                hidden: int = 0) -> nn.Module:
    """The network for an algorithm and an environment."""
    atari = len(obs_shape) == 3
    if not discrete:
        if algo not in ("a3c", "a3c-lstm"):
            raise ValueError(f"{algo} needs discrete actions; continuous tasks use a3c or a3c-lstm")
        return GaussianActorCritic(obs_shape, n_actions, 128 if algo == "a3c-lstm" else 0,
                                   hidden or 200)
    hidden = hidden or 64
    if algo == "a3c":
        return ActorCritic(obs_shape, n_actions, 0, hidden)
    if algo == "a3c-lstm":
        return ActorCritic(obs_shape, n_actions, 256 if atari else hidden, hidden)
    return QNetwork(obs_shape, n_actions, hidden)
