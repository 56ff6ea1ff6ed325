"""TrainConfig from files: types checked or converted, invalid settings named before any work."""
import pytest

from a3c.config import TrainConfig, validate


def test_yaml_style_strings_become_numbers():
    # PyYAML reads `lr: 7e-4` (no dot) and `frames: 80M` as strings
    cfg = TrainConfig.from_dict({"lr": "7e-4", "frames": "80M", "protocol": {"eval_every": "250k"}})
    assert cfg.lr == pytest.approx(7e-4) and cfg.frames == 80_000_000
    assert cfg.protocol.eval_every == 250_000


@pytest.mark.parametrize("data,message", [
    ({"lr": "fast"}, "lr: expected float"),
    ({"workers": 2.5}, "workers: expected int"),
    ({"lr_anneal": "yes"}, "lr_anneal: expected bool"),
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
