import shlex

# The targets users name. Each ends in the analysis step (tables + figures + summary.json);
# `all` also writes the reviewer report.


# Target rules only name inputs (no action, so no log); the report reads summaries and runs where
# Snakemake runs, never as a cluster job.
localrules: all, report, atari_table, scalability, mujoco_table, beta_sweep, tmax_sweep, lr_robustness, lr_study, lr_study_carry, data_efficiency, driving, maze


def analysis_inputs(target):
    """The runs a target's analysis reads. lr_study_carry's depend on the lr_study analysis (its
    best settings), so Snakemake runs that first and re-plans from its summary (a checkpoint)."""
    if target == "lr_study_carry":
        require_experiment("lr_study_carry")  # before the checkpoint: a scale without carry runs no study for it
        return carried_runs(checkpoints.study_analysis.get(target="lr_study").output[0])
    return runs_for(experiment_of_analysis(target))


ANALYSIS_OUT = RESULTS + "/analysis/{target}/summary.json"
ANALYSIS_LOG = RESULTS + "/logs/analysis/{target}.log"
ANALYSIS_CMD = "{PYTHON} -m analysis {wildcards.target} --runs {params.runs} --out {params.out} --scale {SCALE} > {log} 2>&1"


def analysis_runs(wc, input):
    """The target's own run directories (its inputs), listed: a run an older config left in the
    experiment's directory (e.g. at other settings) is never read into its tables."""
    return " ".join(shlex.quote(os.path.dirname(path)) for path in input)


# Every target's analysis but the lr_study's: tables, figures and summary.json from its runs.
rule analysis:
    input:
        lambda wc: analysis_inputs(wc.target),
    output:
        ANALYSIS_OUT,
    wildcard_constraints:
        target="|".join(t for t in ALL_ANALYSES if t != "lr_study"),
    params:
        runs=analysis_runs,
        out=lambda wc, output: os.path.dirname(output[0]),
    log:
        ANALYSIS_LOG,
    resources:
        mem_mb=2000,
        runtime=30,
    shell:
        ANALYSIS_CMD


# The lr_study's analysis, the same job as a checkpoint: its ranking of the settings decides which
# runs lr_study_carry trains, so Snakemake re-plans once it is written. Only this one is a
# checkpoint, so no other target's plan changes.
checkpoint study_analysis:
    input:
        lambda wc: analysis_inputs(wc.target),
    output:
        ANALYSIS_OUT,
    wildcard_constraints:
        target="lr_study",
    params:
        runs=analysis_runs,
        out=lambda wc, output: os.path.dirname(output[0]),
    log:
        ANALYSIS_LOG,
    resources:
        mem_mb=2000,
        runtime=30,
    shell:
        ANALYSIS_CMD


rule report:
    input:
        expand(RESULTS + "/analysis/{target}/summary.json", target=ANALYSES),
    output:
        RESULTS + "/report.md",
    log:
        RESULTS + "/logs/report.log",
    params:
        targets=" ".join(ANALYSES),
    shell:
        "{PYTHON} -m analysis report --results {RESULTS} --out {output} --targets {params.targets} > {log} 2>&1"


rule atari_table:
    input:
        RESULTS + "/analysis/atari_table/summary.json",


rule scalability:
    input:
        RESULTS + "/analysis/scalability/summary.json",


rule mujoco_table:
    input:
        RESULTS + "/analysis/mujoco_table/summary.json",


rule beta_sweep:
    input:
        RESULTS + "/analysis/beta_sweep/summary.json",


rule tmax_sweep:
    input:
        RESULTS + "/analysis/tmax_sweep/summary.json",


rule lr_robustness:
    input:
        RESULTS + "/analysis/lr_robustness/summary.json",


# The study's runs are named here too, not only as the checkpoint's inputs: a checkpoint whose
# output exists (a committed summary) hides its missing inputs from the plan (snakemake#3870), so
# without them a half-done study would report "Nothing to be done". A run finished after the summary
# makes it older than its inputs, and the checkpoint re-runs.
rule lr_study:
    input:
        lambda wc: runs_for("lr_study"),
        RESULTS + "/analysis/lr_study/summary.json",


rule lr_study_carry:
    input:
        RESULTS + "/analysis/lr_study_carry/summary.json",


rule driving:
    input:
        RESULTS + "/analysis/driving/summary.json",


rule maze:
    input:
        RESULTS + "/analysis/maze/summary.json",


rule data_efficiency:
    input:
        RESULTS + "/analysis/data_efficiency/summary.json",
