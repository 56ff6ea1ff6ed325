# The compute bill (`snakemake budget`, and printed when a launch starts) and the checks that stop a
# SLURM launch with bad input before anything is submitted. See docs/workflow.md.
import shutil
from pathlib import Path

from snakemake.exceptions import WorkflowError
from snakemake.logging import logger

# workflows/profiles/slurm ships these two placeholders; a launch must replace them.
SLURM_PLACEHOLDERS = {"slurm_account": "your_account", "slurm_partition": "your_partition"}
SLURM_COMMANDS = ("sbatch", "squeue", "scancel", "sinfo")
# In the bill's order; data_efficiency trains nothing of its own.
BILL_TARGETS = [t for t in ["atari_table", "scalability", "data_efficiency", "mujoco_table", "beta_sweep",
                            "tmax_sweep", "lr_robustness", "lr_study", "lr_study_carry", "driving", "maze"] if t in ANALYSES]
SHARED_RUNS = {"data_efficiency": "scalability"}
CARRY_STAND_INS = "lr_study_carry (after the study; its settings not chosen yet)"

localrules: budget


def given_cores():
    """--cores as a number, or None where none was given (a cluster executor)."""
    try:
        cores = workflow.cores
    except WorkflowError:
        return None
    return cores if isinstance(cores, int) and cores > 0 else None


def grid_runs_by_target():
    return {t: run_specs(experiment_of_analysis(t)) for t in BILL_TARGETS}


def grid_done_by_target():
    """Frames done of each run of grid_runs_by_target(), in its order (budget.frames_done)."""
    return {t: [compute_budget.frames_done(Path(path).parent, GRID[experiment_of_analysis(t)]["frames"])
                for path in runs_for(experiment_of_analysis(t))] for t in BILL_TARGETS}


def grid_flagged_runs():
    """Run directory -> health flags, of the grid's runs (complete or in progress) with any (budget.flagged_runs)."""
    targets = [t for t in BILL_TARGETS if t not in SHARED_RUNS]
    dirs = dict.fromkeys(Path(path).parent for t in targets for path in runs_for(experiment_of_analysis(t)))
    return compute_budget.flagged_runs(dirs)


def measure_throughput():
    """budget_measure=true: frames/s per worker of every (domain, method) of this scale, here."""
    pairs = {(r.domain, r.algo) for runs in grid_runs_by_target().values() for r in runs}
    workers = min(2, os.cpu_count() or 1)
    out = os.path.join(RESULTS, compute_budget.MEASURED_NAME)
    logger.info(f"budget: measuring frames/s per worker of {len(pairs)} method(s) with {workers} worker(s), "
                f"15 s each (python -m a3c.bench), into {out}")
    compute_budget.measure(pairs, workers=workers, seconds=15, out=out)
    return compute_budget.Throughput.resolve(RESULTS)


rule budget:
    """Print the compute bill of every target at this scale: runs, frames, core-hours, wall time on
    --cores cores, from the throughput figures (budget_measure=true measures them here first)."""
    log:
        RESULTS + f"/logs/budget.{SCALE}.md",
    run:
        throughput = measure_throughput() if config.get("budget_measure") else THROUGHPUT
        cores = given_cores() or os.cpu_count() or 1
        runs = grid_runs_by_target()
        text = compute_budget.format_bill(runs, throughput, cores, SCALE, shared=SHARED_RUNS)
        text += "\n\n" + compute_budget.format_progress(runs, grid_done_by_target(), throughput, cores,
                                                         shared=SHARED_RUNS, flagged=grid_flagged_runs())
        print(text, flush=True)
        with open(log[0], "w") as f:
            f.write(text + "\n")


def launch_problems(jobs, executor):
    """What stops a launch on this executor, in words (empty: go)."""
    if executor != "slurm":
        return []
    problems = []
    missing = [c for c in SLURM_COMMANDS if shutil.which(c) is None]
    if missing:
        problems.append(f"no SLURM commands on PATH (missing: {', '.join(missing)}). Run Snakemake on the "
                        "cluster's login node, or put SLURM on the PATH first (e.g. `module load slurm`).")
    left = [f"{key}={placeholder!r}" for key, placeholder in SLURM_PLACEHOLDERS.items()
            if any(str(job.resources.get(key, "")) == placeholder for job in jobs)]
    if left:
        problems.append(f"the SLURM account/partition is still the profile's placeholder ({', '.join(left)}). "
                        "Name yours on the command line: --default-resources slurm_account=<account> "
                        "slurm_partition=<partition> (`sacctmgr show associations user=$USER format=account` "
                        "lists your accounts, `sinfo -s` the partitions).")
    return problems


def on_launch():
    """Before the first job starts: refuse a bad SLURM launch, then print the bill of what will run."""
    if not workflow.is_main_process:
        return
    jobs = list(workflow.dag.needrun_jobs())
    executor = workflow.executor_plugin.name if workflow.executor_plugin is not None else "local"
    problems = launch_problems(jobs, executor)
    if problems:
        raise WorkflowError("SLURM launch refused, nothing was submitted:\n"
                            + "\n".join(f"  - {p}" for p in problems))
    runs, done, dirs = {}, {}, []
    for job in jobs:
        if job.rule.name == "train":
            run = run_of(job.wildcards)
            runs.setdefault(job.wildcards.experiment, []).append(run)
            dirs.append(Path(job.output[0]).parent)
            done.setdefault(job.wildcards.experiment, []).append(compute_budget.frames_done(dirs[-1], run.frames))
    choice_open = any(job.rule.name == "study_analysis" for job in jobs) or not os.path.exists(STUDY_SUMMARY)
    if choice_open and "lr_study_carry" not in runs \
            and any(job.rule.name == "analysis" and job.wildcards.target == "lr_study_carry" for job in jobs):
        # planned once the study is analysed (a checkpoint): bill them now at stand-in settings
        runs[CARRY_STAND_INS] = run_specs("lr_study_carry")
        done[CARRY_STAND_INS] = [0] * len(runs[CARRY_STAND_INS])
    if runs:
        cores = given_cores() if executor == "local" else None
        text = compute_budget.format_bill(runs, THROUGHPUT, cores, SCALE, title="Compute bill of this launch")
        if any(any(d) for d in done.values()):  # some runs resume: what is left of them
            text += "\n\n" + compute_budget.format_progress(runs, done, THROUGHPUT, cores,
                                                             flagged=compute_budget.flagged_runs(dirs))
        logger.info(text + "\n")


onstart:
    on_launch()
