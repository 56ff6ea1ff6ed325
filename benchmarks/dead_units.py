"""Dead ReLU units in a run's saved network, on the states its own policy visits.

    python benchmarks/dead_units.py RUN_DIR [RUN_DIR ...] [--steps 2000] [--csv OUT.csv]

For each run (config.json + checkpoint.pt: a finished run's final network or a running one's last
checkpoint) the network plays `--steps` agent steps with its own stochastic policy on the run's
environment and protocol; a unit (a conv channel, an fc unit) is dead when its ReLU output was the
same at every position of every one of those observations: off throughout (it passes no gradient),
or on but fed only constants by dead layers below (it tells no state from another). Also printed:
how much the policy and the value vary over those observations (zero for a network whose last
layer is all dead: it outputs constants whatever it sees).

This is the after-the-fact view of the `dead_units` training diagnostic (diagnostics.csv), for
runs logged before that column existed. Discrete-action networks only (A3C FF/LSTM, Q networks).
"""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from a3c.config import TrainConfig  # noqa: E402
from a3c.envs import action_size, build_env, resolve  # noqa: E402
from a3c.models import build_model  # noqa: E402
from a3c.rundir import CHECKPOINT, read_checkpoint, read_json  # noqa: E402

log = logging.getLogger("dead_units")


def load_network(run: Path) -> tuple[TrainConfig, nn.Module, int]:
    """The run's config, its network with the checkpoint's weights, and the checkpoint's frame."""
    cfg = TrainConfig.from_dict(read_json(run / "config.json"))
    state = read_checkpoint(run / CHECKPOINT)
    env = build_env(resolve(cfg.game, cfg.protocol), cfg.protocol)
    discrete, n_actions = action_size(env)
    shape = env.observation_space.shape
    env.close()
    if not discrete:
        raise ValueError(f"{run}: a continuous-action run; this measures discrete-action networks only")
    model = build_model(cfg.algo, shape, discrete, n_actions, cfg.hidden)
    model.load_state_dict(state["model"])
    return cfg, model.eval(), int(state["frames"])


def visited_observations(cfg: TrainConfig, model: nn.Module, steps: int, seed: int) -> torch.Tensor:
    """`steps` observations from the network's own play (softmax policy, or greedy on Q)."""
    env = build_env(resolve(cfg.game, cfg.protocol), cfg.protocol)
    rng = np.random.default_rng(seed)
    obs, _ = env.reset(seed=seed)
    state, seen = model.initial_state(), []
    with torch.no_grad():
        for _ in range(steps):
            seen.append(np.asarray(obs))
            out, state = model(torch.from_numpy(np.asarray(obs)[None]), state)
            if "logits" in out:
                p = torch.softmax(out["logits"][0], -1).double().numpy()
                action = int(rng.choice(len(p), p=p / p.sum()))
            else:
                action = int(out["q"][0].argmax())
            obs, _, terminated, truncated, _ = env.step(action)
            if terminated or truncated:
                obs, _ = env.reset()
                state = model.initial_state()
    env.close()
    return torch.from_numpy(np.stack(seen))


def dead_fractions(model: nn.Module, observations: torch.Tensor) -> dict[str, float]:
    """Per layer of the torso (conv1, conv2, fc, ...): the fraction of channels or units whose ReLU
    output never changed over the observations; and the spread of the outputs over them."""
    highs: dict[str, torch.Tensor] = {}
    lows: dict[str, torch.Tensor] = {}

    def record(name: str):
        def hook(_module: nn.Module, _inputs: tuple, output: torch.Tensor) -> None:
            per_unit = output.detach().relu().transpose(0, 1).flatten(1)
            high, low = per_unit.amax(1), per_unit.amin(1)
            highs[name] = high if name not in highs else torch.maximum(highs[name], high)
            lows[name] = low if name not in lows else torch.minimum(lows[name], low)
        return hook

    layers = [(n, m) for n, m in model.named_modules() if isinstance(m, (nn.Conv2d, nn.Linear)) and "torso" in n]
    handles = [m.register_forward_hook(record(n)) for n, m in layers]
    outputs = []
    with torch.no_grad():
        for batch in observations.split(256):
            outputs.append(model(batch, None)[0])  # a recurrent network: one unroll per chunk
    for handle in handles:
        handle.remove()
    result = {f"dead_{name.split('.')[-1]}": float((highs[name] == lows[name]).float().mean()) for name in highs}
    head = "logits" if "logits" in outputs[0] else "q"
    spread = torch.cat([o[head] for o in outputs]).std(0).mean()
    result[f"{head}_std"] = float(spread)
    if "value" in outputs[0]:
        result["value_std"] = float(torch.cat([o["value"] for o in outputs]).std())
    return result


def measure(run: Path, steps: int, seed: int) -> dict[str, object]:
    cfg, model, frames = load_network(run)
    torch.manual_seed(seed)
    row: dict[str, object] = {"run": str(run), "frames": frames, "lr": cfg.lr, "rms_eps": cfg.rms_eps}
    row.update(dead_fractions(model, visited_observations(cfg, model, steps, seed)))
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", nargs="+", type=Path)
    parser.add_argument("--steps", type=int, default=2000, help="agent steps of play per run")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--csv", type=Path, help="also write the table here")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    missing = [r for r in args.runs if not (r / "config.json").exists() or not (r / CHECKPOINT).exists()]
    if missing:
        parser.error(f"no config.json and {CHECKPOINT} in: {', '.join(map(str, missing))}")
    torch.set_num_threads(1)
    table = pd.DataFrame([measure(run, args.steps, args.seed) for run in args.runs])
    log.info("dead units on %d steps of each network's own play:\n%s", args.steps,
             table.to_string(index=False, float_format=lambda x: f"{x:.3g}"))
    if args.csv:
        table.to_csv(args.csv, index=False)
        log.info("wrote %s", args.csv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
