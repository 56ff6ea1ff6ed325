"""Bad inputs: a clear error naming the file and the problem, exit code 2, and no output."""
import json

import pytest

from analysis.__main__ import main
from analysis.errors import AnalysisInputError
from analysis.loader import load_curves, load_runs


def refused(tmp_path, caplog, runs, *words, target="atari_table"):
    """Run the target; it must exit 2 with every word in the log, and write nothing."""
    out = tmp_path / "out"
    assert main([target, "--runs", str(runs), "--out", str(out)]) == 2
    for word in words:
        assert word in caplog.text, (word, caplog.text)
    assert not out.exists()
    assert [p.name for p in tmp_path.glob(".out*")] == []  # no temporary directory left behind
    return caplog.text


def test_missing_runs_directory_is_a_clear_error(tmp_path, caplog):
    refused(tmp_path, caplog, tmp_path / "nope", "does not exist", str(tmp_path / "nope"))


def test_empty_runs_directory_is_an_error_not_tables_of_dashes(tmp_path, caplog):
    (tmp_path / "runs" / "atari_tabel").mkdir(parents=True)
    refused(tmp_path, caplog, tmp_path / "runs", "no run directories")


def test_runs_given_as_a_file_is_an_error(tmp_path, caplog):
    (tmp_path / "runs.txt").write_text("x")
    refused(tmp_path, caplog, tmp_path / "runs.txt", "not a directory")


def test_corrupt_eval_log_names_the_file_and_line(tmp_path, caplog, make_run):
    run = make_run(tmp_path / "runs", "Pong", curve=[(500, 1.0, -20.0), (1000, 2.0, -19.0)])
    (run / "eval_log.csv").write_text("frames,wall_time,mean_return\n500,1.0,-20\n1000,2.0,oops\n")
    refused(tmp_path, caplog, tmp_path / "runs", str(run / "eval_log.csv"), "line 3", "oops")


def test_unparseable_eval_log_names_the_file(tmp_path, caplog, make_run):
    run = make_run(tmp_path / "runs", "Pong")
    (run / "eval_log.csv").write_text('frames,wall_time,mean_return\n1,2,3,4,5\n"unterminated\n')
    refused(tmp_path, caplog, tmp_path / "runs", str(run / "eval_log.csv"))


def test_eval_log_without_its_columns_is_an_error(tmp_path, make_run):
    run = make_run(tmp_path / "runs", "Pong")
    (run / "eval_log.csv").write_bytes(b"\x00\x01garbage\n\x02,\x03\n")
    with pytest.raises(AnalysisInputError, match="eval_log.csv"):
        load_curves(tmp_path / "runs")


def test_a_torn_last_row_of_a_run_still_going_is_dropped(tmp_path, make_run):
    run = make_run(tmp_path / "runs", "Pong", final=None)
    (run / "eval_log.csv").write_text("frames,wall_time,mean_return\n500,1.0,-20\n1000,2.")
    curves = load_curves(tmp_path / "runs")
    assert list(curves["frames"]) == [500]
    done = make_run(tmp_path / "done", "Pong")  # the same torn row in a complete run is an error
    (done / "eval_log.csv").write_text("frames,wall_time,mean_return\n500,1.0,-20\n1000,2.")
    with pytest.raises(AnalysisInputError, match="line 3"):
        load_curves(tmp_path / "done")


@pytest.mark.parametrize("name", ["config.json", "final.json"])
def test_corrupt_json_names_the_file(tmp_path, caplog, make_run, name):
    run = make_run(tmp_path / "runs", "Pong")
    (run / name).write_text('{"game": "Pong", ')
    refused(tmp_path, caplog, tmp_path / "runs", str(run / name), "not valid JSON")


@pytest.mark.parametrize("score, words", [("abc", ["'abc'", "not a number"]), ("NaN", ["nan", "not a finite number"]),
                                          (None, ["has no 'final.mean_return'"])])
def test_non_numeric_or_nan_final_score_is_an_error_not_a_skipped_but_counted_run(tmp_path, caplog, make_run,
                                                                                  score, words):
    run = make_run(tmp_path / "runs", "Pong")
    make_run(tmp_path / "runs", "Breakout")
    final = json.loads((run / "final.json").read_text())
    if score is None:
        del final["final"]["mean_return"]
    else:
        final["final"]["mean_return"] = float("nan") if score == "NaN" else score
    (run / "final.json").write_text(json.dumps(final))
    refused(tmp_path, caplog, tmp_path / "runs", str(run / "final.json"), "final.mean_return", *words)


def test_unknown_game_names_the_run_and_suggests(tmp_path, caplog, make_run):
    run = make_run(tmp_path / "runs", "Pongg")
    refused(tmp_path, caplog, tmp_path / "runs", str(run / "config.json"), "'Pongg'", "did you mean Pong")


