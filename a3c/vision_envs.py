"""Pip-installable stand-ins for the paper's TORCS and Labyrinth, built like the Atari games.

Neither of the paper's two vision domains can be installed with pip, so the suite trains on the
closest ones that can (docs/maze_candidates.md has the comparison):

- TORCS (driving from RGB frames; steer, throttle, brake; reward = velocity along the track) ->
  gymnasium's CarRacing-v3 (Box2D, a new random track every episode), from its 96x96 frames, with
  the discrete actions nothing / steer one way / the other / gas / brake ("CarRacing"), or the
  continuous steer/gas/brake ("CarRacingContinuous", the Gaussian policy). Reward: +1000/N per new
  track tile of N, -0.1 per frame, -100 for leaving the playfield.
- Labyrinth (first-person 3D random mazes, a new maze every episode, apples and a portal, A3C
  LSTM from 84x84 RGB) -> memory-maze's 9x9 maze ("Maze"): dm_control/MuJoCo rendering of mazes
  drawn by labmaze (DeepMind Lab's own maze generator), a new layout every episode, +1 for
  reaching the coloured ball whose colour the frame's border shows (then a new colour is drawn),
  1000 agent steps (4 per second of simulated time) per episode.

Both give uint8 observations shaped like the Atari ones (channels, 84, 84), so the paper's Atari
network (a3c/models.py) is used unchanged: CarRacing a stack of 4 grayscale frames, exactly as
on Atari; the maze one RGB frame (the paper's Labyrinth input; the LSTM is its memory).
"""
from __future__ import annotations

import contextlib
import ctypes.util
import importlib.util
import logging
import os
import sys
import types
from typing import TYPE_CHECKING, Any

import gymnasium as gym
import numpy as np

from a3c.config import Protocol
from a3c.games import VISION_TASKS

if TYPE_CHECKING:
    from a3c.envs import EnvSpec

log = logging.getLogger(__name__)

# What each domain needs beyond the core requirements: (import name, pip requirement), exactly as
# pinned in requirements.txt (tests/a3c/test_envs_vision.py checks they agree).
REQUIREMENTS = {
    "driving": (("Box2D", "box2d==2.3.10"), ("pygame", "pygame-ce==2.5.8")),
    "maze": (("memory_maze", "memory-maze==1.0.3"), ("dm_control", "dm-control==1.0.34"),
             ("labmaze", "labmaze==1.0.6")),
}

CAR_RACING_FRAMES = 1000  # gymnasium's own episode limit for CarRacing-v3, in Box2D frames (50 per second)
MAZE_SIZE = 9  # memory-maze's smallest maze (9x9 cells inside the walls), after DMLab's explore_goal_locations_small
MAZE_STEPS = 1000  # memory-maze 9x9: 250 s of simulated time at 4 agent steps per second
MAZE_ACTIONS = 6  # noop, forward, left, right, forward + left, forward + right (memory-maze's discrete set)
# "MazeApples", the Labyrinth-like task on the same mazes: every ball is an apple worth +1 once.
APPLES_PER_ROOM = 4  # labmaze places this many object cells in each room
APPLES = 12  # apples per maze (a maze with fewer object cells is drawn again, as memory-maze does)
APPLE_RGB = ((0.35, 0.75, 0.3), (0.25, 0.6, 0.2))  # one colour for all: no target to tell apart


class MissingDependency(ValueError):
    """A stand-in's package (or system library) is not installed: says what to install."""


def check_available(name: str) -> None:
    """Raise MissingDependency naming the exact pip (or apt) install if `name`'s environment cannot
    be built here. Cheap (nothing is imported), so resolve() runs it before any work starts."""
    domain = VISION_TASKS[name][0]
    missing = [pin for module, pin in REQUIREMENTS[domain] if not installed(module)]
    if missing:
        raise MissingDependency(f"{name} needs {', '.join(missing)}: pip install {' '.join(missing)} "
                                "(or bash scripts/setup.sh, which installs requirements.txt)")
    if domain == "maze" and maze_gl() == "osmesa" and ctypes.util.find_library("OSMesa") is None:
        raise MissingDependency(f"{name} renders offscreen with OSMesa, which is not installed: "
                                "apt-get install libosmesa6 (or set MUJOCO_GL to another backend)")


def installed(module: str) -> bool:
    """Whether `module` can be imported (without importing it)."""
    if sys.modules.get(module) is not None:  # e.g. memory_maze, as memory_maze_tasks() set it up
        return True
    return importlib.util.find_spec(module) is not None


