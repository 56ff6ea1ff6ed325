"""The scale of a target's runs (games, frames, workers, runs, evaluation episodes), in words.

Read from the runs themselves (config.json, final.json), so a report says what its numbers rest
on whatever the workflow asked for. The workflow's scale name (smoke, workstation, paper) is taken
from `--scale` when given, else matched against workflows/config/default.yaml.
"""
from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)
WORKFLOW_CONFIG = Path(__file__).resolve().parents[1] / "workflows" / "config" / "default.yaml"
EXPERIMENT_OF = {"data_efficiency": "scalability"}  # targets that analyse another experiment's runs
SETTING = ["game", "algo", "workers", "beta", "t_max"]  # a run's setting; seeds (and lr draws) vary
STUDY_TARGETS = ("lr_study", "lr_study_carry")  # there lr and RMSProp eps are part of the setting


def short_number(value: float) -> str:
    """20000 -> 20k, 320000000 -> 320M, 1500000 -> 1.5M, 7 -> 7."""
    for size, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:.3g}{suffix}"
    return f"{value:g}"


def values(column: pd.Series) -> list:
    """Sorted distinct non-missing values, as plain Python numbers."""
    out = sorted(set(column.dropna()))
    return [int(v) if float(v).is_integer() else float(v) for v in out]


def span(items: list, fmt=str, conjunction: str = "or") -> str:
    """'1', '1 or 2', '1, 2 or 4', '1-16' (more than three values)."""
    if not items:
        return "?"
    if len(items) <= 3:
        texts = [fmt(v) for v in items]
        return texts[0] if len(texts) == 1 else f"{', '.join(texts[:-1])} {conjunction} {texts[-1]}"
    return f"{fmt(items[0])}-{fmt(items[-1])}"


def counted(items: list, noun: str) -> str:
    """'1 episode', '2 episodes', '1 or 5 episodes'."""
    return f"{span(items)} {noun}{'' if items == [1] else 's'}"


def describe(runs: pd.DataFrame, target: str, name: str | None = None) -> dict:
    """The scale of one target's runs as a JSON-ready dict (see scale_text)."""
    done = runs[runs["completed"].astype(bool)]
    setting = SETTING + (["lr", "rms_eps"] if target in STUDY_TARGETS else [])
    per_setting = runs.groupby(setting, dropna=False).size()
    final_eps = values(done["final_episodes"]) or values(runs["final_eval_episodes"])
    scale = {"domain": str(runs["domain"].iloc[0]) if len(runs) else "?",
             "games": sorted(set(runs["game"])), "algos": sorted(set(runs["algo"])),
             "frames_per_run": values(runs["frames_budget"]), "workers": values(runs["workers"]),
             "runs": int(len(runs)), "complete_runs": int(len(done)),
             "runs_per_setting": [int(per_setting.min()), int(per_setting.max())] if len(runs) else [0, 0],
             "seeds": values(runs["seed"]), "eval_every": values(runs["eval_every"]),
             "eval_episodes": values(runs["eval_episodes"]), "final_eval_episodes": final_eps}
    scale["name"] = name or infer_name(target, scale)
    return scale


def scale_parts(scale: dict) -> dict[str, str]:
    """The scale's clauses: games, frames, workers, runs, final and periodic evaluation."""
    games = scale["games"]
    listed = f" ({', '.join(games)})" if len(games) <= 8 else ""
    unit = "task" if scale["domain"] == "mujoco" else "game"
    low, high = scale["runs_per_setting"]
    workers, seeds = scale["workers"], scale["seeds"]
    parts = {"games": f"{len(games)} {scale['domain']} {unit}{'s' if len(games) != 1 else ''}{listed}",
             "frames": f"{span(scale['frames_per_run'], short_number)} frames per run",
             "workers": f"{span(workers)} worker{'s' if workers != [1] else ''}",
             "runs": f"{low if low == high else f'{low}-{high}'} run{'s' if high != 1 else ''} per {unit} and "
                     f"setting (seed{'s' if len(seeds) != 1 else ''} {span(seeds, conjunction='and')})",
             "final": f"final score over {counted(scale['final_eval_episodes'], 'evaluation episode')}"}
    if scale["eval_every"]:
        parts["periodic"] = (f"an evaluation of {counted(scale['eval_episodes'], 'episode')} every "
                             f"{span(scale['eval_every'], short_number)} frames")
    return parts


def scale_text(scale: dict) -> str:
    """One clause: '2 atari games (Breakout, Pong), 20k frames per run, 2 workers, ...'."""
    return ", ".join(scale_parts(scale).values())


def scales_text(scales: dict[str, dict]) -> str:
    """Several targets' scales in one sentence or two: what all share said once, then each target
    (targets of the same scale together)."""
    parts = {target: scale_parts(scale) for target, scale in scales.items()}
    keys = [k for k in next(iter(parts.values())) if k != "games"]
    shared = [k for k in keys if len({p.get(k) for p in parts.values()}) == 1 and len(parts) > 1]
    groups: dict[str, list[str]] = {}
    for target, p in parts.items():
        groups.setdefault(", ".join(v for k, v in p.items() if k not in shared), []).append(target)
    text = "; ".join(f"{' and '.join(targets)}: {rest}" for rest, targets in groups.items())
    if shared:
        text = "every run: " + ", ".join(parts[next(iter(parts))][k] for k in shared) + ". Per target, " + text
    return text[0].upper() + text[1:] + "."


def infer_name(target: str, scale: dict, config: Path | None = None) -> str | None:
    """The workflow scale whose grid for this target has these frames and games, if exactly one."""
    config = config or WORKFLOW_CONFIG
    try:
        import yaml

        scales = yaml.safe_load(config.read_text())["scales"]
        matches = [name for name, grid in scales.items() if matches_grid(target_grid(grid, target), scale)]
    except Exception as err:  # a missing or reorganised workflow config: no name, not a failure
        log.info("scale name not inferred from %s (%s)", config, err)
        return None
    return matches[0] if len(matches) == 1 else None


def target_grid(grid: dict, target: str) -> dict | None:
    """A scale's grid for a target; lr_study_carry's is lr_study's carry block on the study's games."""
    if target == "lr_study_carry":
        study = grid.get("lr_study") or {}
        return {"games": study.get("games"), "workers": study.get("workers"), **study["carry"]} if "carry" in study else None
    return grid.get(EXPERIMENT_OF.get(target, target))


def matches_grid(grid: dict | None, scale: dict) -> bool:
    if not isinstance(grid, dict) or not scale["frames_per_run"]:
        return False
    games = set(grid.get("games") or grid.get("tasks") or [])
    return (scale["frames_per_run"] == [grid.get("frames")] and set(scale["games"]) <= games
            and set(scale["workers"]) <= set(np.atleast_1d(grid.get("workers", scale["workers"]))))
