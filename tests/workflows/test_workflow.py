"""The Snakemake workflow: planned jobs at paper scale, fail-fast config checks, re-runs."""
import json
import math
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SNAKEMAKE = [sys.executable, "-m", "snakemake"]


def dry_run(target: str, tmp_path: Path, *extra: str, scale: str = "paper") -> subprocess.CompletedProcess:
    cmd = SNAKEMAKE + ["-n", "--forceall" if "--no-force" not in extra else "", target,
                       "--config", f"scale={scale}", f"results_dir={tmp_path / 'results'}"]
    cmd = [c for c in cmd if c] + [e for e in extra if e != "--no-force"]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)


def job_counts(output: str) -> dict[str, int]:
    block = output.split("Job stats:")[1]
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"^(\w+)\s+(\d+)\s*$", block, re.M)}


def planned_runs(output: str) -> list[str]:
    return re.findall(r"output: (\S+/final\.json)", output)


PAPER_TRAINS = {
    "atari_table": 57 * 2 * 3,  # 57 games x A3C FF and LSTM x 3 seeds
    "scalability": 7 * 4 * 5,  # 7 games x 4 methods x 1, 2, 4, 8, 16 workers (data_efficiency analyses these)
    "mujoco_table": 9 * 3,
    "beta_sweep": 5 * 3,
    "tmax_sweep": 5 * 3,
    "lr_robustness": 5 * 4 * 50,  # 50 learning rates per game and method
    "lr_study": 6 * 10 * 2,  # the six tuning games x 10 learning rates x 2 RMSProp eps readings
    "driving": 2 * 3,  # CarRacing (for TORCS) x A3C FF and LSTM x 3 seeds
    "maze": 2 * 2 * 3,  # MazeApples and Maze (for Labyrinth) x A3C LSTM and FF x 3 seeds
}


@pytest.fixture(scope="module")
def paper_plan(tmp_path_factory) -> str:
    """The dry run of `all` at paper scale, once per test process (each takes seconds to plan)."""
    result = dry_run("all", tmp_path_factory.mktemp("paper"))
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_paper_scale_plans_the_papers_grid(paper_plan):
    runs = set(planned_runs(paper_plan))
    per_experiment = Counter(r.split("/runs/")[1].split("/")[0] for r in runs)
    assert per_experiment == PAPER_TRAINS
    counts = job_counts(paper_plan)
    assert counts["train"] == sum(PAPER_TRAINS.values())
    # + data_efficiency; the lr_study's analysis is a checkpoint of its own (lr_study_carry re-plans from it)
    assert counts["analysis"] + counts["study_analysis"] == len(PAPER_TRAINS) + 1 and counts["report"] == 1


def test_one_target_plans_its_own_runs_only(tmp_path):
    counts = job_counts(dry_run("data_efficiency", tmp_path).stdout)
    assert counts["train"] == PAPER_TRAINS["scalability"] and counts["analysis"] == 1 and "report" not in counts


def test_paper_scale_grid_contents(paper_plan):
    runs = planned_runs(paper_plan)
    games = {r.split("/runs/atari_table/")[1].split("/")[0] for r in runs if "/runs/atari_table/" in r}
    assert len(games) == 57
    workers = {int(m) for m in re.findall(r"/runs/scalability/[^/]+/[^/]+/w(\d+)/", "\n".join(runs))}
    assert workers == {1, 2, 4, 8, 16}
    betas = {m for m in re.findall(r"/beta([0-9.e-]+)/", "\n".join(runs))}
    assert betas == {"0.005", "0.01", "0.02"}
    lrs = [float(m) for m in re.findall(r"/lr([0-9.e-]+)/", "\n".join(runs))]
    assert len(lrs) == 1000 and min(lrs) >= 1e-4 and max(lrs) <= 1e-2


def test_threads_equal_the_run_worker_count(tmp_path):
    out = dry_run("scalability", tmp_path, "--cores", "64", "-p").stdout
    for workers in (1, 2, 4, 8, 16):
        assert re.search(rf"--workers {workers} .*", out)
    # Snakemake prints each job's threads when they differ from 1.
    assert "threads: 16" in out


