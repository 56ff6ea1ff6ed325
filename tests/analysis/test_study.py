"""The lr/eps study target: settings grouped over seeds, scores at fixed frames, the paper's rule."""
import json

import pandas as pd
import pytest

from analysis.__main__ import run_target


def study_run(make_run, root, game, lr, eps, seed, final, curve, diagnostics=None, algo="a3c"):
    run = make_run(root, game, algo=algo, lr=lr, seed=seed, final=final, curve=curve, frames=20_000_000,
                   name=f"{game}/{algo}/w1/lr{lr}_eps{eps}/s{seed}")
    config = json.loads((run / "config.json").read_text())
    config.update(rms_eps=eps, lr_anneal_frames=320_000_000)
    (run / "config.json").write_text(json.dumps(config))
    if diagnostics:
        lines = ["frames,wall_time,worker,updates,lr,loss,policy_loss,value_loss,entropy,q_mean,grad_norm,"
                 "clip_fraction,update_ratio,fps"]
        lines += [f"{f},1,0,1,{lr},0,0,{v},{h},,3,0.1,0.001,1000" for f, h, v in diagnostics]
        (run / "diagnostics.csv").write_text("\n".join(lines) + "\n")
    return run


def test_settings_average_their_seeds_and_the_best_on_the_tuning_games_is_chosen(tmp_path, make_run):
    runs = tmp_path / "runs"
    curve = [(5_000_000, 1, -20.0), (10_000_000, 2, -10.0), (20_000_000, 3, 0.0)]
    study_run(make_run, runs, "Pong", 7e-4, 0.1, 0, 10.0, curve, [(1e6, 1.7, 0.1), (19e6, 0.9, 0.3)])
    study_run(make_run, runs, "Pong", 7e-4, 0.1, 1, 14.0, curve)
    study_run(make_run, runs, "Pong", 1e-4, 1e-8, 0, 15.0, curve)  # one lucky seed
    study_run(make_run, runs, "Breakout", 7e-4, 0.1, 0, 100.0, curve)
    study_run(make_run, runs, "Breakout", 1e-4, 1e-8, 0, 20.0, curve)
    study_run(make_run, runs, "Alien", 1e-4, 1e-8, 0, 9999.0, curve)  # not a tuning game: never decides
    summary = run_target("lr_study", runs, tmp_path / "out")
    assert summary["chosen"] == {"a3c": {"algo": "a3c", "lr": 7e-4, "rms_eps": 0.1, "lr_anneal_frames": 320_000_000}}
    assert summary["scale"]["runs_per_setting"] == [1, 2]  # a setting includes lr and eps here
    ranking = pd.read_csv(tmp_path / "out" / "lr_study_ranking.csv")
    assert ranking["runs"].tolist() == [3, 2]  # how many runs each mean rests on: seeds differ between settings
    table = pd.read_csv(tmp_path / "out" / "lr_study.csv")
    pong = table[(table["game"] == "Pong") & (table["rms_eps"].astype(str) == "0.1")].iloc[0]
    assert pong["runs"] == 2 and pong["final_mean"] == pytest.approx(12.0)
    assert pong["score_at_10M"] == pytest.approx(-10.0)
    runs_table = pd.read_csv(tmp_path / "out" / "lr_study_runs.csv")
    seed0 = runs_table[(runs_table["game"] == "Pong") & (runs_table["seed"] == 0)
                       & (runs_table["rms_eps"].astype(str) == "0.1")].iloc[0]
    assert seed0["late_entropy"] == pytest.approx(0.9)  # the last 20% of frames only
    assert {"lr_study.png", "lr_study_curves.png"} <= set(summary["files"])


def test_without_a_complete_tuning_game_no_setting_is_chosen(tmp_path, make_run):
    runs = tmp_path / "runs"
    study_run(make_run, runs, "Pong", 7e-4, 0.1, 0, None, [(5_000_000, 1, -20.0)])
    summary = run_target("lr_study", runs, tmp_path / "out")
    assert summary["chosen"] == {"a3c": None}
    assert any("no setting chosen" in note for note in summary["notes"])


def test_the_rule_averages_human_normalised_scores_not_raw_ones(tmp_path, make_run):
    """BeamRider's raw scores dwarf Pong's: a raw mean would pick the setting that loses Pong."""
    runs = tmp_path / "runs"
    curve = [(5_000_000, 1, 0.0)]
    study_run(make_run, runs, "Pong", 7e-4, 0.1, 0, 20.0, curve)  # 115% of human
    study_run(make_run, runs, "BeamRider", 7e-4, 0.1, 0, 400.0, curve)  # 0.2%: raw mean 210
    study_run(make_run, runs, "Pong", 1e-4, 1e-8, 0, -20.0, curve)  # 2%
    study_run(make_run, runs, "BeamRider", 1e-4, 1e-8, 0, 600.0, curve)  # 1.4%: raw mean 290
    summary = run_target("lr_study", runs, tmp_path / "out")
    assert summary["chosen"]["a3c"]["lr"] == 7e-4 and summary["chosen"]["a3c"]["rms_eps"] == 0.1
    assert any("% of human" in note for note in summary["notes"])
    table = pd.read_csv(tmp_path / "out" / "lr_study.csv")
    pong = table[(table["game"] == "Pong") & (table["final_mean"] == 20.0)].iloc[0]
    assert pong["final_pct_human"] == pytest.approx(100 * (20 + 20.7) / (14.6 + 20.7), abs=0.1)


