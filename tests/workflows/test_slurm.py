"""The SLURM path: bad cluster input refused before anything is submitted, and a tiny grid run on a
real single-node SLURM (workflows/cluster/start_local_slurm.sh) through the slurm profile, equal to
a local run, with one job cancelled by scancel and resumed from its checkpoint by the retry.

The real-SLURM test needs root and apt-get (it installs munge, slurmctld, slurmd and the client
once) and skips with the reason otherwise. It prints what happened (jobs and their states, the
cancel, the resume, the comparison): `pytest -rP` shows it, as .ci/run does.
"""
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SNAKEMAKE = [sys.executable, "-m", "snakemake"]
START = ROOT / "workflows/cluster/start_local_slurm.sh"
LAUNCH = ROOT / "workflows/cluster/slurm.sh"
ACCOUNT = PARTITION = "a3ctest"  # the test cluster's partition; any account name is accepted there
SLURM_BINARIES = {"sbatch", "squeue", "scancel", "sinfo", "srun", "sacct", "sacctmgr", "scontrol", "salloc",
                  "sattach", "sbcast", "scrontab", "sdiag", "sprio", "sreport", "sshare", "sstat", "strigger",
                  "sview", "sh5util"}
FRAMES = 16_000  # one periodic evaluation (every 10k at smoke scale)
RUN = "runs/atari_table/Pong/a3c/w1/default/s{seed}"


def tiny_config(tmp_path: Path) -> Path:
    """The smoke scale with a 2-run atari_table: Pong, A3C FF, 1 worker (2 CPUs a job), seeds 0 and 1."""
    config = yaml.safe_load((ROOT / "workflows/config/default.yaml").read_text())
    config["scales"]["smoke"]["atari_table"] = {"games": ["Pong"], "algos": ["a3c"], "workers": 1,
                                                "seeds": [0, 1], "frames": FRAMES}
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def path_without_slurm(tmp_path: Path) -> str:
    """A PATH with every program of this machine but SLURM's (as on a machine without SLURM)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for d in os.environ.get("PATH", "").split(os.pathsep) + ["/usr/bin", "/bin"]:
        if not os.path.isdir(d) or Path(d).resolve() == (ROOT / ".venv/bin").resolve():
            continue
        for f in os.listdir(d):
            link = bin_dir / f
            if f not in SLURM_BINARIES and not link.exists():
                link.symlink_to(Path(d) / f)
    return f"{Path(sys.executable).parent}{os.pathsep}{bin_dir}"


def hide_the_plugin(tmp_path: Path) -> str:
    """A PYTHONPATH entry whose sitecustomize makes snakemake-executor-plugin-slurm look uninstalled
    to Snakemake's plugin registry (which lists packages by name) and to imports."""
    d = tmp_path / "hide_plugin"
    d.mkdir(exist_ok=True)
    (d / "sitecustomize.py").write_text(
        "import pkgutil, sys\n"
        "_iter = pkgutil.iter_modules\n"
        "pkgutil.iter_modules = lambda *a, **k: (m for m in _iter(*a, **k)\n"
        "                                        if not m.name.startswith('snakemake_executor_plugin_slurm'))\n"
        "sys.modules['snakemake_executor_plugin_slurm'] = None\n")
    return str(d)


def slurm_launch(tmp_path: Path, *extra: str, env: dict | None = None) -> subprocess.CompletedProcess:
    cmd = SNAKEMAKE + ["--profile", "workflows/profiles/slurm", "atari_table",
                       "--configfile", str(tiny_config(tmp_path)), "--config", f"results_dir={tmp_path / 'results'}",
                       *extra]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300, env=env)


# ----- bad cluster input: one clear message, nothing submitted -----

def test_the_profiles_placeholders_are_refused_before_anything_is_submitted(tmp_path):
    env = dict(os.environ, PATH=path_without_slurm(tmp_path))  # nothing could be submitted anyway
    result = slurm_launch(tmp_path, env=env)
    out = result.stdout + result.stderr
    assert result.returncode != 0
    assert "SLURM launch refused, nothing was submitted" in out
    assert "slurm_account='your_account'" in out and "slurm_partition='your_partition'" in out
    assert "--default-resources slurm_account=<account> slurm_partition=<partition>" in out
    assert not (tmp_path / "results").exists()


