"""The one place that reads run directories (docs/run_directory.md).

A run is complete when its final.json exists; a partial run (no final.json) is listed with
completed=False and never contributes a final score.

Every problem with an input is an AnalysisInputError naming the file and the problem: a
runs directory that is missing or holds no run, a config.json / final.json that is not JSON or
lacks a field, a score that is not a number or is NaN, an eval_log.csv that is not a CSV or has
a non-numeric value. The one exception: the last eval row of a run still going (no final.json)
may be torn by the writer, and is dropped with a warning.
"""
from __future__ import annotations

import json
import logging
import math
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from analysis.errors import AnalysisInputError

log = logging.getLogger(__name__)
RUN_COLUMNS = ["run", "game", "algo", "workers", "seed", "lr", "rms_eps", "lr_anneal_frames", "beta", "t_max",
               "frames_budget", "life_loss", "fire_reset",
               "domain", "eval_every", "eval_episodes", "final_eval_episodes", "completed", "frames",
               "wall_time", "final_mean", "final_std", "final_episodes", "final_stochastic_mean",
               "best_mean", "best_frames", "deviations"]
EVAL_COLUMNS = ["frames", "wall_time", "mean_return"]
CURVE_KEYS = ["run", "game", "algo", "workers", "seed", "lr", "beta", "t_max", "completed"]


def find_runs(root: Path) -> list[Path]:
    """Every run directory (one with a config.json) below root."""
    return sorted(p.parent for p in Path(root).rglob("config.json"))


RunsSource = Path | Sequence[Path]


def check_runs_dir(source: RunsSource | None) -> list[Path]:
    """The run directories `--runs` names: each path is a run directory (it has a config.json) or a
    directory of runs (every run below it); an error when a path is missing or names no run."""
    paths = [] if source is None else [Path(source)] if isinstance(source, (str, Path)) else [Path(p) for p in source]
    if not paths:
        raise AnalysisInputError("--runs", "no runs directory given")
    runs = []
    for root in paths:
        if not root.exists():
            raise AnalysisInputError(root, "runs directory does not exist (a typo in --runs?)")
        if not root.is_dir():
            raise AnalysisInputError(root, "--runs is a file, not a directory of run directories")
        found = [root] if (root / "config.json").is_file() else find_runs(root)
        if not found:
            raise AnalysisInputError(root, "no run directories below it (none has a config.json); "
                                           "--runs must be the experiment's directory of runs or run directories")
        runs += found
    return sorted(set(runs))


def describe_source(source: RunsSource) -> str:
    """--runs in a log line: the directory, or how many run directories were listed."""
    if isinstance(source, (str, Path)):
        return str(source)
    paths = list(source)
    return str(paths[0]) if len(paths) == 1 else f"{len(paths)} listed run directories"


def read_json(path: Path) -> dict:
    """A JSON object from path, or an error naming the file."""
    try:
        data = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError) as err:
        raise AnalysisInputError(path, f"cannot be read ({err})") from err
    except json.JSONDecodeError as err:
        raise AnalysisInputError(path, f"is not valid JSON ({err})") from err
    if not isinstance(data, dict):
        raise AnalysisInputError(path, f"holds a JSON {type(data).__name__}, not an object")
    return data


def number(data: dict, key: str, path: Path, integer: bool = False, required: bool = True) -> float | None:
    """data[key] (dotted keys reach into nested objects) as a finite number, or an error."""
    value: object = data
    for part in key.split("."):
        if not isinstance(value, dict) or part not in value:
            if required:
                raise AnalysisInputError(path, f"has no {key!r}")
            return None
        value = value[part]
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise AnalysisInputError(path, f"{key} is {value!r}, not a number")
    if not math.isfinite(value):
        raise AnalysisInputError(path, f"{key} is {value}, not a finite number")
    if integer and value != int(value):
        raise AnalysisInputError(path, f"{key} is {value}, not a whole number")
    return int(value) if integer else float(value)


def switch(data: dict, key: str, path: Path) -> bool:
    """A protocol switch: false when absent, else it must be true or false."""
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise AnalysisInputError(path, f"protocol.{key} is {value!r}, not true or false")
    return value


