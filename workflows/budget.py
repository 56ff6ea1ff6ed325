"""The compute bill of the experiment grid, and what one training job asks a cluster for.

Used by the Snakefile (rule `budget`, the bill printed when a launch starts, and the train rule's
SLURM resources) and by tests; it needs only PyYAML and a3c.footprint (plain Python, no torch),
so it is importable without Snakemake.

    snakemake budget --cores 512 --config scale=paper                      # wall time on 512 cores
    snakemake budget --cores 2 --config scale=paper budget_measure=true    # measure frames/s here first

Every figure comes from one throughput table (frames/s per worker, by domain and method):
<results_dir>/budget/throughput.yaml when `budget_measure=true` has measured this machine, else the
stored figures of workflows/cluster/throughput.yaml. For one run of `workers` workers and `frames`
frames at `fps` frames/s per worker:

    wall (h)        = frames / (fps x workers) / 3600
    cpus            = workers + 1                      (the evaluator process has its own core)
    core-hours      = wall x cpus                      (what a cluster bills: cpus x elapsed)
    wall on N cores = max(sum of core-hours / N, the longest run's wall)   (for a set of runs)
"""
from __future__ import annotations

import datetime
import json
import math
import os
import platform
import re
import socket
import subprocess
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from a3c import footprint

HERE = Path(__file__).resolve().parent
STORED_THROUGHPUT = HERE / "cluster" / "throughput.yaml"
MEASURED_NAME = "budget/throughput.yaml"  # under the results directory

# Memory of one training job: the run's processes (a3c/footprint.py, PSS per domain, measured by
# benchmarks/memory.py) and, in a SLURM job, the two Snakemake processes around the run (the job
# step's and the rule's own, ~100 MB each, measured in a job of the test cluster) with srun and the
# shell. Requested with a margin.
MEM_SNAKEMAKE_MB = 210
MEM_MARGIN = 1.25

# Which game/task stands for a domain when measuring (as in the README's figures).
BENCH_GAME = {"atari": "Pong", "mujoco": "HalfCheetah", "driving": "CarRacing", "maze": "Maze"}
EXPERIMENT_DOMAIN = {"mujoco_table": "mujoco", "driving": "driving", "maze": "maze"}  # the others: Atari

RUN_RE = re.compile(r"(?:^|/)runs/(?P<experiment>[^/]+)/(?P<game>[^/]+)/(?P<algo>[^/]+)/w(?P<workers>\d+)/"
                    r"(?P<variant>[^/]+)/s(?P<seed>\d+)(?:/final\.json)?$")


@dataclass(frozen=True)
class Run:
    """One training run of the grid."""
    experiment: str
    game: str
    algo: str
    workers: int
    variant: str
    seed: int
    frames: int

    @property
    def domain(self) -> str:
        return EXPERIMENT_DOMAIN.get(self.experiment, "atari")

    @property
    def cpus(self) -> int:
        return self.workers + 1


def parse_run(path: str, frames: int) -> Run:
    """A run from its directory (or final.json) path, as the workflow names it."""
    m = RUN_RE.search(str(path))
    if not m:
        raise ValueError(f"not a run directory of the workflow: {path}")
    g = m.groupdict()
    return Run(g["experiment"], g["game"], g["algo"], int(g["workers"]), g["variant"], int(g["seed"]), frames)


# ----- throughput -----

@dataclass(frozen=True)
class Rate:
    fps: float  # frames (MuJoCo: steps) per second per worker
    note: str  # "" when measured for this method, else what was assumed


