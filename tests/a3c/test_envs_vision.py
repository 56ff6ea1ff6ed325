"""The stand-ins for the paper's TORCS (CarRacing-v3) and Labyrinth (memory-maze): names, the
environments, their preprocessing, a missing package's error, and a short training run of each.

Their packages are in requirements.txt (bash scripts/setup.sh installs them), so these tests run;
they skip, saying what to install, only where a package or OSMesa cannot be had."""
import json
import sys
from types import SimpleNamespace

import gymnasium as gym
import numpy as np
import pytest

from a3c import vision_envs
from a3c.config import Protocol, TrainConfig
from a3c.envs import make_env, resolve
from a3c.games import domain_of
from tests.processes import ROOT, complete_run, play_until_episode_end


def missing(name: str) -> str | None:
    """Why `name`'s environment cannot be built here (vision_envs' own message), or None."""
    try:
        vision_envs.check_available(name)
    except vision_envs.MissingDependency as exc:
        return str(exc)
    return None


needs_driving = pytest.mark.skipif(missing("CarRacing") is not None, reason=str(missing("CarRacing")))
needs_maze = pytest.mark.skipif(missing("Maze") is not None, reason=str(missing("Maze")))


# ----- names -----

@pytest.mark.parametrize("typed,canonical,domain", [
    pytest.param(typed, canonical, domain, marks=needs_driving if domain == "driving" else needs_maze)
    for typed, canonical, domain in [
        ("CarRacing", "CarRacing", "driving"), ("carracing", "CarRacing", "driving"),
        ("CarRacing-v3", "CarRacing", "driving"), ("car_racing", "CarRacing", "driving"),
        ("CarRacingContinuous", "CarRacingContinuous", "driving"),
        ("Maze", "Maze", "maze"), ("maze", "Maze", "maze"), ("MemoryMaze", "Maze", "maze"),
        ("MemoryMaze-9x9-v0", "Maze", "maze")]])
def test_names_as_users_type_them(typed, canonical, domain):
    spec = resolve(typed)
    assert (spec.name, spec.domain) == (canonical, domain)
    assert domain_of(typed) == domain
    assert spec.frames_per_step == (4 if domain == "driving" else 1)


@pytest.mark.parametrize("typed,suggested", [("CarRacin", "CarRacing"), ("Maz", "Maze"), ("Mazee", "Maze")])
def test_a_near_miss_gets_close_matches(typed, suggested):
    with pytest.raises(ValueError, match=f"unknown game or task.*did you mean.*{suggested}"):
        resolve(typed)


def test_the_domains_take_the_papers_atari_values():
    car, maze = TrainConfig(game="CarRacing"), TrainConfig(game="Maze")
    assert (car.t_max, car.beta, car.lr_anneal_frames) == (5, 0.01, 320_000_000)  # 80M agent steps x 4
    assert (maze.t_max, maze.beta, maze.lr_anneal_frames) == (5, 0.01, 80_000_000)  # a frame = a step


# ----- a missing package: the exact install, before any work -----

def forget_imported(monkeypatch, *modules: str) -> None:
    """As if `modules` had never been imported in this process (another test, or a test module's
    collection, may have imported them): installed() trusts sys.modules first."""
    for module in modules:
        monkeypatch.delitem(sys.modules, module, raising=False)


def test_a_missing_package_names_its_pinned_install(monkeypatch):
    forget_imported(monkeypatch, "Box2D", "memory_maze")
    real = vision_envs.importlib.util.find_spec
    monkeypatch.setattr(vision_envs.importlib.util, "find_spec",
                        lambda name, *a: None if name in ("Box2D", "memory_maze") else real(name, *a))
    with pytest.raises(vision_envs.MissingDependency, match=r"pip install box2d==2\.3\.10"):
        resolve("CarRacing")
    with pytest.raises(vision_envs.MissingDependency, match=r"pip install memory-maze==1\.0\.3"):
        resolve("Maze")


