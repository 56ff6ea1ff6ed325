"""Learning curves over several runs: averaged on a common grid, not by exact frame counts."""
import numpy as np
import pandas as pd

from analysis.figures import mean_over_runs


def run(name: str, frames: list[float], slope: float) -> pd.DataFrame:
    return pd.DataFrame({"run": name, "frames": frames, "mean_return": [slope * f for f in frames]})


def test_runs_evaluated_at_different_frames_are_averaged_on_a_common_grid():
    part = pd.concat([run("s0", [0, 100, 200, 300], 1.0), run("s1", [10, 110, 210, 290], 3.0)])
    x, mean, low, high, runs = mean_over_runs(part, "frames", points=5)
    assert runs == 2
    assert x[0] == 10 and x[-1] == 290  # the range both runs cover
    np.testing.assert_allclose(mean, 2.0 * x)  # the mean of y = x and y = 3x at every grid point
    np.testing.assert_allclose(low, x)
    np.testing.assert_allclose(high, 3.0 * x)


def test_one_run_is_returned_as_it_is():
    x, mean, _, _, runs = mean_over_runs(run("s0", [5, 50], 2.0), "frames")
    assert runs == 1 and list(x) == [5, 50] and list(mean) == [10, 100]