class Throughput:
    """Frames/s per worker by (domain, method), with where each figure comes from. Several tables
    may be chained: a figure is taken from the first that has it (measured here, then stored)."""

    def __init__(self, data: dict, path: Path, fallback: Throughput | None = None) -> None:
        self.data, self.path, self.fallback = data, Path(path), fallback
        self.figures = data.get("figures")
        if not isinstance(self.figures, dict) or not self.figures:
            raise ValueError(f"{path}: no 'figures'")

    @classmethod
    def load(cls, path: Path, fallback: Throughput | None = None) -> Throughput:
        try:
            data = yaml.safe_load(Path(path).read_text())
        except (OSError, yaml.YAMLError) as err:
            raise ValueError(f"cannot read the throughput figures {path}: {err}") from None
        if not isinstance(data, dict):
            raise ValueError(f"{path}: not a mapping")
        return cls(data, path, fallback)

    @classmethod
    def resolve(cls, results_dir: str | Path) -> Throughput:
        """Figures measured here (budget_measure=true) first, the stored ones for the rest."""
        stored = cls.load(STORED_THROUGHPUT)
        measured = Path(results_dir) / MEASURED_NAME
        return cls.load(measured, fallback=stored) if measured.exists() else stored

    @property
    def measured_here(self) -> bool:
        return self.path.resolve() != STORED_THROUGHPUT

    def describe(self) -> str:
        d = self.data
        return (f"{d.get('source', 'unknown source')}, dated {d.get('date', '(no date)')}, "
                f"{d.get('machine', 'machine not recorded')} (`{shown_path(self.path)}`)")

    def _own(self, domain: str, algo: str) -> dict | None:
        entry = (self.figures.get(domain) or {}).get(algo)
        return entry if isinstance(entry, dict) else None

    def table_for(self, domain: str, algo: str) -> Throughput:
        """The table in the chain that gives this figure."""
        if self._own(domain, algo) is not None or self.fallback is None:
            return self
        return self.fallback.table_for(domain, algo)

    def rate(self, domain: str, algo: str) -> Rate:
        table = self.table_for(domain, algo)
        entry = table._own(domain, algo)
        if entry is None:
            raise ValueError(f"{self.path}: no throughput figure for {algo} on {domain}")
        if entry.get("per_worker"):
            return Rate(float(entry["per_worker"]), "")
        assume = entry.get("assume")
        if not assume or assume == algo:
            raise ValueError(f"{table.path}: {algo} on {domain} has no per_worker figure and no 'assume'")
        return Rate(table.rate(domain, assume).fps, f"not measured; assumed = {assume}")

    def sources(self, pairs: Iterable[tuple[str, str]]) -> list[str]:
        """One line per (domain, method) used: the figure, how it was obtained, and from which file."""
        lines = []
        for domain, algo in sorted(set(pairs)):
            table = self.table_for(domain, algo)
            entry, rate = table._own(domain, algo), self.rate(domain, algo)
            unit = "steps/s" if domain == "mujoco" else "frames/s"
            where = "" if table is self else f" [from `{shown_path(table.path)}`: not measured here]"
            if rate.note:
                lines.append(f"{algo} ({domain}): NOT MEASURED; the bill assumes {entry['assume']}'s "
                             f"{rate.fps:,.0f} {unit} per worker{where}")
            else:
                how = entry.get("how", "")
                lines.append(f"{algo} ({domain}): {rate.fps:,.0f} {unit} per worker"
                             + (f", `{how}`" if how else "") + where)
        return lines


# ----- what one job asks for -----

def mem_mb(domain: str, workers: int) -> int:
    """Memory request of a training job: measured per-process PSS x margin, rounded up to 100 MB."""
    need = MEM_SNAKEMAKE_MB + footprint.run_mb(domain, workers)
    return int(math.ceil(need * MEM_MARGIN / 100.0) * 100)


def wall_hours(run: Run, throughput: Throughput) -> float:
    return run.frames / (throughput.rate(run.domain, run.algo).fps * run.workers) / 3600.0


def runtime_min(run: Run, throughput: Throughput, margin: float, extra_min: float, attempt: int = 1) -> int:
    """SLURM time limit of a training job: the estimate x margin + extra minutes (start-up, final
    evaluation, a slower node), doubled, tripled... on each retry (a run that hits its limit
    checkpoints on SIGTERM and the retry resumes it)."""
    return int(math.ceil((wall_hours(run, throughput) * 60.0 * margin + extra_min) * max(1, attempt)))


# ----- the bill -----

@dataclass(frozen=True)
class Line:
    """Runs of one target that cost the same: same method, domain, workers and frames."""
    target: str
    algo: str
    domain: str
    workers: int
    frames: int  # per run
    runs: int
    rate: Rate

    @property
    def cpus(self) -> int:
        return self.workers + 1

    @property
    def wall_h(self) -> float:  # one run
        return self.frames / (self.rate.fps * self.workers) / 3600.0

    @property
    def core_h(self) -> float:  # all runs of the line
        return self.runs * self.wall_h * self.cpus

    @property
    def total_frames(self) -> int:
        return self.runs * self.frames


def bill(runs_by_target: dict[str, list[Run]], throughput: Throughput) -> list[Line]:
    lines = []
    for target, runs in runs_by_target.items():
        groups: dict[tuple, int] = {}
        for r in runs:
            key = (r.algo, r.domain, r.workers, r.frames)
            groups[key] = groups.get(key, 0) + 1
        for (algo, domain, workers, frames), n in groups.items():
            lines.append(Line(target, algo, domain, workers, frames, n, throughput.rate(domain, algo)))
    return lines


