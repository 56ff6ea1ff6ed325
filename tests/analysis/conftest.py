"""Hand-made run directories for analysis tests (the contract of docs/run_directory.md)."""
from __future__ import annotations

import json
from pathlib import Path


def make_run(root: Path, game: str, algo: str = "a3c", workers: int = 2, seed: int = 0,
             final: float | None = 10.0, curve: list[tuple[int, float, float]] | None = None,
             lr: float = 7e-4, beta: float = 0.01, t_max: int = 5, name: str | None = None) -> Path:
    run = root / (name or f"{game}/{algo}/w{workers}/s{seed}/lr{lr}-b{beta}-t{t_max}")
    run.mkdir(parents=True)
    config = {"game": game, "algo": algo, "workers": workers, "seed": seed, "lr": lr, "beta": beta,
              "t_max": t_max, "frames": 1000, "domain": "atari", "deviations": ["no-op starts"]}
    (run / "config.json").write_text(json.dumps(config))
    rows = ["frames,wall_time,mean_return,std_return,min_return,max_return,n_episodes"]
    for frames, wall, score in curve or []:
        rows.append(f"{frames},{wall},{score},0,{score},{score},1")
    (run / "eval_log.csv").write_text("\n".join(rows) + "\n")
    if final is not None:
        result = {"frames": 1000, "wall_time": 3600.0, "completed": True,
                  "final": {"mean_return": final, "std_return": 0.0, "n_episodes": 1},
                  "best": {"mean_return": final, "frames": 1000}}
        (run / "final.json").write_text(json.dumps(result))
    return run


import pytest  # noqa: E402


@pytest.fixture(name="make_run")
def make_run_fixture():
    return make_run
