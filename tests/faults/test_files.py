"""Faults in the run directory's files: corrupt or missing config and checkpoint, a full disk.

Every case ends with a one-line error naming the file, a non-zero exit, and the directory as it
was (the previous checkpoint intact).
"""
import errno
import json
import shutil
import signal
import subprocess
from pathlib import Path

import pytest
import torch

from a3c import rundir
from a3c.cli import main
from tests.processes import FAST, cli, wait_for

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def partial_run(tmp_path_factory) -> Path:
    """A run stopped by SIGTERM after a checkpoint: resumable."""
    out = tmp_path_factory.mktemp("partial") / "run"
    proc = cli(*FAST, "--workers", "1", "--frames", "50M", "--checkpoint-every", "1", "--out", str(out))
    wait_for(out / "run.log", "checkpoint at frame", 120)
    proc.send_signal(signal.SIGTERM)
    text, _ = proc.communicate(timeout=60)
    assert proc.returncode == 1 and "stopped by SIGTERM" in text
    return out


@pytest.fixture
def run_copy(partial_run, tmp_path) -> Path:
    return Path(shutil.copytree(partial_run, tmp_path / "run"))


def resume(out: Path, *extra: str) -> subprocess.CompletedProcess:
    proc = cli(*FAST, "--workers", "1", "--frames", "30k", "--resume", *extra, "--out", str(out))
    text, _ = proc.communicate(timeout=240)
    return subprocess.CompletedProcess(proc.args, proc.returncode, text)


def error_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if " ERROR " in line]


@pytest.mark.parametrize("damage,message", [
    (lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]), "cannot be read"),
    (lambda p: p.write_bytes(b"\x00garbage" * 100), "cannot be read"),
    (lambda p: torch.save({"model": {}}, p), "is not a checkpoint of this trainer"),
])
def test_a_truncated_or_garbage_checkpoint_is_refused_naming_it(run_copy, damage, message):
    ckpt = run_copy / "checkpoint.pt"
    damage(ckpt)
    before = ckpt.read_bytes()
    result = resume(run_copy)
    assert result.returncode == 2, result.stdout
    [line] = error_lines(result.stdout)
    assert str(ckpt) in line and message in line and "--restart" in line
    assert "Traceback" not in result.stdout
    assert ckpt.read_bytes() == before  # nothing touched


def test_a_checkpoint_without_config_json_is_refused(run_copy):
    (run_copy / "config.json").unlink()
    result = resume(run_copy)
    assert result.returncode == 2
    [line] = error_lines(result.stdout)
    assert "has a checkpoint but no config.json" in line
    assert not (run_copy / "config.json").exists()  # not rewritten from the command line


@pytest.mark.parametrize("content", ["{not json", '["a list"]', '{"lr": "fast"}'])
def test_a_corrupt_config_json_is_refused_naming_it(run_copy, content):
    (run_copy / "config.json").write_text(content)
    result = resume(run_copy)
    assert result.returncode == 2, result.stdout
    [line] = error_lines(result.stdout)
    assert str(run_copy / "config.json") in line


def test_restart_discards_a_damaged_partial_run_and_trains_from_scratch(run_copy):
    (run_copy / "config.json").unlink()
    proc = cli(*FAST, "--workers", "1", "--frames", "10k", "--restart", "--out", str(run_copy))
    text, _ = proc.communicate(timeout=240)
    assert proc.returncode == 0, text
    assert json.loads((run_copy / "final.json").read_text())["frames"] >= 10_000
    first = (run_copy / "train_log.csv").read_text().splitlines()[1]
    assert int(first.split(",")[0]) < 1_000  # the old rows are gone


def test_a_failed_checkpoint_write_names_the_file_and_keeps_the_previous_one(run_copy, monkeypatch, caplog):
    """ENOSPC injected into the trainer's checkpoint write (in process: run.log gets the error)."""
    previous = (run_copy / "checkpoint.pt").read_bytes()
    calls = {"n": 0}
    real_save = torch.save

    def full_disk(obj, handle, *args, **kwargs):
        calls["n"] += 1
        handle.write(b"partial bytes")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(rundir.torch, "save", full_disk)
    code = main(["train", *FAST, "--workers", "1", "--frames", "50M", "--checkpoint-every", "1",
                 "--resume", "--out", str(run_copy)])
    monkeypatch.setattr(rundir.torch, "save", real_save)
    assert code == 1 and calls["n"] >= 1
    message = f"cannot write {run_copy / 'checkpoint.pt'}: No space left on device (ENOSPC)"
    assert message in caplog.text
    assert message in (run_copy / "run.log").read_text()
    assert (run_copy / "checkpoint.pt").read_bytes() == previous
    assert not list(run_copy.glob(".checkpoint.pt.*"))  # no temporary file left behind


def test_a_checkpoint_that_does_not_load_back_never_replaces_the_previous_one(tmp_path):
    path = tmp_path / "checkpoint.pt"
    rundir.atomic_torch_save(path, {"model": {}, "optimizer": {}, "frames": 1, "counters": {}})
    with pytest.raises(rundir.RunDirError, match="not a checkpoint of this trainer"):
        rundir.atomic_torch_save(path, {"model": {}})  # written whole, but not a checkpoint
    assert torch.load(path, weights_only=False)["frames"] == 1


@pytest.fixture
def tiny_disk(tmp_path):
    mount = tmp_path / "disk"
    mount.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=300k", "tmpfs", str(mount)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_ends_the_run_with_a_clear_error_and_a_valid_directory(tiny_disk):
    out = tiny_disk / "run"
    proc = cli(*FAST, "--workers", "1", "--frames", "50M", "--eval-every", "2k", "--checkpoint-every", "1",
               "--out", str(out))
    text, _ = proc.communicate(timeout=600)  # the disk fills up within a few thousand frames
    assert proc.returncode == 1, text[-3000:]
    assert "No space left on device (ENOSPC)" in text and f"cannot write {out}" in text
    assert "Traceback" not in text
    assert not (out / "final.json").exists()
    if (out / "checkpoint.pt").exists():  # the last complete checkpoint is whole
        assert rundir.read_checkpoint(out / "checkpoint.pt")["frames"] >= 0