def text(data: dict, key: str, path: Path) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise AnalysisInputError(path, f"{key} is {value!r}, not a name" if key in data else f"has no {key!r}")
    return value


def read_config(run: Path) -> dict:
    path = run / "config.json"
    config = read_json(path)
    protocol = config.get("protocol") if isinstance(config.get("protocol"), dict) else {}
    return {"run": str(run), "game": text(config, "game", path), "algo": text(config, "algo", path),
            "workers": number(config, "workers", path, integer=True),
            "seed": number(config, "seed", path, integer=True), "lr": number(config, "lr", path),
            "rms_eps": number(config, "rms_eps", path, required=False),
            "lr_anneal_frames": number(config, "lr_anneal_frames", path, integer=True, required=False),
            "beta": number(config, "beta", path), "t_max": number(config, "t_max", path, integer=True),
            "frames_budget": number(config, "frames", path, integer=True),
            # the episode protocol (off in configs written before it was recorded)
            "life_loss": switch(protocol, "terminal_on_life_loss", path),
            "fire_reset": switch(protocol, "fire_on_reset", path),
            "domain": config.get("domain", "atari"),
            "eval_every": number(protocol, "eval_every", path, required=False),
            "eval_episodes": number(protocol, "eval_episodes", path, required=False),
            "final_eval_episodes": number(protocol, "final_eval_episodes", path, required=False),
            "deviations": tuple(config.get("deviations", ())), "completed": False}


def read_final(run: Path) -> dict:
    path = run / "final.json"
    final = read_json(path)
    if not isinstance(final.get("final"), dict):
        raise AnalysisInputError(path, "has no 'final' object (the final network's score)")
    best = final.get("best") if isinstance(final.get("best"), dict) else {}
    stochastic = final.get("final_stochastic") if isinstance(final.get("final_stochastic"), dict) else {}
    return {"completed": bool(final.get("completed", True)), "frames": number(final, "frames", path),
            "wall_time": number(final, "wall_time", path),
            "final_mean": number(final, "final.mean_return", path),
            "final_std": number(final, "final.std_return", path, required=False),
            "final_episodes": number(final, "final.n_episodes", path, integer=True, required=False),
            "final_stochastic_mean": number(stochastic, "mean_return", path, required=False),
            "best_mean": number(best, "mean_return", path, required=False),
            "best_frames": number(best, "frames", path, required=False)}


def read_run(run: Path) -> dict:
    """One run's config, and its final score when final.json exists (validated)."""
    row = read_config(run)
    if (run / "final.json").exists():
        row.update(read_final(run))
        row["deviations"] += reevaluation_notes(run / "final.json")
    return row


def reevaluation_notes(path: Path) -> tuple[str, ...]:
    """final.json's "reevaluations" (python -m a3c evaluate --record) as deviations: the score
    shown is not the one the run ended with, and the report says why."""
    entries = read_json(path).get("reevaluations", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) and "reason" in e for e in entries):
        raise AnalysisInputError(path, "has a 'reevaluations' entry without a reason")
    return tuple(f"final score re-evaluated after training (python -m a3c evaluate --record): {e['reason']}"
                 for e in entries)


def load_runs(root: RunsSource) -> pd.DataFrame:
    """One row per run directory root names (complete and partial); errors name the file."""
    frame = pd.DataFrame([read_run(run) for run in check_runs_dir(root)], columns=RUN_COLUMNS)
    log.info("%s: %d runs (%d complete)", describe_source(root), len(frame), int(frame["completed"].sum()))
    return frame


def read_log_csv(path: Path, columns: list[str]) -> pd.DataFrame | None:
    """A run's CSV log with at least `columns`; None when it does not exist or is empty; an error
    naming the file when it is not a CSV or lacks a column."""
    if not path.exists() or path.stat().st_size == 0:
        return None
    try:
        table = pd.read_csv(path)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as err:
        raise AnalysisInputError(path, f"is not a readable CSV ({str(err).strip()})") from err
    missing = [c for c in columns if c not in table.columns]
    if missing:
        found = ", ".join(map(str, table.columns))
        raise AnalysisInputError(path, f"has no column {', '.join(missing)} (columns: {found})")
    return table


