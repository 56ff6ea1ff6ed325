"""Every hyperparameter of a run, in one place.

Defaults are the paper's values (Mnih et al. 2016, arXiv:1602.01783 v2); each comment names the
section of results/reference/protocol.md that gives it. Where the paper is silent the comment says
so and names the choice made.
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any

ALGOS = ("a3c", "a3c-lstm", "one-step-q", "one-step-sarsa", "n-step-q")
VALUE_BASED = ("one-step-q", "one-step-sarsa", "n-step-q")


@dataclass
class Protocol:
    """The environment and evaluation protocol: recorded with every run."""

    env_version: str = "v5"  # ale-py v5 environments (a newer ALE than the paper's: deviation)
    repeat_action_probability: float = 0.0  # deterministic ALE as in DQN; 0.25 = sticky (option)
    frame_skip: int = 4  # protocol.md "Atari": action repeat 4
    max_pool_last_two: bool = True  # protocol.md "Atari": max over the last two raw frames
    screen_size: int = 84  # protocol.md "Atari": 84x84 luminance
    frame_stack: int = 4  # protocol.md "Atari": stack of the last 4 processed frames
    full_action_space: bool = False  # minimal action set (DQN-era protocol)
    noop_max: int = 30  # protocol.md "Atari": no-op starts (the human starts are not public)
    terminal_on_life_loss: bool = False  # paper silent for A3C; True: a lost life is terminal for learning only
    clip_rewards: bool = True  # protocol.md "Atari": rewards clipped to [-1, 1] for learning only
    max_episode_frames: int = 108_000  # 30 minutes of emulator time at 60 Hz
    eval_every: int = 1_000_000  # frames between evaluations of the global network (our choice)
    eval_episodes: int = 10  # episodes per periodic evaluation (our choice)
    final_eval_episodes: int = 30  # episodes for the final score (our choice)
    eval_epsilon: float = 0.05  # value-based agents act epsilon-greedily in evaluation (our choice)
    pixels: bool = False  # MuJoCo from 84x84 RGB renders instead of the physical state (paper: 3 tasks)


# Keys a run's config.json records beside the TrainConfig fields (so it can be fed back as --config).
RECORDED_ONLY = {"versions", "git_commit", "deviations", "env_id", "domain", "frames_per_step"}


@dataclass
class TrainConfig:
    """One training run. Defaults: the paper's values."""

    game: str = "Pong"
    algo: str = "a3c"
    workers: int = 16  # protocol.md "Shared by all": 16 actor-learner threads
    # This run's length. The paper's A3C FF trained for 1 day on 16 cores = 80M agent steps =
    # 320M emulator frames (its Figs. 3/S6 axes; Mnih's answer in the muupan/async-rl wiki).
    frames: int = 320_000_000
    seed: int = 0
    out: str = ""
    # --- optimisation (protocol.md "Shared by all experiments") ---
    lr: float = 7e-4  # Table-1 value not printed; within LogUniform(1e-4, 1e-2); common choice
    lr_anneal: bool = True  # annealed linearly to 0 over training (protocol.md "Shared by all")
    # The annealing horizon, in global frames: the paper's whole training (1 day of A3C FF = 320M
    # frames), so a shorter run ends with lr > 0 instead of squeezing the schedule into its own
    # length. 0 = over this run's own `frames` (MuJoCo and control tasks: the paper gives none).
    lr_anneal_frames: int = 320_000_000
    rms_alpha: float = 0.99  # shared RMSProp decay alpha
    rms_eps: float = 0.1  # not printed; talk: 1e-8; faithful reimplementations: 0.1 (in the sqrt)
    max_grad_norm: float = 40.0  # gradient-norm clipping 40 (talk)
    gamma: float = 0.99  # discount
    t_max: int = 5  # t_max = I_AsyncUpdate = 5
    # --- actor-critic ---
    beta: float = 0.01  # entropy weight, Atari (protocol.md "Atari")
    value_coef: float = 0.5  # 0.5 (R - V)^2, gradient (R - V); Algorithm S3: (R - V)^2 (README protocol)
    # --- value-based methods (protocol.md "Atari") ---
    target_update_frames: int = 40_000  # shared target network refresh, global frames
    epsilon_anneal_frames: int = 4_000_000  # 1 -> final epsilon over the first 4M frames
    # Final epsilons {0.1, 0.01, 0.5} w.p. {0.4, 0.3, 0.3}: assigned to workers by rank so that any
    # worker count gets this mix as closely as it can (learners.final_epsilon_for_rank).
    final_epsilons: tuple[float, ...] = (0.1, 0.01, 0.5)
    final_epsilon_probs: tuple[float, ...] = (0.4, 0.3, 0.3)
    # --- run management (ours) ---
    checkpoint_every: float = 300.0  # seconds between checkpoints
    diagnostics_every: int = 500  # updates per worker between training-diagnostics rows (0 = none)
    progress_every: float = 10.0  # seconds between progress lines
    hidden: int = 0  # MLP width for vector observations; 0 = per-domain default
    # A3C FF on Atari: the gradient from the acting pass's activations (a3c/replay_grad.py), the
    # same gradient as autograd over a second forward pass, ~1.3x the frames/s. False = autograd.
    reuse_acting_pass: bool = True
    protocol: Protocol = field(default_factory=Protocol)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainConfig:
        if not isinstance(data, dict):
            raise ValueError(f"a config must be a mapping of keys to values, got {type(data).__name__}")
        data = dict(data)
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - known - RECORDED_ONLY
        if unknown:
            raise ValueError(f"unknown config keys: {sorted(unknown)}")
        proto = data.pop("protocol", {}) or {}
        if not isinstance(proto, dict):
            raise ValueError(f"protocol must be a mapping, got {type(proto).__name__}")
        pknown = {f.name for f in dataclasses.fields(Protocol)}
        bad = set(proto) - pknown
        if bad:
            raise ValueError(f"unknown protocol keys: {sorted(bad)}")
        kwargs = {k: v for k, v in data.items() if k in known}
        return cls(protocol=Protocol(**typed(Protocol, proto)), **typed(cls, kwargs))


