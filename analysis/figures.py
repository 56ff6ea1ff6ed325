"""Figures (matplotlib, Agg): learning curves, scalability, sweeps, learning-rate scatter.

Every figure is readable whatever the number of games: games are small multiples of a fixed
panel size, at most GAMES_PER_PAGE to a PNG (further pages are <name>_p2.png, ...). Titles and
legends sit above the panels (constrained layout); layout_problems() checks that nothing
overlaps or is clipped. A figure without data says why on the figure.
"""
from __future__ import annotations

import os
import tempfile
import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import EngFormatter, LogLocator, MaxNLocator  # noqa: E402

PANEL = (2.35, 1.55)  # inches of one small multiple's axes, whatever the number of games
GAP = (0.7, 0.8)  # inches between panels: room for tick labels, axis labels and the next title
MARGIN = {"left": 0.75, "right": 0.3, "bottom": 0.55}  # inches
MAX_COLUMNS = 5
GAMES_PER_PAGE = 20
DPI = 100
# reference levels, in order (dashed lines are kept for runs in progress)
LEVEL_STYLES = [("0.35", "-."), ("black", ":"), ("tab:brown", (0, (5, 1, 1, 1, 1, 1)))]
GOING = {"linestyle": "--", "linewidth": 1.0}  # a run in progress: its own thin dashed line, o at its end
POINT_MARKERS = ["s", "^", "D", "v", "P", "X"]  # reference points (other implementations' curves), by label
Points = dict[str, list[tuple[str, float, float]]]  # game -> [(label, frames, score)]
MIN_SHARE = 0.2  # a level that would squeeze the data below this share of the y axis is written, not drawn