def frames_per_step(name: str, protocol: Protocol) -> int:
    """Environment frames per agent step: CarRacing repeats each action protocol.frame_skip Box2D
    frames, as Atari does; a maze frame is one agent step (memory-maze already acts at 4 Hz)."""
    return protocol.frame_skip if VISION_TASKS[name][0] == "driving" else 1


def make(spec: EnvSpec, protocol: Protocol) -> gym.Env:
    """Build the stand-in `spec` names, preprocessed as the protocol says (not yet seeded)."""
    if spec.domain == "driving":
        return make_car_racing(spec.name == "CarRacingContinuous", protocol)
    return make_maze(protocol, apples=spec.name == "MazeApples")


# ----- driving: CarRacing-v3 for TORCS -----

class ActionRepeat(gym.Wrapper):
    """CarRacing's frame skip: repeat each action `repeat` frames and sum their rewards (no
    max-pooling: CarRacing's frames do not flicker as Atari's do); stop early at the episode's end.

    Only the frame the agent sees is drawn, and it is drawn by a3c/car_render.py's StateDrawer
    (`fast_draw`; the same pixels as CarRacing's own drawing, with its polygon arithmetic in
    numpy). CarRacing draws its state at every frame (a 1000x800 pygame scene of ~800 polygons
    transformed in Python, scaled down to 96x96: most of a frame's cost), and drawing changes
    nothing in the simulation, so the frames in between are not drawn; the observations are the
    same (tests/a3c/test_envs_vision.py checks them against a plain repeat)."""

    def __init__(self, env: gym.Env, repeat: int, fast_draw: bool = True) -> None:
        super().__init__(env)
        self.repeat = repeat
        from a3c import car_render

        car = env.unwrapped
        self.draw = car_render.StateDrawer(car) if fast_draw and car_render.supported() else None

    def step(self, action: Any) -> tuple[Any, float, bool, bool, dict]:
        car = self.env.unwrapped
        total = 0.0
        for frame in range(1, self.repeat + 1):
            # an instance attribute hides CarRacing._render for this frame
            if frame < self.repeat:
                car._render = lambda mode: car.state.copy()  # a new array, as a drawn frame would be
            elif self.draw is not None:
                car._render = self.draw
            try:
                obs, reward, terminated, truncated, info = self.env.step(action)
            finally:
                car.__dict__.pop("_render", None)
            total += float(reward)
            if terminated or truncated:
                break
        if frame < self.repeat:  # the episode ended on a frame that was not drawn: draw it
            obs = car.state = (self.draw or car._render)("state_pixels")
        return obs, total, terminated, truncated, info

    def reset(self, **kwargs: Any) -> tuple[Any, dict]:
        car = self.env.unwrapped
        if self.draw is not None:
            car._render = self.draw
        try:
            return self.env.reset(**kwargs)
        finally:
            car.__dict__.pop("_render", None)


def make_car_racing(continuous: bool, protocol: Protocol, fast_draw: bool = True) -> gym.Env:
    """CarRacing-v3 preprocessed like Atari: each action repeated protocol.frame_skip frames, the
    last frame in grayscale resized to 84x84 (INTER_AREA), a stack of the last 4: (4, 84, 84) uint8.

    Grayscale, not the paper's RGB for TORCS: luminance keeps what matters apart (road 102, grass
    162 and 177, red-and-white kerbs, the red car, the indicator bar of speed, ABS, steering and gyro),
    the observation is then exactly Atari's (the paper's Atari network and its fast FF gradient
    path, a3c/replay_grad.py, unchanged) and 3x smaller. Frame skip 4: the Atari protocol's;
    CarRacing runs at 50 frames/s, so the agent decides 12.5 times a second (Atari: 15).
    fast_draw=False leaves the drawing to CarRacing (benchmarks/car_render.py compares the two)."""
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")  # pygame greets on stdout otherwise
    import cv2

    frames = min(CAR_RACING_FRAMES, protocol.max_episode_frames)
    env = gym.make("CarRacing-v3", continuous=continuous, max_episode_steps=frames)
    env = ActionRepeat(env, protocol.frame_skip, fast_draw)
    side = protocol.screen_size
    env = gym.wrappers.TransformObservation(
        env, lambda obs: cv2.resize(cv2.cvtColor(obs, cv2.COLOR_RGB2GRAY), (side, side),
                                    interpolation=cv2.INTER_AREA),
        gym.spaces.Box(0, 255, (side, side), np.uint8))
    return gym.wrappers.FrameStackObservation(env, protocol.frame_stack)