def read_eval_log(run: Path, completed: bool) -> pd.DataFrame:
    """eval_log.csv as numbers; a run that never started logging gives an empty frame."""
    path = run / "eval_log.csv"
    curve = read_log_csv(path, EVAL_COLUMNS)
    if curve is None:
        return pd.DataFrame(columns=EVAL_COLUMNS)
    numeric = curve[EVAL_COLUMNS].apply(pd.to_numeric, errors="coerce")
    bad = numeric.isna().any(axis=1) | ~numeric.abs().lt(float("inf")).all(axis=1)
    if bad.any() and not completed and list(bad[bad].index) == [len(curve) - 1]:
        log.warning("%s: last row torn (run still going); dropped", path)
        bad, numeric, curve = bad.iloc[:-1], numeric.iloc[:-1], curve.iloc[:-1]
    if bad.any():
        i = int(bad[bad].index[0])
        values = ", ".join(f"{c}={curve.at[i, c]!r}" for c in EVAL_COLUMNS)
        raise AnalysisInputError(path, f"line {i + 2} is not numeric ({values})")
    curve = curve.copy()
    curve[EVAL_COLUMNS] = numeric
    return curve


def load_curves(root: RunsSource) -> pd.DataFrame:
    """Every eval row of every run root names, with the run's identifying columns.

    kind is "eval" for an eval_log.csv row and "final" for the final network's score that closes a
    complete run's curve (for plots; time-to-score analyses use the "eval" rows only). completed
    says whether the row's run has finished (figures mark runs in progress).
    """
    parts = []
    for run in check_runs_dir(root):
        info = read_run(run)
        curve = read_eval_log(run, info["completed"])
        curve["kind"] = "eval"
        if info["completed"]:  # the final network's score closes the curve
            final = pd.DataFrame([{"frames": info["frames"], "wall_time": info["wall_time"],
                                   "mean_return": info["final_mean"], "std_return": info["final_std"],
                                   "kind": "final"}])
            curve = final if curve.empty else pd.concat([curve, final], ignore_index=True)
        if curve.empty:
            continue
        for key in CURVE_KEYS:
            curve[key] = info[key]
        parts.append(curve)
    if not parts:
        return pd.DataFrame(columns=CURVE_KEYS + EVAL_COLUMNS + ["kind"])
    return pd.concat(parts, ignore_index=True)


def require_domain(runs: pd.DataFrame, target: str, domain: str | None = None) -> str:
    """The runs' one domain (atari, mujoco, control); an error naming a run of another domain.

    domain: the domain the target needs; None = whichever the runs share.
    """
    wanted = domain or (runs["domain"].mode().iloc[0] if len(runs) else "atari")
    wrong = runs[runs["domain"] != wanted]
    if len(wrong):
        row = wrong.iloc[0]
        needs = f"takes {wanted} runs only" if domain else f"are {wanted} runs"
        raise AnalysisInputError(Path(row["run"]) / "config.json",
                                 f"domain {row['domain']!r} ({row['game']}) among the runs of {target}, which "
                                 f"{needs} ({len(wrong)} such run(s): is --runs the right directory?)")
    return wanted


DIAGNOSTIC_COLUMNS = ["frames", "worker", "entropy", "value_loss", "policy_loss", "grad_norm", "clip_fraction",
                      "update_ratio", "lr"]
# Columns added later: empty (NaN) for the runs written before them.
LATER_DIAGNOSTIC_COLUMNS = ["dead_units"]


def read_diagnostics(run: Path) -> pd.DataFrame:
    """diagnostics.csv (docs/run_directory.md) as numbers; empty for a run written without it."""
    columns = DIAGNOSTIC_COLUMNS + LATER_DIAGNOSTIC_COLUMNS
    table = read_log_csv(Path(run) / "diagnostics.csv", DIAGNOSTIC_COLUMNS)
    if table is None:
        return pd.DataFrame(columns=columns)
    table = table.reindex(columns=columns)
    return table.apply(pd.to_numeric, errors="coerce").dropna(subset=["frames"])