def test_no_slurm_commands_on_path_is_refused_with_a_clear_message(tmp_path):
    env = dict(os.environ, PATH=path_without_slurm(tmp_path))
    result = slurm_launch(tmp_path, "--default-resources", "slurm_account=acct", "slurm_partition=part", env=env)
    out = result.stdout + result.stderr
    assert result.returncode != 0
    assert "no SLURM commands on PATH (missing: sbatch, squeue, scancel, sinfo)" in out
    assert "placeholder" not in out  # the account and partition given are fine
    assert not (tmp_path / "results").exists()


def launcher(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(LAUNCH), *args, "atari_table", "-n", "--configfile", str(tiny_config(tmp_path)),
                           "--config", f"results_dir={tmp_path / 'results'}"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300, env=dict(os.environ, **env))


def test_the_launcher_names_a_missing_executor_plugin(tmp_path):
    result = launcher(tmp_path, "--account", "acct", "--partition", "part", PYTHONPATH=hide_the_plugin(tmp_path))
    assert result.returncode == 2
    assert "the SLURM executor plugin is not installed" in result.stderr
    assert "pip install snakemake-executor-plugin-slurm==2.8.0" in result.stderr
    # Plain Snakemake only says that 'slurm' is not a valid executor, after its whole usage text.
    plain = slurm_launch(tmp_path, env=dict(os.environ, PYTHONPATH=hide_the_plugin(tmp_path)))
    assert plain.returncode != 0 and "invalid choice: 'slurm'" in plain.stderr


def test_the_launcher_refuses_missing_slurm_commands_and_placeholders(tmp_path):
    result = launcher(tmp_path, "--account", "acct", "--partition", "part", PATH=path_without_slurm(tmp_path))
    assert result.returncode == 2
    assert "no SLURM commands on PATH (missing: sbatch squeue scancel sinfo)" in result.stderr
    fake_bin = tmp_path / "fake_slurm"  # SLURM "present", so the account checks are reached
    fake_bin.mkdir()
    for name in ("sbatch", "squeue", "scancel", "sinfo"):
        (fake_bin / name).write_text("#!/bin/sh\nexit 1\n")
        (fake_bin / name).chmod(0o755)
    path = f"{fake_bin}{os.pathsep}{path_without_slurm(tmp_path)}"
    for args, message in ((["--partition", "part"], "no SLURM account: add --account ACCOUNT"),
                          (["--account", "acct"], "no SLURM partition: add --partition PARTITION"),
                          (["--account", "your_account", "--partition", "part"], "placeholder 'your_account'"),
                          (["--account", "acct", "--partition", "your_partition"], "placeholder 'your_partition'")):
        result = launcher(tmp_path, *args, PATH=path, A3C_SLURM_ACCOUNT="", A3C_SLURM_PARTITION="")
        assert result.returncode == 2 and message in result.stderr, (args, result.stderr)
    assert not (tmp_path / "results").exists()


def test_the_profile_asks_for_what_slurm_understands():
    profile = yaml.safe_load((ROOT / "workflows/profiles/slurm/config.yaml").read_text())
    assert profile["executor"] == "slurm"
    assert profile["default-resources"] == {"slurm_account": "your_account", "slurm_partition": "your_partition"}
    assert profile["retries"] >= 1  # a cancelled or timed-out job is resubmitted and resumes
    assert profile["slurm-keep-successful-logs"] is True  # one SLURM log per job, kept


# ----- a real single-node SLURM -----

@pytest.fixture(scope="module")
def local_slurm():
    for step in ("install", "start"):
        done = subprocess.run(["bash", str(START), step], capture_output=True, text=True, timeout=900)
        if done.returncode == 3:
            pytest.skip(f"no SLURM for this test: {done.stderr.strip()}")
        assert done.returncode == 0, f"start_local_slurm.sh {step} failed:\n{done.stdout}\n{done.stderr}"
    yield
    subprocess.run(["bash", str(START), "stop"], capture_output=True, text=True, timeout=120)


