"""TrainConfig from files: types checked or converted, invalid settings named before any work."""
import pytest

from a3c.config import TrainConfig, validate


def test_yaml_style_strings_become_numbers():
    # PyYAML reads `lr: 7e-4` (no dot) and `frames: 80M` as strings
    cfg = TrainConfig.from_dict({"lr": "7e-4", "frames": "80M", "protocol": {"eval_every": "250k"}})
    assert cfg.lr == pytest.approx(7e-4) and cfg.frames == 80_000_000
    assert cfg.protocol.eval_every == 250_000


def test_an_optional_number_may_be_null_or_a_number():
    assert TrainConfig.from_dict({"stop_at_return": None}).stop_at_return is None
    assert TrainConfig.from_dict({"stop_at_return": "1e3"}).stop_at_return == 1000.0
    assert TrainConfig.from_dict({"stop_at_return": -20}).stop_at_return == -20.0


@pytest.mark.parametrize("data,message", [
    ({"lr": "fast"}, "lr: expected float"),
    ({"workers": 2.5}, "workers: expected int"),
    ({"lr_anneal": "yes"}, "lr_anneal: expected bool"),
    ({"stop_at_return": "high"}, "stop_at_return: expected float | None"),
    ({"protocol": {"noop_max": True}}, "noop_max: expected int"),
    ({"protocol": None, "game": 3}, "game: expected str"),
    ({"protocol": [1]}, "protocol must be a mapping"),
    (["lr", 1], "must be a mapping"),
])
def test_wrongly_typed_values_are_named(data, message):
    with pytest.raises(ValueError, match=message):
        TrainConfig.from_dict(data)


@pytest.mark.parametrize("overrides,message", [
    ({"target_update_frames": 0}, "target_update_frames must be > 0"),
    ({"final_epsilons": (0.1, 0.5)}, "same"),
    ({"rms_alpha": 1.0}, "rms_alpha"),
    ({"rms_init": -1.0}, "rms_init must be >= 0"),
    ({"max_grad_norm": 0.0}, "max_grad_norm"),
    ({"hidden": -1}, "hidden"),
])
def test_invalid_settings_are_rejected(overrides, message):
    with pytest.raises(ValueError, match=message):
        validate(TrainConfig(out="x", **overrides))


def test_unsupported_protocol_settings_are_rejected():
    cfg = TrainConfig.from_dict({"out": "x", "protocol": {"max_pool_last_two": False}})
    with pytest.raises(ValueError, match="max_pool_last_two"):
        validate(cfg)


@pytest.mark.parametrize("frames", [1_000_000, 40_000_000, 320_000_000])
def test_learning_rate_anneals_over_the_paper_horizon_whatever_the_run_length(frames):
    from a3c.config import learning_rate

    cfg = TrainConfig(frames=frames, lr=7e-4)  # default horizon: 320M frames, the paper's 1 day
    for k in (0, 1_000_000, 40_000_000, 160_000_000, 320_000_000, 400_000_000):
        assert learning_rate(cfg, k) == pytest.approx(7e-4 * max(0.0, 1 - k / 320_000_000))
    assert learning_rate(cfg, frames) > 0 or frames == 320_000_000


def test_learning_rate_horizon_zero_means_the_run_own_length_and_no_anneal_is_constant():
    from a3c.config import learning_rate

    cfg = TrainConfig(frames=1_000_000, lr=1e-3, lr_anneal_frames=0)
    assert learning_rate(cfg, 250_000) == pytest.approx(7.5e-4)
    assert learning_rate(cfg, 1_000_000) == 0.0
    assert learning_rate(TrainConfig(lr=1e-3, lr_anneal=False), 10**9) == 1e-3


def test_cli_resolves_the_horizon_per_domain(tmp_path):
    from a3c.cli import build_parser, config_from_args

    def cfg(*argv):
        return config_from_args(build_parser().parse_args(["train", *argv, "--out", str(tmp_path)]))

    assert cfg("--game", "Pong").lr_anneal_frames == 320_000_000
    assert cfg("--game", "Hopper").lr_anneal_frames == 0
    assert cfg("--game", "CartPole-v1").lr_anneal_frames == 0
    assert cfg("--game", "Pong", "--lr-anneal-frames", "80M").lr_anneal_frames == 80_000_000


# ----- one source of truth: Python, YAML and the command line resolve a config alike -----

def from_cli(tmp_path, *argv):
    from a3c.cli import build_parser, config_from_args

    return config_from_args(build_parser().parse_args(["train", *argv, "--out", str(tmp_path)]))