def test_a_missing_osmesa_names_the_apt_package(monkeypatch):
    monkeypatch.delenv("MUJOCO_GL", raising=False)
    monkeypatch.setattr(vision_envs.importlib.util, "find_spec", lambda name, *a: object())
    monkeypatch.setattr(vision_envs.ctypes.util, "find_library", lambda name: None)
    with pytest.raises(vision_envs.MissingDependency, match="apt-get install libosmesa6"):
        resolve("Maze")


def test_the_command_line_refuses_a_missing_package_before_any_file(tmp_path, monkeypatch, caplog):
    from a3c.cli import main

    forget_imported(monkeypatch, "pygame")
    real = vision_envs.importlib.util.find_spec
    monkeypatch.setattr(vision_envs.importlib.util, "find_spec",
                        lambda name, *a: None if name == "pygame" else real(name, *a))
    out = tmp_path / "run"
    assert main(["train", "--game", "CarRacing", "--frames", "1000", "--out", str(out)]) == 2
    assert "pip install pygame-ce==2.5.8" in caplog.text
    assert not out.exists()


def test_the_pins_named_in_errors_are_those_of_requirements_txt():
    pinned = {line.split("#")[0].strip() for line in (ROOT / "requirements.txt").read_text().splitlines()}
    for requirements in vision_envs.REQUIREMENTS.values():
        for _, pin in requirements:
            assert pin in pinned, pin


# ----- CarRacing -----

@needs_driving
def test_car_racing_observes_like_atari():
    env = make_env(resolve("CarRacing"), Protocol(), seed=0)
    obs, _ = env.reset(seed=0)
    assert obs.shape == (4, 84, 84) and obs.dtype == np.uint8
    assert env.observation_space.shape == (4, 84, 84)
    assert env.action_space == gym.spaces.Discrete(5)
    obs, reward, terminated, truncated, _ = env.step(3)  # gas
    assert obs.shape == (4, 84, 84) and obs.dtype == np.uint8 and isinstance(reward, float)
    assert obs[-1].std() > 0  # a picture, not a blank frame
    obs, _ = env.reset()
    assert obs.shape == (4, 84, 84)
    env.close()
    continuous = make_env(resolve("CarRacingContinuous"), Protocol(), seed=0)
    assert isinstance(continuous.action_space, gym.spaces.Box) and continuous.action_space.shape == (3,)
    obs, *_ = continuous.step(np.array([0.0, 0.5, 0.0], np.float32))
    assert obs.shape == (4, 84, 84)
    continuous.close()


@needs_driving
@pytest.mark.parametrize("policy", ["random", "gas until it leaves the playfield"])
def test_drawing_only_the_seen_frame_changes_no_observation(policy):
    """CarRacing's frame skip skips drawing the frames the agent never sees: every observation,
    reward and ending equals a plain repeat of the unmodified environment (with "gas", the
    episode ends off the playfield on the first frame of a repeat, which is then drawn)."""
    import cv2

    ours = make_env(resolve("CarRacing"), Protocol(), seed=7)
    plain = gym.make("CarRacing-v3", continuous=False)
    a, _ = ours.reset(seed=7)
    b, _ = plain.reset(seed=7)

    def seen(frame: np.ndarray) -> np.ndarray:
        return cv2.resize(cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY), (84, 84), interpolation=cv2.INTER_AREA)

    assert np.array_equal(a[-1], seen(b))
    rng = np.random.default_rng(0)
    for step in range(250):
        action = int(rng.integers(5)) if policy == "random" else 3
        a, ra, ta, ua, _ = ours.step(action)
        rb, tb, ub = 0.0, False, False
        for _ in range(4):
            b, r, tb, ub, _ = plain.step(action)
            rb += r
            if tb or ub:
                break
        assert np.array_equal(a[-1], seen(b)), step
        assert ra == pytest.approx(rb) and (ta, ua) == (tb, ub), step
        if ta or ua:
            break
    if policy != "random":
        assert ta and ra < -90  # -100 for leaving the playfield
    ours.close()
    plain.close()


@needs_driving
def test_car_racing_episodes_are_capped_by_the_frame_limit():
    env = make_env(resolve("CarRacing"), Protocol(max_episode_frames=40), seed=0)
    env.reset(seed=0)
    steps, terminated, truncated = play_until_episode_end(env)
    assert truncated and not terminated and steps == 10  # 40 frames / 4 per step
    env.close()


