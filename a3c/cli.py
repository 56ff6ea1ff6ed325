"""Command line: `python -m a3c train ...`, `python -m a3c status DIR...`, `python -m a3c evaluate DIR`,
`python -m a3c games`.

The train flags are generated from the config fields (a3c/config.py), which carry each flag's
help and the source of its default."""
from __future__ import annotations

import argparse
import dataclasses
import logging
import sys
from pathlib import Path

import yaml

from a3c.config import Protocol, TrainConfig, parse_count
from a3c.games import MUJOCO_TASKS, PAPER_GAMES, VISION_TASKS

log = logging.getLogger("a3c")

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m a3c", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    train = sub.add_parser("train", help="train one run into --out DIR",
                           description="Every flag is a TrainConfig field (a3c/config.py): its default and "
                                       "the source of that default are listed with it.")
    train.add_argument("--config", type=Path, help="YAML file of TrainConfig fields (flags override)")
    add_config_flags(train)
    train.add_argument("--resume", action="store_true", help="continue from DIR/checkpoint.pt if present")
    train.add_argument("--restart", action="store_true",
                       help="discard a partial run in DIR (checkpoint, logs, config) and start over")
    status = sub.add_parser("status", help="where runs stand: complete, running (frames, frames/s, ETA), stopped",
                            description="Reads the run directories only (never their lock): safe while they train.")
    status.add_argument("dirs", nargs="+", type=Path, metavar="DIR",
                        help="a run directory, or a directory with run directories below it")
    evaluate = sub.add_parser("evaluate", help="score a completed run's final network again (after an environment "
                                                "fix): the final evaluation replayed, its seeds and protocol",
                              description="Reads DIR/checkpoint.pt (the final network) and plays the run's final "
                                          "evaluation on the environment as installed now (a3c/reevaluate.py).")
    evaluate.add_argument("dir", type=Path, metavar="DIR", help="a completed run directory (final.json)")
    evaluate.add_argument("--episodes", type=int, help="episodes (default: the run's final_eval_episodes)")
    evaluate.add_argument("--record", metavar="REASON",
                          help="replace final.json's score with this one; the replaced score is kept in final.json's "
                               "reevaluations list with REASON, the date and the code commit")
    sub.add_parser("games", help="list the paper's 57 Atari games, the MuJoCo tasks and the stand-ins for "
                                  "TORCS (CarRacing) and Labyrinth (Maze)")
    return parser


def config_flags() -> list[tuple[str, dataclasses.Field, str]]:
    """(flag, field, dest) for every config field that has a flag; dest is "protocol.NAME" for the
    protocol's fields."""
    flags = []
    for prefix, cls in (("", TrainConfig), ("protocol.", Protocol)):
        for f in dataclasses.fields(cls):
            flag = f.metadata.get("flag", None) if f.metadata else None
            if flag is None:
                continue
            if not flag:
                negate = "no-" if f.type == "bool" and f.default is True else ""
                flag = "--" + negate + f.name.replace("_", "-")
            flags.append((flag, f, prefix + f.name))
    return flags


def add_config_flags(parser: argparse.ArgumentParser) -> None:
    """One flag per config field, its type, help and default's source from the field's metadata.
    Unset flags stay None: the config's own defaults (per domain where they differ) apply."""
    for flag, f, dest in config_flags():
        meta = f.metadata
        text = f"{meta['help'] or f.name} ({default_text(f)}{meta['source']})".replace("%", "%%")
        kwargs: dict = {"dest": dest, "help": text, "default": None}
        if f.type == "bool" and f.default is None:  # per method: both ways can be asked for
            kwargs["action"] = argparse.BooleanOptionalAction
        elif f.type == "bool":
            kwargs["action"] = "store_false" if f.default else "store_true"
        elif f.type.startswith("tuple"):
            kwargs.update(nargs="+", type=float, metavar="X")
        else:
            kind = f.type.removesuffix(" | None")  # an optional value's flag takes the value's type
            kwargs["type"] = parse_count if meta["count"] else {"int": int, "float": float, "str": str}[kind]
            kwargs["choices"] = meta["choices"]
            if not meta["choices"]:
                kwargs["metavar"] = {"int": "N", "float": "X"}.get(kind, f.name.upper())
        parser.add_argument(flag, **kwargs)


