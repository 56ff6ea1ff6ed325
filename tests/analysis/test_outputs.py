"""A target's outputs are replaced as a whole; a failed re-run leaves the old output untouched and
the report marks the target failed instead of silently dropping it."""
import json

import pytest

from analysis import __main__ as entry
from analysis.__main__ import main
from analysis.report import build_report


def snapshot(directory) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def atari_runs(root, make_run):
    make_run(root, "Pong", curve=[(500, 10.0, -20.0), (1000, 20.0, -15.0)], final=-14.0)
    return make_run(root, "Breakout", curve=[(500, 10.0, 1.0), (1000, 20.0, 3.0)], final=4.0)


def test_a_rerun_failing_half_way_leaves_the_old_output_whole_and_the_report_says_failed(tmp_path, make_run, caplog):
    runs, results = tmp_path / "runs", tmp_path / "results"
    out = results / "analysis" / "atari_table"
    breakout = atari_runs(runs, make_run)
    assert main(["atari_table", "--runs", str(runs), "--out", str(out)]) == 0
    before = snapshot(out)
    # the tables read final.json and succeed; the learning curves then meet a corrupt eval log
    (breakout / "eval_log.csv").write_text("frames,wall_time,mean_return\n500,10.0,1\n1000,x,3\n")
    assert main(["atari_table", "--runs", str(runs), "--out", str(out)]) == 2
    assert snapshot(out) == before  # not one new table beside an old figure
    assert sorted(p.name for p in (results / "analysis").iterdir()) == ["atari_table", "atari_table.failed.json"]
    report = build_report(results, results / "report.md").read_text()
    assert "- atari_table: **FAILED**" in report and str(breakout / "eval_log.csv") in report
    assert "## atari_table" not in report  # the older output is not passed off as current
    assert "VideoPinball" in report  # the notes on the paper do not depend on any target
    (breakout / "eval_log.csv").write_text("frames,wall_time,mean_return\n500,10.0,1\n1000,20.0,3\n")
    assert main(["atari_table", "--runs", str(runs), "--out", str(out)]) == 0
    assert not (results / "analysis" / "atari_table.failed.json").exists()
    assert "- atari_table: ok" in build_report(results, results / "report.md").read_text()


def test_a_crash_writes_nothing_and_records_the_error(tmp_path, monkeypatch, make_run):
    runs, out = tmp_path / "runs", tmp_path / "analysis" / "atari_table"
    atari_runs(runs, make_run)

    def crashes(runs_dir, fresh):
        (fresh / "atari_table.md").write_text("half")
        raise RuntimeError("plotting failed")

    monkeypatch.setitem(entry.TARGETS, "atari_table", crashes)
    with pytest.raises(RuntimeError):
        main(["atari_table", "--runs", str(runs), "--out", str(out)])
    assert [p.name for p in out.parent.iterdir()] == ["atari_table.failed.json"]
    record = json.loads((out.parent / "atari_table.failed.json").read_text())
    assert record["error"] == "RuntimeError: plotting failed" and record["target"] == "atari_table"


def test_success_replaces_the_whole_directory(tmp_path, make_run):
    runs, out = tmp_path / "runs", tmp_path / "analysis" / "atari_table"
    atari_runs(runs, make_run)
    out.mkdir(parents=True)
    (out / "atari_curves_p2.png").write_bytes(b"a page from an older, larger analysis")
    assert main(["atari_table", "--runs", str(runs), "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert sorted(p.name for p in out.iterdir()) == sorted(summary["files"] + ["summary.json"])
    assert [p.name for p in out.parent.iterdir()] == ["atari_table"]  # no temporary directory left
