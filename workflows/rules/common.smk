# Config validation and the experiment grid: which runs each target needs.
import json
import math
import random
import sys
from pathlib import Path

from snakemake.utils import validate

from a3c.games import TUNING_GAMES

sys.path.insert(0, os.path.join(workflow.basedir, "workflows"))
import budget as compute_budget  # workflows/budget.py: throughput figures, the compute bill, what a job asks for


def coerce_flags(config):
    """`--config strict_cores=true` (and a profile's `config:` list) arrive as the string 'true':
    read the booleans' usual spellings as booleans before the schema sees them."""
    for key in ("strict_cores", "budget_measure"):
        value = config.get(key)
        if isinstance(value, str):
            if value.lower() not in ("true", "false", "1", "0", "yes", "no"):
                raise ValueError(f"{key} must be true or false, got {value!r}")
            config[key] = value.lower() in ("true", "1", "yes")


coerce_flags(config)
validate(config, "../config/schema.yaml")

SCALE = config["scale"]
if SCALE not in config["scales"]:
    raise ValueError(f"scale {SCALE!r} is not defined in the config (have: {', '.join(config['scales'])})")
GRID = config["scales"][SCALE]
RESULTS = config["results_dir"].replace("{scale}", SCALE).rstrip("/")


def carry_grid(study):
    """lr_study's `carry` block as an experiment of its own (lr_study_carry): the study's methods (or
    the `algos` given), the best `best` settings of each in its analysis, run for `frames` on the
    games the study tuned that method on (workers and seeds as given, else the study's workers and
    seed 0)."""
    carry = study["carry"]
    algos = carry.get("algos", study_methods(study))
    games = list(dict.fromkeys(g for a in algos for g in method_study(study, a)["games"]))
    grid = {"games": games, "algos": algos, "best": carry["best"], "frames": carry["frames"],
            "workers": carry.get("workers", study["workers"]), "seeds": carry.get("seeds", [0])}
    return {**grid, **({"eval_every": carry["eval_every"]} if "eval_every" in carry else {})}


def study_methods(study):
    """Every method the lr_study tunes, in its grid's order (its `algos`, then those of its `also` blocks)."""
    return list(dict.fromkeys(a for block in grid_blocks(study) for a in block["algos"]))


def method_study(study, algo):
    """The games and RMSProp eps readings the lr_study tries a method on (over the blocks that have it):
    its carried runs go on those games only, the ones it was tuned on."""
    blocks = [b for b in grid_blocks(study) if algo in b["algos"]]
    return {"games": list(dict.fromkeys(g for b in blocks for g in b["games"])),
            "rms_eps": list(dict.fromkeys(e for b in blocks for e in b["rms_eps"]))}


def grid_blocks(g):
    """An experiment's grid, then each `also` block: the same grid with some keys replaced (e.g.
    more seeds on two games, or other methods on a few games)."""
    base = {k: v for k, v in g.items() if k != "also"}
    return [base] + [{**base, **extra} for extra in g.get("also", [])]


if "carry" in GRID.get("lr_study", {}):
    GRID["lr_study_carry"] = carry_grid(GRID["lr_study"])


# Jobs run the trainer and the analysis with the interpreter that runs Snakemake (the project's
# environment), whatever `python` is on the PATH.
PYTHON = sys.executable
RUN = RESULTS + "/runs/{experiment}/{game}/{algo}/w{workers}/{variant}/s{seed}"
EXPERIMENTS = ["atari_table", "scalability", "mujoco_table", "beta_sweep", "tmax_sweep", "lr_robustness",
               "lr_study", "lr_study_carry", "driving", "maze"]
# data_efficiency is an analysis of the scalability runs (score against frames per worker count).
ALL_ANALYSES = EXPERIMENTS + ["data_efficiency"]


def experiment_of_analysis(target):
    return "scalability" if target == "data_efficiency" else target


# A scale defines the experiments it runs; `all` and the report cover those only.
ANALYSES = [t for t in ALL_ANALYSES if experiment_of_analysis(t) in GRID]