def squeue(*args: str) -> list[list[str]]:
    out = subprocess.run(["squeue", "-h", *args], capture_output=True, text=True, check=True).stdout
    return [line.split("|") for line in out.splitlines() if line.strip()]


def cancel_a_training_job_under_way(results: Path, slurm: subprocess.Popen, deadline: float) -> tuple[str, Path]:
    """scancel the first running training job whose run has logged an episode and is not past half
    its frames (so that the cancel lands in training, not in the final evaluation)."""
    while time.monotonic() < deadline and slurm.poll() is None:
        for jobid, comment in squeue("-t", "RUNNING", "-o", "%i|%k"):
            if not comment.startswith("rule_train_wildcards_"):
                continue
            run = results / RUN.format(seed=comment.rsplit("_", 1)[1])
            rows = (run / "train_log.csv").read_text().splitlines()[1:] if (run / "train_log.csv").exists() else []
            if rows and int(rows[-1].split(",")[0]) <= FRAMES // 2:
                subprocess.run(["scancel", jobid], check=True)
                return jobid, run
        time.sleep(0.25)
    pytest.fail("no training job was seen running with an episode logged and half its frames to go")


def assert_same_outputs(local: Path, slurm: Path) -> list[str]:
    """Same run directories with the same files and configs, same tables (columns and rows; the
    numbers differ between any two runs: asynchrony), both complete."""
    notes = []
    runs = sorted(p.parent.relative_to(local) for p in (local / "runs").rglob("final.json"))
    assert runs == sorted(p.parent.relative_to(slurm) for p in (slurm / "runs").rglob("final.json"))
    assert [str(r) for r in runs] == [RUN.format(seed=s) for s in (0, 1)]
    for run in runs:
        a, b = local / run, slurm / run
        assert sorted(p.name for p in a.iterdir()) == sorted(p.name for p in b.iterdir()), run
        ca, cb = (json.loads((d / "config.json").read_text()) for d in (a, b))
        assert ca.pop("out") == str(a) and cb.pop("out") == str(b)
        ca.pop("git_commit"), cb.pop("git_commit")  # a commit landing between the two runs is no difference
        assert ca == cb, run
        for d in (a, b):
            final = json.loads((d / "final.json").read_text())
            assert final["completed"] and final["frames"] >= FRAMES
        for csv in sorted(a.glob("*.csv")):
            assert csv.read_text().splitlines()[0] == (b / csv.name).read_text().splitlines()[0], csv.name
        notes.append(f"{run}: same files {sorted(p.name for p in a.iterdir())}, same config.json")
    ta, tb = local / "analysis/atari_table", slurm / "analysis/atari_table"
    files = sorted(p.name for p in ta.iterdir())
    assert files == sorted(p.name for p in tb.iterdir())
    for name in files:
        if name.endswith(".csv"):
            x, y = pd.read_csv(ta / name), pd.read_csv(tb / name)
            assert list(x.columns) == list(y.columns), name
            assert list(x.iloc[:, 0]) == list(y.iloc[:, 0]), name  # the same rows (methods, games)
    sa, sb = (json.loads((t / "summary.json").read_text()) for t in (ta, tb))
    assert sa["complete_runs"] == sb["complete_runs"] == 2 and sa["partial_runs"] == sb["partial_runs"] == 0
    assert sorted(sa["files"]) == sorted(sb["files"])
    notes.append(f"analysis/atari_table: same {len(files)} files; every table has the same columns and rows")
    return notes