def default_text(f: dataclasses.Field) -> str:
    """"default: VALUE; " for a field's help (per domain where it depends on the domain)."""
    show = count_text if f.metadata["count"] else str
    if f.metadata["domains"]:
        return "default: " + ", ".join(f"{d} {show(v)}" for d, v in f.metadata["domains"].items()) + "; "
    if f.type == "bool" and f.default is None:
        return "default: on for the value-based methods on Atari, off otherwise; "
    if f.type == "bool":
        return f"default: {f.name} = {f.default}; "
    if f.default is None:
        return "default: off; "
    return "" if f.default == "" else f"default: {show(f.default)}; "


def count_text(frames: int) -> str:
    """320000000 -> 320M, 40000 -> 40k (the forms --frames accepts)."""
    for unit, scale in (("M", 1_000_000), ("k", 1000)):
        if frames and frames % scale == 0:
            return f"{frames // scale}{unit}"
    return str(frames)


def config_from_args(args: argparse.Namespace) -> TrainConfig:
    """The run's TrainConfig: the YAML file's fields, overridden by the flags given."""
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
    for _, _, dest in config_flags():
        value = getattr(args, dest)
        if value is not None:
            section, _, name = dest.rpartition(".")
            (data[section] if section else data)[name] = value
    return TrainConfig.from_dict(data)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s",
                        datefmt="%H:%M:%S")
    args = build_parser().parse_args(argv)
    if args.command == "status":
        from a3c import status as run_status

        return run_status.main(args.dirs)
    if args.command == "evaluate":
        return evaluate_command(args)
    if args.command == "games":
        sys.stdout.write("\n".join([*PAPER_GAMES, *MUJOCO_TASKS, *VISION_TASKS]) + "\n")
        return 0
    from a3c.processes import TrainingError
    from a3c.rundir import RunDirError, run_lock
    from a3c.trainer import prepare, train_locked

    handler = None
    try:
        if args.resume and args.restart:
            raise ValueError("--resume and --restart contradict each other: choose one")
        cfg = config_from_args(args)
        prepare(cfg, args.resume, args.restart)  # every check before any output
        with run_lock(Path(cfg.out)):  # before run.log: a refused trainer writes nothing
            handler = add_run_log(cfg.out)
            train_locked(cfg, resume=args.resume, restart=args.restart)
    except (ValueError, TrainingError, RunDirError) as exc:
        return report_failure(exc)
    finally:
        if handler is not None:
            logging.getLogger().removeHandler(handler)
            handler.close()
    return 0


def evaluate_command(args: argparse.Namespace) -> int:
    from a3c import reevaluate
    from a3c.rundir import RunDirError

    try:
        return reevaluate.main(args.dir, args.episodes, args.record)
    except (ValueError, RunDirError) as exc:
        return report_failure(exc)


def report_failure(exc: Exception) -> int:
    """Log a command's failure; its exit code: 2 for bad input or a run directory another process
    holds (nothing was done), 1 for a run that failed or a run directory that cannot be read."""
    from a3c.rundir import RunInUse

    if isinstance(exc, RunInUse):
        log.error("%s", exc)
        return 2
    if isinstance(exc, ValueError):
        log.error("invalid input: %s", exc)
        return 2
    log.error("%s", exc)
    return 1


class RunLogHandler(logging.FileHandler):
    """run.log, the log's mirror in the run directory: a write error there (a full disk) stops the
    mirror with one warning on the console, not a traceback per record, and never ends the run on
    its own (the trainer's own writes report the error and stop it)."""

    failed = False

    def emit(self, record: logging.LogRecord) -> None:
        if not self.failed:
            super().emit(record)

    def handleError(self, record: logging.LogRecord) -> None:
        exc = sys.exc_info()[1]
        if not isinstance(exc, OSError):
            super().handleError(record)
            return
        self.failed = True
        self.close()
        log.warning("cannot write %s (%s): the rest of this log goes to the console only",
                    self.baseFilename, exc.strerror or exc)

    def close(self) -> None:
        try:
            super().close()
        except OSError:  # the buffered tail could not be written either: already reported
            self.failed = True


def add_run_log(out: str) -> logging.Handler:
    """Mirror the log into DIR/run.log (created only once the arguments are valid)."""
    handler = RunLogHandler(Path(out) / "run.log")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logging.getLogger().addHandler(handler)
    return handler
