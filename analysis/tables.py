"""Table writers: Markdown, CSV and LaTeX, each written atomically."""
from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd

MISSING = "—"
COUNT_WORDS = {"games", "runs", "n_runs", "workers"}


def atomic_write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def _fmt(value) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return MISSING
    if isinstance(value, float):
        return f"{value:,.1f}"
    return str(value)


Formats = dict[str, Callable[[float], str]]  # column -> how the Markdown and LaTeX tables print it


def _cell(row: pd.Series, col: str, formats: Formats | None) -> str:
    value = row[col]
    if formats and col in formats and _fmt(value) != MISSING:
        return formats[col](value)
    return _fmt(value)


def to_markdown(table: pd.DataFrame, caption: str = "", formats: Formats | None = None) -> str:
    cols = list(table.columns)
    lines = [f"*{caption}*", ""] if caption else []
    lines.append("| " + " | ".join(str(c) for c in cols) + " |")
    lines.append("|" + "---|" * len(cols))
    for _, row in table.iterrows():
        lines.append("| " + " | ".join(_cell(row, c, formats) for c in cols) + " |")
    return "\n".join(lines) + "\n"


def to_latex(table: pd.DataFrame, caption: str = "", formats: Formats | None = None) -> str:
    def esc(text: str) -> str:
        return str(text).replace("&", r"\&").replace("%", r"\%").replace("_", r"\_").replace("#", r"\#")

    cols = list(table.columns)
    lines = [r"\begin{table}[t]", r"\centering", r"\begin{tabular}{" + "l" + "r" * (len(cols) - 1) + "}",
             r"\hline", " & ".join(esc(c) for c in cols) + r" \\", r"\hline"]
    for _, row in table.iterrows():
        lines.append(" & ".join(esc(_cell(row, c, formats)).replace(MISSING, "--") for c in cols) + r" \\")
    lines += [r"\hline", r"\end{tabular}"]
    if caption:
        lines.append(r"\caption{" + esc(caption) + "}")
    lines.append(r"\end{table}")
    return "\n".join(lines) + "\n"


def write_table(table: pd.DataFrame, out_dir: Path, name: str, caption: str = "",
                formats: Formats | None = None) -> list[str]:
    """Write <name>.md, .csv and .tex; missing values stay empty in CSV, never zero. Numbers print
    with one decimal in Markdown and LaTeX unless `formats` names a column's own (CSV keeps them all)."""
    out_dir = Path(out_dir)
    table = table.copy()
    for col in table.columns:  # counts print as integers, missing counts stay missing
        if str(col).split()[0] in COUNT_WORDS and pd.api.types.is_numeric_dtype(table[col]):
            table[col] = table[col].round().astype("Int64")
    atomic_write_text(out_dir / f"{name}.md", to_markdown(table, caption, formats))
    atomic_write_text(out_dir / f"{name}.csv", table.to_csv(index=False))
    atomic_write_text(out_dir / f"{name}.tex", to_latex(table, caption, formats))
    return [f"{name}.md", f"{name}.csv", f"{name}.tex"]
