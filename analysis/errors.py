"""The one error an analysis raises for bad inputs: its message names the file and the problem."""
from __future__ import annotations

from pathlib import Path


class AnalysisInputError(ValueError):
    """A run directory, a runs directory or a reference file the analysis cannot use.

    `python -m analysis` logs the message and exits non-zero without writing any output.
    """

    def __init__(self, path: Path | str, problem: str) -> None:
        self.path, self.problem = str(path), problem
        super().__init__(f"{path}: {problem}")
