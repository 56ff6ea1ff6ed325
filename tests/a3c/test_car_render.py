"""a3c/car_render.py: CarRacing's state frames drawn with numpy arithmetic are CarRacing's pixels."""
import importlib.util
import math

import gymnasium as gym
import numpy as np
import pytest

from a3c import car_render
from a3c.config import Protocol
from a3c.vision_envs import ActionRepeat, make_car_racing

# Skipped without the driving packages; they are imported inside the tests, not at collection
# (tests/a3c/test_envs_vision.py simulates their absence in the same process).
pytestmark = pytest.mark.skipif(importlib.util.find_spec("Box2D") is None or importlib.util.find_spec("pygame") is None,
                                reason="CarRacing needs box2d and pygame-ce (requirements.txt)")


def test_vertices_are_rotated_bit_for_bit_as_pygame_rotates_them():
    import pygame

    rng = np.random.default_rng(0)
    right_angles = [k * math.pi / 2 + d for k in range(-4, 5) for d in (0.0, 4e-7, -4e-7, 3e-6)]
    for angle in list(rng.uniform(-20, 20, 300)) + right_angles:
        points = rng.uniform(-400, 400, (6, 2))
        zoom, shift = float(rng.uniform(0.5, 20)), tuple(rng.uniform(-500, 500, 2))
        ours = car_render.to_screen(points, zoom, shift, angle)
        theirs = [pygame.math.Vector2(tuple(p)).rotate_rad(angle) for p in points]
        theirs = np.array([(v[0] * zoom + shift[0], v[1] * zoom + shift[1]) for v in theirs])
        assert np.array_equal(ours, theirs), angle


@pytest.mark.parametrize("seed", [3, 11])
def test_state_frames_are_carracings_own_pixels(seed):
    """Every frame of an episode (the opening zoom, turns, grass, kerbs, the score and
    indicators): the drawer's frame and CarRacing's own, drawn from the same state, are equal."""
    env = gym.make("CarRacing-v3", continuous=False)
    env.reset(seed=seed)
    car = env.unwrapped
    drawer = car_render.StateDrawer(car)
    rng = np.random.default_rng(seed)
    for step in range(400):
        action = int(rng.choice(5, p=[0.1, 0.25, 0.25, 0.3, 0.1])) if step > 30 else 3
        _, _, terminated, truncated, _ = env.step(action)
        if step % 4 == 0 or step < 60:
            theirs = type(car)._render(car, "state_pixels")
            ours = drawer.draw()
            assert ours.shape == (96, 96, 3) and np.array_equal(ours, theirs), step
        if terminated or truncated:
            break
    env.reset(seed=seed + 1)  # a new track: the drawer's road polygons follow it
    env.step(3)
    assert np.array_equal(drawer.draw(), type(car)._render(car, "state_pixels"))
    env.close()


def test_another_gymnasium_draws_its_own_frames(monkeypatch, caplog):
    monkeypatch.setattr(gym, "__version__", "9.9.9")
    env = make_car_racing(False, Protocol())
    repeat = env
    while not isinstance(repeat, ActionRepeat):
        repeat = repeat.env
    assert repeat.draw is None and "draws its own frames" in caplog.text
    obs, _ = env.reset(seed=0)
    obs, *_ = env.step(3)
    assert obs.shape == (4, 84, 84) and obs[-1].std() > 0
    env.close()
