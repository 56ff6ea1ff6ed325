"""The report, read top to bottom, says its scale before any number and lists every target."""
import re

import yaml

from analysis.__main__ import main
from analysis.report import ORDER, build_report
from analysis.scale import infer_name

SMOKE = {"eval_every": 10000, "eval_episodes": 1, "final_eval_episodes": 2}


def smoke_results(tmp_path, make_run, scale: str | None = "smoke"):
    runs, results = tmp_path / "runs", tmp_path / "results"
    kw = {"frames": 20000, "final_episodes": 2, "protocol": SMOKE}
    for game in ("Pong", "Breakout"):
        for algo in ("a3c", "a3c-lstm"):
            make_run(runs / "atari_table", game, algo, curve=[(10000, 60.0, 0.0)], final=1.0, **kw)
    for workers in (1, 2):
        make_run(runs / "scalability", "Pong", workers=workers, curve=[(10000, 60.0, -21.0)], final=-21.0, **kw)
    for target, source in (("atari_table", "atari_table"), ("scalability", "scalability"),
                           ("data_efficiency", "scalability")):
        argv = [target, "--runs", str(runs / source), "--out", str(results / "analysis" / target)]
        assert main(argv + (["--scale", scale] if scale else [])) == 0
    return build_report(results, results / "report.md").read_text()


def test_the_scale_comes_before_any_number(tmp_path, make_run):
    report = smoke_results(tmp_path, make_run)
    title, rest = report.split("\n", 1)
    first_number = re.search(r"\d", rest).start()
    paragraph = rest[:rest.index("\n\n", rest.index("**Scale"))]
    assert rest.lstrip().startswith("**Scale and protocol.**") and first_number < len(paragraph)
    for fact in ("the workflow's `smoke` scale", "20k frames per run", "final score over 2 evaluation episodes",
                 "an evaluation of 1 episode every 10k frames", "1 run per game and setting (seed 0)",
                 "atari_table: 2 atari games (Breakout, Pong), 2 workers", "scalability and data_efficiency: 1 atari "
                 "game (Pong), 1 or 2 workers", "no-op starts", "these numbers show that the pipeline works"):
        assert fact in paragraph, fact
    assert paragraph.index("**Scale") < report.index("| ours: A3C FF")


def test_every_expected_target_is_listed_with_its_state(tmp_path, make_run):
    report = smoke_results(tmp_path, make_run)
    targets = report[report.index("## Targets"):report.index("## Protocol")]
    for target in ORDER:
        assert f"- {target}: " in targets
    assert "- atari_table: ok: 4 complete run(s), 0 in progress" in targets
    assert "- mujoco_table: **missing**" in targets and "- lr_robustness: **missing**" in targets


def test_each_target_section_states_its_scale_and_the_flags_say_against_what(tmp_path, make_run):
    report = smoke_results(tmp_path, make_run)
    section = report[report.index("## atari_table"):]
    assert section.split("\n")[2].startswith("Scale: 2 atari games (Breakout, Pong), 20k frames per run")
    flags = report[report.index("## Flags"):report.index("## Notes")]
    assert "atari_table, vs the paper: ours A3C FF mean" in flags
    assert "atari_table, vs the no-op reference: ours A3C FF median" in flags


def test_the_scale_name_is_matched_against_the_workflow_config(tmp_path):
    config = tmp_path / "default.yaml"
    config.write_text(yaml.safe_dump({"scales": {
        "smoke": {"atari_table": {"games": ["Pong", "Breakout"], "workers": 2, "frames": 20000},
                  "scalability": {"games": ["Pong"], "workers": [1, 2], "frames": 20000}},
        "paper": {"atari_table": {"games": ["Pong", "Breakout", "Alien"], "workers": 16, "frames": 320000000}}}}))
    scale = {"frames_per_run": [20000], "games": ["Pong"], "workers": [1, 2]}
    assert infer_name("data_efficiency", scale, config) == "smoke"  # data_efficiency reads scalability's runs
    assert infer_name("atari_table", {**scale, "frames_per_run": [1000]}, config) is None
    assert infer_name("atari_table", scale, tmp_path / "missing.yaml") is None


def test_without_a_scale_name_the_report_still_states_the_scale(tmp_path, make_run, monkeypatch):
    from analysis import scale

    monkeypatch.setattr(scale, "WORKFLOW_CONFIG", tmp_path / "none.yaml")
    report = smoke_results(tmp_path, make_run, scale=None)
    paragraph = report.split("\n\n")[1]
    assert "match none of the workflow's named scales" in paragraph and "20k frames per run" in paragraph


def test_the_report_covers_the_targets_it_is_given(tmp_path, make_run):
    smoke_results(tmp_path, make_run)
    results = tmp_path / "results"
    report = build_report(results, results / "r.md", ["atari_table", "lr_study"]).read_text()
    targets = report[report.index("## Targets"):report.index("## Protocol")]
    assert "- atari_table: ok" in targets and "- lr_study: **missing**" in targets
    assert "scalability" not in targets and "## scalability" not in report
    try:
        build_report(results, results / "r.md", ["atari_tabel"])
    except ValueError as err:
        assert "atari_tabel" in str(err)
    else:
        raise AssertionError("an unknown target was accepted")
