# The reproduction's experiment grid. Targets: atari_table, scalability, mujoco_table, beta_sweep,
# tmax_sweep, lr_robustness, data_efficiency, all. Scale: --config scale=smoke|workstation|paper.
# See docs/workflow.md.
from snakemake.utils import min_version

min_version("9.0")


configfile: "workflows/config/default.yaml"


include: "workflows/rules/common.smk"
include: "workflows/rules/train.smk"
include: "workflows/rules/targets.smk"