# ----- maze: memory-maze for Labyrinth -----

def maze_gl() -> str:
    """The MuJoCo rendering backend: OSMesa on a plain CPU machine (EGL needs a GPU); MUJOCO_GL
    overrides. (memory-maze's own default, EGL, fails without one.)"""
    return os.environ.get("MUJOCO_GL", "osmesa")


def memory_maze_tasks() -> types.ModuleType:
    """memory_maze.tasks, imported without running memory_maze/__init__.py.

    That file registers gym (the old package, not gymnasium) environments and re-raises the
    ImportError when `gym` is not installed, so `import memory_maze` fails here; its task builders
    (memory_maze.tasks, pure dm_control) need none of it. The package is pinned (1.0.3)."""
    os.environ.setdefault("MUJOCO_GL", maze_gl())
    # One thread renders per process here, as the workers' torch and OpenCV compute on one: no
    # offloading of the OpenGL calls to a render thread (dm_control's default; its exit also fails
    # at interpreter exit), and OSMesa's llvmpipe rasterizes in the calling thread instead of
    # starting one thread per core. Both are read when the first context is made, after this.
    os.environ.setdefault("DISABLE_RENDER_THREAD_OFFLOADING", "1")
    os.environ.setdefault("LP_NUM_THREADS", "0")
    speed_up_target_contacts()
    keep_render_cameras()
    if "memory_maze" not in sys.modules:
        found = importlib.util.find_spec("memory_maze")
        if found is None:
            raise MissingDependency("the maze needs memory-maze: pip install memory-maze==1.0.3")
        package = types.ModuleType("memory_maze")
        package.__path__ = list(found.submodule_search_locations or [])
        package.__spec__ = found
        sys.modules["memory_maze"] = package
    from memory_maze import tasks

    return tasks


def touches(physics: Any, geom_id: int, specific_geom_ids: Any = None) -> bool:
    """Whether any contact involves geom `geom_id` (and, if given, one of `specific_geom_ids`):
    dm_control's TargetSphere test, over the contact arrays at once."""
    contact = physics.data.contact
    geom1, geom2 = contact.geom1, contact.geom2
    hit = (geom1 == geom_id) | (geom2 == geom_id)
    if specific_geom_ids:
        hit &= np.isin(geom1, specific_geom_ids) | np.isin(geom2, specific_geom_ids)
    return bool(hit.any())


def update_activation(self: Any, physics: Any) -> None:
    """dm_control's TargetSphere._update_activation with its contact test vectorised (touches).

    The original loops in Python over every contact, reading each one's fields through the MuJoCo
    bindings, for each of the maze's targets after each of the 50 physics steps of an agent step:
    most of the maze's time per step. Same result (tests/a3c/test_envs_vision.py compares them)."""
    if not self._activated and touches(physics, self._geom_id, self._specific_collision_geom_ids):
        self._activated = True
        physics.bind(self._material).rgba[-1] = 0


def speed_up_target_contacts() -> None:
    """Give dm_control's TargetSphere (memory-maze's targets) the vectorised contact test, once
    per process (dm-control is pinned: 1.0.34)."""
    from dm_control.locomotion.props import target_sphere

    target = target_sphere.TargetSphere
    if target._update_activation is not update_activation:
        target.original_update_activation = target._update_activation  # kept for the equivalence test
        target._update_activation = update_activation