def test_each_method_gets_its_own_choice_and_ranking(tmp_path, make_run):
    """The paper tuned every method on its own: A3C LSTM's best setting is not A3C FF's, and a
    method that ran only Pong is ranked on Pong although FF also ran Breakout."""
    runs = tmp_path / "runs"
    curve = [(5_000_000, 1, 0.0)]
    study_run(make_run, runs, "Pong", 1e-4, 1e-8, 0, 15.0, curve)
    study_run(make_run, runs, "Pong", 7e-4, 0.1, 0, -5.0, curve)
    study_run(make_run, runs, "Breakout", 1e-4, 1e-8, 0, 50.0, curve)
    study_run(make_run, runs, "Breakout", 7e-4, 0.1, 0, 5.0, curve)
    study_run(make_run, runs, "Pong", 1e-4, 1e-8, 0, -20.0, curve, algo="a3c-lstm")
    study_run(make_run, runs, "Pong", 2e-3, 0.1, 0, 0.0, curve, algo="a3c-lstm")
    summary = run_target("lr_study", runs, tmp_path / "out")
    assert {algo: (s["lr"], s["rms_eps"]) for algo, s in summary["chosen"].items()} == {
        "a3c": (1e-4, 1e-8), "a3c-lstm": (2e-3, 0.1)}
    assert [(s["algo"], s["lr"]) for s in summary["ranked"]] == [
        ("a3c", 1e-4), ("a3c", 7e-4), ("a3c-lstm", 2e-3), ("a3c-lstm", 1e-4)]
    caption = (tmp_path / "out" / "lr_study_ranking.md").read_text()
    assert "a3c: Breakout, Pong; a3c-lstm: Pong" in caption


def test_settings_with_equal_scores_rank_the_smaller_learning_rate_first(tmp_path, make_run):
    """The ranking decides which settings lr_study_carry trains: ties must not fall to sort order."""
    runs = tmp_path / "runs"
    for lr in (7e-3, 1e-4, 5e-4):
        study_run(make_run, runs, "Pong", lr, 0.1, 0, -21.0, [(5_000_000, 1, -21.0)])
    summary = run_target("lr_study", runs, tmp_path / "out")
    assert [s["lr"] for s in summary["ranked"]] == [1e-4, 5e-4, 7e-3]


def test_the_markdown_tables_print_frames_short_and_diagnostics_to_three_digits(tmp_path, make_run):
    """One decimal showed a value loss of 0.163 as 0.2 and 0.2% clipping as 0.0; the CSV keeps every digit."""
    runs = tmp_path / "runs"
    diagnostics = [(1e6, 1.7, 0.2), (9e6, 1.7734, 0.1634)]
    study_run(make_run, runs, "Pong", 7e-4, 0.1, 0, -20.0, [(10_000_000, 1, -20.0)], diagnostics)
    run_target("lr_study", runs, tmp_path / "out")
    markdown = (tmp_path / "out" / "lr_study_runs.md").read_text()
    assert "| 20M |" in markdown and ",000," not in markdown  # the run's frames: its final score's
    assert "| 1.77 | 0.163 | 3 | 0.1 |" in markdown
    csv = pd.read_csv(tmp_path / "out" / "lr_study_runs.csv").iloc[0]
    assert csv["frames"] == 20_000_000 and csv["late_value_loss"] == pytest.approx(0.1634)


def test_the_runs_table_reports_late_dead_units_and_leaves_them_empty_for_older_logs(tmp_path, make_run):
    runs = tmp_path / "runs"
    study_run(make_run, runs, "Breakout", 1.5e-3, 0.1, 0, 4.7, [(10_000_000, 1, 4.7)], [(9e6, 1.34, 0.04)])
    dead = study_run(make_run, runs, "Breakout", 1.5e-3, 1e-8, 0, 1.1, [(10_000_000, 1, 1.1)])
    (dead / "diagnostics.csv").write_text(
        "frames,wall_time,worker,updates,lr,loss,policy_loss,value_loss,entropy,q_mean,grad_norm,clip_fraction,"
        "update_ratio,dead_units,fps\n"
        "1000000,1,0,1,0.0015,0,0,0.05,1.38,,1.2,0,0.001,0.4,1000\n"   # early: outside the late 20%
        "9000000,1,0,1,0.0015,0,0,0.05,1.38,,0.2,0,0.00002,1.0,1000\n")
    run_target("lr_study", runs, tmp_path / "out")
    table = pd.read_csv(tmp_path / "out" / "lr_study_runs.csv").set_index("rms_eps")
    assert table.loc[1e-8, "late_dead_units"] == 1.0
    assert pd.isna(table.loc[0.1, "late_dead_units"])  # written before the column existed
    assert "late_dead_units" in (tmp_path / "out" / "lr_study_runs.md").read_text()