# ----- the maze -----

@needs_maze
def test_maze_observes_one_rgb_frame_and_rewards_targets():
    env = make_env(resolve("Maze"), Protocol(), seed=0)
    obs, _ = env.reset(seed=0)
    assert obs.shape == (3, 84, 84) and obs.dtype == np.uint8 and obs.std() > 0
    assert env.action_space == gym.spaces.Discrete(6)
    for action in (1, 1, 2, 4):
        obs, reward, terminated, truncated, _ = env.step(action)
        assert obs.shape == (3, 84, 84) and obs.dtype == np.uint8
        assert reward in (0.0, 1.0) and not terminated and not truncated
    env.close()


@needs_maze
def test_every_maze_episode_is_a_new_layout_and_a_seed_repeats_it():
    env = make_env(resolve("Maze"), Protocol(), seed=0)
    maze = env.unwrapped
    first = maze.layout()
    env.reset()
    second = maze.layout()
    assert first != second  # labmaze's wall layout, not just the pixels
    assert "P" in first and "G" in first  # the text maze: spawn points and target positions
    start, _ = env.reset(seed=5)
    seeded = maze.layout()
    env.step(1)
    again, _ = env.reset(seed=5)  # built anew from the seed
    assert maze.layout() == seeded and np.array_equal(again, start)
    env.close()


@needs_maze
def test_maze_episodes_end_by_time_as_truncation():
    env = make_env(resolve("Maze"), Protocol(max_episode_frames=5), seed=0)
    env.reset(seed=0)
    endings = [env.step(0)[2:4] for _ in range(5)]
    assert endings[-1] == (False, True) and all(e == (False, False) for e in endings[:-1])
    env.close()


@needs_maze
def test_the_apple_maze_has_its_apples_and_new_layouts():
    env = make_env(resolve("MazeApples"), Protocol(), seed=0)
    obs, _ = env.reset(seed=0)
    assert obs.shape == (3, 84, 84) and obs.dtype == np.uint8 and env.action_space == gym.spaces.Discrete(6)
    maze = env.unwrapped
    task = maze._env
    while not hasattr(task, "task"):
        task = task.env
    task = task.task
    assert len(task._targets) == vision_envs.APPLES and not any(a.activated for a in task._targets)
    first = maze.layout()
    env.reset()
    assert maze.layout() != first
    rewards = [env.step(1)[1] for _ in range(20)]
    assert all(r == int(r) and r >= 0 for r in rewards)
    env.close()


class FakeApple:
    def __init__(self, geom_id: int) -> None:
        self.activated, self._geom_id, self._specific_collision_geom_ids = False, geom_id, None

    def reset(self, physics) -> None:
        self.activated = False


def fake_physics(*touched: int) -> SimpleNamespace:
    """A physics whose contacts are the ball's with the apples (geom ids) in `touched`."""
    contacts = FakeContacts(SimpleNamespace(geom1=99, geom2=geom) for geom in touched)
    return SimpleNamespace(data=SimpleNamespace(contact=contacts))


def fake_apple_task(apples: int) -> object:
    vision_envs.memory_maze_tasks()
    task = object.__new__(vision_envs.apple_maze_task_class())
    task._targets, task._targets_obtained, task._contact_termination = [FakeApple(i) for i in range(apples)], 0, False
    task._eaten, task._under_ball, task._reward = set(), set(), 0.0
    return task


def step_touching(task, *touched: int) -> float:
    """One agent step with the ball on apples `touched` (each activates, as its contact does)."""
    for i in touched:
        task._targets[i].activated = True
    task.after_step(physics=fake_physics(*touched), rng=None)
    return task.get_reward(None)