def render_with_kept_camera(physics: Any, height: int = 240, width: int = 320, camera_id: Any = -1,
                            overlays: Any = (), depth: bool = False, segmentation: bool = False,
                            scene_option: Any = None, render_flag_overrides: Any = None,
                            scene_callback: Any = None) -> np.ndarray:
    """dm_control's Physics.render, keeping its Camera (and the camera's MuJoCo scene) from one
    call to the next instead of allocating and freeing both at every call: ~15% of a maze step.

    A Camera rebuilds its scene from the current state at each render (mjv_updateScene), so the
    pixels are the same (tests/a3c/test_envs_vision.py compares them). The cameras are kept per
    model: a physics reloaded with another model gets new ones. The image is returned as a copy,
    as the original's is its own array (a kept camera reuses its buffer)."""
    if scene_callback is not None:
        return physics.original_render(height, width, camera_id, overlays, depth, segmentation,
                                       scene_option, render_flag_overrides, scene_callback)
    from dm_control.mujoco import engine

    model, cameras = physics.__dict__.get("_kept_cameras", (None, {}))
    if model is not physics.model:  # new, or reloaded with another model
        model, cameras = physics.model, {}
        physics.__dict__["_kept_cameras"] = (model, cameras)
    camera = cameras.get((height, width, camera_id))
    if camera is None:
        camera = cameras[(height, width, camera_id)] = engine.Camera(physics, height, width, camera_id)
    return camera.render(overlays=overlays, depth=depth, segmentation=segmentation, scene_option=scene_option,
                         render_flag_overrides=render_flag_overrides).copy()


def keep_render_cameras() -> None:
    """Give dm_control's Physics render_with_kept_camera, once per process (dm-control is
    pinned: 1.0.34); the original stays as Physics.original_render."""
    from dm_control.mujoco import engine

    physics = engine.Physics
    if physics.render is not render_with_kept_camera:
        physics.original_render = physics.render
        physics.render = render_with_kept_camera


