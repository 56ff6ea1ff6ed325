"""`python -m analysis TARGET --runs RUNS_DIR [RUN_DIR ...] --out OUT_DIR` and `python -m analysis report`.

A target writes into a fresh directory beside OUT_DIR and swaps it in whole at the end, so OUT_DIR
is always one complete analysis (tables, figures and summary.json of the same runs). When it
fails (bad inputs: a clear error and exit code 2; anything else: the traceback), it writes no
output: OUT_DIR stays as it was, and OUT_DIR.failed.json records the failure for the report,
which then marks the target failed and does not use the older output.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from analysis.errors import AnalysisInputError
from analysis.loader import RunsSource
from analysis.report import build_report, failure_path
from analysis.tables import atomic_write_text
from analysis.targets import TARGETS

log = logging.getLogger("analysis")


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__)
    parser.add_argument("target", choices=sorted(TARGETS) + ["report"])
    parser.add_argument("--runs", type=Path, nargs="+", help="the target's runs: its experiment's directory of runs, "
                                                               "or run directories (the workflow lists its own)")
    parser.add_argument("--results", type=Path, default=Path("results"), help="for report")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--targets", nargs="+", help="for report: the targets to cover (the workflow passes "
                                                     "those its scale defines; default: all)")
    parser.add_argument("--scale", help="the workflow scale of the runs (smoke, workstation, paper); "
                                        "matched against workflows/config/default.yaml when omitted")
    args = parser.parse_args(argv)
    if args.target == "report":
        if not (args.results / "analysis").is_dir():
            log.error("no analyses under %s (run a target first, e.g. `snakemake atari_table`)", args.results)
            return 2
        log.info("report: %s", build_report(args.results, args.out, args.targets))
        return 0
    try:
        summary = run_target(args.target, args.runs, args.out, args.scale)
    except AnalysisInputError as err:
        log.error("%s: %s (nothing written)", args.target, err)
        return 2
    for name in summary["files"]:
        log.info("wrote %s", args.out / name)
    return 0


def run_target(target: str, runs: RunsSource | None, out: Path, scale: str | None = None) -> dict:
    """Analyse runs into out, replacing its content as a whole; see the module docstring."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.new-"))
    try:
        summary = TARGETS[target](runs, fresh)
        summary["target"] = target
        if scale:
            summary["scale"]["name"] = scale
        summary["finished"] = time.strftime("%Y-%m-%d %H:%M:%S")
        atomic_write_text(fresh / "summary.json", json.dumps(summary, indent=2, default=str))
    except BaseException as err:
        shutil.rmtree(fresh, ignore_errors=True)
        record_failure(target, out, err)
        raise
    swap_in(fresh, out)
    failure_path(out).unlink(missing_ok=True)
    return summary


def swap_in(fresh: Path, out: Path) -> None:
    """Replace out by fresh: two renames, the old directory removed after."""
    old = None
    if out.exists():
        old = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.old-"))
        os.replace(out, old / "out")
    os.replace(fresh, out)
    os.chmod(out, 0o755)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def record_failure(target: str, out: Path, err: BaseException) -> None:
    reason = str(err) if isinstance(err, AnalysisInputError) else f"{type(err).__name__}: {err}"
    record = {"target": target, "failed": time.strftime("%Y-%m-%d %H:%M:%S"), "error": reason,
              "older_output_kept": (out / "summary.json").exists()}
    atomic_write_text(failure_path(out), json.dumps(record, indent=2))


if __name__ == "__main__":
    sys.exit(main())
