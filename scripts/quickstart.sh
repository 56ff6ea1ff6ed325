#!/usr/bin/env bash
# Set up (if needed) and run every experiment at the small default scale (smoke), then say where
# the tables, figures and the reviewer report are.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
snakemake --cores "${CORES:-2}" all --config scale=smoke "$@"
echo
echo "Reviewer report:   results/smoke/report.md"
echo "Atari table:       results/smoke/analysis/atari_table/ (atari_table.md, .csv, .tex)"
echo "Scalability:       results/smoke/analysis/scalability/ (table and scalability.png)"
