"""The environment alone on one core: Pong, CarRacing and the maze in one run, as ratios to Pong.

    python benchmarks/vision_envs.py --seconds 20 --rounds 3

Each game runs in its own process with random actions through the same preprocessing as training
(a3c.bench.env_only_fps, one process at a time, so one core each), the games taking turns round
after round, so that all of them see the machine as it is during this run: speed figures are
comparable within one run only, never across runs or machines. A frame is what the trainer counts
(Pong and CarRacing: 4 per agent step; the maze: 1), so both frames/s and agent steps/s are
printed, each with its ratio to Pong's. The maze's time includes building a new maze at every
episode's start, as in training. Run it on an idle machine.
"""
from __future__ import annotations

import argparse
import logging
import statistics
import sys

from a3c.bench import env_only_fps
from a3c.envs import resolve

log = logging.getLogger("benchmarks.vision_envs")
GAMES = ("Pong", "CarRacing", "Maze")


def measure(games: list[str], seconds: float, rounds: int) -> dict[str, list[float]]:
    """Frames/s of each game alone in one process, `rounds` times, the games taking turns."""
    fps: dict[str, list[float]] = {game: [] for game in games}
    for round_ in range(1, rounds + 1):
        for game in games:
            fps[game].extend(env_only_fps(game, 1, seconds))
            log.info("round %d/%d: %s %s frames/s", round_, rounds, game, f"{fps[game][-1]:,.0f}")
    return fps


def table(fps: dict[str, list[float]], reference: str) -> list[dict[str, float | str]]:
    """One row per game: median frames/s and agent steps/s over the rounds, and their ratios to
    the reference game's in this run."""
    frames = {game: statistics.median(values) for game, values in fps.items()}
    steps = {game: frames[game] / resolve(game).frames_per_step for game in frames}
    return [{"game": game, "frames_per_step": resolve(game).frames_per_step, "frames/s": frames[game],
             "frames/s ratio": frames[game] / frames[reference], "steps/s": steps[game],
             "steps/s ratio": steps[game] / steps[reference], "rounds": len(fps[game])} for game in fps]


def markdown(rows: list[dict[str, float | str]], reference: str) -> str:
    lines = [f"| game | frames per step | env alone, frames/s | ratio to {reference} | agent steps/s | "
             f"ratio to {reference} | rounds |", "|---|---|---|---|---|---|---|"]
    for row in rows:
        lines.append(f"| {row['game']} | {row['frames_per_step']} | {row['frames/s']:,.0f} | "
                     f"{row['frames/s ratio']:.3f} | {row['steps/s']:,.0f} | {row['steps/s ratio']:.3f} | "
                     f"{row['rounds']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    parser = argparse.ArgumentParser(prog="python benchmarks/vision_envs.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--games", nargs="+", default=list(GAMES), help="the first is the reference")
    parser.add_argument("--seconds", type=float, default=20.0, help="per game and round, after its env is built")
    parser.add_argument("--rounds", type=int, default=3, help="each game once per round; the median is shown")
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.rounds < 1:
        parser.error("--seconds must be > 0 and --rounds >= 1")
    try:
        for game in args.games:  # every name (and its packages) checked before any process starts
            resolve(game)
    except ValueError as exc:
        parser.error(str(exc))
    rows = table(measure(args.games, args.seconds, args.rounds), args.games[0])
    sys.stdout.write(markdown(rows, args.games[0]) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
