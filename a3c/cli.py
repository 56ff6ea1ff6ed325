"""Command line: `python -m a3c train ...`, `python -m a3c games`."""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import yaml

from a3c.config import ALGOS, DOMAIN_DEFAULTS, TrainConfig, parse_count
from a3c.envs import MUJOCO_TASKS, PAPER_GAMES, resolve

log = logging.getLogger("a3c")

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m a3c", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    train = sub.add_parser("train", help="train one run into --out DIR")
    train.add_argument("--config", type=Path, help="YAML file of TrainConfig fields (flags override)")
    train.add_argument("--game", help="Atari game (Pong, MontezumaRevenge, ...), MuJoCo task or CartPole-v1")
    train.add_argument("--algo", choices=ALGOS)
    train.add_argument("--workers", type=int)
    train.add_argument("--frames", type=parse_count, help="emulator frames, e.g. 80M, 250k")
    train.add_argument("--seed", type=int)
    train.add_argument("--lr", type=float)
    train.add_argument("--lr-anneal-frames", type=parse_count, dest="lr_anneal_frames",
                       help="frames over which lr anneals to 0 (default: the paper's 320M on Atari; "
                            "0 = this run's --frames)")
    train.add_argument("--diagnostics-every", type=int, dest="diagnostics_every",
                       help="updates per worker between training-diagnostics rows (default 500; 0 = none)")
    train.add_argument("--beta", type=float, help="entropy weight (default 0.01; MuJoCo 1e-4)")
    train.add_argument("--t-max", type=int, dest="t_max", help="rollout length (0 = whole episode)")
    train.add_argument("--rms-eps", type=float, dest="rms_eps")
    train.add_argument("--hidden", type=int, help="MLP width for vector observations")
    train.add_argument("--eval-every", type=parse_count, dest="eval_every")
    train.add_argument("--eval-episodes", type=int, dest="eval_episodes")
    train.add_argument("--final-eval-episodes", type=int, dest="final_eval_episodes")
    train.add_argument("--sticky", type=float, dest="repeat_action_probability",
                       help="sticky-action probability (default 0; 0.25 = Machado et al.)")
    train.add_argument("--life-loss", action="store_true", default=None, dest="terminal_on_life_loss",
                       help="end training episodes at a life loss")
    train.add_argument("--pixels", action="store_true", default=None,
                       help="MuJoCo from 84x84 RGB renders (needs OSMesa or EGL)")
    train.add_argument("--autograd", action="store_false", default=None, dest="reuse_acting_pass",
                       help="A3C FF on Atari: differentiate a second forward pass with autograd "
                            "instead of reusing the acting pass (same gradient, slower)")
    train.add_argument("--checkpoint-every", type=float, dest="checkpoint_every", help="seconds")
    train.add_argument("--progress-every", type=float, dest="progress_every", help="seconds")
    train.add_argument("--out", type=Path)
    train.add_argument("--resume", action="store_true", help="continue from DIR/checkpoint.pt if present")
    train.add_argument("--restart", action="store_true",
                       help="discard a partial run in DIR (checkpoint, logs, config) and start over")
    sub.add_parser("games", help="list the paper's 57 Atari games and the MuJoCo tasks")
    return parser


PROTOCOL_FLAGS = ("eval_every", "eval_episodes", "final_eval_episodes", "repeat_action_probability",
                  "terminal_on_life_loss", "pixels")


def config_from_args(args: argparse.Namespace) -> TrainConfig:
    data: dict = {}
    if args.config:
        if not args.config.exists():
            raise ValueError(f"config file {args.config} does not exist")
        try:
            data = yaml.safe_load(args.config.read_text()) or {}
        except yaml.YAMLError as exc:
            raise ValueError(f"config file {args.config} is not valid YAML: {exc}") from None
        if not isinstance(data, dict):
            raise ValueError(f"config file {args.config} must hold a mapping of keys to values")
    data.setdefault("protocol", {})
    flags = {k: v for k, v in vars(args).items()
             if v is not None and k not in ("command", "config", "resume", "restart")}
    for key, value in flags.items():
        target = data["protocol"] if key in PROTOCOL_FLAGS else data
        target[key] = str(value) if key == "out" else value
    if data.get("game"):
        for key, value in DOMAIN_DEFAULTS.get(resolve(data["game"]).domain, {}).items():
            data.setdefault(key, value)
    return TrainConfig.from_dict(data)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s",
                        datefmt="%H:%M:%S")
    args = build_parser().parse_args(argv)
    if args.command == "games":
        sys.stdout.write("\n".join(PAPER_GAMES + MUJOCO_TASKS) + "\n")
        return 0
    from a3c.rundir import RunDirError, RunInUse, run_lock
    from a3c.trainer import TrainingError, prepare, train

    handler = None
    try:
        if args.resume and args.restart:
            raise ValueError("--resume and --restart contradict each other: choose one")
        cfg = config_from_args(args)
        prepare(cfg, args.resume, args.restart)  # every check before any output
        with run_lock(Path(cfg.out)):  # before run.log: a refused trainer writes nothing
            handler = add_run_log(cfg.out)
            train(cfg, resume=args.resume, restart=args.restart)
    except RunInUse as exc:
        log.error("%s", exc)
        return 2
    except ValueError as exc:
        log.error("invalid input: %s", exc)
        return 2
    except (TrainingError, RunDirError) as exc:
        log.error("%s", exc)
        return 1
    finally:
        if handler is not None:
            logging.getLogger().removeHandler(handler)
            handler.close()
    return 0


def add_run_log(out: str) -> logging.Handler:
    """Mirror the log into DIR/run.log (created only once the arguments are valid)."""
    handler = logging.FileHandler(Path(out) / "run.log")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logging.getLogger().addHandler(handler)
    return handler