@pytest.mark.slow
def test_a_tiny_grid_on_a_real_slurm_equals_a_local_run_and_a_cancelled_job_resumes(local_slurm, tmp_path):
    start = time.monotonic()
    config = tiny_config(tmp_path)
    local_results, slurm_results = tmp_path / "local", tmp_path / "slurm"
    slurm_cmd = SNAKEMAKE + [
        "--profile", "workflows/profiles/slurm", "atari_table", "--configfile", str(config),
        "--config", f"results_dir={slurm_results}",
        "--default-resources", f"slurm_account={ACCOUNT}", f"slurm_partition={PARTITION}",
        # The test cluster has no slurmdbd: jobs are tracked with squeue (MinJobAge = 600 s there).
        "--slurm-status-command", "squeue", "--slurm-init-seconds-before-status-checks", "5",
        "--slurm-logdir", str(tmp_path / "slurm_logs")]
    local_cmd = SNAKEMAKE + ["--cores", "2", "atari_table", "--configfile", str(config),
                             "--config", f"results_dir={local_results}"]
    slurm_out, local_out = tmp_path / "slurm.out", tmp_path / "local.out"
    with open(slurm_out, "w") as so, open(local_out, "w") as lo:
        slurm = subprocess.Popen(slurm_cmd, cwd=ROOT, stdout=so, stderr=subprocess.STDOUT, text=True)
        local = subprocess.Popen(local_cmd, cwd=ROOT, stdout=lo, stderr=subprocess.STDOUT, text=True)
        try:
            jobid, cancelled = cancel_a_training_job_under_way(slurm_results, slurm, time.monotonic() + 600)
            slurm_rc, local_rc = slurm.wait(timeout=900), local.wait(timeout=900)
        finally:
            for proc in (slurm, local):
                if proc.poll() is None:
                    proc.kill()
    log = slurm_out.read_text()
    assert local_rc == 0, local_out.read_text()[-4000:]
    assert slurm_rc == 0, log[-6000:]
    jobs = squeue("-t", "all", "-o", "%i|%T|%k|%C|%m|%l")

    # Submitted (2 training runs, the retry, the analysis), tracked to the end, one cancelled.
    submitted = re.findall(r"has been submitted with SLURM jobid (\d+)", log)
    assert len(submitted) == 4, log[-6000:]
    assert f"SLURM-job '{jobid}' failed, SLURM status is: 'CANCELLED'" in log
    assert "Trying to restart job" in log
    assert "4 of 4 steps (100%) done" in log
    states = {j[0]: j[1] for j in jobs}
    assert states[jobid] == "CANCELLED"
    assert [states[j] for j in submitted if j != jobid] == ["COMPLETED"] * 3, jobs
    # Asked for what the rule says: 2 CPUs (1 worker + the evaluator), its memory and time limit.
    train_jobs = [j for j in jobs if j[2].startswith("rule_train_")]
    assert {j[3] for j in train_jobs} == {"2"} and len(train_jobs) == 3

    # The cancelled run checkpointed on SIGTERM and the retry resumed it.
    run_log = (cancelled / "run.log").read_text()
    assert "stopped by SIGTERM" in run_log or "checkpoint at frame" in run_log
    resumed = re.search(r"resumed from checkpoint at frame ([\d,]+)", run_log)
    assert resumed, run_log
    assert 0 < int(resumed.group(1).replace(",", "")) < FRAMES

    notes = assert_same_outputs(local_results, slurm_results)
    events = r"submitted with SLURM|failed, SLURM status|Trying to restart|steps \(100%\) done|Finished jobid"
    segments = r"training |checkpoint|SIGTERM|resumed|final score"
    lines = [f"SLURM test, {time.monotonic() - start:.0f} s: {' '.join(slurm_cmd[1:])}", "",
             "JOBID|STATE|COMMENT|CPUS|MEMORY|TIME LIMIT", *("|".join(j) for j in jobs), "",
             *[ln for ln in log.splitlines() if re.search(events, ln)], "",
             f"cancelled job {jobid} ({cancelled.relative_to(slurm_results)}); its run.log:",
             *[f"  {ln}" for ln in run_log.splitlines() if re.search(segments, ln)],
             "", "compared with a local run (--cores 2) of the same grid:", *[f"  {n}" for n in notes]]
    print("\n".join(lines))
