# Config validation and the experiment grid: which runs each target needs.
import math
import random
import sys

from snakemake.utils import validate

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


def sampled_learning_rates(game, algo, runs):
    """LogUniform(low, high) draws, fixed by lr_seed, game and algo: the DAG never changes."""
    g = GRID["lr_robustness"]
    rng = random.Random(f"{config.get('lr_seed', 2016)}-{game}-{algo}")
    return [math.exp(rng.uniform(math.log(g["low"]), math.log(g["high"]))) for _ in range(runs)]


RUN_FINAL = RUN + "/final.json"


def runs_for(experiment):
    """Run directories (final.json paths) an experiment needs at the chosen scale."""
    g = GRID[experiment]
    grid = dict(experiment=experiment, workers=g["workers"], seed=g.get("seeds"))
    if experiment == "atari_table":
        return expand(RUN_FINAL, **grid, game=g["games"], algo=g["algos"], variant="default")
    if experiment == "scalability":
        return expand(RUN_FINAL, **grid, game=g["games"], algo=g["algos"], variant="default")
    if experiment == "mujoco_table":
        return expand(RUN_FINAL, **grid, game=g["tasks"], algo=g["algos"], variant="default")
    if experiment == "beta_sweep":
        return expand(RUN_FINAL, **grid, game=g["games"], algo=g["algo"], variant=[f"beta{v:g}" for v in g["values"]])
    if experiment == "tmax_sweep":
        return expand(RUN_FINAL, **grid, game=g["games"], algo=g["algo"], variant=[f"tmax{v}" for v in g["values"]])
    if experiment == "lr_robustness":  # run i of a game and method has the i-th sampled rate
        return [RUN_FINAL.format(experiment=experiment, game=game, algo=a, workers=g["workers"], variant=f"lr{lr:.6g}", seed=i)
                for game in g["games"] for a in g["algos"]
                for i, lr in enumerate(sampled_learning_rates(game, a, g["runs"]))]
    raise ValueError(f"unknown experiment {experiment!r}")


def run_specs(experiment):
    """The runs of an experiment as budget.Run records (method, workers, frames: what they cost)."""
    return [compute_budget.parse_run(path, GRID[experiment]["frames"]) for path in runs_for(experiment)]


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


THROUGHPUT = compute_budget.Throughput.resolve(RESULTS)


def train_runtime_min(wc, attempt=1):
    """SLURM time limit (minutes) of the training job of these wildcards."""
    run = compute_budget.Run(wc.experiment, wc.game, wc.algo, int(wc.workers), wc.variant, int(wc.seed),
                             GRID[wc.experiment]["frames"])
    res = GRID["resources"]
    return compute_budget.runtime_min(run, THROUGHPUT, res["runtime_margin"], res["runtime_extra_min"], attempt)