@needs_maze
def test_an_apple_pays_once_and_all_grow_back_once_every_one_is_eaten():
    task = fake_apple_task(3)
    rewards = [step_touching(task, 0), step_touching(task, 0), step_touching(task), step_touching(task, 1, 2)]
    assert rewards == [1.0, 0.0, 0.0, 2.0] and task._targets_obtained == 3  # apple 0 twice, nothing, the others
    assert task._eaten == set() and not task._targets[0].activated  # all grew back, but the two under the ball
    assert task._under_ball == {1, 2} and task._targets[1].activated and task._targets[2].activated
    assert step_touching(task, 0) == 1.0


@needs_maze
def test_the_apple_under_the_ball_when_they_grow_back_pays_only_once_the_ball_has_left_it():
    task = fake_apple_task(2)
    assert [step_touching(task, 0), step_touching(task, 1)] == [1.0, 1.0]  # all eaten, the ball on apple 1
    assert [step_touching(task, 1), step_touching(task, 1)] == [0.0, 0.0]  # still there: no second payment
    assert task._targets[1].activated  # and it stays eaten (hidden) while the ball is on it
    assert step_touching(task) == 0.0 and not task._targets[1].activated  # the ball leaves: it grows back
    assert [step_touching(task, 1), step_touching(task, 0)] == [1.0, 1.0] and task._targets_obtained == 4


@needs_maze
def test_in_the_real_maze_each_apple_pays_once_per_crop_with_the_ball_rolled_onto_it():
    """The physics, not fakes: the ball is moved onto each apple in turn (one still step there),
    then stays on the last one as the crop grows back (it must not pay again), then visits another
    apple and comes back."""
    env = make_env(resolve("MazeApples"), Protocol(), seed=3)
    env.reset(seed=3)
    composer_env = env.unwrapped._env
    while not hasattr(composer_env, "physics"):
        composer_env = composer_env.env
    task, physics = composer_env.task, composer_env.physics

    def reward_on(apple) -> float:
        x, y = physics.bind(apple.geom).xpos[:2]
        z = task._walker.get_pose(physics)[0][2]
        task._walker.set_pose(physics, position=np.array([x, y, z]))
        task._walker.set_velocity(physics, velocity=np.zeros(3), angular_velocity=np.zeros(3))
        return env.step(0)[1]

    apples = task._targets
    assert [reward_on(apple) for apple in apples] == [1.0] * len(apples)  # the last one regrows the crop
    assert env.step(0)[1] == 0.0 and apples[-1].activated  # still under the ball: unpaid, hidden
    assert not any(apple.activated for apple in apples[:-1])  # the others grew back
    assert reward_on(apples[0]) == 1.0 and not apples[-1].activated  # the ball left the last one: back
    assert reward_on(apples[-1]) == 1.0 and task._targets_obtained == len(apples) + 2
    env.close()


class FakeContacts(list):
    """Stands in for MuJoCo's contact list: iterable contacts and their fields as arrays."""

    @property
    def geom1(self) -> np.ndarray:
        return np.array([c.geom1 for c in self], dtype=np.int32)

    @property
    def geom2(self) -> np.ndarray:
        return np.array([c.geom2 for c in self], dtype=np.int32)


@needs_maze
def test_the_vectorised_target_contact_test_agrees_with_dm_controls_loop():
    vision_envs.speed_up_target_contacts()
    from dm_control.locomotion.props import target_sphere

    original = target_sphere.TargetSphere.original_update_activation
    rng = np.random.default_rng(0)
    outcomes = set()
    for trial in range(400):
        contacts = FakeContacts(SimpleNamespace(geom1=int(a), geom2=int(b))
                                for a, b in rng.integers(0, 8, (int(rng.integers(0, 5)), 2)))
        specific = [None, [], [int(rng.integers(0, 8))], [1, 2]][trial % 4]
        results = []
        for update in (original, vision_envs.update_activation):
            target = SimpleNamespace(_activated=False, _geom_id=3, _specific_collision_geom_ids=specific,
                                     _material="material")
            rgba = np.ones(4)
            physics = SimpleNamespace(data=SimpleNamespace(contact=contacts),
                                      bind=lambda material, rgba=rgba: SimpleNamespace(rgba=rgba))
            update(target, physics)
            results.append((target._activated, rgba[-1]))
        assert results[0] == results[1], (contacts, specific)
        outcomes.add(results[0][0])
    assert outcomes == {True, False}


