"""The compute bill (`snakemake budget`, workflows/budget.py) and what a training job asks SLURM for."""
import importlib.util
import math
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SNAKEMAKE = [sys.executable, "-m", "snakemake"]
CORES = 64


def load_budget():
    spec = importlib.util.spec_from_file_location("workflow_budget", ROOT / "workflows/budget.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


budget = load_budget()


def table_rows(text: str, header_start: str) -> list[list[str]]:
    """Cells of the Markdown table whose header starts with header_start."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header_start))
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append([c.strip().strip("*") for c in line.strip("|").split("|")])
    return rows


def number(cell: str) -> float:
    return float(re.sub(r"[^\d.]", "", cell.split("(")[0]))


def precision(cell: str) -> float:
    """Half a unit of the last printed digit."""
    digits = cell.replace(",", "").split(".")
    return 0.5 * 10 ** -(len(digits[1]) if len(digits) > 1 else 0)


def hours(cell: str) -> tuple[float, float]:
    """'7 s', '12 min', '1.9 h', '3.3 days' -> hours and half a printed unit, in hours."""
    value, unit = cell.split()
    scale = {"s": 1 / 3600, "min": 1 / 60, "h": 1, "days": 24, "years": 24 * 365}[unit]
    return float(value) * scale, precision(value) * scale


def run_budget(tmp_path: Path, scale: str, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(SNAKEMAKE + ["budget", "--cores", str(CORES), "--config", f"scale={scale}",
                                       f"results_dir={tmp_path / 'results'}", *extra],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)


# = the dry run's job counts (test_workflow.py)
# maze: MazeApples and Maze x 2 methods x 3 seeds
PAPER_RUNS = {"atari_table": 342, "scalability": 140, "mujoco_table": 27, "beta_sweep": 15, "tmax_sweep": 15,
              "lr_robustness": 1000, "lr_study": 120, "driving": 6, "maze": 12}


@pytest.fixture(scope="module")
def bill(tmp_path_factory):
    """run_budget per scale, once per test process: (result, its results directory)."""
    cache: dict[str, tuple[subprocess.CompletedProcess, Path]] = {}

    def get(scale: str) -> tuple[subprocess.CompletedProcess, Path]:
        if scale not in cache:
            where = tmp_path_factory.mktemp(scale)
            cache[scale] = (run_budget(where, scale), where)
        return cache[scale]
    return get


@pytest.mark.parametrize("scale", ["smoke", "workstation", "paper"])
def test_the_bills_core_hours_match_a_hand_computation_from_its_frames_per_second(bill, scale):
    result, tmp_path = bill(scale)
    assert result.returncode == 0, result.stderr[-3000:]
    text = result.stdout
    assert text.startswith(f"Compute bill: scale `{scale}`")
    kinds = table_rows(text, "| target | method |")
    hand_by_target: dict[str, list[tuple[float, float]]] = {}
    for target, algo, _domain, workers, runs, frames, fps, cpus, wall, core_h in kinds:
        workers, runs, frames, fps, cpus = int(workers), int(number(runs)), int(number(frames)), number(fps), int(cpus)
        assert cpus == workers + 1
        wall_h = frames / (fps * workers) / 3600
        hand = runs * wall_h * cpus
        assert abs(number(core_h) - hand) <= precision(core_h) + 1e-9, (target, algo, workers, core_h, hand)
        printed_wall, tol = hours(wall)
        assert abs(printed_wall - wall_h) <= tol + 1e-9, (target, algo, wall, wall_h)
        hand_by_target.setdefault(target, []).append((hand, wall_h))
    targets = table_rows(text, "| target | training runs |")
    for target, runs, _frames, core_h, wall in targets:
        if target == "data_efficiency":
            assert runs.startswith("0 (uses scalability")
            continue
        parts = [h for t, hs in hand_by_target.items() for h in hs] if target == "total" else hand_by_target[target]
        hand = sum(h for h, _ in parts)
        assert abs(number(core_h) - hand) <= precision(core_h) + 1e-6 * hand, (target, core_h, hand)
        printed_wall, tol = hours(wall)
        hand_wall = max(hand / CORES, max(w for _, w in parts))
        assert abs(printed_wall - hand_wall) <= tol + 1e-9, (target, wall, hand_wall)
        if scale == "paper" and target != "total":
            assert int(number(runs)) == PAPER_RUNS[target]
    assert targets[-1][0] == "total"
    # Where the figures come from, and the unmeasured methods said to be assumed.
    assert "stored figures" in text and "dated 2026-11" in text
    if scale != "smoke":  # the smoke grid has value-based methods only in scalability
        assert "n-step-q (atari): NOT MEASURED" in text
    assert (tmp_path / f"results/logs/budget.{scale}.md").read_text() == text


def test_paper_scale_totals(bill):
    """The paper's grid on the stored 2-core figures (the README quotes this table)."""
    text = bill("paper")[0].stdout
    total = table_rows(text, "| target | training runs |")[-1]
    assert total[:3] == ["total", "1,677", "210.5G"]
    atari = table_rows(text, "| target | training runs |")[0]
    # 171 runs x 320M / (2,911 x 16) s x 17 cpus + 171 x 320M / (1,704 x 16) s x 17 cpus
    hand = 171 * 320e6 * 17 / 16 / 3600 * (1 / 2911 + 1 / 1704)
    assert atari[0] == "atari_table" and number(atari[3]) == pytest.approx(hand, abs=0.5)


def test_unmeasured_methods_use_the_a3c_figure_labelled_as_assumed():
    throughput = budget.Throughput.load(budget.STORED_THROUGHPUT)
    for algo in ("one-step-q", "one-step-sarsa", "n-step-q"):
        rate = throughput.rate("atari", algo)
        assert rate.fps == 2911 and "assumed" in rate.note
    assert throughput.rate("atari", "a3c").note == ""
    assert throughput.rate("mujoco", "a3c-lstm").fps == 2842
    with pytest.raises(ValueError, match="no throughput figure"):
        throughput.rate("mujoco", "n-step-q")


def test_measured_figures_are_stored_dated_and_used_first(tmp_path):
    calls = []

    def fake_bench(game, algos, workers, seconds):
        calls.append((game, tuple(algos), workers))
        return [{"algo": a, "train_fps_per_worker": 1000.0 + i, "env_fps_per_process": 9000.0}
                for i, a in enumerate(algos)]

    out = tmp_path / "results" / budget.MEASURED_NAME
    budget.measure({("atari", "a3c"), ("atari", "n-step-q")}, workers=2, seconds=5, out=out, bench=fake_bench)
    assert calls == [("Pong", ("a3c", "n-step-q"), 2)]
    saved = yaml.safe_load(out.read_text())
    assert saved["date"] and "measured on this machine" in saved["source"]
    throughput = budget.Throughput.resolve(tmp_path / "results")
    assert throughput.measured_here
    assert throughput.rate("atari", "a3c").fps == 1000.0
    assert throughput.rate("atari", "n-step-q") == budget.Rate(1001.0, "")  # measured now: no assumption
    assert throughput.rate("atari", "a3c-lstm").fps == 1704  # not measured here: the stored figure
    run = budget.Run("atari_table", "Pong", "a3c-lstm", 2, "default", 0, 1_000_000)
    text = budget.format_bill({"atari_table": [run]}, throughput, 4, "test")
    assert "measured on this machine" in text and "not measured here" in text
    assert "Stored figures, not measured on this machine" not in text


def test_a_run_asks_for_its_workers_plus_the_evaluator_memory_and_a_time_limit_with_a_margin(tmp_path):
    """What the train rule requests, as `snakemake -n -p` shows it, from the budget's formulas."""
    assert budget.mem_mb("atari", 16) == math.ceil((210 + 230 + 280 * 17) * 1.25 / 100) * 100 == 6500
    # a maze process holds dm_control's rendered maze: its job asks for its own footprint
    assert budget.mem_mb("maze", 2) == math.ceil((210 + 230 + 1610 * 3) * 1.25 / 100) * 100 == 6600
    run = budget.Run("atari_table", "Pong", "a3c", 16, "default", 0, 320_000_000)
    stored = budget.Throughput.load(budget.STORED_THROUGHPUT)
    minutes = 320e6 / (2911 * 16) / 60 * 1.5 + 30
    assert budget.runtime_min(run, stored, 1.5, 30) == math.ceil(minutes)
    assert budget.runtime_min(run, stored, 1.5, 30, attempt=2) == math.ceil(2 * minutes)
    result = subprocess.run(SNAKEMAKE + ["-n", "atari_table", "--config", "scale=paper",
                                         f"results_dir={tmp_path / 'results'}"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    a3c = re.search(r"output: \S+/atari_table/Alien/a3c/w16/default/s0/final\.json.*?resources: ([^\n]+)",
                    result.stdout, re.S).group(1)
    assert "cpus_per_task=17" in a3c and "mem_mb=6500" in a3c and f"runtime={math.ceil(minutes)}" in a3c


def test_a_bare_snakemake_plans_all_and_every_rule_that_runs_something_logs(tmp_path):
    result = subprocess.run(SNAKEMAKE + ["-n", "--config", f"results_dir={tmp_path / 'results'}"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert re.search(r"^all\s+1\s*$", result.stdout, re.M) and "report.md" in result.stdout
    blocks = re.split(r"\n(?=(?:local)?(?:rule|checkpoint) \w+:)", result.stdout)  # study_analysis is a checkpoint
    ran = set()
    for block in blocks:
        m = re.match(r"(?:local)?(?:rule|checkpoint) (\w+):", block)
        if m and m.group(1) in ("train", "analysis", "study_analysis", "report"):
            ran.add(m.group(1))
            assert "    log: " in block, block[:500]
    assert ran == {"train", "analysis", "study_analysis", "report"}


def write_run(root: Path, path: str, *, final: bool = False, checkpoint: bool = False,
              log: str = "") -> Path:
    run = root / path
    run.mkdir(parents=True)
    if final:
        (run / "final.json").write_text("{}")
    if checkpoint:
        (run / "checkpoint.pt").write_bytes(b"")
    if log:
        (run / "train_log.csv").write_text(log)
    return run


LOG = "frames,wall_time,worker,episode_return,episode_length\n1260,4.8,0,0.0,129\n5000000,9.1,1,2.0,200\n"


def test_frames_done_reads_completion_then_the_last_whole_log_line_of_a_resumable_run(tmp_path):
    assert budget.frames_done(write_run(tmp_path, "a", final=True), 20_000_000) == 20_000_000
    assert budget.frames_done(write_run(tmp_path, "b", checkpoint=True, log=LOG), 20_000_000) == 5_000_000
    torn = LOG + "5001000,9.2,0"  # killed mid-write: the torn line is skipped
    assert budget.frames_done(write_run(tmp_path, "c", checkpoint=True, log=torn), 20_000_000) == 5_000_000
    # no checkpoint: a resume would start again from 0, whatever the log says
    assert budget.frames_done(write_run(tmp_path, "d", log=LOG), 20_000_000) == 0
    assert budget.frames_done(tmp_path / "never", 20_000_000) == 0
    assert budget.frames_done(write_run(tmp_path, "e", checkpoint=True, log="frames\n"), 10) == 0
    assert budget.frames_done(write_run(tmp_path, "f", checkpoint=True, log=LOG), 5_000) == 4_999  # not final


def test_progress_counts_runs_and_prices_only_the_frames_left():
    stored = budget.Throughput.load(budget.STORED_THROUGHPUT)
    runs = [budget.Run("atari_table", g, "a3c", 2, "default", 0, 20_000_000) for g in ("Pong", "Breakout", "Qbert")]
    done = [20_000_000, 5_000_000, 0]
    text = budget.format_progress({"atari_table": runs}, {"atari_table": done}, stored, 2)
    row = table_rows(text, "| target | complete |")[0]
    assert row[:5] == ["atari_table", "1", "1", "1", "25.0M of 60.0M (41.7%)"]
    left = 35e6 / (2911 * 2) / 3600 * 3  # frames left / (fps x workers) x cpus
    assert abs(number(row[5]) - left) <= precision(row[5])
    printed, tol = hours(row[6])
    assert abs(printed - max(left / 2, 20e6 / (2911 * 2) / 3600)) <= tol


PROGRESS = ("2026-12-07 22:37:51,470 INFO frames 2,381,404/20,000,000 (11.9%) | fps 2,250 | return(last 10) -19.90 "
            "| episodes 774 | eta 1h40m{}\n")
SICK = " | UNHEALTHY: dead_network, policy_collapse (see its WARNING)"


def test_health_flags_come_from_final_json_else_the_last_progress_line(tmp_path):
    done = write_run(tmp_path, "done", final=True)
    (done / "final.json").write_text('{"health": {"ok": false, "flags": ["dead_network"], "warnings": ["..."]}}')
    assert budget.health_flags(done) == ["dead_network"]
    assert budget.health_flags(write_run(tmp_path, "fine", final=True)) == []  # final.json of "{}"
    going = write_run(tmp_path, "going", checkpoint=True, log=LOG)
    (going / "run.log").write_text(PROGRESS.format(SICK) + "2026-12-07 22:37:52,0 WARNING health: ...\n")
    assert budget.health_flags(going) == ["dead_network", "policy_collapse"]
    # the last progress line decides: a line without the suffix (a run whose finding is gone) is healthy
    (going / "run.log").write_text(PROGRESS.format(SICK) + PROGRESS.format(""))
    assert budget.health_flags(going) == []
    assert budget.health_flags(tmp_path / "never") == []
    assert budget.flagged_runs([done, going, tmp_path / "never"]) == {budget.shown_path(done): ["dead_network"]}


def test_health_flags_read_back_the_trainers_own_progress_line_from_run_log(tmp_path):
    """The regex in budget.py and the trainer's line (a3c/trainer.py progress_line, logged through
    a3c/cli.py's run.log handler) are written apart: this ties them together."""
    import logging

    from a3c import cli, trainer

    run = write_run(tmp_path, "going", checkpoint=True, log=LOG)
    handler = cli.add_run_log(str(run))
    logger, level = trainer.log, logging.getLogger().level
    logging.getLogger().setLevel(logging.INFO)
    try:
        for flags in (["dead_network", "policy_collapse"], []):
            logger.info("%s", trainer.progress_line(2_381_404, 20_000_000, 2250.0, [-19.0, -21.0], 774, 6000.0, flags))
            handler.flush()
            assert budget.health_flags(run) == flags
    finally:
        logging.getLogger().removeHandler(handler)
        logging.getLogger().setLevel(level)
        handler.close()


def test_progress_lists_the_runs_with_health_findings():
    stored = budget.Throughput.load(budget.STORED_THROUGHPUT)
    runs = [budget.Run("atari_table", "Pong", "a3c-lstm", 2, "default", 0, 20_000_000)]
    clean = budget.format_progress({"atari_table": runs}, {"atari_table": [5_000_000]}, stored, 2)
    assert "UNHEALTHY" not in clean
    text = budget.format_progress({"atari_table": runs}, {"atari_table": [5_000_000]}, stored, 2,
                                  flagged={"runs/x/s0": ["dead_network"]})
    assert "UNHEALTHY: 1 run(s)" in text and "- runs/x/s0: dead_network" in text


def test_budget_prints_the_progress_of_the_run_directories(tmp_path):
    results = tmp_path / "results"
    runs = "runs/atari_table/{}/a3c/w2/default/s0"
    write_run(results, runs.format("Pong"), final=True)
    sick = write_run(results, runs.format("Breakout"), checkpoint=True, log=LOG)
    (sick / "run.log").write_text(PROGRESS.format(SICK))
    result = run_budget(tmp_path, "smoke")
    assert result.returncode == 0, result.stderr[-3000:]
    rows = {r[0]: r for r in table_rows(result.stdout, "| target | complete |")}
    # 2 games x 2 methods; Breakout's log is past the smoke budget of 20k, but without final.json it is not done
    assert rows["atari_table"][1:5] == ["1", "1", "2", "40.0k of 80.0k (50.0%)"]
    assert rows["scalability"][1:4] == ["0", "0", "8"]
    assert result.stdout.index("Compute bill") < result.stdout.index("Progress")
    assert "UNHEALTHY: 1 run(s)" in result.stdout
    assert "runs/atari_table/Breakout/a3c/w2/default/s0: dead_network, policy_collapse" in result.stdout
