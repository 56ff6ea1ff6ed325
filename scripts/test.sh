#!/usr/bin/env bash
# Set up (if needed), lint the whole repository (ruff, configured in pyproject.toml), then run the
# test suite, two tests at a time.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/python -m ruff check .
exec .venv/bin/python -m pytest -n 2 --durations=25 "$@"   # the 25 slowest tests, to keep CI short
