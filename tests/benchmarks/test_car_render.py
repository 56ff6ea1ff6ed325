"""benchmarks/car_render.py: both drawings measured in one run, printed with their ratio."""
import importlib.util
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

import car_render as bench  # noqa: E402

pytestmark = pytest.mark.skipif(importlib.util.find_spec("Box2D") is None, reason="CarRacing needs box2d")


def test_prints_both_drawings_and_their_ratio(capsys):
    assert bench.main(["--seconds", "0.3", "--rounds", "1"]) == 0
    out = capsys.readouterr().out
    rows = re.findall(r"^\| (StateDrawer|CarRacing's own)[^|]* \| ([\d,]+) \|", out, re.M)
    assert [name for name, _ in rows] == ["StateDrawer", "CarRacing's own"]
    assert all(int(fps.replace(",", "")) > 0 for _, fps in rows)
    assert re.search(r"^ratio: \d+\.\d\dx$", out, re.M)


def test_bad_arguments_stop_before_measuring():
    with pytest.raises(SystemExit):
        bench.main(["--rounds", "0"])
