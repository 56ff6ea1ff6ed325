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


# Each target names its runs as well as its summary. Snakemake (since 7.7) does not re-plan a job
# whose output exists even where its inputs are missing, and a checkpoint's output hides them too
# (snakemake#3870): with the summary alone, a half-done experiment whose summary is committed would
# report "Nothing to be done". A run finished after the summary makes it older than its inputs, so
# the analysis re-runs.
def target_inputs(target):
    return [*analysis_inputs(target), ANALYSIS_OUT.format(target=target)]


rule atari_table:
    input:
        lambda wc: target_inputs("atari_table"),


rule scalability:
    input:
        lambda wc: target_inputs("scalability"),


rule mujoco_table:
    input:
        lambda wc: target_inputs("mujoco_table"),


rule beta_sweep:
    input:
        lambda wc: target_inputs("beta_sweep"),


rule tmax_sweep:
    input:
        lambda wc: target_inputs("tmax_sweep"),


rule lr_robustness:
    input:
        lambda wc: target_inputs("lr_robustness"),


rule lr_study:
    input:
        lambda wc: target_inputs("lr_study"),


rule lr_study_carry:
    input:
        lambda wc: target_inputs("lr_study_carry"),


rule driving:
    input:
        lambda wc: target_inputs("driving"),


rule maze:
    input:
        lambda wc: target_inputs("maze"),


rule data_efficiency:
    input:
        lambda wc: target_inputs("data_efficiency"),
