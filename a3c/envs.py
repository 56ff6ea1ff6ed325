"""Environment construction: name resolution, the DQN-era Atari preprocessing, MuJoCo tasks, and
(a3c/vision_envs.py) the stand-ins for the paper's TORCS and Labyrinth.

Users type game names as they like ("Pong", "pong", "MontezumaRevenge", "montezuma_revenge");
`resolve` maps them to one canonical name and a domain, or raises with close matches.
"""
from __future__ import annotations

import difflib
import os
from dataclasses import dataclass

import gymnasium as gym
import numpy as np

from a3c import vision_envs
from a3c.config import Protocol
from a3c.games import CONTROL_TASKS, MUJOCO_TASKS, VISION_TASKS, atari_key, key, mujoco_task, vision_task

PIXELS = 84  # side of the rendered MuJoCo frame


@dataclass(frozen=True)
class EnvSpec:
    """What the rest of the trainer needs to know about an environment."""

    name: str  # canonical name, e.g. "Pong", "HalfCheetah", "CartPole-v1"
    domain: str  # "atari", "mujoco", "control", "driving" or "maze" (a3c.games.DOMAINS)
    env_id: str  # the gymnasium id actually built (the maze: memory-maze's task)
    frames_per_step: int  # emulator frames per agent step (frame skip: Atari and driving; else 1)


def _ale_games() -> list[str]:
    import ale_py

    gym.register_envs(ale_py)
    return sorted(k[4:-3] for k in gym.envs.registry if k.startswith("ALE/") and k.endswith("-v5"))


def resolve(name: str, protocol: Protocol | None = None) -> EnvSpec:
    """Map a user-typed name to an EnvSpec, or raise ValueError listing close matches (for a
    stand-in whose package is not installed, vision_envs.MissingDependency naming the install)."""
    protocol = protocol or Protocol()
    if name in CONTROL_TASKS:
        return EnvSpec(name, "control", name, 1)
    task = mujoco_task(name)
    if task is not None:
        return EnvSpec(task, "mujoco", f"{task}-v5", 1)
    task = vision_task(name)
    if task is not None:
        vision_envs.check_available(task)
        domain, env_id = VISION_TASKS[task]
        return EnvSpec(task, domain, env_id, vision_envs.frames_per_step(task, protocol))
    wanted = atari_key(name)
    games = _ale_games()
    for game in games:
        if key(game) == wanted:
            return EnvSpec(game, "atari", f"ALE/{game}-{protocol.env_version}", protocol.frame_skip)
    known = games + list(MUJOCO_TASKS) + list(CONTROL_TASKS) + list(VISION_TASKS)
    close = difflib.get_close_matches(name, known, n=5, cutoff=0.5)
    close += [k for k in known if wanted and wanted in key(k) and k not in close][:5]
    hint = f"; did you mean: {', '.join(close)}?" if close else ""
    raise ValueError(f"unknown game or task {name!r}{hint} (`python -m a3c games` lists all)")


def make_env(spec: EnvSpec, protocol: Protocol, seed: int) -> gym.Env:
    """Build one environment copy, preprocessed as the protocol says, and seed it."""
    env = build_env(spec, protocol)
    env.reset(seed=seed)
    env.action_space.seed(seed)
    return env


def build_env(spec: EnvSpec, protocol: Protocol) -> gym.Env:
    """The environment, not yet reset: its spaces are known, but nothing is simulated or drawn yet
    (the trainer reads the spaces this way; a maze built by a reset would hold ~1.4 GB)."""
    if spec.domain == "atari":
        return _make_atari(spec, protocol)
    if spec.domain == "mujoco":
        return _make_mujoco(spec, protocol.pixels)
    if spec.domain in ("driving", "maze"):
        return vision_envs.make(spec, protocol)
    return gym.make(spec.env_id)


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
    if protocol.fire_on_reset:
        env = FireOnNewLife(env)
    return gym.wrappers.FrameStackObservation(env, protocol.frame_stack)


class FireOnNewLife(gym.Wrapper):
    """Press FIRE at the start of every game and after every lost life (Protocol.fire_on_reset).

    Breakout and a few other games wait for FIRE to serve: an agent that has not learnt to press
    it idles until the 30-minute cap. SB3's FireResetEnv does this at each reset, which with its
    EpisodicLifeEnv means each life; here a lost life does not reset the game, so the press comes
    inside the step that lost it (its reward added to that step's). Each press is one agent step
    of the emulator, reported as info["unseen_steps"] so that the frame counter includes it.
    A game without FIRE is passed through unchanged."""

    def __init__(self, env: gym.Env) -> None:
        super().__init__(env)
        meanings = env.unwrapped.get_action_meanings()
        self.fire = meanings.index("FIRE") if "FIRE" in meanings else None
        self.lives = 0

    def reset(self, **kwargs):
        obs, info = self.env.reset(**kwargs)
        presses = 0
        if self.fire is not None:
            obs, _, terminated, truncated, info = self.env.step(self.fire)
            presses = 1
            if terminated or truncated:  # no game ends on its first press; if one did, start again
                obs, info = self.env.reset(**kwargs)
        self.lives = info.get("lives", 0)
        info["unseen_steps"] = presses  # each call's info is a fresh dict: no copy needed
        return obs, info

    def step(self, action):
        obs, reward, terminated, truncated, info = self.env.step(action)
        presses = 0
        lives = info.get("lives", 0)
        if self.fire is not None and lives < self.lives and not (terminated or truncated):
            obs, more, terminated, truncated, info = self.env.step(self.fire)
            reward, presses, lives = reward + more, 1, info.get("lives", 0)
        self.lives = lives
        info["unseen_steps"] = presses
        return obs, reward, terminated, truncated, info


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


def action_size(env: gym.Env) -> tuple[bool, int]:
    """(discrete?, number of actions or action dimensions)."""
    space = env.action_space
    if isinstance(space, gym.spaces.Discrete):
        return True, int(space.n)
    return False, int(np.prod(space.shape))
