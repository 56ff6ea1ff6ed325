"""Environment construction: name resolution, the DQN-era Atari preprocessing, MuJoCo tasks.

Users type game names as they like ("Pong", "pong", "MontezumaRevenge", "montezuma_revenge");
`resolve` maps them to one canonical name and a domain, or raises with close matches.
"""
from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass

import gymnasium as gym
import numpy as np

from a3c.config import Protocol

# The 57 games of the paper's Table S3, as ale-py v5 names.
PAPER_GAMES = (
    "Alien Amidar Assault Asterix Asteroids Atlantis BankHeist BattleZone BeamRider Berzerk Bowling "
    "Boxing Breakout Centipede ChopperCommand CrazyClimber Defender DemonAttack DoubleDunk Enduro "
    "FishingDerby Freeway Frostbite Gopher Gravitar Hero IceHockey Jamesbond Kangaroo Krull "
    "KungFuMaster MontezumaRevenge MsPacman NameThisGame Phoenix Pitfall Pong PrivateEye Qbert "
    "Riverraid RoadRunner Robotank Seaquest Skiing Solaris SpaceInvaders StarGunner Surround Tennis "
    "TimePilot Tutankham UpNDown Venture VideoPinball WizardOfWor YarsRevenge Zaxxon"
).split()

# MuJoCo tasks gymnasium ships (v5), by short name.
MUJOCO_TASKS = (
    "InvertedPendulum InvertedDoublePendulum Reacher HalfCheetah Hopper Walker2d Ant Humanoid "
    "Swimmer Pusher HumanoidStandup"
).split()

PIXELS = 84  # side of the rendered MuJoCo frame

# Small gymnasium tasks used by the learning tests.
CONTROL_TASKS = ("CartPole-v1", "Acrobot-v1", "Pendulum-v1", "MountainCar-v0")


@dataclass(frozen=True)
class EnvSpec:
    """What the rest of the trainer needs to know about an environment."""

    name: str  # canonical name, e.g. "Pong", "HalfCheetah", "CartPole-v1"
    domain: str  # "atari", "mujoco" or "control"
    env_id: str  # the gymnasium id actually built
    frames_per_step: int  # emulator frames per agent step (frame skip; 1 outside Atari)


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _ale_games() -> list[str]:
    import ale_py

    gym.register_envs(ale_py)
    return sorted(k[4:-3] for k in gym.envs.registry if k.startswith("ALE/") and k.endswith("-v5"))


def resolve(name: str, protocol: Protocol | None = None) -> EnvSpec:
    """Map a user-typed name to an EnvSpec, or raise ValueError listing close matches."""
    protocol = protocol or Protocol()
    if name in CONTROL_TASKS:
        return EnvSpec(name, "control", name, 1)
    wanted = _key(name.removeprefix("ALE/").removesuffix("-v5").removesuffix("NoFrameskip-v4"))
    for task in MUJOCO_TASKS:
        if wanted in (_key(task), _key(task + "v5")):
            return EnvSpec(task, "mujoco", f"{task}-v5", 1)
    games = _ale_games()
    for game in games:
        if _key(game) == wanted:
            return EnvSpec(game, "atari", f"ALE/{game}-{protocol.env_version}", protocol.frame_skip)
    known = games + list(MUJOCO_TASKS) + list(CONTROL_TASKS)
    close = difflib.get_close_matches(name, known, n=5, cutoff=0.5)
    close += [k for k in known if wanted and wanted in _key(k) and k not in close][:5]
    hint = f"; did you mean: {', '.join(close)}?" if close else ""
    raise ValueError(f"unknown game or task {name!r}{hint} (`python -m a3c games` lists all)")


def make_env(spec: EnvSpec, protocol: Protocol, seed: int) -> gym.Env:
    """Build one environment copy, preprocessed as the protocol says, and seed it."""
    if spec.domain == "atari":
        env = _make_atari(spec, protocol)
    elif spec.domain == "mujoco":
        env = _make_mujoco(spec, protocol.pixels)
    else:
        env = gym.make(spec.env_id)
    env.reset(seed=seed)
    env.action_space.seed(seed)
    return env


def _make_atari(spec: EnvSpec, protocol: Protocol) -> gym.Env:
    import ale_py

    gym.register_envs(ale_py)
    env = gym.make(
        spec.env_id,
        frameskip=1,  # the preprocessing wrapper repeats actions and max-pools
        # The wrapper reads the screens it pools itself and drops what the emulator's step returns:
        # asking for the (3x smaller) grayscale screen there changes no observation, only speed.
        obs_type="grayscale",
        repeat_action_probability=protocol.repeat_action_probability,
        full_action_space=protocol.full_action_space,
        max_num_frames_per_episode=protocol.max_episode_frames,
    )
    env = gym.wrappers.AtariPreprocessing(
        env,
        noop_max=protocol.noop_max,
        frame_skip=protocol.frame_skip,
        screen_size=protocol.screen_size,
        # Never here: the wrapper would end the episode, and its reset restart the game, at the
        # first lost life. Protocol.terminal_on_life_loss is the worker's (a3c/worker.py): a lost
        # life ends a segment as terminal for learning while the game goes on; evaluation plays
        # whole games.
        terminal_on_life_loss=False,
        grayscale_obs=True,
        scale_obs=False,
    )
    return gym.wrappers.FrameStackObservation(env, protocol.frame_stack)


def _make_mujoco(spec: EnvSpec, pixels: bool) -> gym.Env:
    # Raw physical state, raw rewards, gymnasium's 1000-step episodes (the paper is silent on
    # normalisation; we apply none, the same for every task, so every worker and the evaluator
    # see identical inputs).
    if not pixels:
        return gym.make(spec.env_id)
    # Offscreen rendering: OSMesa on a plain CPU machine (EGL needs a GPU); MUJOCO_GL overrides.
    os.environ.setdefault("MUJOCO_GL", "osmesa")
    env = gym.make(spec.env_id, render_mode="rgb_array", width=PIXELS, height=PIXELS)
    env = gym.wrappers.AddRenderObservation(env, render_only=True)
    return gym.wrappers.TransformObservation(
        env, lambda obs: np.ascontiguousarray(obs.transpose(2, 0, 1)),
        gym.spaces.Box(0, 255, (3, PIXELS, PIXELS), np.uint8))


def observation_shape(env: gym.Env) -> tuple[int, ...]:
    return tuple(env.observation_space.shape)


def action_size(env: gym.Env) -> tuple[bool, int]:
    """(discrete?, number of actions or action dimensions)."""
    space = env.action_space
    if isinstance(space, gym.spaces.Discrete):
        return True, int(space.n)
    return False, int(np.prod(space.shape))