def from_yaml(tmp_path, text: str, *argv):
    path = tmp_path / "run.yaml"
    path.write_text(text)
    return from_cli(tmp_path, "--config", str(path), *argv)


@pytest.mark.parametrize("game,expected", [
    ("Hopper", {"beta": 1e-4, "t_max": 0, "lr_anneal_frames": 0}),  # protocol.md "MuJoCo"
    ("hopper", {"beta": 1e-4, "t_max": 0, "lr_anneal_frames": 0}),  # however the name is typed
    ("Pong", {"beta": 0.01, "t_max": 5, "lr_anneal_frames": 320_000_000}),  # protocol.md "Atari"
    ("CartPole-v1", {"beta": 0.01, "t_max": 5, "lr_anneal_frames": 0}),
])
def test_python_cli_and_yaml_resolve_a_game_to_the_same_config(tmp_path, game, expected):
    python = TrainConfig(game=game, out=str(tmp_path))
    assert python == from_cli(tmp_path, "--game", game) == from_yaml(tmp_path, f"game: {game}\n")
    assert {key: getattr(python, key) for key in expected} == expected


def test_an_explicit_value_wins_over_the_domain_default_on_every_path(tmp_path):
    explicit = {"beta": 0.01, "t_max": 5, "lr_anneal_frames": 320_000_000}  # Atari's values, on MuJoCo
    python = TrainConfig(game="Hopper", out=str(tmp_path), **explicit)
    cli = from_cli(tmp_path, "--game", "Hopper", "--beta", "0.01", "--t-max", "5", "--lr-anneal-frames", "320M")
    yaml_ = from_yaml(tmp_path, "game: Hopper\nbeta: 0.01\nt_max: 5\nlr_anneal_frames: 320M\n")
    assert python == cli == yaml_
    assert {key: getattr(python, key) for key in explicit} == explicit
    # a flag overrides the YAML file, and the domain follows the game however it was given
    assert from_yaml(tmp_path, "game: Pong\n", "--game", "Hopper").beta == 1e-4
    assert from_yaml(tmp_path, "game: Hopper\nbeta: 0.5\n", "--beta", "0.25").beta == 0.25


def test_the_domain_defaults_are_each_fields_own():
    from a3c.config import domain_defaults

    assert domain_defaults("mujoco") == {"lr_anneal_frames": 0, "t_max": 0, "beta": 1e-4, "reward_scale": 1.0}
    assert domain_defaults("atari") == {"lr_anneal_frames": 320_000_000, "t_max": 5, "beta": 0.01,
                                        "reward_scale": 1.0}
    assert domain_defaults("driving")["reward_scale"] == 0.01


# The flags of `python -m a3c train` before it was generated from the config: each must keep its
# meaning (the workflow and the tests call them).
LEGACY_FLAGS = [
    (["--game", "Breakout"], "game", "Breakout"),
    (["--algo", "n-step-q"], "algo", "n-step-q"),
    (["--workers", "3"], "workers", 3),
    (["--frames", "80M"], "frames", 80_000_000),
    (["--frames", "250k"], "frames", 250_000),
    (["--seed", "7"], "seed", 7),
    (["--lr", "1e-3"], "lr", 1e-3),
    (["--lr-anneal-frames", "80M"], "lr_anneal_frames", 80_000_000),
    (["--diagnostics-every", "20"], "diagnostics_every", 20),
    (["--beta", "0.5"], "beta", 0.5),
    (["--t-max", "20"], "t_max", 20),
    (["--rms-eps", "1e-5"], "rms_eps", 1e-5),
    (["--rms-init", "1"], "rms_init", 1.0),
    (["--hidden", "128"], "hidden", 128),
    (["--eval-every", "500k"], "protocol.eval_every", 500_000),
    (["--eval-episodes", "3"], "protocol.eval_episodes", 3),
    (["--final-eval-episodes", "4"], "protocol.final_eval_episodes", 4),
    (["--sticky", "0.25"], "protocol.repeat_action_probability", 0.25),
    (["--life-loss"], "protocol.terminal_on_life_loss", True),
    (["--fire-reset"], "protocol.fire_on_reset", True),
    (["--pixels"], "protocol.pixels", True),
    (["--autograd"], "reuse_acting_pass", False),
    (["--checkpoint-every", "1"], "checkpoint_every", 1.0),
    (["--progress-every", "2.5"], "progress_every", 2.5),
]


@pytest.mark.parametrize("argv,key,value", LEGACY_FLAGS)
def test_every_flag_keeps_its_meaning(tmp_path, argv, key, value):
    cfg = from_cli(tmp_path, *argv)
    section, _, name = key.rpartition(".")
    got = getattr(cfg.protocol if section else cfg, name)
    assert got == value and type(got) is type(value)
    default = from_cli(tmp_path)
    assert getattr(default.protocol if section else default, name) != value  # the flag did it