def test_a_mujoco_run_among_atari_runs_is_refused(tmp_path, caplog, make_run):
    make_run(tmp_path / "runs", "Pong")
    run = make_run(tmp_path / "runs", "HalfCheetah", domain="mujoco")
    refused(tmp_path, caplog, tmp_path / "runs", str(run / "config.json"), "'mujoco'", "atari_table")


def test_an_atari_run_in_the_mujoco_table_is_refused(tmp_path, caplog, make_run):
    run = make_run(tmp_path / "runs", "Pong")
    refused(tmp_path, caplog, tmp_path / "runs", str(run / "config.json"), "'atari'", target="mujoco_table")


def test_mixed_domains_in_a_sweep_are_refused(tmp_path, caplog, make_run):
    make_run(tmp_path / "runs", "Pong", beta=0.01)
    make_run(tmp_path / "runs", "Breakout", beta=0.02)
    run = make_run(tmp_path / "runs", "Hopper", domain="mujoco")
    refused(tmp_path, caplog, tmp_path / "runs", str(run / "config.json"), "beta_sweep", target="beta_sweep")


def test_config_without_a_field_names_it(tmp_path, make_run):
    run = make_run(tmp_path / "runs", "Pong")
    config = json.loads((run / "config.json").read_text())
    del config["seed"]
    (run / "config.json").write_text(json.dumps(config))
    with pytest.raises(AnalysisInputError, match="has no 'seed'"):
        load_runs(tmp_path / "runs")


def test_a_reevaluated_score_is_listed_among_the_runs_deviations_with_its_reason(tmp_path, make_run):
    run = make_run(tmp_path / "runs", "Pong", final=12.0)
    final = json.loads((run / "final.json").read_text())
    final["reevaluations"] = [{"reason": "the reward bug was fixed", "replaced": {"mean_return": 13.0}}]
    (run / "final.json").write_text(json.dumps(final))
    (row,) = load_runs(tmp_path / "runs").to_dict("records")
    assert row["final_mean"] == 12.0
    assert row["deviations"] == ("no-op starts", "final score re-evaluated after training "
                                 "(python -m a3c evaluate --record): the reward bug was fixed")


def test_a_reevaluation_without_a_reason_names_the_file(tmp_path, make_run):
    run = make_run(tmp_path / "runs", "Pong")
    final = json.loads((run / "final.json").read_text())
    (run / "final.json").write_text(json.dumps(dict(final, reevaluations=[{"replaced": {}}])))
    with pytest.raises(AnalysisInputError, match="reevaluations"):
        load_runs(tmp_path / "runs")


def test_runs_of_one_table_row_in_two_settings_are_refused(tmp_path, caplog, make_run):
    """Runs of an older config left beside the new ones: a table row must not average the two."""
    make_run(tmp_path / "runs", "Pong", name="Pong/a3c/w2/default/s0", lr=7e-4)
    make_run(tmp_path / "runs", "Pong", name="Pong/a3c/w2/lr0.000164896_eps1e-08/s0", lr=1.64896e-4)
    refused(tmp_path, caplog, tmp_path / "runs", "Pong / a3c", "lr: 0.000164896, 0.0007")


def test_runs_of_one_table_row_under_two_episode_protocols_are_refused(tmp_path, caplog, make_run):
    """n-step Q runs from before life loss became the value-based default, beside newer ones."""
    base = {"eval_every": 500, "eval_episodes": 5, "final_eval_episodes": 30}
    make_run(tmp_path / "runs", "Breakout", algo="n-step-q", name="Breakout/n-step-q/w2/x/s0", protocol=base)
    make_run(tmp_path / "runs", "Breakout", algo="n-step-q", name="Breakout/n-step-q/w2/x/s1",
             protocol={**base, "terminal_on_life_loss": True, "fire_on_reset": True})
    refused(tmp_path, caplog, tmp_path / "runs", "Breakout / n-step-q", "life_loss: False, True")


def test_a_protocol_switch_that_is_not_a_boolean_names_the_file(tmp_path, make_run):
    make_run(tmp_path / "runs", "Breakout", protocol={"eval_every": 500, "terminal_on_life_loss": "yes"})
    with pytest.raises(AnalysisInputError, match="terminal_on_life_loss is 'yes'"):
        load_runs(tmp_path / "runs")


def test_listed_run_directories_are_the_only_runs_read(tmp_path, make_run):
    """The workflow lists a target's own runs: a stray run in the same directory is not read."""
    old = make_run(tmp_path / "runs", "Pong", name="Pong/a3c/w2/default/s0", lr=7e-4, final=-20.0)
    new = make_run(tmp_path / "runs", "Pong", name="Pong/a3c/w2/lr0.000164896_eps1e-08/s0", lr=1.64896e-4)
    assert main(["atari_table", "--runs", str(new), "--out", str(tmp_path / "out")]) == 0
    runs = load_runs([new])
    assert runs["run"].tolist() == [str(new)] and str(old) not in set(load_curves([new])["run"])
    assert len(load_runs(tmp_path / "runs")) == 2  # a directory of runs: every run below it