def check_grid(grid):
    """What the schema cannot say: fail before any job, with the key at fault."""
    for exp in ("lr_robustness", "lr_study"):
        g = grid.get(exp, {})
        if "low" in g and g["low"] >= g["high"]:
            raise ValueError(f"{exp}: low ({g['low']}) must be below high ({g['high']})")
    if "lr_study" in grid and not ("lrs" in grid["lr_study"]) ^ ("runs" in grid["lr_study"]):
        raise ValueError("lr_study: give either lrs (a list) or runs, low and high (LogUniform draws)")
    if "scalability" in grid and 1 not in grid["scalability"]["workers"]:
        raise ValueError("scalability: workers must include 1 (speedups are relative to one worker)")
    if "lr_study_carry" in grid:
        check_carry(grid["lr_study"])
    for exp in EXPERIMENTS:
        key = "lr_study.carry" if exp == "lr_study_carry" else exp  # the key the user wrote
        if exp in grid and eval_settings(exp, grid)["eval_every"] >= grid[exp]["frames"]:
            raise ValueError(f"{key}: eval_every ({eval_settings(exp, grid)['eval_every']}) must be below frames "
                             f"({grid[exp]['frames']}), or the runs have no periodic evaluation")


def check_carry(study):
    """lr_study.carry needs a tuning game to rank settings on, and a longer budget than the study's."""
    unknown = set(study["carry"].get("algos", [])) - set(study_methods(study))
    if unknown:
        raise ValueError(f"lr_study.carry: algos {', '.join(sorted(unknown))} are not in the study "
                         f"(it tunes {', '.join(study_methods(study))})")
    rates = len(study.get("lrs") or range(study.get("runs", 0)))
    for algo in study["carry"].get("algos", study_methods(study)):
        tried = method_study(study, algo)
        if not set(tried["games"]) & set(TUNING_GAMES):
            raise ValueError(f"lr_study.carry: the study's games for {algo} ({', '.join(tried['games'])}) include "
                             f"none of the paper's tuning games ({', '.join(TUNING_GAMES)}), so its analysis ranks "
                             "no setting")
        if study["carry"]["best"] > rates * len(tried["rms_eps"]):
            raise ValueError(f"lr_study.carry: best ({study['carry']['best']}) exceeds the study's "
                             f"{rates * len(tried['rms_eps'])} settings for {algo} (learning rates x rms_eps)")
    if study["carry"]["frames"] <= study["frames"]:
        raise ValueError(f"lr_study.carry: frames ({study['carry']['frames']}) must exceed the study's own "
                         f"({study['frames']})")


def eval_settings(experiment, grid=None):
    """The scale's evaluation settings, with the experiment's own eval_every where it has one (the
    maze's 2M-step runs would get one evaluation from a 1M-frame interval)."""
    grid = GRID if grid is None else grid
    own = {k: grid[experiment][k] for k in ("eval_every",) if k in grid[experiment]}
    return {**grid["eval"], **own}


check_grid(GRID)



def sampled_learning_rates(experiment, key, runs):
    """LogUniform(low, high) draws of an experiment, fixed by lr_seed and key: the DAG never changes.
    With `draw: stratified` the log range is cut into `runs` equal strata and one rate is drawn
    uniformly (in log) inside each: every draw is still LogUniform(low, high), but a handful of them
    covers the range instead of clustering (the paper drew 50; a 2-core study affords 4)."""
    g = GRID[experiment]
    rng = random.Random(f"{config.get('lr_seed', 2016)}-{key}")
    lo, hi = math.log(g["low"]), math.log(g["high"])
    if g.get("draw", "random") == "stratified":
        width = (hi - lo) / runs
        return [math.exp(lo + (i + rng.random()) * width) for i in range(runs)]
    return [math.exp(rng.uniform(lo, hi)) for _ in range(runs)]


def study_learning_rates(algo):
    """lr_study's rates: as listed, or LogUniform draws shared by all its games, so that a setting
    (lr, eps) is tried on every game and the paper's rule (best mean over the games) applies."""
    g = GRID["lr_study"]
    return g["lrs"] if "lrs" in g else sampled_learning_rates("lr_study", f"lr_study-{algo}", g["runs"])


