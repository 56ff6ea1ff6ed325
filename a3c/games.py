"""The names the suite knows, and the domain each belongs to (no environment is built here).

The lowest layer: the config (a3c/config.py) asks it for a game's domain to pick the domain's
defaults, and a3c/envs.py resolves the same names to the environments it builds.
"""
from __future__ import annotations

import re

# The 57 games of the paper's Table S3, as ale-py v5 names.
PAPER_GAMES = (
    "Alien Amidar Assault Asterix Asteroids Atlantis BankHeist BattleZone BeamRider Berzerk Bowling "
    "Boxing Breakout Centipede ChopperCommand CrazyClimber Defender DemonAttack DoubleDunk Enduro "
    "FishingDerby Freeway Frostbite Gopher Gravitar Hero IceHockey Jamesbond Kangaroo Krull "
    "KungFuMaster MontezumaRevenge MsPacman NameThisGame Phoenix Pitfall Pong PrivateEye Qbert "
    "Riverraid RoadRunner Robotank Seaquest Skiing Solaris SpaceInvaders StarGunner Surround Tennis "
    "TimePilot Tutankham UpNDown Venture VideoPinball WizardOfWor YarsRevenge Zaxxon"
).split()

# The six games the paper tuned its hyperparameters on (Section 5.1 / Table S3), never the others.
TUNING_GAMES = ("BeamRider", "Breakout", "Pong", "Qbert", "Seaquest", "SpaceInvaders")

# MuJoCo tasks gymnasium ships (v5), by short name.
MUJOCO_TASKS = (
    "InvertedPendulum InvertedDoublePendulum Reacher HalfCheetah Hopper Walker2d Ant Humanoid "
    "Swimmer Pusher HumanoidStandup"
).split()

# Small gymnasium tasks used by the learning tests.
CONTROL_TASKS = ("CartPole-v1", "Acrobot-v1", "Pendulum-v1", "MountainCar-v0")

# Pip-installable stand-ins for the paper's TORCS and Labyrinth (neither is pip-installable; see
# a3c/vision_envs.py and docs/maze_candidates.md): name -> (domain, the environment built).
VISION_TASKS = {
    "CarRacing": ("driving", "CarRacing-v3"),  # TORCS: gymnasium's Box2D racer, discrete actions
    "CarRacingContinuous": ("driving", "CarRacing-v3"),  # the same with steer/gas/brake in [-1, 1] x [0, 1]^2
    "Maze": ("maze", "MemoryMaze-9x9"),  # Labyrinth: memory-maze's 9x9 random 3D maze
    "MazeApples": ("maze", "MemoryMaze-9x9-Apples"),  # the same mazes with Labyrinth's apples (+1 each)
}
# Other spellings of those names, as key() gives them.
VISION_ALIASES = {
    "carracingv3": "CarRacing",
    "carracingcontinuousv3": "CarRacingContinuous",
    "memorymaze": "Maze",
    "memorymaze9x9": "Maze",
    "memorymaze9x9v0": "Maze",
}

# "driving" and "maze" are separate domains so that each keeps its own defaults (a3c/config.py):
# a driving frame is a Box2D step (4 per agent step, as on Atari), a maze frame is an agent step.
DOMAINS = ("atari", "mujoco", "control", "driving", "maze")


def key(name: str) -> str:
    """A name as compared: lower case, letters and digits only ("Space-Invaders" = "spaceinvaders")."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def atari_key(name: str) -> str:
    """key() of a name without the ALE's prefix and version suffixes ("ALE/Pong-v5" = "pong")."""
    return key(name.removeprefix("ALE/").removesuffix("-v5").removesuffix("NoFrameskip-v4"))


def mujoco_task(name: str) -> str | None:
    """The MuJoCo task a user-typed name means ("halfcheetah", "HalfCheetah-v5"), or None."""
    wanted = atari_key(name)
    for task in MUJOCO_TASKS:
        if wanted in (key(task), key(task + "v5")):
            return task
    return None


def vision_task(name: str) -> str | None:
    """The stand-in a user-typed name means ("carracing", "CarRacing-v3", "maze", "MemoryMaze"), or None."""
    wanted = key(name)
    for task in VISION_TASKS:
        if key(task) == wanted:
            return task
    return VISION_ALIASES.get(wanted)


def domain_of(name: str) -> str:
    """"control", "mujoco", "driving", "maze" or "atari" for a user-typed name. Any name that is none
    of the others is taken for an Atari game here; a3c.envs.resolve refuses unknown names."""
    if name in CONTROL_TASKS:
        return "control"
    if mujoco_task(name) is not None:
        return "mujoco"
    task = vision_task(name)
    if task is not None:
        return VISION_TASKS[task][0]
    return "atari"
