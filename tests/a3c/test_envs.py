import numpy as np
import pytest

from a3c.config import Protocol
from a3c.envs import make_env, resolve
from a3c.games import PAPER_GAMES
from tests.processes import play_until_episode_end


@pytest.mark.parametrize("typed,canonical", [("Pong", "Pong"), ("pong", "Pong"),
                                             ("MontezumaRevenge", "MontezumaRevenge"),
                                             ("montezuma_revenge", "MontezumaRevenge"),
                                             ("ALE/Breakout-v5", "Breakout"),
                                             ("space-invaders", "SpaceInvaders"),
                                             ("halfcheetah", "HalfCheetah")])
def test_names_as_users_type_them(typed, canonical):
    assert resolve(typed).name == canonical


def test_unknown_name_lists_close_matches():
    with pytest.raises(ValueError, match="did you mean.*Pong"):
        resolve("Pongg")


def test_all_57_paper_games_resolve_to_ale_v5():
    assert len(PAPER_GAMES) == 57
    for game in PAPER_GAMES:
        spec = resolve(game)
        assert spec.domain == "atari" and spec.env_id == f"ALE/{game}-v5"


def test_atari_observation_is_a_stack_of_four_84x84_grayscale_frames():
    env = make_env(resolve("Pong"), Protocol(), seed=0)
    obs, _ = env.reset(seed=0)
    assert obs.shape == (4, 84, 84) and obs.dtype == np.uint8
    assert env.action_space.n == 6  # minimal action set
    obs, reward, *_ = env.step(0)
    assert obs.shape == (4, 84, 84)


def test_preprocessing_max_pools_the_last_two_raw_frames():
    proto = Protocol(noop_max=0)
    env = make_env(resolve("Breakout"), proto, seed=0)
    env.reset(seed=0)
    pre = env.env  # AtariPreprocessing under the frame stack
    while not hasattr(pre, "obs_buffer"):
        pre = pre.env
    env.step(1)
    a, b = pre.obs_buffer
    frame = env.step(0)[0][-1]
    a, b = pre.obs_buffer
    import cv2

    expected = cv2.resize(np.maximum(a, b), (84, 84), interpolation=cv2.INTER_AREA)
    assert np.array_equal(frame, expected)


def test_noop_starts_vary_the_initial_state():
    starts = set()
    for seed in range(6):
        env = make_env(resolve("Pong"), Protocol(noop_max=30), seed=seed)
        obs, _ = env.reset(seed=seed)
        ale = env.unwrapped.ale
        starts.add(ale.getEpisodeFrameNumber())
    assert len(starts) > 1  # different numbers of no-ops were applied
    assert all(f <= 30 * 1 + 4 for f in starts)


def test_episodes_are_capped_by_the_frame_limit():
    env = make_env(resolve("Pong"), Protocol(max_episode_frames=400, noop_max=0), seed=0)
    env.reset(seed=0)
    steps, terminated, truncated = play_until_episode_end(env)
    assert truncated and not terminated
    assert steps == 100  # 400 frames / frame skip 4


def test_sticky_actions_are_an_option():
    env = make_env(resolve("Pong"), Protocol(repeat_action_probability=0.25), seed=0)
    assert env.unwrapped.ale.getFloat("repeat_action_probability") == pytest.approx(0.25)


def test_observations_do_not_depend_on_the_emulators_own_screen_type():
    """make_env asks the emulator for grayscale screens it never shows the agent (speed only):
    the preprocessed observations equal those built on the default RGB emulator."""
    import gymnasium as gym

    from a3c import envs

    proto = Protocol(noop_max=30)
    ours = make_env(resolve("Breakout"), proto, seed=5)
    make = gym.make
    try:  # the same environment with the emulator's default screen type
        gym.make = lambda *args, **kwargs: make(*args, **{k: v for k, v in kwargs.items() if k != "obs_type"})
        rgb = envs.make_env(resolve("Breakout"), proto, seed=5)
    finally:
        gym.make = make
    assert rgb.unwrapped._obs_type == "rgb" and ours.unwrapped._obs_type == "grayscale"
    rng = np.random.default_rng(0)
    a, _ = ours.reset(seed=5)
    b, _ = rgb.reset(seed=5)
    assert np.array_equal(a, b)
    for action in rng.integers(0, 4, 200):
        a, ra, ta, ua, _ = ours.step(int(action))
        b, rb, tb, ub, _ = rgb.step(int(action))
        assert np.array_equal(a, b) and (ra, ta, ua) == (rb, tb, ub)
        if ta or ua:
            break


def lives_lost_by_idling(fire: bool, steps: int) -> tuple[int, int]:
    """Breakout played with NOOP only for up to `steps` agent steps: (lives lost, FIRE presses)."""
    protocol = Protocol(fire_on_reset=fire)
    env = make_env(resolve("Breakout", protocol), protocol, seed=0)
    _, info = env.reset(seed=0)
    lives, presses = info["lives"], info.get("unseen_steps", 0)
    for _ in range(steps):
        _, _, terminated, truncated, info = env.step(0)
        presses += info.get("unseen_steps", 0)
        if terminated or truncated:
            return lives, presses
    return lives - info["lives"], presses


def test_fire_on_reset_serves_the_ball_at_the_start_and_after_every_lost_life():
    # Breakout waits for FIRE: an idle agent never loses a life unless the wrapper serves for it
    assert lives_lost_by_idling(fire=False, steps=2000) == (0, 0)
    # served 5 times (the start and after each of the first 4 lost lives): all 5 lives lost
    assert lives_lost_by_idling(fire=True, steps=2000) == (5, 5)


def test_fire_on_reset_leaves_a_game_without_fire_unchanged():
    protocol = Protocol(fire_on_reset=True, noop_max=0)
    plain = make_env(resolve("Freeway"), Protocol(noop_max=0), seed=0)
    fired = make_env(resolve("Freeway"), protocol, seed=0)
    assert "FIRE" not in fired.unwrapped.get_action_meanings()
    a, _ = plain.reset(seed=0)
    b, info = fired.reset(seed=0)
    assert info["unseen_steps"] == 0 and np.array_equal(a, b)
