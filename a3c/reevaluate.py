"""Score a completed run's final network again: `python -m a3c evaluate DIR`.

For a run whose environment changed after it trained (a bug fixed in a task's reward, a newer
package): the final network (DIR/checkpoint.pt, saved when training ended) plays the final
evaluation again, with the run's own protocol and evaluation seeds, on the environment as it is
now. On an unchanged environment it reproduces final.json's score exactly (the evaluation is
seeded). With `--record REASON` the new score replaces final.json's, and the replaced one is kept
in final.json's "reevaluations" list with the reason, date, code commit and library versions: the
table then shows the new score and the run's metadata says why.
"""
from __future__ import annotations

import datetime
import logging
from pathlib import Path
from typing import Any

from a3c.config import TrainConfig
from a3c.envs import action_size, build_env, resolve
from a3c.evaluate import EVAL_SEED_OFFSET, evaluate
from a3c.models import build_model
from a3c.processes import one_thread
from a3c.rundir import CHECKPOINT, atomic_write_json, git_commit, library_versions, read_checkpoint, read_json, run_lock

log = logging.getLogger(__name__)


def completed_run(out: Path) -> tuple[TrainConfig, dict[str, Any], dict[str, Any]]:
    """(config, final.json, checkpoint) of a completed run whose checkpoint is its final network;
    anything else is a ValueError naming what is missing."""
    for name in ("final.json", "config.json", CHECKPOINT):
        if not (out / name).exists():
            raise ValueError(f"{out} has no {name}: only a completed run (final.json and its final "
                             "checkpoint) can be evaluated again")
    final, state = read_json(out / "final.json"), read_checkpoint(out / CHECKPOINT)
    if state["frames"] != final["frames"]:
        raise ValueError(f"{out / CHECKPOINT} is at frame {state['frames']:,} but final.json at "
                         f"{final['frames']:,}: it is not the run's final network")
    return TrainConfig.from_dict(read_json(out / "config.json")), final, state


def reevaluate(out: Path, episodes: int | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The final evaluation of the run in `out` played again (its summary, as in final.json's
    "final", with "stochastic" for a Gaussian policy), and final.json as it was; `episodes`
    defaults to the run's own."""
    cfg, final, state = completed_run(out)
    spec = resolve(cfg.game, cfg.protocol)
    probe = build_env(spec, cfg.protocol)  # only its spaces
    obs_shape, (discrete, n_actions) = probe.observation_space.shape, action_size(probe)
    probe.close()
    model = build_model(cfg.algo, obs_shape, discrete, n_actions, cfg.hidden)
    model.load_state_dict(state["model"])
    one_thread()
    episodes = episodes or cfg.protocol.final_eval_episodes
    log.info("evaluating the final network of %s (%s on %s, frame %s): %d episodes", out, cfg.algo,
             spec.name, f"{state['frames']:,}", episodes)
    return evaluate(model, cfg, spec, episodes, cfg.seed + 2 * EVAL_SEED_OFFSET, discrete), final


def record(out: Path, result: dict[str, Any], reason: str) -> dict[str, Any]:
    """Replace final.json's score with `result`, keeping the replaced one (and why) in its
    "reevaluations" list; written atomically. Returns the new final.json content."""
    with run_lock(out):
        final = read_json(out / "final.json")
        entry = {"reason": reason, "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
                 "git_commit": git_commit(), "versions": library_versions(), "replaced": final["final"]}
        if "final_stochastic" in final:
            entry["replaced_stochastic"] = final["final_stochastic"]
        result = dict(result)
        if "stochastic" in result:
            final["final_stochastic"] = result.pop("stochastic")
        final["final"] = result
        final["reevaluations"] = [*final.get("reevaluations", []), entry]
        atomic_write_json(out / "final.json", final)
    return final


def main(out: Path, episodes: int | None, reason: str | None) -> int:
    if reason is not None and not reason.strip():
        raise ValueError("--record needs a reason (why the score is replaced)")
    if episodes is not None and episodes < 1:
        raise ValueError("--episodes must be >= 1")
    result, final = reevaluate(out, episodes)
    before = final["final"]
    log.info("%s: %.2f +- %.2f over %d episodes (final.json: %.2f +- %.2f over %d)", out, result["mean_return"],
             result["std_return"], result["n_episodes"], before["mean_return"], before["std_return"],
             before["n_episodes"])
    if reason is not None:
        record(out, result, reason.strip())
        log.info("recorded in %s (the replaced score is kept under reevaluations)", out / "final.json")
    return 0
