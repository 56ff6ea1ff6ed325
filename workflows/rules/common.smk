# Config validation and the experiment grid: which runs each target needs.
import math
import random
import sys

from snakemake.utils import validate


def coerce_flags(config):
    """`--config strict_cores=true` (and a profile's `config:` list) arrive as the string 'true':
    read the booleans' usual spellings as booleans before the schema sees them."""
    for key in ("strict_cores",):
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
RESULTS = config["results_dir"].rstrip("/")
# Jobs run the trainer and the analysis with the interpreter that runs Snakemake (the project's
# environment), whatever `python` is on the PATH.
PYTHON = sys.executable
RUN = RESULTS + "/runs/{experiment}/{game}/{algo}/w{workers}/{variant}/s{seed}"
EXPERIMENTS = ["atari_table", "scalability", "mujoco_table", "beta_sweep", "tmax_sweep", "lr_robustness"]
# data_efficiency is an analysis of the scalability runs (score against frames per worker count).
ANALYSES = EXPERIMENTS + ["data_efficiency"]

def check_grid(grid):
    """What the schema cannot say: fail before any job, with the key at fault."""
    g = grid["lr_robustness"]
    if g["low"] >= g["high"]:
        raise ValueError(f"lr_robustness: low ({g['low']}) must be below high ({g['high']})")
    if 1 not in grid["scalability"]["workers"]:
        raise ValueError("scalability: workers must include 1 (speedups are relative to one worker)")
    for exp in EXPERIMENTS:
        if grid["eval"]["eval_every"] >= grid[exp]["frames"]:
            raise ValueError(f"{exp}: eval_every ({grid['eval']['eval_every']}) must be below frames "
                             f"({grid[exp]['frames']}), or the runs have no periodic evaluation")


check_grid(GRID)


def run_dir(experiment, game, algo, workers, variant, seed):
    return RUN.format(experiment=experiment, game=game, algo=algo, workers=workers, variant=variant, seed=seed)


def sampled_learning_rates(game, algo, runs):
    """LogUniform(low, high) draws, fixed by lr_seed, game and algo: the DAG never changes."""
    g = GRID["lr_robustness"]
    rng = random.Random(f"{config.get('lr_seed', 2016)}-{game}-{algo}")
    return [math.exp(rng.uniform(math.log(g["low"]), math.log(g["high"]))) for _ in range(runs)]


def runs_for(experiment):
    """Run directories (final.json paths) an experiment needs at the chosen scale."""
    g = GRID[experiment]
    out = []
    if experiment == "atari_table":
        out = [run_dir(experiment, game, a, g["workers"], "default", s) for game in g["games"] for a in g["algos"] for s in g["seeds"]]
    elif experiment == "scalability":
        out = [run_dir(experiment, game, a, w, "default", s) for game in g["games"] for a in g["algos"] for w in g["workers"] for s in g["seeds"]]
    elif experiment == "mujoco_table":
        out = [run_dir(experiment, t, a, g["workers"], "default", s) for t in g["tasks"] for a in g["algos"] for s in g["seeds"]]
    elif experiment == "beta_sweep":
        out = [run_dir(experiment, game, g["algo"], g["workers"], f"beta{v:g}", s) for game in g["games"] for v in g["values"] for s in g["seeds"]]
    elif experiment == "tmax_sweep":
        out = [run_dir(experiment, game, g["algo"], g["workers"], f"tmax{v}", s) for game in g["games"] for v in g["values"] for s in g["seeds"]]
    elif experiment == "lr_robustness":
        out = [run_dir(experiment, game, a, g["workers"], f"lr{lr:.6g}", i) for game in g["games"] for a in g["algos"]
               for i, lr in enumerate(sampled_learning_rates(game, a, g["runs"]))]
    return [d + "/final.json" for d in out]


def variant_flags(variant):
    """Command-line flags a run-directory variant stands for."""
    if variant == "default":
        return ""
    for prefix, flag in (("beta", "--beta"), ("tmax", "--t-max"), ("lr", "--lr")):
        if variant.startswith(prefix):
            return f"{flag} {variant[len(prefix):]}"
    raise ValueError(f"unknown run variant {variant!r}")


def experiment_of_analysis(target):
    return "scalability" if target == "data_efficiency" else target
