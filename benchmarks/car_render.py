"""CarRacing alone with a3c/car_render.py's drawing and with CarRacing's own, in one run.

    python benchmarks/car_render.py --seconds 15 --rounds 3

One process, one core: the trainer's CarRacing (action repeat 4, grayscale 84x84, stack of 4)
with random actions, drawn by StateDrawer and then by CarRacing's own _render, taking turns round
after round, so that both see the machine as it is during this run. Prints the median frames/s of
each and their ratio. Run it on an idle machine.
"""
from __future__ import annotations

import argparse
import logging
import statistics
import sys
import time

import numpy as np

from a3c.config import Protocol

log = logging.getLogger("benchmarks.car_render")


def frames_per_second(fast_draw: bool, seconds: float, seed: int) -> float:
    """Emulator frames/s (4 per agent step) of the preprocessed env with random actions."""
    from a3c import vision_envs

    protocol = Protocol()
    env = vision_envs.make_car_racing(False, protocol, fast_draw=fast_draw)
    rng = np.random.default_rng(seed)
    env.reset(seed=seed)
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        _, _, terminated, truncated, _ = env.step(int(rng.integers(5)))
        steps += 1
        if terminated or truncated:
            env.reset()
    elapsed = time.perf_counter() - start
    env.close()
    return steps * protocol.frame_skip / elapsed


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    parser = argparse.ArgumentParser(prog="python benchmarks/car_render.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=15.0, help="per drawing and round")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.rounds < 1:
        parser.error("--seconds must be > 0 and --rounds >= 1")
    fps: dict[str, list[float]] = {"StateDrawer": [], "CarRacing's own": []}
    for round_ in range(1, args.rounds + 1):
        for name, fast in (("StateDrawer", True), ("CarRacing's own", False)):
            fps[name].append(frames_per_second(fast, args.seconds, seed=round_))
            log.info("round %d/%d: %s %s frames/s", round_, args.rounds, name, f"{fps[name][-1]:,.0f}")
    fast, stock = (statistics.median(v) for v in fps.values())
    sys.stdout.write("| drawing | env alone, frames/s (median) | agent steps/s | rounds |\n|---|---|---|---|\n"
                     f"| StateDrawer (a3c/car_render.py) | {fast:,.0f} | {fast / 4:,.0f} | {args.rounds} |\n"
                     f"| CarRacing's own | {stock:,.0f} | {stock / 4:,.0f} | {args.rounds} |\n"
                     f"\nratio: {fast / stock:.2f}x\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