def wall_on(lines: list[Line], cores: int) -> float:
    """Hours for these runs on `cores` cores, perfectly packed, none faster than alone."""
    if not lines:
        return 0.0
    return max(sum(ln.core_h for ln in lines) / cores, max(ln.wall_h for ln in lines))


def fmt_count(n: float) -> str:
    for unit, size in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if n >= size:
            return f"{n / size:,.1f}{unit}"
    return f"{n:,.0f}"


def fmt_core_h(h: float) -> str:
    if h >= 100:
        return f"{h:,.0f}"
    if h >= 1:
        return f"{h:.1f}"
    return f"{h:.4f}"


def fmt_hours(h: float) -> str:
    s = h * 3600
    if s < 120:
        return f"{s:.0f} s"
    if h < 1:
        return f"{s / 60:.0f} min"
    if h < 48:
        return f"{h:.1f} h"
    if h < 24 * 365:
        return f"{h / 24:.1f} days"
    return f"{h / 24 / 365:.1f} years"


def shown_path(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def format_bill(runs_by_target: dict[str, list[Run]], throughput: Throughput, cores: int | None, scale: str,
                shared: dict[str, str] | None = None, title: str = "Compute bill") -> str:
    """The bill as Markdown: per target and in total, then per kind of run, then the sources.
    Without `cores` (a cluster launch) the wall column is the longest run: every run started at once."""
    shared = shared or {}
    lines = bill({t: r for t, r in runs_by_target.items() if t not in shared}, throughput)
    if cores:
        wall_head, wall = f"wall on {cores} cores", lambda ls: wall_on(ls, cores)
        intro = f"wall time on {cores} cores (`--cores`)"
    else:
        wall_head, wall = "longest run", lambda ls: max((ln.wall_h for ln in ls), default=0.0)
        intro = "every run started at once (no core count given)"
    out = [f"{title}: scale `{scale}`, {sum(ln.runs for ln in lines):,} training runs; {intro}.", "",
           f"| target | training runs | frames | core-hours | {wall_head} |", "|---|---:|---:|---:|---:|"]
    for target in runs_by_target:
        if target in shared:
            out.append(f"| {target} | 0 (uses {shared[target]}'s runs) | | | |")
            continue
        tl = [ln for ln in lines if ln.target == target]
        out.append(f"| {target} | {sum(ln.runs for ln in tl):,} | {fmt_count(sum(ln.total_frames for ln in tl))} | "
                   f"{fmt_core_h(sum(ln.core_h for ln in tl))} | {fmt_hours(wall(tl))} |")
    total_frames = fmt_count(sum(ln.total_frames for ln in lines))
    out.append(f"| **total** | **{sum(ln.runs for ln in lines):,}** | **{total_frames}** | "
               f"**{fmt_core_h(sum(ln.core_h for ln in lines))}** | **{fmt_hours(wall(lines))}** |")
    out += ["", "Per kind of run (cpus = workers + 1 for the evaluator; Atari counts emulator frames, "
                "MuJoCo environment steps):", "",
            "| target | method | domain | workers | runs | frames per run | frames/s per worker | cpus | "
            "wall per run | core-hours |", "|---|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for ln in lines:
        fps = f"{ln.rate.fps:,.0f}" + (" (assumed)" if ln.rate.note else "")
        out.append(f"| {ln.target} | {ln.algo} | {ln.domain} | {ln.workers} | {ln.runs:,} | {ln.frames:,} | {fps} | "
                   f"{ln.cpus} | {fmt_hours(ln.wall_h)} | {fmt_core_h(ln.core_h)} |")
    out += ["", "Where the estimate comes from:",
            f"- frames/s per worker: {throughput.describe()}."]
    if throughput.fallback is not None:
        out.append(f"  Figures it lacks: {throughput.fallback.describe()}.")
    out += [f"  - {s}" for s in throughput.sources((ln.domain, ln.algo) for ln in lines)]
    if not throughput.measured_here:
        out.append("  - Stored figures, not measured on this machine: "
                   "`snakemake budget --cores 2 --config scale=SCALE budget_measure=true` measures them here.")
    out.append("- core-hours = runs x frames per run / (frames/s per worker x workers) / 3600 x cpus; "
               "the per-worker rate is taken as independent of the number of workers.")
    if cores:
        out.append(f"- wall on {cores} cores = max(core-hours / {cores}, the longest run): perfect packing, no queue.")
    out.append("- Not counted: each run's start-up and final evaluation (seconds to minutes a run), the analysis "
               "and report jobs, a queue. They dominate at the smoke scale (the README's quickstart: 3 min 43 s of "
               "Snakemake for its 21 runs and analyses on 2 cores); SLURM time limits add a margin for them "
               "(workflows/config/default.yaml, `resources`).")
    return "\n".join(out)


# ----- progress of a grid that runs over several sessions -----

CHECKPOINT = "checkpoint.pt"  # a3c/rundir.py's names (not imported: that module needs torch)
FINAL = "final.json"
TRAIN_LOG = "train_log.csv"
RUN_LOG = "run.log"
UNHEALTHY_RE = re.compile(r"\| UNHEALTHY: (?P<flags>[^()]+?) \(see its WARNING\)\s*$")  # a3c/trainer.py's progress line


def frames_done(run_dir: Path, frames: int) -> int:
    """How far a run has got: `frames` once final.json exists; for a run with a checkpoint (one a
    resume continues), the frame count of its last logged training episode, at most one checkpoint
    interval past where the resume restarts, and below `frames` (complete means final.json); 0 for
    a run not started (or with nothing to resume)."""
    run_dir = Path(run_dir)
    if (run_dir / FINAL).exists():
        return frames
    if not (run_dir / CHECKPOINT).exists():
        return 0
    return min(last_logged_frames(run_dir / TRAIN_LOG), frames - 1)


def last_logged_frames(log: Path) -> int:
    """The `frames` field of a CSV log's last whole line (a line torn by a kill is skipped); 0 if none."""
    try:
        lines = log.read_text().splitlines()
    except (OSError, UnicodeDecodeError):
        return 0
    header = lines[0].split(",") if lines else []
    if "frames" not in header:
        return 0
    column, width = header.index("frames"), len(header)
    for line in reversed(lines[1:]):
        cells = line.split(",")
        if len(cells) == width and cells[column].strip().isdigit():
            return int(cells[column])
    return 0


def health_flags(run_dir: Path) -> list[str]:
    """The trainer's health flags of a run (dead_network, ...): final.json's `health` once complete,
    else those on the last progress line of its run.log (the trainer replays diagnostics.csv on a
    resume, so that line has every finding so far); [] for a healthy or unstarted run."""
    run_dir = Path(run_dir)
    if (run_dir / FINAL).exists():
        try:
            health = json.loads((run_dir / FINAL).read_text()).get("health")
        except (OSError, ValueError, AttributeError):
            return []
        flags = health.get("flags") if isinstance(health, dict) else None
        return [str(f) for f in flags] if isinstance(flags, list) else []
    try:
        lines = (run_dir / RUN_LOG).read_text(errors="replace").splitlines()
    except OSError:
        return []
    for line in reversed(lines):
        if " INFO frames " in line:
            m = UNHEALTHY_RE.search(line)
            return [f.strip() for f in m["flags"].split(",")] if m else []
    return []


def flagged_runs(run_dirs: Iterable[Path]) -> dict[str, list[str]]:
    """Shown path -> health flags, of the runs among `run_dirs` that have any."""
    return {shown_path(Path(d)): flags for d in run_dirs if (flags := health_flags(Path(d)))}


def remaining_core_h(run: Run, done: int, throughput: Throughput) -> float:
    """Core-hours a run still needs (the bill's formula over its frames not yet done)."""
    return remaining_wall_h(run, done, throughput) * run.cpus


def remaining_wall_h(run: Run, done: int, throughput: Throughput) -> float:
    return max(run.frames - done, 0) / (throughput.rate(run.domain, run.algo).fps * run.workers) / 3600.0


def format_progress(runs_by_target: dict[str, list[Run]], done_by_target: dict[str, list[int]],
                    throughput: Throughput, cores: int | None, shared: dict[str, str] | None = None,
                    flagged: dict[str, list[str]] | None = None) -> str:
    """Markdown: per target, the runs complete / in progress / not started, the frames done, and
    what the rest still costs on `cores` cores (the bill's estimate applied to the frames left;
    without `cores`, the wall column is the longest run's rest, as in format_bill); then the runs
    with health findings (`flagged`, flagged_runs()), so a dead network is not resumed unseen."""
    shared = shared or {}
    where = f"on {cores} cores" if cores else "with every run started at once"
    out = [f"Progress (from the run directories; wall time left {where}):", "",
           "| target | complete | in progress | not started | frames done | core-hours left | wall left |",
           "|---|---:|---:|---:|---:|---:|---:|"]
    every: list[tuple[Run, int]] = []
    for target, runs in runs_by_target.items():
        if target in shared:
            out.append(f"| {target} | (uses {shared[target]}'s runs) | | | | | |")
            continue
        pairs = list(zip(runs, done_by_target[target]))
        every += pairs
        out.append("| " + " | ".join([target, *progress_cells(pairs, throughput, cores)]) + " |")
    out.append("| **total** | " + " | ".join(f"**{c}**" for c in progress_cells(every, throughput, cores)) + " |")
    out += ["", "- frames done: a complete run counts its budget (also one that ended early: stop_on_dead_network, "
                "so this is the plan's progress, not frames trained); a run with a checkpoint, its last logged "
                "training episode (a resume restarts from the checkpoint, at most one checkpoint interval "
                "earlier); the same launch command resumes every run in progress."]
    if flagged:
        out += ["", f"UNHEALTHY: {len(flagged)} run(s) with health findings (`python -m a3c status DIR` says what "
                    "and from which frame; look before resuming one or reporting its score):"]
        out += [f"- {path}: {', '.join(flags)}" for path, flags in flagged.items()]
    return "\n".join(out)


def progress_cells(pairs: list[tuple[Run, int]], throughput: Throughput, cores: int | None) -> list[str]:
    complete = sum(done >= run.frames for run, done in pairs)
    started = sum(0 < done < run.frames for run, done in pairs)
    total = sum(run.frames for run, _ in pairs)
    done = sum(done for _, done in pairs)
    core_h = sum(remaining_core_h(run, d, throughput) for run, d in pairs)
    longest = max((remaining_wall_h(run, d, throughput) for run, d in pairs), default=0.0)
    share = f" ({100 * done / total:.1f}%)" if total else ""
    return [f"{complete:,}", f"{started:,}", f"{len(pairs) - complete - started:,}",
            f"{fmt_count(done)} of {fmt_count(total)}{share}", fmt_core_h(core_h),
            fmt_hours(max(core_h / cores, longest) if cores else longest)]


# ----- measuring here -----

BENCH_SCRIPT = """
import json, logging, sys
logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S", stream=sys.stderr)
import a3c.bench
game, workers, seconds, algos = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4:]
print(json.dumps(a3c.bench.run(game, algos, [workers], seconds)))
"""


def run_bench(game: str, algos: list[str], workers: int, seconds: float) -> list[dict]:
    """`a3c.bench.run` in a fresh interpreter (its workers are spawned processes): rows of
    train_fps_per_worker. Its progress goes to stderr."""
    done = subprocess.run([sys.executable, "-c", BENCH_SCRIPT, game, str(workers), str(seconds), *algos],
                          stdout=subprocess.PIPE, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(pairs: Iterable[tuple[str, str]], workers: int, seconds: float, out: Path,
            bench: Callable[[str, list[str], int, float], list[dict]] = run_bench) -> Throughput:
    """Measure frames/s per worker of each (domain, method) here and write them to `out` (the file
    Throughput.resolve prefers). `bench` is a3c.bench in a subprocess; tests pass a stand-in."""
    by_domain: dict[str, list[str]] = {}
    for domain, algo in sorted(set(pairs)):
        by_domain.setdefault(domain, []).append(algo)
    figures: dict[str, dict] = {}
    for domain, algos in by_domain.items():
        game = BENCH_GAME[domain]
        for row in bench(game, algos, workers, seconds):
            figures.setdefault(domain, {})[row["algo"]] = {
                "per_worker": round(float(row["train_fps_per_worker"]), 1),
                "how": f"python -m a3c.bench --game {game} --algos {' '.join(algos)} --workers {workers} "
                       f"--seconds {seconds:g} (env alone {row.get('env_fps_per_process', 0):,.0f} per process)"}
    missing = [(d, a) for d, algos in by_domain.items() for a in algos if a not in figures.get(d, {})]
    if missing:
        raise RuntimeError(f"the benchmark returned no figure for {missing}")
    data = {"source": f"measured on this machine ({socket.gethostname()}) by snakemake budget "
                      f"--config budget_measure=true",
            "date": datetime.date.today().isoformat(),
            "machine": f"{cpu_model()}, {os.cpu_count()} cores; {workers} worker(s) measured",
            "figures": figures}
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    tmp.write_text("# written by workflows/budget.py (snakemake budget --config budget_measure=true)\n"
                   + yaml.safe_dump(data, sort_keys=False))
    tmp.replace(out)
    return Throughput(data, out)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()
