"""The random agent's score on a stand-in (CarRacing, MazeApples, Maze), measured, as a reference level.

    python benchmarks/random_agent.py --game MazeApples --episodes 30
    python benchmarks/random_agent.py --game Maze --episodes 30 --policy explorer

Uniformly random actions through exactly the environment the trainer and the evaluator build
(a3c.envs.make_env with the default protocol), on the evaluator's seeds. Atari's random scores are
published (results/reference/atari_baselines_noop.csv); the stand-ins' are not, so this measures
them and writes the result as one row of results/reference/vision_reference.csv (replacing an
earlier measurement of the same game), its source naming this command, the date and the package
versions. The maze and driving reports then draw it beside the learning curves.

`--policy explorer` (the maze only) plays a scripted memoryless explorer instead: mostly forward,
and a turn of 2-5 steps to a random side whenever the frame stops changing (against a wall). It is
what a policy without memory can reach by exploration alone, a level between random play and
memory-maze's human score.
"""
from __future__ import annotations

import argparse
import datetime
import io
import logging
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from a3c.config import Protocol
from a3c.envs import EnvSpec, make_env, resolve
from a3c.evaluate import EVAL_SEED_OFFSET, summarize
from a3c.rundir import atomic_write_bytes, library_versions

log = logging.getLogger("benchmarks.random_agent")
REFERENCE = Path(__file__).resolve().parents[1] / "results" / "reference" / "vision_reference.csv"
QUANTITIES = {
    "random": "random agent (uniformly random actions, {n} episodes, measured here; mean, std {std:.1f})",
    "explorer": "memoryless explorer (scripted: forward, turning at walls; {n} episodes, measured here; "
                "mean, std {std:.1f})",
}
# memory-maze's six actions: noop, forward, left, right, forward-left, forward-right
FORWARD, LEFT, RIGHT, FORWARD_LEFT, FORWARD_RIGHT = 1, 2, 3, 4, 5
STUCK_PIXEL_CHANGE = 2.0  # mean absolute change of the frame (0-255) below which it counts as stuck
PACKAGES = {"driving": ("gymnasium", "box2d"), "maze": ("memory-maze", "dm-control")}


class Explorer:
    """The scripted memoryless maze explorer: forward (now and then veering), and when the view
    stops changing, a turn of 2-5 steps to a random side. It keeps no map: it reads two frames."""

    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.previous: np.ndarray | None = None
        self.turn_steps, self.turn = 0, LEFT

    def act(self, observation: np.ndarray) -> int:
        frame = observation.astype(np.int16)
        stuck = self.previous is not None and np.abs(frame - self.previous).mean() < STUCK_PIXEL_CHANGE
        self.previous = frame
        if self.turn_steps == 0 and stuck:
            self.turn_steps, self.turn = int(self.rng.integers(2, 6)), int(self.rng.choice([LEFT, RIGHT]))
        if self.turn_steps > 0:
            self.turn_steps -= 1
            return self.turn
        return FORWARD if self.rng.random() < 0.9 else int(self.rng.choice([FORWARD_LEFT, FORWARD_RIGHT]))


def random_returns(spec: EnvSpec, episodes: int, seed: int, policy: str = "random") -> list[float]:
    """Raw episode returns of `policy` ("random": uniformly random actions; "explorer": the
    scripted memoryless explorer, the maze only), on the evaluator's seeds."""
    protocol = Protocol()
    env = make_env(spec, protocol, seed)
    returns = []
    for episode in range(episodes):
        observation, _ = env.reset(seed=seed + episode)
        env.action_space.seed(seed + episode)
        explorer = Explorer(seed + episode) if policy == "explorer" else None
        total, done = 0.0, False
        while not done:
            action = env.action_space.sample() if explorer is None else explorer.act(observation)
            observation, reward, terminated, truncated, _ = env.step(action)
            total += float(reward)
            done = terminated or truncated
        returns.append(total)
        log.info("%s episode %d/%d: %.1f", spec.name, episode + 1, episodes, total)
    env.close()
    return returns


def reference_row(spec: EnvSpec, stats: dict, command: str, policy: str = "random") -> dict:
    versions = library_versions()
    packages = ", ".join(f"{p} {versions[p]}" for p in PACKAGES[spec.domain] if p in versions)
    return {"domain": spec.domain, "game": spec.name,
            "quantity": QUANTITIES[policy].format(n=stats["n_episodes"], std=stats["std_return"]),
            "value": round(stats["mean_return"], 2), "value_high": None,
            "unit": f"{spec.name} episode return",
            "comparable_with_our_runs": "yes: the same environment, protocol and episode length as our runs",
            "source": f"measured here: `{command}` on {datetime.date.today().isoformat()}"
                      + (f" ({packages})" if packages else "")}


def store(row: dict, path: Path = REFERENCE) -> None:
    """Replace the game's earlier row of the same policy (if any) with `row`, atomically."""
    table = pd.read_csv(path, dtype=str, keep_default_na=False)  # the other rows kept exactly as written
    level = row["quantity"].split(" (")[0]  # "random agent", "memoryless explorer"
    earlier = (table["game"] == row["game"]) & table["quantity"].str.startswith(level + " (")
    table = table[~earlier].reset_index(drop=True)
    table.loc[len(table)] = ["" if row[column] is None else str(row[column]) for column in table.columns]
    text = io.StringIO()
    table.to_csv(text, index=False)
    atomic_write_bytes(path, lambda f: f.write(text.getvalue().encode()))


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    parser = argparse.ArgumentParser(prog="python benchmarks/random_agent.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--game", required=True, help="a stand-in: CarRacing, MazeApples or Maze")
    parser.add_argument("--episodes", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--policy", choices=sorted(QUANTITIES), default="random",
                        help="random: uniformly random actions; explorer: the scripted memoryless maze explorer")
    parser.add_argument("--reference", type=Path, default=REFERENCE, help="the CSV the row goes into")
    args = parser.parse_args(argv)
    if args.episodes < 1:
        parser.error("--episodes must be >= 1")
    try:
        spec = resolve(args.game)
    except ValueError as exc:
        parser.error(str(exc))
    if spec.domain not in PACKAGES:
        parser.error(f"{spec.name} is {spec.domain}: this measures the stand-ins (CarRacing, MazeApples, Maze) only; "
                     "Atari's random scores are published (results/reference/atari_baselines_noop.csv)")
    if args.policy == "explorer" and spec.domain != "maze":
        parser.error("--policy explorer plays memory-maze's actions: the maze only (--game MazeApples or Maze)")
    stats = summarize(random_returns(spec, args.episodes, EVAL_SEED_OFFSET + args.seed, args.policy))
    command = f"python benchmarks/random_agent.py --game {args.game} --episodes {args.episodes} --seed {args.seed}"
    command += "" if args.policy == "random" else f" --policy {args.policy}"
    store(reference_row(spec, stats, command, args.policy), args.reference)
    log.info("%s %s: %.2f +- %.2f over %d episodes (min %.1f, max %.1f) -> %s", spec.name, args.policy,
             stats["mean_return"], stats["std_return"], stats["n_episodes"], stats["min_return"],
             stats["max_return"], args.reference)
    return 0


if __name__ == "__main__":
    sys.exit(main())
