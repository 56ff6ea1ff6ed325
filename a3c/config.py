"""Every setting of a run, in one place: TrainConfig and its Protocol.

Defaults are the paper's values (Mnih et al. 2016, arXiv:1602.01783 v2). Each field carries, as
metadata, its help text and the source of its default (the section of
results/reference/protocol.md that gives it, or "paper silent" and the choice made): the command
line (a3c/cli.py) is generated from these fields, and `python -m a3c train --help` prints both.

Three settings depend on the domain (entropy weight, rollout length, learning-rate horizon): the
paper's MuJoCo values are not its Atari ones; the stand-ins for TORCS ("driving") and Labyrinth
("maze") take the Atari values. Left unset, such a field takes its domain's value
when the config is made (TrainConfig.__post_init__), so Python, YAML, the command line and the
workflow all get the same values; a value given explicitly always wins.
"""
from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass, field
from typing import Any

from a3c.games import DOMAINS, domain_of

ALGOS = ("a3c", "a3c-lstm", "one-step-q", "one-step-sarsa", "n-step-q")
VALUE_BASED = ("one-step-q", "one-step-sarsa", "n-step-q")

# The default of a domain-dependent field: "not given; take the domain's value" (TrainConfig.__post_init__).
FROM_DOMAIN: Any = None
# The default of a protocol switch that is on for the value-based methods on Atari and off otherwise
# (TrainConfig.__post_init__; a value given explicitly always wins).
FROM_METHOD: Any = None
PER_METHOD = ("terminal_on_life_loss", "fire_on_reset")  # the Protocol switches whose default is FROM_METHOD


def setting(default: Any, source: str, help: str = "", *, flag: str | None = "", count: bool = False,
            choices: tuple[str, ...] | None = None, domains: dict[str, Any] | None = None) -> Any:
    """A config field with its documentation, from which the command line is generated.

    source: where the default comes from. help: what the setting does (default: the source alone).
    flag: the command-line flag ("" = --field-name; None = no flag: YAML and Python only). A bool's
    flag sets the opposite of its default. count: an integer of frames, also written 80M, 250k.
    domains: the default per domain (with default=FROM_DOMAIN)."""
    metadata = {"source": source, "help": help, "flag": flag, "count": count, "choices": choices,
                "domains": domains}
    if domains is not None and set(domains) != set(DOMAINS):
        raise ValueError(f"a per-domain default needs a value for each of {DOMAINS}")
    return field(default=default, metadata=metadata)


@dataclass
class Protocol:
    """The environment and evaluation protocol: recorded with every run."""

    env_version: str = setting("v5", "ale-py v5 environments (a newer ALE than the paper's: deviation)",
                               flag=None)
    repeat_action_probability: float = setting(
        0.0, "deterministic ALE as in DQN", "sticky-action probability (0.25 = Machado et al.)", flag="--sticky")
    frame_skip: int = setting(4, 'protocol.md "Atari": action repeat 4', "emulator frames per agent step")
    max_pool_last_two: bool = setting(True, 'protocol.md "Atari": max over the last two raw frames', flag=None)
    screen_size: int = setting(84, 'protocol.md "Atari": 84x84 luminance', "side of the preprocessed screen")
    frame_stack: int = setting(4, 'protocol.md "Atari": stack of the last 4 processed frames',
                               "processed frames per observation")
    full_action_space: bool = setting(False, "minimal action set (DQN-era protocol)",
                                      "the full 18-action set instead of the minimal one")
    noop_max: int = setting(30, 'protocol.md "Atari": no-op starts (the human starts are not public)',
                            "up to this many random no-ops at every reset")
    # Both default per method (FROM_METHOD): on for the value-based methods on Atari, whose
    # epsilon-greedy policy may never press FIRE to serve, off for A3C (README protocol: measured).
    terminal_on_life_loss: bool = setting(
        FROM_METHOD, "paper silent; DQN's protocol for the value-based methods on Atari",
        "end training episodes at a life loss (for learning only; the game goes on)", flag="--life-loss")
    fire_on_reset: bool = setting(
        FROM_METHOD, "paper silent; DQN-era reimplementations (SB3's FireResetEnv) press FIRE at each new life",
        "press FIRE after every reset and every lost life, in training and evaluation (games with FIRE; "
        "the press is counted in the frames)", flag="--fire-reset")
    clip_rewards: bool = setting(True, 'protocol.md "Atari": rewards clipped to [-1, 1] for learning only',
                                 "learn from raw Atari rewards instead of clipped ones")
    max_episode_frames: int = setting(108_000, "30 minutes of emulator time at 60 Hz",
                                      "episode cap in training and evaluation", count=True)
    eval_every: int = setting(1_000_000, "our choice", "frames between evaluations of the global network",
                              count=True)
    eval_episodes: int = setting(10, "our choice", "episodes per periodic evaluation")
    final_eval_episodes: int = setting(30, "our choice", "episodes for the final score")
    eval_epsilon: float = setting(0.05, "our choice", "value-based agents act epsilon-greedily in evaluation")
    pixels: bool = setting(False, "the physical state; the paper shows 3 tasks from pixels",
                           "MuJoCo from 84x84 RGB renders (needs OSMesa or EGL)")