def method_variant(grid, algo):
    """A method's run-directory variant: its chosen setting (the grid's `settings`), named as the
    lr_study names its settings, or the trainer's defaults."""
    chosen = grid.get("settings", {}).get(algo)
    return "default" if chosen is None else f"lr{chosen['lr']:.6g}_eps{chosen['rms_eps']:g}"


def require_experiment(experiment):
    if experiment not in EXPERIMENTS:
        raise ValueError(f"unknown experiment {experiment!r}")
    if experiment == "lr_study_carry" and experiment not in GRID:
        raise ValueError(f"lr_study_carry is not part of the `{SCALE}` scale: its lr_study has no `carry:` "
                         "(best, frames) in workflows/config/default.yaml; add one, or use a scale that has it")
    if experiment not in GRID:
        have = [t for t in EXPERIMENTS if t in GRID]
        raise ValueError(f"{experiment} is not part of the `{SCALE}` scale (it runs: {', '.join(have)}); "
                         f"choose a scale that defines it in workflows/config/default.yaml")


RUN_FINAL = RUN + "/final.json"


def run_in_progress(wc) -> int:
    """1 for a run with a checkpoint to resume (the train rule's priority), else 0."""
    return int((Path(RUN.format(**wc)) / compute_budget.CHECKPOINT).exists())


def runs_for(experiment):
    """Run directories (final.json paths) an experiment needs at the chosen scale."""
    require_experiment(experiment)
    g = GRID[experiment]
    grid = dict(experiment=experiment, workers=g["workers"], seed=g.get("seeds"))
    if experiment in ("atari_table", "scalability"):
        runs = [expand(RUN_FINAL, **{**grid, "seed": b["seeds"]}, game=b["games"], algo=algo, variant=method_variant(g, algo))
                for b in grid_blocks(g) for algo in b["algos"]]
        return list(dict.fromkeys(r for block in runs for r in block))
    if experiment == "mujoco_table":
        return expand(RUN_FINAL, **grid, game=g["tasks"], algo=g["algos"], variant="default")
    if experiment in ("driving", "maze"):  # the stand-ins for TORCS and Labyrinth (a3c/vision_envs.py)
        return expand(RUN_FINAL, **grid, game=g["games"], algo=g["algos"], variant="default")
    if experiment == "beta_sweep":
        return expand(RUN_FINAL, **grid, game=g["games"], algo=g["algo"], variant=[f"beta{v:g}" for v in g["values"]])
    if experiment == "tmax_sweep":
        return expand(RUN_FINAL, **grid, game=g["games"], algo=g["algo"], variant=[f"tmax{v}" for v in g["values"]])
    if experiment == "lr_robustness":  # run i of a game and method has the i-th sampled rate
        return [RUN_FINAL.format(experiment=experiment, game=game, algo=a, workers=g["workers"], variant=f"lr{lr:.6g}", seed=i)
                for game in g["games"] for a in g["algos"]
                for i, lr in enumerate(sampled_learning_rates(experiment, f"{game}-{a}", g["runs"]))]
    if experiment == "lr_study_carry":
        return carried_runs(STUDY_SUMMARY, stand_ins=True)
    # lr_study: every (learning rate, RMSProp eps) setting on every game, with each seed; then its `also` blocks
    runs = [RUN_FINAL.format(experiment=experiment, game=game, algo=a, workers=g["workers"],
                             variant=f"lr{lr:.6g}_eps{eps:g}", seed=seed)
            for b in grid_blocks(g) for game in b["games"] for a in b["algos"] for lr in study_learning_rates(a)
            for eps in b["rms_eps"] for seed in b["seeds"]]
    return list(dict.fromkeys(runs))


STUDY_SUMMARY = RESULTS + "/analysis/lr_study/summary.json"


