"""benchmarks/dead_units.py: a network whose last layer never fires is reported dead, a fresh one not."""
import json
import subprocess
import sys
from pathlib import Path

import torch

from a3c.models import build_model
from benchmarks.dead_units import dead_fractions

ROOT = Path(__file__).resolve().parents[2]


def test_a_network_whose_fc_never_fires_is_all_dead_and_outputs_constants():
    torch.manual_seed(0)
    model = build_model("a3c", (4, 84, 84), True, 6)
    frames = torch.randint(0, 256, (64, 4, 84, 84), dtype=torch.uint8)
    fresh = dead_fractions(model, frames)
    assert set(fresh) == {"dead_conv1", "dead_conv2", "dead_fc", "logits_std", "value_std"}
    assert fresh["dead_fc"] < 1.0 and fresh["logits_std"] > 0
    with torch.no_grad():
        model.torso.fc.bias.fill_(-1e3)
    dead = dead_fractions(model, frames)
    assert dead["dead_fc"] == 1.0 and dead["logits_std"] == 0.0 and dead["value_std"] == 0.0
    assert dead["dead_conv1"] == fresh["dead_conv1"]  # the layers below are unchanged
    with torch.no_grad():  # fc units that fire, but on constants: every conv1 channel off
        model.torso.fc.bias.fill_(1.0)
        model.torso.conv1.bias.fill_(-1e3)
    blind = dead_fractions(model, frames)
    assert blind["dead_conv1"] == blind["dead_conv2"] == blind["dead_fc"] == 1.0 and blind["logits_std"] == 0.0


def test_a_directory_without_a_checkpoint_is_refused_before_any_work(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"game": "CartPole-v1"}))
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "dead_units.py"), str(tmp_path)],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 2 and "checkpoint.pt" in result.stderr
