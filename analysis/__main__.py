"""`python -m analysis TARGET --runs RUNS_DIR --out OUT_DIR` and `python -m analysis report`."""
from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from analysis.report import build_report
from analysis.tables import atomic_write_text
from analysis.targets import TARGETS

log = logging.getLogger("analysis")


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__)
    parser.add_argument("target", choices=sorted(TARGETS) + ["report"])
    parser.add_argument("--runs", type=Path, help="run directories of the target's experiment")
    parser.add_argument("--results", type=Path, default=Path("results"), help="for report")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.target == "report":
        if not (args.results / "analysis").is_dir():
            log.error("no analyses under %s (run a target first, e.g. `snakemake atari_table`)", args.results)
            return 2
        path = build_report(args.results, args.out)
        log.info("report: %s", path)
        return 0
    if args.runs is None or not args.runs.is_dir():
        log.error("runs directory %s does not exist", args.runs)
        return 2
    # summary.json marks a finished analysis: an older one must not vouch for half-rewritten tables
    (args.out / "summary.json").unlink(missing_ok=True)
    summary = TARGETS[args.target](args.runs, args.out)
    summary["target"] = args.target
    atomic_write_text(args.out / "summary.json", json.dumps(summary, indent=2, default=str))
    for name in summary["files"]:
        log.info("wrote %s", args.out / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