def typed(cls: type, values: dict[str, Any]) -> dict[str, Any]:
    """values with each checked against, or converted to, its field's type in `cls`.

    YAML reads `lr: 7e-4` as a string (it wants `7.0e-4`) and `frames: 80M` too: such strings
    become numbers; anything that cannot be one is a ValueError naming the key."""
    types = {f.name: f.type for f in dataclasses.fields(cls)}
    return {key: convert(key, value, types[key]) for key, value in values.items()}


def convert(key: str, value: Any, kind: str) -> Any:
    try:
        if kind == "bool":
            if not isinstance(value, bool):
                raise TypeError
            return value
        if kind == "int":
            if isinstance(value, bool):
                raise TypeError
            return parse_count(value) if isinstance(value, str) else int_exactly(value)
        if kind == "float":
            if isinstance(value, bool):
                raise TypeError
            return float(value)
        if kind == "str":
            if not isinstance(value, str):
                raise TypeError
            return value
        if kind.startswith("tuple"):
            return tuple(float(v) for v in value)
    except (TypeError, ValueError):
        raise ValueError(f"{key}: expected {kind}, got {value!r}") from None
    return value


def int_exactly(value: Any) -> int:
    if isinstance(value, float) and not value.is_integer():
        raise ValueError(value)
    return int(value)


# Where the paper's Atari values do not apply: MuJoCo (protocol.md "MuJoCo") uses entropy weight
# 1e-4 and one update per whole episode (t_max = 0), with no bootstrapping.
# The learning rate's 320M-frame horizon is the paper's Atari training; elsewhere it anneals over
# the run's own length.
DOMAIN_DEFAULTS = {"mujoco": {"beta": 1e-4, "t_max": 0, "lr_anneal_frames": 0},
                   "control": {"lr_anneal_frames": 0}}


MAX_SEED = 20_000  # worker k of resumed segment s gets seed*100_000 + s*1000 + k (trainer.py)


def parse_count(text: str | int) -> int:
    """Parse '80M', '250k', '1e6' or '1000' into an int; raise ValueError otherwise."""
    if isinstance(text, int):
        return text
    match = re.fullmatch(r"\s*([0-9]*\.?[0-9]+(?:e[0-9]+)?)\s*([kKmMgG]?)\s*", str(text))
    if not match:
        raise ValueError(f"not a count: {text!r} (use e.g. 1000, 250k, 80M)")
    scale = {"": 1, "k": 1e3, "m": 1e6, "g": 1e9}[match.group(2).lower()]
    return int(round(float(match.group(1)) * scale))