@pytest.mark.parametrize("algo,game,on", [
    ("n-step-q", "Breakout", True), ("one-step-q", "Pong", True), ("one-step-sarsa", "Breakout", True),
    ("a3c", "Breakout", False), ("a3c-lstm", "Pong", False), ("n-step-q", "CartPole-v1", False),
])
def test_life_loss_and_fire_reset_default_on_for_the_value_based_methods_on_atari_only(tmp_path, algo, game, on):
    cfg = from_cli(tmp_path, "--algo", algo, "--game", game)
    assert cfg.protocol.terminal_on_life_loss is on and cfg.protocol.fire_on_reset is on
    assert TrainConfig(game=game, algo=algo, out="x").protocol.terminal_on_life_loss is on  # Python alike


def test_the_per_method_protocol_defaults_can_be_turned_either_way(tmp_path):
    off = from_cli(tmp_path, "--algo", "n-step-q", "--game", "Breakout", "--no-life-loss", "--no-fire-reset")
    assert off.protocol.terminal_on_life_loss is False and off.protocol.fire_on_reset is False
    on = from_cli(tmp_path, "--algo", "a3c", "--game", "Breakout", "--life-loss", "--fire-reset")
    assert on.protocol.terminal_on_life_loss is True and on.protocol.fire_on_reset is True
    yaml_off = TrainConfig.from_dict({"game": "Breakout", "algo": "n-step-q", "out": "x",
                                      "protocol": {"terminal_on_life_loss": False}})
    assert yaml_off.protocol.terminal_on_life_loss is False and yaml_off.protocol.fire_on_reset is True


def test_every_setting_says_where_its_default_comes_from(capsys):
    import dataclasses

    from a3c.cli import build_parser
    from a3c.config import Protocol

    for cls in (TrainConfig, Protocol):
        for f in dataclasses.fields(cls):
            assert f.name == "protocol" or f.metadata.get("source"), f.name
    with pytest.raises(SystemExit):
        build_parser().parse_args(["train", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert ("--t-max N rollout length (0 = whole episode) (default: atari 5, mujoco 0, control 5, driving 5, maze 5;"
            in text)
    assert '--eval-every N frames between evaluations of the global network (default: 1M; our choice)' in text


def test_a_run_in_progress_resumes_with_this_code(tmp_path):
    """config.json of a run started before the config was generated (Pong, 2 workers, 40M frames):
    it loads, and the command that started it resumes it (same settings)."""
    import json
    import shutil
    from pathlib import Path

    from a3c.trainer import check_same_run

    saved = Path(__file__).parent / "data" / "pong_a3c_2w_h320M.config.json"
    config = TrainConfig.from_dict(json.loads(saved.read_text()))
    assert config.lr_anneal_frames == 320_000_000 and config.workers == 2
    shutil.copy(saved, tmp_path / "config.json")
    cfg = from_cli(tmp_path, "--game", "Pong", "--algo", "a3c", "--workers", "2", "--frames", "40M", "--eval-every",
                   "1M", "--eval-episodes", "10", "--final-eval-episodes", "30")
    check_same_run(cfg, tmp_path / "config.json")
    # a run started before the lr_study turned stop_on_dead_network on resumes with it
    check_same_run(from_cli(tmp_path, "--game", "Pong", "--algo", "a3c", "--workers", "2", "--frames", "40M",
                            "--stop-on-dead-network"), tmp_path / "config.json")


def test_resuming_a_value_based_run_from_before_the_per_method_default_names_the_flags(tmp_path):
    import json

    from a3c.trainer import check_same_run

    argv = ("--algo", "n-step-q", "--game", "Breakout")
    old = from_cli(tmp_path, *argv, "--no-life-loss", "--no-fire-reset")  # as such a run recorded itself
    (tmp_path / "config.json").write_text(json.dumps(old.to_dict()))
    with pytest.raises(ValueError, match="terminal_on_life_loss: False -> True.*--no-life-loss --no-fire-reset"):
        check_same_run(from_cli(tmp_path, *argv), tmp_path / "config.json")
    check_same_run(from_cli(tmp_path, *argv, "--no-life-loss", "--no-fire-reset"), tmp_path / "config.json")


def test_the_config_json_of_every_committed_run_loads(root):
    import json

    paths = sorted((root / "results").rglob("config.json"))
    for path in paths:
        TrainConfig.from_dict(json.loads(path.read_text()))
