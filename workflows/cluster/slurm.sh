#!/usr/bin/env bash
# Launch the experiment grid on a SLURM cluster, from its login node, after checking what a launch
# needs; each problem is one clear message and nothing is submitted:
#
#   bash workflows/cluster/slurm.sh --account ACCOUNT --partition PARTITION all --config scale=paper
#
# Every other argument goes to Snakemake (targets, --config, -n for a dry run, ...), which runs in
# the repository with `--profile workflows/profiles/slurm` and your account and partition as
# --default-resources. Snakemake prints the compute bill of what it is about to run before the first
# submission (`snakemake budget --cores N --config scale=...` shows it for whole targets). The
# account and partition may also come from A3C_SLURM_ACCOUNT / A3C_SLURM_PARTITION; PYTHON names
# the interpreter (default: the project's .venv). Exit code 2: a check failed.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
PYTHON=${PYTHON:-$REPO/.venv/bin/python}
[ -x "$PYTHON" ] || PYTHON=$(command -v python3)
account=${A3C_SLURM_ACCOUNT:-}
partition=${A3C_SLURM_PARTITION:-}
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --account) account=${2:-}; shift 2 || shift ;;
    --account=*) account=${1#*=}; shift ;;
    --partition) partition=${2:-}; shift 2 || shift ;;
    --partition=*) partition=${1#*=}; shift ;;
    *) args+=("$1"); shift ;;
  esac
done

fail() { echo "workflows/cluster/slurm.sh: $*" >&2; exit 2; }

# 1. Snakemake and its SLURM executor plugin, in the interpreter that will run the workflow.
if ! "$PYTHON" -c "import snakemake" 2>/dev/null; then
  fail "Snakemake is not installed for $PYTHON: run \`bash scripts/setup.sh\` (or set PYTHON to the project's interpreter)."
fi
if ! "$PYTHON" -c "
import sys
from snakemake_interface_executor_plugins.registry import ExecutorPluginRegistry
sys.exit(0 if ExecutorPluginRegistry().is_installed('slurm') else 1)" 2>/dev/null; then
  pin=$(grep -E '^snakemake-executor-plugin-slurm==' "$REPO/requirements.txt" || echo snakemake-executor-plugin-slurm)
  fail "the SLURM executor plugin is not installed for $PYTHON: \`$PYTHON -m pip install $pin\` (pinned in requirements.txt; \`bash scripts/setup.sh\` installs it)."
fi

# 2. The SLURM commands the plugin calls.
missing=()
for c in sbatch squeue scancel sinfo; do command -v "$c" >/dev/null || missing+=("$c"); done
if [ ${#missing[@]} -gt 0 ]; then
  fail "no SLURM commands on PATH (missing: ${missing[*]}). Run this on the cluster's login node, or put SLURM on the PATH first (e.g. \`module load slurm\`)."
fi

# 3. An account and a partition that are not the profile's placeholders.
hint="(\`sacctmgr show associations user=\$USER format=account\` lists your accounts, \`sinfo -s\` the partitions)"
[ -n "$account" ] || fail "no SLURM account: add --account ACCOUNT $hint."
[ -n "$partition" ] || fail "no SLURM partition: add --partition PARTITION $hint."
[ "$account" != your_account ] || fail "--account is the profile's placeholder 'your_account': name your own $hint."
[ "$partition" != your_partition ] || fail "--partition is the profile's placeholder 'your_partition': name your own $hint."

cd "$REPO"
# --default-resources last: it takes every word up to the next option.
exec "$PYTHON" -m snakemake --profile workflows/profiles/slurm "${args[@]}" \
  --default-resources "slurm_account=$account" "slurm_partition=$partition"