@needs_maze
def test_a_kept_render_camera_draws_the_same_pixels_as_a_new_one_each_time():
    """Over an episode's steps and a new maze: Physics.render with its kept camera equals
    dm_control's own render (a new camera every call), and each image is its own array."""
    env = make_env(resolve("Maze"), Protocol(), seed=5)
    env.reset(seed=5)
    maze = env.unwrapped
    rng = np.random.default_rng(5)
    shown = []
    for step in range(40):
        if step == 20:
            env.reset()  # a new maze: a new physics and model
        env.step(int(rng.integers(6)))
        composer_env = maze._env
        while not hasattr(composer_env, "physics"):
            composer_env = composer_env.env
        physics = composer_env.physics
        kept = physics.render(84, 84, camera_id="walker/egocentric")  # the agent's view
        assert np.array_equal(kept, physics.original_render(84, 84, camera_id="walker/egocentric")), step
        shown.append(kept)
    assert not np.shares_memory(shown[-1], shown[-2]) and not np.array_equal(shown[0], shown[-1])
    env.close()


# ----- a short run of each writes the usual run directory -----

@pytest.mark.parametrize("game,algo,extra", [
    pytest.param("CarRacing", "a3c", ["--workers", "2", "--frames", "2000", "--max-episode-frames", "400",
                                      "--eval-every", "1000"], marks=needs_driving),
    pytest.param("Maze", "a3c-lstm", ["--workers", "1", "--frames", "200", "--max-episode-frames", "100",
                                      "--eval-every", "100"], marks=needs_maze),
    pytest.param("MazeApples", "a3c", ["--workers", "1", "--frames", "200", "--max-episode-frames", "100",
                                       "--eval-every", "100"], marks=needs_maze),
])
def test_a_short_run_writes_the_whole_run_directory(tmp_path, game, algo, extra):
    out = tmp_path / "run"
    text, final = complete_run(out, "--game", game, "--algo", algo, "--eval-episodes", "1",
                               "--final-eval-episodes", "1", "--progress-every", "2", *extra, timeout=240)
    config = json.loads((out / "config.json").read_text())
    assert config["game"] == game and config["algo"] == algo
    assert config["domain"] == ("driving" if game == "CarRacing" else "maze")
    stands_in = "stands in for TORCS" if game == "CarRacing" else "stands in for Labyrinth"
    assert any(stands_in in note for note in config["deviations"]), config["deviations"]
    assert final["completed"] and final["final"]["n_episodes"] == 1
    for name in ("train_log.csv", "eval_log.csv", "diagnostics.csv", "checkpoint.pt", "run.log"):
        assert (out / name).exists(), name
    assert (out / "train_log.csv").read_text().count("\n") >= 2  # a header and at least one episode
    # (a periodic evaluation still running when the last worker ends is abandoned, so eval_log.csv
    # may hold its header alone in a run this short; the final evaluation always runs)
    assert (out / "eval_log.csv").read_text().startswith("frames,wall_time,mean_return")


# ----- the benchmark script's arithmetic (its figures are measured on an idle machine, not here) -----

@needs_driving
@needs_maze
def test_the_benchmark_table_gives_ratios_to_pong_in_frames_and_in_agent_steps():
    from benchmarks.vision_envs import markdown, table

    rows = {row["game"]: row for row in table({"Pong": [4000.0, 6000.0], "CarRacing": [400.0, 500.0, 600.0],
                                               "Maze": [100.0]}, "Pong")}
    assert rows["Pong"]["frames/s ratio"] == 1.0 and rows["Pong"]["steps/s"] == 1250.0  # median 5000 / 4
    assert rows["CarRacing"]["frames/s ratio"] == pytest.approx(0.1) and rows["CarRacing"]["steps/s"] == 125.0
    assert rows["Maze"]["frames/s ratio"] == pytest.approx(0.02) and rows["Maze"]["steps/s ratio"] == 0.08
    assert "| Maze | 1 | 100 | 0.020 | 100 | 0.080 | 1 |" in markdown(list(rows.values()), "Pong")
