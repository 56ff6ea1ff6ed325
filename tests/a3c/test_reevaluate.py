"""`python -m a3c evaluate DIR`: a completed run's final network scored again (a3c/reevaluate.py)."""
import json
import logging
import shutil

import pytest

from a3c.cli import main
from tests.processes import FAST, complete_run


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """A short completed CartPole run (5 final episodes), copied per test."""
    out = tmp_path_factory.mktemp("reevaluate") / "run"
    complete_run(out, *FAST, "--workers", "1", "--frames", "3000", "--final-eval-episodes", "5")
    return out


@pytest.fixture
def run(finished, tmp_path):
    copy = tmp_path / "run"
    shutil.copytree(finished, copy)
    return copy


def final_json(run) -> dict:
    return json.loads((run / "final.json").read_text())


def test_on_the_same_environment_it_reproduces_the_final_score_exactly(run, caplog):
    caplog.set_level(logging.INFO)
    before = (run / "final.json").read_bytes()
    assert main(["evaluate", str(run)]) == 0
    score = final_json(run)["final"]
    assert f"{score['mean_return']:.2f} +- {score['std_return']:.2f} over 5 episodes (final.json: " \
           f"{score['mean_return']:.2f}" in caplog.text
    assert (run / "final.json").read_bytes() == before  # without --record nothing is written


def test_record_replaces_the_score_and_keeps_the_replaced_one_with_the_reason(run):
    original = final_json(run)
    assert main(["evaluate", str(run), "--episodes", "3", "--record", "the env's reward was fixed"]) == 0
    after = final_json(run)
    assert after["final"]["n_episodes"] == 3
    assert after["final"]["returns"] == original["final"]["returns"][:3]  # the same seeds, episode by episode
    (entry,) = after["reevaluations"]
    assert entry["reason"] == "the env's reward was fixed" and entry["replaced"] == original["final"]
    assert {"date", "git_commit", "versions"} <= set(entry)
    assert {k: v for k, v in after.items() if k not in ("final", "reevaluations")} == \
           {k: v for k, v in original.items() if k != "final"}
    assert main(["evaluate", str(run), "--record", "again"]) == 0
    assert [e["reason"] for e in final_json(run)["reevaluations"]] == ["the env's reward was fixed", "again"]


@pytest.mark.parametrize("damage,message", [
    ("no final.json", "has no final.json: only a completed run"),
    ("an earlier checkpoint", "is not the run's final network"),
    ("an empty reason", "--record needs a reason"),
])
def test_what_is_not_a_completed_run_is_refused_before_any_evaluation(run, caplog, damage, message):
    caplog.set_level(logging.INFO)
    args = ["evaluate", str(run)]
    if damage == "no final.json":
        (run / "final.json").unlink()
    elif damage == "an earlier checkpoint":
        final = final_json(run)
        (run / "final.json").write_text(json.dumps(dict(final, frames=final["frames"] + 1)))
    else:
        args += ["--record", " "]
    assert main(args) == 2
    assert message in caplog.text and "evaluating the final network" not in caplog.text