@pytest.mark.parametrize("bad,message", [
    ({"atari_table": {"games": ["Pongg"]}}, "Pongg"),
    ({"atari_table": {"algos": ["a4c"]}}, "a4c"),
    ({"atari_table": {"workers": 0}}, "minimum"),
    ({"scalability": {"workers": [2, 4]}}, "workers must include 1"),
    ({"mujoco_table": {"frames": 10000}}, "must be below frames"),  # smoke evaluates every 10k
    ({"lr_robustness": {"low": 0.1}}, "must be below high"),
    ({"lr_study": {"draw": "stratified"}}, "'runs' is a dependency of 'draw'"),  # smoke lists its lrs
    ({"lr_study": {"carry": {"best": 1, "frames": 20000}}}, "lr_study.carry: frames (20000) must exceed"),
    ({"lr_study": {"games": ["Alien"]}}, "lr_study.carry: the study's games for a3c (Alien) include none"),
    ({"lr_study": {"carry": {"best": 1, "frames": 40000, "eval_every": 50000}}}, "lr_study.carry: eval_every"),
    ({"lr_study": {"carry": {"best": 3, "frames": 40000}}},
     "lr_study.carry: best (3) exceeds the study's 2 settings for a3c"),
    ({"lr_study": {"carry": {"best": 1, "frames": 40000, "algos": ["n-step-q"]}}},
     "lr_study.carry: algos n-step-q are not in the study"),
    ({"lr_study": {"also": [{"rms_eps": []}]}}, "should be non-empty"),
    ({"atari_table": {"settings": {"a3c": {"lr": 0.001}}}}, "'rms_eps' is a required property"),
    ({"atari_table": {"settings": {"a3c": {"lr": -1, "rms_eps": 0.1}}}},
     "-1 is less than or equal to the minimum of 0"),
    ({"atari_table": {"settings": {"a3cc": {"lr": 0.001, "rms_eps": 0.1}}}}, "'a3cc' is not one of"),
])
def test_a_bad_config_value_fails_fast_with_a_readable_message(tmp_path, bad, message):
    config = yaml.safe_load((ROOT / "workflows/config/default.yaml").read_text())
    for key, value in bad.items():
        config["scales"]["smoke"][key].update(value)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(config))
    result = subprocess.run(SNAKEMAKE + ["-n", "all", "--configfile", str(path), "--config",
                                         f"results_dir={tmp_path / 'results'}"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode != 0
    assert message in result.stdout + result.stderr
    assert "Job stats" not in result.stdout
    assert not (tmp_path / "results").exists()


def test_an_unknown_scale_fails_fast(tmp_path):
    result = dry_run("all", tmp_path, scale="huge")
    assert result.returncode != 0 and "huge" in result.stdout + result.stderr


def test_after_deleting_one_runs_output_only_that_job_is_planned(tmp_path):
    """An interrupted grid: every run but one finished; a re-run trains only the missing one."""
    listing = dry_run("atari_table", tmp_path, scale="smoke").stdout
    runs = sorted(set(planned_runs(listing)))
    assert len(runs) == 4
    for run in runs:  # pretend every run finished
        Path(run).parent.mkdir(parents=True, exist_ok=True)
        Path(run).write_text("{}")
    complete = dry_run("atari_table", tmp_path, "--no-force", scale="smoke").stdout
    assert planned_runs(complete) == [] and job_counts(complete).get("train", 0) == 0
    Path(runs[1]).unlink()
    (Path(runs[1]).parent / "checkpoint.pt").write_text("kept")  # a killed job's checkpoint
    again = dry_run("atari_table", tmp_path, "--no-force", "-p", scale="smoke").stdout
    assert planned_runs(again) == [runs[1]]
    assert job_counts(again)["train"] == 1
    assert "--resume" in again  # the re-run continues from the checkpoint


def test_schema_names_match_the_trainers_names():
    from a3c.config import ALGOS
    from a3c.games import MUJOCO_TASKS, PAPER_GAMES

    schema = yaml.safe_load((ROOT / "workflows/config/schema.yaml").read_text())
    atari = schema["properties"]["scales"]["additionalProperties"]["properties"]["atari_table"]
    assert atari["properties"]["games"]["items"]["enum"] == list(PAPER_GAMES)
    assert atari["properties"]["algos"]["items"]["enum"] == list(ALGOS)
    mujoco = schema["properties"]["scales"]["additionalProperties"]["properties"]["mujoco_table"]
    assert mujoco["properties"]["tasks"]["items"]["enum"] == list(MUJOCO_TASKS)


def test_the_local_profile_is_accepted(tmp_path):
    """The profile's `config: [strict_cores=true]` reaches the schema as the string 'true'."""
    profile = yaml.safe_load((ROOT / "workflows/profiles/local/config.yaml").read_text())
    assert "strict_cores=true" in profile["config"]
    profile["config"] += ["scale=smoke", f"results_dir={tmp_path / 'results'}"]  # a --config would replace the list
    (tmp_path / "profile").mkdir()
    (tmp_path / "profile" / "config.yaml").write_text(yaml.safe_dump(profile))
    result = subprocess.run(SNAKEMAKE + ["-n", "--profile", str(tmp_path / "profile"), "atari_table"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "train" in job_counts(result.stdout)


def test_a_boolean_typed_on_the_command_line_is_accepted(tmp_path):
    result = dry_run("atari_table", tmp_path, "--config", "strict_cores=true", scale="smoke")
    assert result.returncode == 0, result.stderr[-2000:]


def test_a_non_boolean_strict_cores_fails_fast(tmp_path):
    result = dry_run("atari_table", tmp_path, "--config", "strict_cores=maybe", scale="smoke")
    assert result.returncode != 0
    assert "strict_cores must be true or false" in result.stdout + result.stderr


def test_the_reduced_scale_plans_the_table2_games_extra_seeds_and_methods(tmp_path):
    """Issue 14's reduced scale: A3C FF on the 7 Table 2 games, 2 more seeds on Breakout and Pong,
    A3C LSTM and n-step Q on those two; the report covers only the targets the scale defines."""
    result = dry_run("all", tmp_path, scale="reduced")
    assert result.returncode == 0, result.stderr[-2000:]
    runs = sorted(set(planned_runs(result.stdout)))
    table = [r.split("/runs/atari_table/")[1] for r in runs if "/runs/atari_table/" in r]
    assert len(table) == 7 + 2 * 2 + 2 * 2
    assert {r.split("/")[0] for r in table if "/a3c/" in r} == {
        "BeamRider", "Breakout", "Enduro", "Pong", "Qbert", "Seaquest", "SpaceInvaders"}
    chosen = "lr0.000164896_eps1e-08"  # the lr_study's choice, for A3C FF and n-step Q
    assert sorted(r for r in table if r.startswith("Pong/")) == sorted(
        f"Pong/{algo}/w2/{variant}/s{seed}/final.json" for algo, variant, seed in
        [("a3c", chosen, 0), ("a3c", chosen, 1), ("a3c", chosen, 2), ("a3c-lstm", "lr0.0007_eps0.1", 0),
         ("n-step-q", chosen, 0)])
    assert not any("/runs/scalability/" in r or "/runs/mujoco_table/" in r for r in runs)
    counts = job_counts(result.stdout)
    # atari_table, lr_study_carry, driving, maze; and lr_study's, the checkpoint carry re-plans from
    assert counts["analysis"] == 4 and counts["study_analysis"] == 1 and counts["report"] == 1
    assert {r.split("/runs/")[1].split("/")[1] for r in runs if "/runs/driving/" in r or "/runs/maze/" in r} == {
        "CarRacing", "MazeApples"}
    assert {r.split("/runs/driving/CarRacing/")[1].split("/")[0] for r in runs if "/runs/driving/" in r} == {
        "a3c", "a3c-lstm"}  # issue 17: A3C FF and LSTM on both stand-ins


def test_the_reduced_tables_settings_are_the_committed_studys_choice_per_method():
    """The reduced scale's atari_table runs each method the lr_study tuned at its choice (the paper's rule):
    a study whose ranking changes fails this until the config follows it."""
    config = yaml.safe_load((ROOT / "workflows/config/default.yaml").read_text())
    chosen = json.loads((ROOT / "results/reduced/analysis/lr_study/summary.json").read_text())["chosen"]
    assert chosen["a3c"] is not None
    for algo, best in chosen.items():  # every method the study tuned runs at its own choice
        if best is not None:
            setting = config["scales"]["reduced"]["atari_table"]["settings"][algo]
            assert (f"{setting['lr']:.6g}", setting["rms_eps"]) == (f"{best['lr']:.6g}", best["rms_eps"]), algo


def test_a_methods_chosen_setting_reaches_its_runs_flags_and_directories(tmp_path):
    result = dry_run("atari_table", tmp_path, "-p", scale="reduced")
    assert result.returncode == 0, result.stderr[-2000:]
    assert re.search(r"--lr 0.000164896 --rms-eps 1e-08[\s\\]*--out "
                     r"\S+/atari_table/Qbert/a3c/w2/lr0.000164896_eps1e-08/s0", result.stdout)
    nstep = re.search(r"--game Pong --algo n-step-q ([^>]*)--out \S+/atari_table/Pong/n-step-q/w2/(\S+)/s0",
                      result.stdout)
    assert nstep and nstep.group(2) == "lr0.000164896_eps1e-08"  # A3C FF's setting (not studied on its own)
    assert "--lr 0.000164896 --rms-eps 1e-08" in nstep.group(1)
    lstm = re.search(r"--game Pong --algo a3c-lstm ([^>]*)--out \S+/atari_table/Pong/a3c-lstm/w2/(\S+)/s0",
                     result.stdout)
    assert lstm and lstm.group(2) == "lr0.0007_eps0.1" and "--lr 0.0007 --rms-eps 0.1" in lstm.group(1)
    # the analysis reads the listed runs only (not a stray older run in the same directory)
    listed = re.search(r"-m analysis atari_table --runs ([^>]*) --out", result.stdout).group(1).split()
    assert len(listed) == 15 and listed[0].endswith("/atari_table/BeamRider/a3c/w2/lr0.000164896_eps1e-08/s0")


def test_the_lr_study_crosses_shared_learning_rates_with_both_eps_readings(tmp_path):
    result = dry_run("lr_study", tmp_path, "-p", scale="reduced")
    assert result.returncode == 0, result.stderr[-2000:]
    runs = sorted(set(planned_runs(result.stdout)))
    lstm = [r for r in runs if "/a3c-lstm/" in r]
    assert len(runs) - len(lstm) == 2 * 4 * 2 * 2  # A3C FF: games x LogUniform rates x eps readings x seeds
    # A3C LSTM (an `also` block): its own four rates, on Pong, seed 0, eps 0.1 only
    assert len(lstm) == 4 and all(re.search(r"/lr_study/Pong/a3c-lstm/w1/lr[0-9.e-]+_eps0\.1/s0/", r) for r in lstm)
    runs = [r for r in runs if r not in lstm]
    settings = {game: {r.split("/")[-3] for r in runs if f"/lr_study/{game}/" in r} for game in ("Pong", "Breakout")}
    assert settings["Pong"] == settings["Breakout"]  # the same settings on both games: the paper's rule applies
    lrs = {float(re.match(r"lr([0-9.e-]+)_eps", v).group(1)) for v in settings["Pong"]}
    assert len(lrs) == 4 and all(1e-4 <= lr <= 1e-2 for lr in lrs)
    # draw: stratified: one rate in each quarter of the log range [1e-4, 1e-2]
    assert sorted(int((math.log10(lr) + 4) // 0.5) for lr in lrs) == [0, 1, 2, 3]
    assert {v.split("_eps")[1] for v in settings["Pong"]} == {"0.1", "1e-08"}
    lr = sorted(lrs)[0]
    # the study ends a run whose network died (stop_on_dead_network in its grid)
    assert re.search(rf"--lr {lr:.6g} --rms-eps 1e-08 --stop-on-dead-network[\s\\]*--out \S+/lr{lr:.6g}_eps1e-08/s1",
                     result.stdout)


def test_a_half_done_study_with_a_written_summary_plans_its_missing_runs_in_progress_first(tmp_path):
    """A committed summary (a checkpoint's output) must not hide the runs still to do (snakemake#3870):
    `snakemake lr_study` alone plans them, the run with a checkpoint first, then re-analyses."""
    study = sorted(set(planned_runs(dry_run("lr_study", tmp_path, scale="reduced").stdout)))
    done, resumed, missing = study[:-3], study[-3], study[-2:]
    for run in done:
        Path(run).parent.mkdir(parents=True, exist_ok=True)
        Path(run).write_text('{"completed": true}')
    Path(resumed).parent.mkdir(parents=True, exist_ok=True)
    (Path(resumed).parent / "checkpoint.pt").write_text("kept")
    summary = tmp_path / "results/analysis/lr_study/summary.json"
    summary.parent.mkdir(parents=True)
    summary.write_text(json.dumps({"ranked": []}))  # newer than the complete runs
    result = dry_run("lr_study", tmp_path, "--no-force", scale="reduced")
    assert result.returncode == 0, result.stderr[-2000:]
    assert sorted(planned_runs(result.stdout)) == sorted([resumed, *missing])
    assert job_counts(result.stdout) == {"train": 3, "study_analysis": 1, "lr_study": 1, "total": 5}
    priorities = dict(re.findall(r"output: (\S+/final\.json)(?:(?!\nrule ).)*?priority: (\d+)", result.stdout, re.S))
    assert priorities == {resumed: "1"}  # only the run in progress is moved up


@pytest.mark.parametrize("target", ["atari_table", "all"])
def test_a_written_summary_never_hides_the_runs_still_to_do(tmp_path, target):
    """Snakemake (>= 7.7) does not re-plan a job whose output exists, whatever inputs are missing: a
    committed summary (or report) must still leave `snakemake atari_table` / `all` its missing runs."""
    table = sorted(set(planned_runs(dry_run("atari_table", tmp_path, scale="reduced").stdout)))
    done, missing = table[:-2], table[-2:]
    for run in done:
        Path(run).parent.mkdir(parents=True, exist_ok=True)
        Path(run).write_text('{"completed": true}')
    results = tmp_path / "results"
    for written in ("analysis/atari_table/summary.json", "report.md"):  # newer than the complete runs
        (results / written).parent.mkdir(parents=True, exist_ok=True)
        (results / written).write_text("{}")
    result = dry_run(target, tmp_path, "--no-force", scale="reduced")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "atari_table" not in [r.split("/runs/")[1].split("/")[0] for r in planned_runs(result.stdout)
                                 if r not in missing]  # the complete runs stay done
    assert set(missing) <= set(planned_runs(result.stdout))
    counts = job_counts(result.stdout)
    assert counts["train"] >= 2 and counts["analysis"] >= 1


def test_lr_study_carry_runs_the_studys_two_best_settings_on_to_40m_frames(tmp_path):
    """Once the study is analysed, its ranking (the paper's rule) decides the carried runs."""
    study = sorted(set(planned_runs(dry_run("lr_study", tmp_path, scale="reduced").stdout)))
    assert len(study) == 36
    for run in study:  # every study run complete
        Path(run).parent.mkdir(parents=True, exist_ok=True)
        Path(run).write_text('{"completed": true}')
    ranked = [{"algo": "a3c", "lr": 0.00151884, "rms_eps": 0.1}, {"algo": "a3c", "lr": 0.000496107, "rms_eps": 1e-08},
              {"algo": "a3c", "lr": 0.000164896, "rms_eps": 1e-08},
              {"algo": "a3c-lstm", "lr": 0.00184328, "rms_eps": 0.1}]  # studied, not carried (carry.algos)
    summary = tmp_path / "results/analysis/lr_study/summary.json"
    summary.parent.mkdir(parents=True)
    summary.write_text(json.dumps({"ranked": ranked}))  # newer than the runs: not re-analysed
    result = dry_run("lr_study_carry", tmp_path, "--no-force", "-p", scale="reduced")
    assert result.returncode == 0, result.stderr[-2000:]
    carried = sorted(r.split("/runs/lr_study_carry/")[1] for r in planned_runs(result.stdout))
    assert carried == sorted(f"{game}/a3c/w2/{setting}/s0/final.json" for game in ("Pong", "Breakout")
                             for setting in ("lr0.00151884_eps0.1", "lr0.000496107_eps1e-08"))
    assert len(re.findall(r"--frames 40000000", result.stdout)) == 4
    assert len(re.findall(r"--workers 2\b", result.stdout)) == 4  # issue 14's Pong bar is for 2 workers
    assert "--stop-on-dead-network" not in result.stdout  # the carried settings run their whole length
    assert job_counts(result.stdout) == {"train": 4, "analysis": 1, "lr_study_carry": 1, "total": 6}


def test_a_carried_method_runs_on_the_games_it_was_studied_on(tmp_path):
    """Carrying A3C LSTM too (carry.algos): its best settings go on to Pong only, the one game its
    `also` block studied, not to Breakout; FF's on both."""
    config = yaml.safe_load((ROOT / "workflows/config/default.yaml").read_text())
    config["scales"]["reduced"]["lr_study"]["carry"]["algos"] = ["a3c", "a3c-lstm"]
    path = tmp_path / "carry.yaml"
    path.write_text(yaml.safe_dump(config))
    study = sorted(set(planned_runs(dry_run("lr_study", tmp_path, "--configfile", str(path), scale="reduced").stdout)))
    for run in study:  # every study run complete
        Path(run).parent.mkdir(parents=True, exist_ok=True)
        Path(run).write_text('{"completed": true}')
    summary = tmp_path / "results/analysis/lr_study/summary.json"
    summary.parent.mkdir(parents=True)
    summary.write_text(json.dumps({"ranked": [{"algo": "a3c", "lr": 0.000164896, "rms_eps": 1e-08},
                                              {"algo": "a3c-lstm", "lr": 0.00184328, "rms_eps": 0.1}]}))
    result = dry_run("lr_study_carry", tmp_path, "--no-force", "--configfile", str(path), scale="reduced")
    assert result.returncode == 0, result.stderr[-2000:]
    carried = sorted(r.split("/runs/lr_study_carry/")[1] for r in planned_runs(result.stdout))
    assert carried == sorted(["Pong/a3c/w2/lr0.000164896_eps1e-08/s0/final.json",
                              "Breakout/a3c/w2/lr0.000164896_eps1e-08/s0/final.json",
                              "Pong/a3c-lstm/w2/lr0.00184328_eps0.1/s0/final.json"])
    # the reduced config carries A3C FF only: a ranking without an FF setting is an error, not 0 runs
    summary.write_text(json.dumps({"ranked": [{"algo": "a3c-lstm", "lr": 0.00184328, "rms_eps": 0.1}]}))
    result = dry_run("lr_study_carry", tmp_path, "--no-force", scale="reduced")
    assert result.returncode != 0
    assert "ranks no setting of a3c (carry.algos)" in result.stdout + result.stderr


def test_lr_study_carry_waits_for_the_study(tmp_path):
    """Before the study's runs exist, the carried runs are not planned: the study's are."""
    result = dry_run("lr_study_carry", tmp_path, scale="reduced")
    assert result.returncode == 0, result.stderr[-2000:]
    assert not any("/lr_study_carry/" in r for r in planned_runs(result.stdout))
    assert job_counts(result.stdout)["train"] == 36
    assert "checkpoint jobs" in result.stdout


def test_a_target_the_scale_does_not_define_fails_with_its_name(tmp_path):
    result = dry_run("scalability", tmp_path, scale="reduced")
    assert result.returncode != 0
    assert "scalability is not part of the `reduced` scale" in result.stdout + result.stderr


def test_lr_study_carry_at_a_scale_without_carry_fails_before_planning_the_study(tmp_path):
    """The paper scale's lr_study has no carry: naming lr_study_carry must not plan its 120 study runs first."""
    result = dry_run("lr_study_carry", tmp_path, scale="paper")
    assert result.returncode != 0
    assert "its lr_study has no `carry:`" in result.stdout + result.stderr
    assert "/runs/lr_study/" not in result.stdout


def test_each_scale_has_its_own_results_directory():
    """The default results_dir is results/{scale}: a smoke run never resumes into a reduced one."""
    paths = {}
    for scale in ("smoke", "reduced"):
        result = subprocess.run(SNAKEMAKE + ["-n", "--forceall", "atari_table", "--config", f"scale={scale}"],
                                cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr[-2000:]
        paths[scale] = set(planned_runs(result.stdout))
        assert paths[scale] and all(p.startswith(f"results/{scale}/runs/atari_table/") for p in paths[scale])
    assert not paths["smoke"] & paths["reduced"]


def test_an_experiment_may_set_its_own_evaluation_interval(tmp_path):
    """The reduced maze (2M steps) evaluates every 200k; the others keep the scale's 1M."""
    result = dry_run("all", tmp_path, "-p", scale="reduced")
    assert result.returncode == 0, result.stderr[-2000:]
    commands = re.findall(r"--eval-every (\d+) .*?--out \S+/runs/(\w+)/", result.stdout, re.S)
    intervals = {}
    for value, experiment in commands:
        intervals.setdefault(experiment, set()).add(int(value))
    assert intervals["maze"] == {200_000} and intervals["atari_table"] == {1_000_000}, intervals
    assert intervals["driving"] == {1_000_000}