def save(fig: Figure, path: Path, tight: bool = True) -> str:
    """Write fig as PNG atomically (a PNG is whole or absent); returns the file name.

    tight: apply tight_layout first (figures laid out by grid_figure have their own layout)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".png")
    os.close(fd)
    if tight and fig.get_layout_engine() is None:
        fig.tight_layout()
    fig.savefig(tmp, dpi=DPI)
    plt.close(fig)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)
    return path.name


def empty_note(ax: Axes, text: str = "no complete runs yet") -> None:
    ax.text(0.5, 0.5, textwrap.fill(text, 30), ha="center", va="center", transform=ax.transAxes, fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])


def grid_figure(panels: int, title: str, labels: list[str], columns: int = MAX_COLUMNS,
                panel: tuple[float, float] = PANEL) -> tuple[Figure, list[Axes]]:
    """A figure of `panels` axes of a fixed size in inches, `columns` to a row, with a header
    that holds the wrapped title and a legend of `labels` (sized for them: nothing overlaps)."""
    columns = max(1, min(columns, panels))
    rows = -(-panels // columns)
    natural = MARGIN["left"] + columns * panel[0] + (columns - 1) * GAP[0] + MARGIN["right"]
    width = max(natural, 6.5)
    left = MARGIN["left"] + (width - natural) / 2  # a narrow grid is centred
    title_lines = textwrap.wrap(title, int(width * 8.5)) or [""]
    legend_cols = legend_columns(labels, width)
    header = 0.15 + 0.25 * len(title_lines) + 0.2 * -(-len(labels) // legend_cols) + 0.35
    height = header + rows * panel[1] + (rows - 1) * GAP[1] + MARGIN["bottom"]
    fig = plt.figure(figsize=(width, height))
    grid = fig.add_gridspec(rows, columns, left=left / width,
                            right=(left + columns * panel[0] + (columns - 1) * GAP[0]) / width,
                            bottom=MARGIN["bottom"] / height, top=1 - header / height,
                            wspace=GAP[0] / panel[0], hspace=GAP[1] / panel[1])
    axes = [fig.add_subplot(grid[i // columns, i % columns]) for i in range(panels)]
    fig.suptitle("\n".join(title_lines), y=1 - 0.1 / height, va="top", fontsize=12)
    fig.header_bottom = 1 - (0.15 + 0.25 * len(title_lines)) / height  # where the legend starts
    fig.legend_columns = legend_cols
    return fig, axes


def legend_columns(labels: list[str], width: float) -> int:
    if not labels:
        return 1
    column = 0.6 + 0.062 * max(len(label) for label in labels)  # inches per legend column at fontsize 8
    return max(1, min(len(labels), int((width - 0.4) / column)))


def figure_legend(fig: Figure, handles: list) -> None:
    """The legend under the title, in the header grid_figure sized for it."""
    if handles:
        fig.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, fig.header_bottom),
                   ncols=fig.legend_columns, fontsize=8, frameon=False)


def layout_problems(fig: Figure) -> list[str]:
    """What a reader would see as broken: the title or legend over a panel, panels over each
    other, anything outside the figure, colliding tick labels. Empty when the layout is clean."""
    if not hasattr(fig.canvas, "get_renderer"):  # a figure closed after saving
        FigureCanvasAgg(fig)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [("title", fig._suptitle.get_window_extent(renderer))] if fig._suptitle else []
    boxes += [("legend", leg.get_window_extent(renderer)) for leg in fig.legends]
    boxes += [(f"panel {ax.get_title() or i}", ax.get_tightbbox(renderer)) for i, ax in enumerate(fig.axes)]
    problems = [f"{name} outside the figure" for name, box in boxes
                if box.x0 < -1 or box.y0 < -1 or box.x1 > fig.bbox.width + 1 or box.y1 > fig.bbox.height + 1]
    problems += [f"{a} overlaps {b}" for i, (a, box_a) in enumerate(boxes) for b, box_b in boxes[i + 1:]
                 if overlap(box_a, box_b)]
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            labels = [t.get_window_extent(renderer) for t in axis.get_ticklabels() if t.get_visible() and t.get_text()]
            problems += [f"tick labels collide in panel {ax.get_title()}" for a, b in zip(labels, labels[1:])
                         if overlap(a, b)]
    return problems


def overlap(a, b, margin: float = 0.5) -> bool:
    return a.x0 + margin < b.x1 and b.x0 + margin < a.x1 and a.y0 + margin < b.y1 and b.y0 + margin < a.y1


# ---- learning curves ---------------------------------------------------------------------------

def learning_curves(curves: pd.DataFrame, group: str, path: Path, title: str,
                    levels: dict[str, dict[str, float]] | None = None,
                    x_columns: tuple[str, ...] = ("frames",), empty_reason: str = "no evaluations logged yet",
                    points: Points | None = None) -> list[str]:
    """Mean eval score per game, a line per value of `group`, one panel per game and x column;
    reference levels (levels[game] = {label: score}) drawn on each game's panel, and reference
    points (points[game] = [(label, frames, score)], markers on the frames panel, those within
    the runs' frames); runs without final.json (in progress) dashed. Returns the PNG names
    written (one per page of games)."""
    figures = curve_pages(curves, group, title, levels or {}, x_columns, empty_reason, points or {})
    names = []
    for page, fig in enumerate(figures, start=1):
        target = path if page == 1 else path.with_name(f"{path.stem}_p{page}{path.suffix}")
        names.append(save(fig, target, tight=False))
    return names


def curve_pages(curves: pd.DataFrame, group: str, title: str, levels: dict[str, dict[str, float]],
                x_columns: tuple[str, ...], empty_reason: str, points: Points | None = None) -> list[Figure]:
    """The figures of learning_curves, unsaved (for layout checks)."""
    games = sorted(curves["game"].unique()) if len(curves) else []
    if "completed" not in curves:
        curves = curves.assign(completed=True)
    if not games:
        fig, axes = grid_figure(1, title, [])
        empty_note(axes[0], empty_reason)
        return [fig]
    per_page = max(1, GAMES_PER_PAGE // len(x_columns))
    pages = [games[i:i + per_page] for i in range(0, len(games), per_page)]
    colours = {key: f"C{i % 10}" for i, key in enumerate(sorted(curves[group].dropna().unique()))}
    figures = []
    for number, page in enumerate(pages, start=1):
        sub = curves[curves["game"].isin(page)]
        styles = level_styles([levels.get(game, {}) for game in page])
        shown = {game: points_in_range((points or {}).get(game, []), sub[sub["game"] == game]) for game in page}
        markers = {label: POINT_MARKERS[i % len(POINT_MARKERS)] for i, label in
                   enumerate(dict.fromkeys(label for game in page for label, _, _ in shown[game]))}
        handles = curve_handles(sub, group, colours, styles)
        handles += [Line2D([], [], color="0.2", marker=m, linestyle="none", markerfacecolor="none",
                           label=f"{label} (published curve)") for label, m in markers.items()]
        suffix = f" (page {number} of {len(pages)}: {page[0]} to {page[-1]})" if len(pages) > 1 else ""
        columns = MAX_COLUMNS - MAX_COLUMNS % len(x_columns)
        fig, axes = grid_figure(len(page) * len(x_columns), title + suffix, [h.get_label() for h in handles],
                                columns)
        for i, game in enumerate(page):
            draw_game(axes[i * len(x_columns):(i + 1) * len(x_columns)], sub[sub["game"] == game], group,
                      colours, {label: (value, styles[label]) for label, value in levels.get(game, {}).items()},
                      x_columns)
            draw_points(axes[i * len(x_columns)], shown[game], markers, x_columns[0])
        figure_legend(fig, handles)
        figures.append(fig)
    return figures


def points_in_range(points: list[tuple[str, float, float]], sub: pd.DataFrame) -> list[tuple[str, float, float]]:
    """The reference points at frame counts our runs reached (with 5% to spare): later ones would
    stretch the axis past our curves."""
    reached = float(sub["frames"].max()) if len(sub) else 0.0
    return [p for p in points if p[1] <= 1.05 * reached]


def draw_points(ax: Axes, points: list[tuple[str, float, float]], markers: dict[str, str], column: str) -> None:
    """Reference points as hollow markers on a frames panel."""
    if column != "frames":
        return
    for label, frames, score in points:
        ax.plot([frames], [score], marker=markers[label], color="0.2", markerfacecolor="none", linestyle="none")


def level_styles(levels: list[dict[str, float]]) -> dict[str, tuple[str, str]]:
    """(colour, line style) per reference label, in order of first appearance."""
    labels = list(dict.fromkeys(label for game_levels in levels for label in game_levels))
    return {label: LEVEL_STYLES[i % len(LEVEL_STYLES)] for i, label in enumerate(labels)}


def curve_handles(sub: pd.DataFrame, group: str, colours: dict, styles: dict[str, tuple[str, str]]) -> list:
    """Legend entries of one page: a line per group, the band, runs in progress, reference levels."""
    handles = [Line2D([], [], color=colours[key], label=f"{group} = {key}") for key in sorted(sub[group].unique())]
    if (sub.groupby(["game", group])["run"].nunique() > 1).any():
        handles.append(Patch(color="0.6", alpha=0.4, label="band: min-max over runs"))
    if not sub["completed"].astype(bool).all():
        handles.append(Line2D([], [], color="0.3", marker="o", markerfacecolor="none", **GOING,
                              label="dashed, o at its last eval: a run in progress (no final.json)"))
    handles += [Line2D([], [], color=c, linestyle=ls, label=label) for label, (c, ls) in styles.items()]
    return handles


def draw_game(axes: list[Axes], sub: pd.DataFrame, group: str, colours: dict,
              levels: dict[str, tuple[float, tuple[str, str]]], x_columns: tuple[str, ...]) -> None:
    """One game's panels: per group the mean over complete runs (band: min-max) and each run in
    progress on its own (dashed, o at its last eval); reference levels."""
    runs = sub.groupby("run")["completed"].first()
    going = int((~runs.astype(bool)).sum())
    for ax, column in zip(axes, x_columns):
        scale, xlabel = x_scale(sub, column)
        for key, part in sub.groupby(group):
            done = part[part["completed"].astype(bool)]
            if len(done):
                x, mean, low, high, n = mean_over_runs(done, column)
                ax.plot(x / scale, mean, color=colours[key], marker="." if len(x) < 4 else None)
                if n > 1:
                    ax.fill_between(x / scale, low, high, color=colours[key], alpha=0.2)
            for _, run in part[~part["completed"].astype(bool)].groupby("run"):
                run = run.sort_values(column)
                ax.plot(run[column] / scale, run["mean_return"], color=colours[key], marker="o",
                        markerfacecolor="none", markevery=[len(run) - 1], **GOING)
        draw_levels(ax, levels, sub["mean_return"].to_numpy(float))
        ax.set_title(f"{sub['game'].iloc[0]}: {len(runs)} run{'s' if len(runs) != 1 else ''}"
                     + (f", {going} in progress" if going else ""), fontsize=9)
        ax.set_xlabel(xlabel, fontsize=8)
        ax.set_ylabel("mean eval score", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.xaxis.set_major_locator(MaxNLocator(4))
        ax.yaxis.set_major_locator(MaxNLocator(5))
        if column == "frames":
            ax.xaxis.set_major_formatter(EngFormatter(sep=""))
        ax.grid(alpha=0.3)


def x_scale(sub: pd.DataFrame, column: str) -> tuple[float, str]:
    if column == "frames":
        return 1.0, "frames"
    if column == "wall_time":
        hours = float(sub["wall_time"].max()) > 3 * 3600
        return (3600.0, "wall time (hours)") if hours else (60.0, "wall time (minutes)")
    return 1.0, column


def draw_levels(ax: Axes, levels: dict[str, tuple[float, tuple[str, str]]], data: np.ndarray) -> None:
    """Horizontal reference levels; one that would squeeze the data off the scale is written instead."""
    data = data[np.isfinite(data)]
    lo, hi = (float(data.min()), float(data.max())) if data.size else (0.0, 0.0)
    written = 0
    for label, (value, (colour, style)) in levels.items():
        if value is None or not np.isfinite(value):
            continue
        span = max(hi, value) - min(lo, value)
        if hi == lo or (hi - lo) >= MIN_SHARE * span:
            ax.axhline(value, color=colour, linestyle=style, linewidth=1.2)
            continue
        arrow = "↑" if value > hi else "↓"
        ax.text(0.02, 0.97 - 0.12 * written, f"{arrow} {short_label(label)}: {value:,.1f}", color=colour,
                transform=ax.transAxes, fontsize=6.5, va="top", ha="left",
                bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none", "pad": 0.5})
        written += 1


def short_label(label: str) -> str:
    """'paper Table S3: A3C FF, 1 day (human starts)' -> 'paper A3C FF, 1 day' (for small panels)."""
    return label.split(" (")[0].replace("paper Table S3: ", "paper ").replace("A3C no-op ref.", "no-op ref.")


def mean_over_runs(part: pd.DataFrame, x: str, points: int = 50
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    """(x, mean, min, max, runs) of the eval score against column x over the runs in `part`.

    Runs evaluate at different frames and times, so each run's curve is interpolated linearly
    onto a common grid over the x range all runs cover; one run is returned as it is."""
    runs = [r.sort_values(x) for _, r in part.groupby("run")] if "run" in part else [part.sort_values(x)]
    if len(runs) == 1:
        y = runs[0]["mean_return"].to_numpy(float)
        return runs[0][x].to_numpy(float), y, y, y, 1
    lo, hi = max(r[x].min() for r in runs), min(r[x].max() for r in runs)
    if lo >= hi:  # no common range (a run barely started): the whole range, each run where it has data
        lo, hi = min(r[x].min() for r in runs), max(r[x].max() for r in runs)
    grid = np.linspace(lo, hi, points)
    ys = np.array([np.interp(grid, r[x].to_numpy(float), r["mean_return"].to_numpy(float),
                             left=np.nan, right=np.nan) for r in runs])
    return grid, np.nanmean(ys, 0), np.nanmin(ys, 0), np.nanmax(ys, 0), len(runs)


# ---- one-panel line figures (scalability, sweeps) ----------------------------------------------

def bar_or_line(x, ys: dict[str, list[float]], path: Path, title: str, xlabel: str, ylabel: str,
                logx: bool = False, note: str = "") -> str:
    """Lines over x (ticks at exactly the x values); note: what is missing and why, on the figure."""
    return save(line_figure(x, ys, title, xlabel, ylabel, logx, note), path)


def line_figure(x, ys: dict[str, list[float]], title: str, xlabel: str, ylabel: str, logx: bool = False,
                note: str = "") -> Figure:
    fig = plt.figure(figsize=(7, 4.8), layout="constrained")
    ax = fig.subplots()
    for label, y in ys.items():
        style = "--" if label.startswith("paper") else ":" if label == "ideal" else "-"
        ax.plot(x, y, marker="o", linestyle=style, label=label)
    if not ys:
        empty_note(ax, note or "no data")
    elif note:
        ax.set_title(textwrap.fill(note, 80), fontsize=8, color="firebrick")
    if logx:
        ax.set_xscale("log")
    if len(x) and ys:
        ax.set_xticks(list(x), [f"{v:g}" for v in x])
        ax.minorticks_off()
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    fig.suptitle(textwrap.fill(title, 70), fontsize=12)
    ax.grid(alpha=0.3)
    if ys:
        ax.legend(fontsize=8)
    return fig


# ---- scatter per game (learning-rate robustness) -----------------------------------------------

def scatter(points: pd.DataFrame, x: str, y: str, group: str, path: Path, title: str,
            empty_reason: str = "no complete runs yet", xlim: tuple[float, float] | None = None) -> str:
    """Final score against a log-scaled x (the learning rate), a panel per game, a colour per group."""
    return save(scatter_figure(points, x, y, group, title, empty_reason, xlim), path, tight=False)


def scatter_figure(points: pd.DataFrame, x: str, y: str, group: str, title: str,
                   empty_reason: str = "no complete runs yet", xlim: tuple[float, float] | None = None) -> Figure:
    games = sorted(points["game"].unique()) if len(points) else []
    colours = {key: f"C{i % 10}" for i, key in enumerate(sorted(points[group].unique()))} if games else {}
    handles = [Line2D([], [], color=c, marker="o", linestyle="", label=f"{group} = {k}") for k, c in colours.items()]
    fig, axes = grid_figure(max(len(games), 1), title, [h.get_label() for h in handles], panel=(3.0, 2.2))
    for ax, game in zip(axes, games):
        sub = points[points["game"] == game]
        for key, part in sub.groupby(group):
            ax.scatter(part[x], part[y], s=18, color=colours[key])
        ax.set_xscale("log")
        if xlim:
            ax.set_xlim(min(xlim[0], sub[x].min()) / 1.3, max(xlim[1], sub[x].max()) * 1.3)
        ax.xaxis.set_major_locator(LogLocator(base=10, numticks=4))
        ax.minorticks_off()
        ax.set_title(f"{game}: {len(sub)} runs", fontsize=9)
        ax.set_xlabel(x.replace("lr", "learning rate"), fontsize=8)
        ax.set_ylabel(y.replace("final_mean", "final score"), fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
    if not games:
        empty_note(axes[0], empty_reason)
    figure_legend(fig, handles)
    return fig