class QuietAbsl(logging.Filter):
    """dm_control warns at every maze reset that the walker ("Entity with no free joint") has no
    velocity to set: expected for memory-maze's rolling ball, and noise in a run's log."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "Cannot set velocity on Entity with no free joint" not in record.getMessage()


QUIET_ABSL = QuietAbsl()


def apple_maze_task_class() -> type:
    """memory-maze's task with Labyrinth's apples in place of its prompted targets: each ball is
    worth +1 the first time it is touched, then vanishes (dm_control's TargetSphere hides an
    activated ball); when every apple is eaten they all grow back. Defined on first use, after
    memory_maze_tasks() has made memory-maze importable."""
    from memory_maze.maze import MemoryMazeTask

    class AppleMazeTask(MemoryMazeTask):
        def _create_targets(self, clear_existing: bool = False, randomize_colors: bool = False,
                            rng: Any = None) -> None:
            from dm_control.locomotion.props import target_sphere

            assert not clear_existing and not randomize_colors, "apples are created once, in one colour"
            self._target_colors = [np.array(APPLE_RGB[0])] * self.n_targets  # memory-maze's colour observable
            for _ in range(self.n_targets):
                apple = target_sphere.TargetSphere(radius=self._target_radius, rgb1=APPLE_RGB[0], rgb2=APPLE_RGB[1],
                                                   height_above_ground=self._target_radius
                                                   + self._target_height_above_ground)
                self._targets.append(apple)
                self._maze_arena.attach(apple)

        def initialize_episode(self, physics: Any, rng: Any) -> None:
            super().initialize_episode(physics, rng)
            self._eaten: set[int] = set()
            self._under_ball: set[int] = set()  # regrown while the ball touched them: hidden, unpaid
            self._reward = 0.0

        def after_step(self, physics: Any, rng: Any) -> None:
            super(MemoryMazeTask, self).after_step(physics, rng)  # the maze's own, not the prompted targets'
            activated = {i for i, apple in enumerate(self._targets) if apple.activated}
            newly = activated - self._eaten - self._under_ball
            self._eaten |= newly
            self._reward = float(len(newly))
            self._targets_obtained += len(newly)
            self._release_apples_the_ball_left(physics)
            if len(self._eaten) == len(self._targets):
                self._regrow_apples(physics)

        def _regrow_apples(self, physics: Any) -> None:
            """All eaten: they grow back, except those the ball still touches (the last one eaten,
            at least), which stay eaten and hidden until the ball leaves them: otherwise the next
            physics step would pay the apple under the ball again (memory-maze's _pick_new_target
            skips the touched target for the same reason)."""
            self._under_ball = {i for i in range(len(self._targets)) if self._ball_on(physics, i)}
            for i, apple in enumerate(self._targets):
                if i not in self._under_ball:
                    apple.reset(physics)
            self._eaten = set()

        def _release_apples_the_ball_left(self, physics: Any) -> None:
            for i in [i for i in self._under_ball if not self._ball_on(physics, i)]:
                self._targets[i].reset(physics)  # grown back, visible, pays when touched again
                self._under_ball.discard(i)

        def _ball_on(self, physics: Any, i: int) -> bool:
            apple = self._targets[i]
            return touches(physics, apple._geom_id, apple._specific_collision_geom_ids)

        def get_reward(self, physics: Any) -> float:
            return self._reward

    return AppleMazeTask


def apple_maze(seed: int, camera_resolution: int) -> Any:
    """memory-maze's 9x9 maze (tasks._memory_maze with its 9x9 settings: labmaze arena, rolling
    ball, 4 Hz control, 250 s, the six discrete actions) with APPLES apples instead of 3 prompted
    targets, and the plain first-person frame (no target-colour border): a dm_env."""
    tasks = memory_maze_tasks()  # first: it sets the rendering backend and makes memory_maze importable
    from dm_control import composer
    from dm_control.locomotion.arenas import labmaze_textures
    from memory_maze import maze, wrappers

    random_state = np.random.RandomState(seed)
    arena = maze.MazeWithTargetsArena(
        x_cells=MAZE_SIZE + 2, y_cells=MAZE_SIZE + 2, xy_scale=2.0, z_height=1.5, max_rooms=6,
        room_min_size=3, room_max_size=5, spawns_per_room=1, targets_per_room=APPLES_PER_ROOM,
        floor_textures=maze.FixedFloorTexture("style_01", ["blue", "blue_bright"]),
        wall_textures=dict({"*": maze.FixedWallTexture("style_01", "yellow")},
                           **{str(i): labmaze_textures.WallTextures("style_01") for i in range(10)}),
        skybox_texture=None, random_seed=random_state.randint(2147483648))
    task = apple_maze_task_class()(
        walker=maze.RollingBallWithFriction(camera_height=0.3, add_ears=False), maze_arena=arena,
        n_targets=APPLES, target_radius=0.6, target_height_above_ground=-0.6,
        enable_global_task_observables=True, control_timestep=1.0 / tasks.DEFAULT_CONTROL_FREQ,
        camera_resolution=camera_resolution)
    env = composer.Environment(time_limit=MAZE_STEPS / tasks.DEFAULT_CONTROL_FREQ - 1e-3, task=task,
                               random_state=random_state, strip_singleton_obs_buffer_dim=True)
    env = wrappers.RemapObservationWrapper(env, {"image": "walker/egocentric_camera"})
    env = wrappers.ImageOnlyObservationWrapper(env)
    return wrappers.DiscreteActionSetWrapper(env, [np.array(a) for a in MAZE_ACTION_SET])


# memory-maze's discrete actions (tasks._memory_maze): (forward, turn) of its rolling ball
MAZE_ACTION_SET = ((0.0, 0.0), (-1.0, 0.0), (0.0, -1.0), (0.0, 1.0), (-1.0, -1.0), (-1.0, 1.0))


class MemoryMazeEnv(gym.Env):
    """memory-maze's 9x9 task (a dm_env) as a gymnasium environment: (3, side, side) uint8 RGB
    first-person frames (the target's colour drawn as the frame's border), 6 discrete actions,
    reward +1 per target reached, episodes of 1000 agent steps that end by time (truncated).
    With `apples`, the same mazes with apple_maze's apples: +1 per apple, no border.

    reset(seed=s) builds the task anew from s (the same seed gives the same mazes); reset() draws
    the next maze of the current task. Each episode is a new random maze either way."""

    metadata = {"render_modes": []}

    def __init__(self, side: int = 84, apples: bool = False) -> None:
        self.side = side
        self.apples = apples  # MazeApples: Labyrinth's apples (apple_maze) instead of memory-maze's task
        self.observation_space = gym.spaces.Box(0, 255, (3, side, side), np.uint8)
        self.action_space = gym.spaces.Discrete(MAZE_ACTIONS)
        self._env: Any = None
        self._seeded_start: tuple[int, np.ndarray] | None = None  # (seed, first observation) until a step
        logging.getLogger("absl").addFilter(QUIET_ABSL)  # once: the same filter object

    def _build(self, seed: int) -> None:
        self.close()
        if self.apples:
            self._env = apple_maze(seed, self.side)
        else:
            build = getattr(memory_maze_tasks(), f"memory_maze_{MAZE_SIZE}x{MAZE_SIZE}")
            self._env = build(seed=seed, image_only_obs=True, camera_resolution=self.side)
        log.debug("%s %dx%d built from seed %d", "apple maze" if self.apples else "memory maze", MAZE_SIZE,
                  MAZE_SIZE, seed)

    def reset(self, *, seed: int | None = None, options: dict | None = None) -> tuple[np.ndarray, dict]:
        if seed is not None and self._seeded_start is not None and self._seeded_start[0] == seed:
            return self._seeded_start[1].copy(), {}  # just built from this seed, not stepped: as rebuilt
        super().reset(seed=seed)
        if seed is not None or self._env is None:
            self._build(int(self.np_random.integers(2**31)))
        obs = self._observation(self._env.reset())
        # make_env resets with the worker's seed, then the worker again: one build, not two.
        self._seeded_start = None if seed is None else (seed, obs.copy())
        return obs, {}

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict]:
        self._seeded_start = None
        step = self._env.step(int(action))
        ended = step.last()
        terminated = ended and step.discount == 0  # never in memory-maze: its episodes end by time
        return self._observation(step), float(step.reward or 0.0), terminated, ended and not terminated, {}

    def _observation(self, step: Any) -> np.ndarray:
        return np.ascontiguousarray(step.observation.transpose(2, 0, 1))

    def layout(self) -> str:
        """The current maze as text (labmaze's entity layer: walls, rooms, spawns, targets)."""
        arena = self._env
        while not hasattr(arena, "task"):  # memory-maze's wrappers, down to the composer Environment
            arena = arena.env
        return str(arena.task._maze_arena.maze.entity_layer)

    def close(self) -> None:
        if self._env is not None:
            with contextlib.suppress(Exception):  # freeing a half-built task must not mask the real error
                self._env.close()
            self._env = None


def make_maze(protocol: Protocol, apples: bool = False) -> gym.Env:
    """The 9x9 memory maze (or, with `apples`, the same mazes with Labyrinth's apples) at
    protocol.screen_size (84: the paper's Labyrinth input), episodes capped at
    protocol.max_episode_frames agent steps where that is shorter than its 1000."""
    env: gym.Env = MemoryMazeEnv(protocol.screen_size, apples)
    if protocol.max_episode_frames < MAZE_STEPS:
        env = gym.wrappers.TimeLimit(env, protocol.max_episode_frames)
    return env


# ----- what a run records -----

def deviations(spec: EnvSpec, protocol: Protocol) -> list[str]:
    """How a stand-in departs from the paper's domain, for config.json's deviations."""
    if spec.domain == "driving":
        actions = ("continuous steer/gas/brake (Gaussian policy)" if spec.name == "CarRacingContinuous"
                   else "5 discrete actions (nothing, steer left, steer right, gas, brake)")
        return [
            "CarRacing-v3 (gymnasium, Box2D, top-down 2D view) stands in for TORCS (not pip-installable)",
            f"CarRacing: {actions}; reward +1000/N per new track tile, -0.1 per frame, -100 for leaving the "
            "playfield, instead of TORCS's velocity along the track",
            f"CarRacing: grayscale 84x84 frames, a stack of {protocol.frame_stack}, each action repeated "
            f"{protocol.frame_skip} frames (the paper: RGB frames for TORCS, preprocessing not given); "
            f"episodes of at most {min(CAR_RACING_FRAMES, protocol.max_episode_frames)} frames; no no-op starts "
            "(every episode is a new random track)",
        ]
    if spec.domain == "maze":
        task = (f"MazeApples: {APPLES} apples per maze (up to {APPLES_PER_ROOM} per room, in the rooms only), +1 for "
                "each the first time it is touched (it then vanishes), all growing back once every one is eaten, "
                "instead of Labyrinth's apples (+1, also along corridors) and portal (+10, respawning the agent); "
                "no target-colour border" if spec.name == "MazeApples" else
                "Maze: +1 for each coloured target reached (the colour to seek is shown as the frame's border), "
                "instead of Labyrinth's apples (+1) and portal (+10)")
        return [
            "memory-maze 1.0.3 (9x9, dm_control/MuJoCo; mazes drawn by labmaze, DeepMind Lab's maze generator) "
            "stands in for Labyrinth (DeepMind Lab, not pip-installable)",
            f"{task}; episodes of {min(MAZE_STEPS, protocol.max_episode_frames)} agent steps at 4 steps per "
            "simulated second, instead of 60 s; a frame is one agent step",
            f"{spec.name}: one {protocol.screen_size}x{protocol.screen_size} RGB frame per observation (as the "
            "paper's Labyrinth), rendered offscreen by MuJoCo (OSMesa on CPU)",
        ]
    return []