# Keys a run's config.json records beside the TrainConfig fields (so it can be fed back as --config).
RECORDED_ONLY = {"versions", "git_commit", "deviations", "env_id", "domain", "frames_per_step"}


@dataclass
class TrainConfig:
    """One training run. Defaults: the paper's values; per domain where the paper's differ."""

    game: str = setting("Pong", "our choice", "Atari game (Pong, MontezumaRevenge, ...), MuJoCo task, CartPole-v1, "
                        "CarRacing or Maze")
    algo: str = setting("a3c", "the paper's main method", "the method", choices=ALGOS)
    workers: int = setting(16, 'protocol.md "Shared by all": 16 actor-learner threads', "worker processes")
    frames: int = setting(
        320_000_000, "the paper's A3C FF trained 1 day on 16 cores = 80M agent steps = 320M emulator frames "
        "(its Figs. 3/S6 axes; Mnih's answer in the muupan/async-rl wiki)", "this run's length in global frames",
        count=True)
    seed: int = setting(0, "ours", "the run's seed (worker and evaluation seeds derive from it)")
    out: str = setting("", "required", "the run directory")
    # --- optimisation (protocol.md "Shared by all experiments") ---
    lr: float = setting(7e-4, "Table-1 value not printed; within LogUniform(1e-4, 1e-2); a common choice",
                        "initial learning rate")
    lr_anneal: bool = setting(True, 'annealed linearly to 0 over training (protocol.md "Shared by all")',
                              "keep the learning rate constant instead of annealing it")
    # The annealing horizon: the paper's whole training on Atari, so a shorter run ends with lr > 0
    # instead of squeezing the schedule into its own length; 0 = over this run's own frames.
    # driving (CarRacing for TORCS) and maze (memory-maze for Labyrinth): the paper gives no horizon
    # for TORCS or Labyrinth, so Atari's 80M agent steps: 320M frames at CarRacing's 4 frames per
    # step, 80M frames in the maze, where a frame is one agent step (a3c/vision_envs.py).
    lr_anneal_frames: int = setting(
        FROM_DOMAIN, "Atari: the paper's training (1 day of A3C FF = 320M frames = 80M agent steps); driving and "
        "maze: the paper gives none for TORCS/Labyrinth, so Atari's 80M agent steps (driving 320M frames at 4 per "
        "step, maze 80M: a maze frame is an agent step); MuJoCo and control: the paper gives none, so the run's "
        "own length", "frames over which lr anneals to 0 (0 = this run's --frames)",
        count=True, domains={"atari": 320_000_000, "mujoco": 0, "control": 0, "driving": 320_000_000,
                             "maze": 80_000_000})
    rms_alpha: float = setting(0.99, 'protocol.md "Shared by all": shared RMSProp decay', "RMSProp decay alpha")
    rms_eps: float = setting(0.1, "not printed; talk: 1e-8; faithful reimplementations: 0.1 (inside the sqrt)",
                             "RMSProp epsilon")
    # Where the mean square g starts. Not given by the paper; torch and Torch7 start at 0, so with a
    # tiny eps the first updates are sign steps of up to 10 x lr per weight (g = 0.01 grad^2 after one
    # update); TensorFlow's RMSProp and miyosuda/async_deep_reinforce start at 1, plain SGD at first.
    rms_init: float = setting(0.0, "not printed; torch/Torch7 optim start g at 0, TensorFlow's RMSProp (and "
                              "miyosuda/async_deep_reinforce) at 1", "initial RMSProp mean square g")
    max_grad_norm: float = setting(40.0, "the authors' talk (the paper: tuned, not printed)",
                                   "global gradient-norm clipping")
    gamma: float = setting(0.99, 'protocol.md "Shared by all"', "discount")
    t_max: int = setting(FROM_DOMAIN, 'Atari, driving (TORCS), maze (Labyrinth): t_max = I_AsyncUpdate = 5 '
                         '(protocol.md "Shared by all"); MuJoCo: one update per whole episode (protocol.md "MuJoCo")',
                         "rollout length (0 = whole episode)",
                         domains={"atari": 5, "mujoco": 0, "control": 5, "driving": 5, "maze": 5})
    # --- actor-critic ---
    beta: float = setting(FROM_DOMAIN, 'protocol.md "Atari": 0.01 (Atari and TORCS: driving); maze: the paper gives '
                          'none for Labyrinth, so Atari\'s 0.01; protocol.md "MuJoCo": 1e-4', "entropy weight",
                          domains={"atari": 0.01, "mujoco": 1e-4, "control": 0.01, "driving": 0.01, "maze": 0.01})
    # CarRacing's raw rewards (+1000/N per tile, -0.1 per frame, -100 off the playfield) are ~100x
    # Atari's clipped ones: with the Atari settings its policy collapsed within 20k frames
    # (results/bench/carracing_a3c_2w_unclipped). Scaled by 0.01, leaving the playfield costs -1
    # (Atari's clip level) and a tile ~+0.035. The paper gives TORCS's reward only as proportional
    # to the velocity along the track, so its scale is ours to choose.
    reward_scale: float = setting(
        FROM_DOMAIN, "the paper gives no reward scale: 1 (Atari's are clipped to [-1, 1] first); driving "
        "(TorCS stand-in): ours, 0.01, on Atari's scale", "factor on the learning reward (after any clipping; "
        "scores are never scaled)",
        domains={"atari": 1.0, "mujoco": 1.0, "control": 1.0, "driving": 0.01, "maze": 1.0})
    value_coef: float = setting(0.5, "Algorithm S3: (R - V)^2; ours 0.5 (R - V)^2, absorbed by the learning rate "
                                "(README protocol)", "weight of the value loss")
    # --- value-based methods (protocol.md "Atari") ---
    target_update_frames: int = setting(40_000, 'protocol.md "Atari": shared target network refreshed every '
                                        "40,000 frames", "global frames between target-network refreshes", count=True)
    epsilon_anneal_frames: int = setting(4_000_000, 'protocol.md "Atari": 1 -> final epsilon over 4M frames',
                                         "global frames over which epsilon anneals to its final value", count=True)
    # Assigned to workers by rank so that any worker count gets the paper's mix as closely as it
    # can (learners.final_epsilon_for_rank).
    final_epsilons: tuple[float, ...] = setting((0.1, 0.01, 0.5), 'protocol.md "Atari"', "final epsilons")
    final_epsilon_probs: tuple[float, ...] = setting((0.4, 0.3, 0.3), 'protocol.md "Atari"',
                                                     "their proportions over the workers")
    # --- run management (ours) ---
    checkpoint_every: float = setting(300.0, "ours", "seconds between checkpoints")
    diagnostics_every: int = setting(500, "ours", "updates per worker between training-diagnostics rows (0 = none)")
    progress_every: float = setting(10.0, "ours", "seconds between progress lines")
    # A network whose torso outputs the same whatever it sees gets no gradient below that layer
    # again (a ReLU unit off for every input passes none), so its score can no longer depend on the
    # screen: the lr_study's dead settings ran on 9.8M frames at a random-play score for nothing.
    stop_on_dead_network: bool = setting(
        False, "ours (off: runs go the paper's whole length)", "end the run early, with its final "
        "evaluation, once the health check finds a dead network (diagnostics' dead_units 1.0 for 20 rows)")
    # SB3's StopTrainingOnRewardThreshold: for checks that ask "does it learn?" (tests/a3c/test_learning.py),
    # so a slow run may be given a long budget that a fast one does not spend.
    stop_at_return: float | None = setting(
        None, "ours (off: runs go the paper's whole length)", "end the run early, with its final evaluation, "
        "once a periodic evaluation's mean return reaches this")
    hidden: int = setting(0, "ours; 0 = 64, or the paper's 200 on MuJoCo (a3c/models.py)",
                          "MLP width for vector observations (0 = per-domain default)")
    # A3C FF on Atari: the gradient from the acting pass's activations (a3c/replay_grad.py), the
    # same gradient as autograd over a second forward pass, ~1.3x the frames/s. False = autograd.
    reuse_acting_pass: bool = setting(
        True, "ours (the same gradient, faster)", "A3C FF on Atari: differentiate a second forward pass with "
        "autograd instead of reusing the acting pass (same gradient, slower)", flag="--autograd")
    protocol: Protocol = field(default_factory=Protocol)

    def __post_init__(self) -> None:
        """Give every domain-dependent field left unset its domain's value (one place, whoever
        makes the config). dataclasses.replace passes every field, so it keeps the values it copies."""
        domain = domain_of(self.game) if isinstance(self.game, str) else "atari"
        unset = [f.name for f in dataclasses.fields(self)
                 if f.metadata.get("domains") and getattr(self, f.name) is None]
        if unset:
            defaults = domain_defaults(domain)
            for name in unset:
                setattr(self, name, defaults[name])
        for name in PER_METHOD:
            if getattr(self.protocol, name) is None:
                setattr(self.protocol, name, self.algo in VALUE_BASED and domain == "atari")

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
        if kind == "float | None" and value is None:
            return None
        if kind in ("float", "float | None"):
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


def domain_defaults(domain: str) -> dict[str, Any]:
    """The fields whose default depends on the domain, and their values in `domain`."""
    return {f.name: f.metadata["domains"][domain] for f in dataclasses.fields(TrainConfig)
            if f.metadata.get("domains")}


MAX_SEED = 20_000  # worker k of segment s gets seed*100_000 + (s mod 100)*1000 + k (trainer.worker_seed)
MAX_WORKERS = 999  # the seeds of a segment's workers fit in its block of 1,000


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
        (1 <= cfg.workers <= MAX_WORKERS, f"workers must be in [1, {MAX_WORKERS}], got {cfg.workers}"),
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
        (cfg.rms_init >= 0, f"rms_init must be >= 0, got {cfg.rms_init}"),
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
        (cfg.reward_scale > 0, f"reward_scale must be > 0, got {cfg.reward_scale}"),
        (cfg.progress_every > 0, "progress_every must be > 0"),
        (cfg.stop_at_return is None or math.isfinite(cfg.stop_at_return),
         f"stop_at_return must be a finite number, got {cfg.stop_at_return}"),
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
