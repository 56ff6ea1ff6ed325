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


# ---- figures a reviewer can read -----------------------------------------------------------------

import pytest  # noqa: E402

from analysis import figures  # noqa: E402
from analysis.__main__ import main  # noqa: E402
from analysis.reference import noop_baselines  # noqa: E402


@pytest.fixture(name="saved")
def saved_figures(monkeypatch):
    """Every figure the analysis saves, with its layout problems checked after the save's own layout."""
    out = {}
    real_save = figures.save

    def spy(fig, path, *args, **kwargs):
        name = real_save(fig, path, *args, **kwargs)
        out[name] = fig
        return name

    monkeypatch.setattr(figures, "save", spy)
    return out


def texts(fig) -> str:
    """Every text on the figure's panels and legends, line breaks as spaces."""
    found = [t.get_text() for ax in fig.axes for t in ax.texts + [ax.title]]
    found += [t.get_text() for leg in fig.legends for t in leg.get_texts()]
    return " | ".join(found).replace("\n", " ")


def test_57_games_are_readable_pages_whose_title_overlaps_nothing():
    games = list(noop_baselines().index)
    curves = pd.DataFrame([{"game": g, "algo": "a3c", "run": g, "completed": True, "frames": f, "wall_time": f / 10,
                            "mean_return": float(f)} for g in games for f in (500, 1000)])
    pages = figures.curve_pages(curves, "algo", "Atari learning curves (eval score, no-op starts) with reference "
                                "scores", {}, ("frames",), "")
    assert len(pages) == 3  # 20 games to a page
    for fig in pages:
        width, height = fig.get_size_inches() * figures.DPI
        assert height <= 1200 and width <= 1700, (width, height)
    assert "page 1 of 3: Alien to Enduro" in pages[0]._suptitle.get_text()
    assert figures.layout_problems(pages[0]) == []  # drawing one page is enough: all are laid out alike


def test_pages_are_written_as_name_pN(tmp_path, monkeypatch):
    monkeypatch.setattr(figures, "GAMES_PER_PAGE", 1)
    curves = pd.DataFrame([{"game": g, "algo": "a3c", "run": g, "frames": f, "wall_time": f, "mean_return": 1.0}
                           for g in ("Pong", "Breakout") for f in (1, 2)])
    names = figures.learning_curves(curves, "algo", tmp_path / "curves.png", "t")
    assert names == ["curves.png", "curves_p2.png"] and (tmp_path / "curves_p2.png").exists()


def test_curves_show_reference_levels_and_mark_runs_in_progress(tmp_path, make_run, saved):
    runs = tmp_path / "runs"
    # Pong near its references (no-op A3C 7.0, paper FF 1 day 11.4): drawn as lines
    make_run(runs, "Pong", curve=[(500, 10.0, -5.0), (1000, 20.0, 9.0)], final=9.0)
    make_run(runs, "Pong", seed=1, final=None, curve=[(500, 12.0, -6.0), (1000, 22.0, 8.0)])  # in progress
    # Breakout far below its references (496.0 and 551.6): written as off-scale text
    make_run(runs, "Breakout", curve=[(500, 10.0, 1.0), (1000, 20.0, 2.0)], final=2.0)
    assert main(["atari_table", "--runs", str(runs), "--out", str(tmp_path / "out")]) == 0
    fig = saved["atari_curves.png"]
    breakout, pong = fig.axes
    levels = {round(float(line.get_ydata()[0]), 1) for line in pong.get_lines() if len(set(line.get_ydata())) == 1}
    assert {7.0, 11.4} <= levels
    assert "no-op ref.: 496.0" in texts(fig) and "paper A3C FF, 1 day: 551.6" in texts(fig)
    assert pong.get_title() == "Pong: 2 runs, 1 in progress"
    assert any(line.get_linestyle() == "--" and line.get_color() == "C0" for line in pong.get_lines())
    assert "a run in progress (no final.json)" in texts(fig)
    assert figures.layout_problems(fig) == []


def test_scalability_figure_has_integer_worker_ticks_and_says_why_ours_are_missing(tmp_path, make_run, saved):
    runs = tmp_path / "runs"
    for workers in (1, 2, 4):  # no learning: every eval at -21
        make_run(runs, "Pong", workers=workers, curve=[(500, 10.0, -21.0), (1000, 20.0, -21.0)], final=-21.0)
    assert main(["scalability", "--runs", str(runs), "--out", str(tmp_path / "out")]) == 0
    fig = saved["scalability.png"]
    ax = fig.axes[0]
    assert list(ax.get_xticks()) == [1, 2, 4]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "2", "4"]
    assert "no run learned beyond its first evaluation" in texts(fig)
    assert figures.layout_problems(fig) == []


def test_lr_robustness_title_fits_and_ticks_do_not_collide(tmp_path, make_run, saved):
    runs = tmp_path / "runs"
    for i, lr in enumerate((1.2e-4, 3e-4, 9e-4, 2.7e-3, 8e-3)):
        make_run(runs, "Breakout", lr=lr, seed=i, final=float(i), curve=[(500, 10.0, 0.0)])
    assert main(["lr_robustness", "--runs", str(runs), "--out", str(tmp_path / "out")]) == 0
    fig = saved["lr_robustness.png"]
    assert figures.layout_problems(fig) == []
    assert [round(float(np.log10(t))) for t in fig.axes[0].get_xticks()
            if fig.axes[0].get_xlim()[0] <= t <= fig.axes[0].get_xlim()[1]] == [-4, -3, -2]


def test_a_figure_without_data_says_why(tmp_path, make_run, saved):
    runs = tmp_path / "runs"
    make_run(runs, "Breakout", final=None)  # started, nothing evaluated yet
    assert main(["lr_robustness", "--runs", str(runs), "--out", str(tmp_path / "out")]) == 0
    assert "no complete runs yet: 1 run(s) found, 0 complete" in texts(saved["lr_robustness.png"])