def carried_runs(summary, stand_ins=False):
    """lr_study_carry's runs: each method's top `best` settings in the study's analysis (summary.json's
    `ranked`, the paper's rule) on every game of the study, with each seed. The workflow reads a
    fresh analysis through the Snakemake checkpoint (targets.smk); the compute bill, which only
    needs their cost, takes the study's first settings as stand-ins while no analysis exists."""
    g = GRID["lr_study_carry"]
    ranked = json.loads(Path(summary).read_text()).get("ranked") if os.path.exists(summary) else None
    if not ranked and stand_ins:
        ranked = study_settings()
    elif ranked is None:
        raise ValueError(f"lr_study_carry: {summary} has no ranking (written by an older analysis): re-run it "
                         "with `snakemake --forcerun study_analysis lr_study_carry ...` or `python -m analysis lr_study ...`")
    elif not ranked:
        raise ValueError(f"lr_study_carry: the lr_study analysis ({summary}) ranks no setting: none has complete "
                         "runs on every tuning game of the study")
    carried = [s for s in ranked if s["algo"] in g["algos"]]  # carry.algos: not every studied method
    if not carried:
        raise ValueError(f"lr_study_carry: the lr_study analysis ({summary}) ranks no setting of "
                         f"{', '.join(g['algos'])} (carry.algos): none has complete runs on every tuning game it studied")
    return [RUN_FINAL.format(experiment="lr_study_carry", game=game, algo=s["algo"], workers=g["workers"],
                             variant=f"lr{s['lr']:.6g}_eps{s['rms_eps']:g}", seed=seed)
            for s in best_per_method(carried, g["best"])
            for game in method_study(GRID["lr_study"], s["algo"])["games"] for seed in g["seeds"]]


def best_per_method(ranked, best):
    """The top `best` settings of each method, in ranking order (the paper tuned each method on its own)."""
    chosen, per_method = [], {}
    for setting in ranked:
        per_method[setting["algo"]] = per_method.get(setting["algo"], 0) + 1
        if per_method[setting["algo"]] <= best:
            chosen.append(setting)
    return chosen


def study_settings():
    """The study's settings in its grid's order (the compute bill's stand-ins for the carried runs:
    they cost the same whichever the study picks)."""
    settings = [{"algo": a, "lr": lr, "rms_eps": eps} for b in grid_blocks(GRID["lr_study"]) for a in b["algos"]
                for lr in study_learning_rates(a) for eps in b["rms_eps"]]
    return list({tuple(s.values()): s for s in settings}.values())


def run_specs(experiment):
    """The runs of an experiment as budget.Run records (method, workers, frames: what they cost)."""
    return [compute_budget.parse_run(path, GRID[experiment]["frames"]) for path in runs_for(experiment)]


VARIANT_FLAGS = {"beta": "--beta", "tmax": "--t-max", "lr": "--lr", "eps": "--rms-eps"}


def variant_flags(variant):
    """Command-line flags a run-directory variant stands for ("lr0.0007_eps0.1": two settings)."""
    if variant == "default":
        return ""
    flags = []
    for part in variant.split("_"):
        prefix = next((p for p in VARIANT_FLAGS if part.startswith(p)), None)
        if prefix is None:
            raise ValueError(f"unknown run variant {variant!r}")
        flags.append(f"{VARIANT_FLAGS[prefix]} {part[len(prefix):]}")
    return " ".join(flags)


def experiment_flags(experiment):
    """Command-line flags an experiment's grid sets for all its runs (lr_study: stop_on_dead_network)."""
    return " --stop-on-dead-network" if GRID[experiment].get("stop_on_dead_network") else ""


THROUGHPUT = compute_budget.Throughput.resolve(RESULTS)


def run_of(wc):
    """The budget.Run (what it costs) of a training job's wildcards."""
    return compute_budget.Run(wc.experiment, wc.game, wc.algo, int(wc.workers), wc.variant, int(wc.seed),
                              GRID[wc.experiment]["frames"])


def train_runtime_min(wc, attempt=1):
    """SLURM time limit (minutes) of the training job of these wildcards."""
    res = GRID["resources"]
    return compute_budget.runtime_min(run_of(wc), THROUGHPUT, res["runtime_margin"], res["runtime_extra_min"], attempt)