def learning_rate(cfg: TrainConfig, frames: int) -> float:
    """The learning rate after `frames` global frames: lr annealed linearly to 0 over
    cfg.lr_anneal_frames (0: over cfg.frames), whatever this run's own length."""
    if not cfg.lr_anneal:
        return cfg.lr
    horizon = cfg.lr_anneal_frames or cfg.frames
    return cfg.lr * max(0.0, 1.0 - frames / horizon)


def validate(cfg: TrainConfig) -> None:
    """Raise ValueError with a clear message for any invalid setting."""
    checks = [
        (cfg.algo in ALGOS, f"unknown algo {cfg.algo!r}; choose one of {', '.join(ALGOS)}"),
        (cfg.workers >= 1, f"workers must be >= 1, got {cfg.workers}"),
        (cfg.frames > 0, f"frames must be > 0, got {cfg.frames}"),
        (0 <= cfg.seed <= MAX_SEED, f"seed must be in [0, {MAX_SEED:,}] (worker seeds are seed x 100,000 + "
                                    f"..., below 2^31), got {cfg.seed}"),
        (cfg.lr > 0, f"lr must be > 0, got {cfg.lr}"),
        (cfg.lr_anneal_frames >= 0, f"lr_anneal_frames must be >= 0 (0 = this run's frames), "
                                    f"got {cfg.lr_anneal_frames}"),
        (cfg.diagnostics_every >= 0, f"diagnostics_every must be >= 0 (0 = none), got {cfg.diagnostics_every}"),
        (cfg.t_max >= 0, f"t_max must be >= 0 (0 = whole episode), got {cfg.t_max}"),
        (0 < cfg.gamma <= 1, f"gamma must be in (0, 1], got {cfg.gamma}"),
        (cfg.beta >= 0, f"beta must be >= 0, got {cfg.beta}"),
        (cfg.rms_eps > 0, f"rms_eps must be > 0, got {cfg.rms_eps}"),
        (cfg.checkpoint_every > 0, "checkpoint_every must be > 0"),
        (cfg.protocol.eval_episodes >= 1, "eval_episodes must be >= 1"),
        (cfg.protocol.final_eval_episodes >= 1, "final_eval_episodes must be >= 1"),
        (cfg.protocol.eval_every > 0, "eval_every must be > 0"),
        (0 <= cfg.protocol.repeat_action_probability < 1, "repeat_action_probability in [0, 1)"),
        (cfg.protocol.noop_max >= 0, "noop_max must be >= 0"),
        (abs(sum(cfg.final_epsilon_probs) - 1) < 1e-6, "final_epsilon_probs must sum to 1"),
        (len(cfg.final_epsilons) == len(cfg.final_epsilon_probs) > 0,
         "final_epsilons and final_epsilon_probs must have the same (non-zero) length"),
        (all(0 <= e <= 1 for e in cfg.final_epsilons), "final_epsilons must be in [0, 1]"),
        (cfg.target_update_frames > 0, "target_update_frames must be > 0"),
        (cfg.epsilon_anneal_frames >= 0, "epsilon_anneal_frames must be >= 0"),
        (0 <= cfg.rms_alpha < 1, f"rms_alpha must be in [0, 1), got {cfg.rms_alpha}"),
        (cfg.max_grad_norm > 0, f"max_grad_norm must be > 0, got {cfg.max_grad_norm}"),
        (cfg.value_coef >= 0, f"value_coef must be >= 0, got {cfg.value_coef}"),
        (cfg.progress_every > 0, "progress_every must be > 0"),
        (cfg.hidden >= 0, f"hidden must be >= 0 (0 = per-domain default), got {cfg.hidden}"),
        (0 <= cfg.protocol.eval_epsilon <= 1, "eval_epsilon must be in [0, 1]"),
        (cfg.protocol.frame_skip >= 1, "frame_skip must be >= 1"),
        (cfg.protocol.frame_stack >= 1, "frame_stack must be >= 1"),
        (cfg.protocol.screen_size >= 20, "screen_size must be >= 20 (the paper's two convolutions)"),
        (cfg.protocol.max_pool_last_two, "max_pool_last_two=False is not supported: gymnasium's "
                                         "AtariPreprocessing always max-pools the last two frames"),
        (cfg.protocol.max_episode_frames > 0, "max_episode_frames must be > 0"),
        (bool(cfg.out), "an output directory (--out) is required"),
    ]
    for ok, message in checks:
        if not ok:
            raise ValueError(message)
