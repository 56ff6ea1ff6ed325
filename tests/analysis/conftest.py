"""Hand-made run directories for analysis tests (the contract of docs/run_directory.md)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest


def make_run(root: Path, game: str, algo: str = "a3c", workers: int = 2, seed: int = 0,
             final: float | None = 10.0, curve: list[tuple[int, float, float]] | None = None,
             lr: float = 7e-4, beta: float = 0.01, t_max: int = 5, name: str | None = None,
             domain: str = "atari", frames: int = 1000, final_episodes: int = 30,
             protocol: dict | None = None, final_std: float = 0.0) -> Path:
    run = root / (name or f"{game}/{algo}/w{workers}/s{seed}/lr{lr}-b{beta}-t{t_max}")
    run.mkdir(parents=True)
    config = {"game": game, "algo": algo, "workers": workers, "seed": seed, "lr": lr, "beta": beta,
              "t_max": t_max, "frames": frames, "domain": domain, "deviations": ["no-op starts"],
              "protocol": protocol or {"eval_every": 500, "eval_episodes": 5, "final_eval_episodes": final_episodes}}
    (run / "config.json").write_text(json.dumps(config))
    rows = ["frames,wall_time,mean_return,std_return,min_return,max_return,n_episodes"]
    for frames_at, wall, score in curve or []:
        rows.append(f"{frames_at},{wall},{score},0,{score},{score},1")
    (run / "eval_log.csv").write_text("\n".join(rows) + "\n")
    if final is not None:
        result = {"frames": frames, "wall_time": 3600.0, "completed": True,
                  "final": {"mean_return": final, "std_return": final_std, "n_episodes": final_episodes},
                  "best": {"mean_return": final, "frames": frames}}
        (run / "final.json").write_text(json.dumps(result))
    return run


@pytest.fixture(name="make_run")
def make_run_fixture():
    return make_run
