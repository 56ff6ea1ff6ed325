# The reproduction's experiment grid. Targets: atari_table, scalability, mujoco_table, beta_sweep,
# tmax_sweep, lr_robustness, lr_study, lr_study_carry, data_efficiency, driving, maze, all (the
# default), and budget (the compute bill).
# Scale: --config scale=smoke|reduced|workstation|paper. See docs/workflow.md.
from snakemake.utils import min_version

min_version("9.0")


configfile: "workflows/config/default.yaml"


include: "workflows/rules/common.smk"
include: "workflows/rules/train.smk"
include: "workflows/rules/targets.smk"
include: "workflows/rules/cluster.smk"


# Here, not in an included file: Snakemake ignores `default_target` in includes.
# Its runs are named too, as each target names its own (workflows/rules/targets.smk, target_inputs).
rule all:
    default_target: True
    input:
        # one function per target: lr_study_carry's waits on a checkpoint, and Snakemake replaces the
        # whole of a function that does so by the checkpoint's output
        *[lambda wc, target=target: analysis_inputs(target) for target in ANALYSES],
        RESULTS + "/report.md",
