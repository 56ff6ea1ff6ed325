"""Our normalisation code on the paper's own per-game table (Table S3) against its Table 1, and
the one game that explains the whole gap: VideoPinball."""
from pathlib import Path

import pandas as pd
import pytest

from analysis import reference
from analysis.atari import contributions, paper_notes, recomputed_table1, table1_audit

ZERO = "VideoPinball random = 0"


def test_recomputed_table1_matches_every_row_that_can_be_matched():
    table, notes = recomputed_table1()
    rows = table.set_index("method")
    gorila = rows.loc["Gorila"]
    assert gorila["recomputed mean %"] == pytest.approx(215.2, abs=0.05)
    assert gorila["recomputed median %"] == pytest.approx(71.3, abs=0.05)
    assert gorila["games"] == 49
    dqn = rows.loc["DQN (Nair et al.)"]
    assert abs(dqn["recomputed mean %"] - 121.9) <= 0.5 and abs(dqn["recomputed median %"] - 47.5) <= 0.5
    assert rows.loc["Gorila", "matches"] == "yes" and rows.loc["DQN (Nair et al.)", "matches"] == "yes"


def test_the_a3c_rows_do_not_match_as_stated_and_the_report_says_so():
    table, notes = recomputed_table1()
    rows = table.set_index("method")
    assert rows.loc["A3C FF, 1 day", "recomputed mean %"] == pytest.approx(263.0, abs=0.1)
    assert rows.loc["A3C FF, 1 day", "recomputed median %"] == pytest.approx(60.6, abs=0.1)
    assert rows.loc["A3C LSTM, 4 days", "recomputed mean %"] == pytest.approx(406.3, abs=0.1)
    for label in ("A3C FF, 1 day", "A3C FF, 4 days", "A3C LSTM, 4 days"):
        assert rows.loc[label, "matches"] == "NO"
        assert any(label in note for note in notes)


def test_videopinball_random_zero_brings_every_printed_a3c_row_back_within_0_1():
    assert reference.random_above_human() == ["VideoPinball"]
    hs = reference.human_starts()
    assert hs.at["VideoPinball", "random"] == 20452.0 and hs.at["VideoPinball", "human"] == 15641.1
    rows = table1_audit().set_index("method")
    for label, (mean, median) in {"A3C FF, 1 day": (344.1, 68.2), "A3C FF, 4 days": (496.9, 116.7),
                                  "A3C LSTM, 4 days": (623.1, 112.6)}.items():
        assert rows.loc[label, f"recomputed mean %, {ZERO}"] == pytest.approx(mean, abs=0.05)
        assert rows.loc[label, f"recomputed median %, {ZERO}"] == pytest.approx(median, abs=0.05)
        printed_mean, printed_median = reference.printed_table1_row(label)
        assert abs(mean - printed_mean) <= 0.1 + 1e-9 and abs(median - printed_median) <= 0.1 + 1e-9
        assert rows.loc[label, f"matches with {ZERO}"] == "yes"
    # the computation itself: FF 1 day's VideoPinball score, both ways
    assert rows.loc["A3C FF, 1 day", "VideoPinball % (as stated)"] == pytest.approx(
        100 * (185852.6 - 20452.0) / (15641.1 - 20452.0))
    assert rows.loc["A3C FF, 1 day", "VideoPinball %, random = 0"] == pytest.approx(100 * 185852.6 / 15641.1)


def test_the_notes_show_the_computation():
    notes = "\n".join(paper_notes())
    assert "VideoPinball's random score (20,452.0) is above its human score (15,641.1)" in notes
    assert "100 x (185,852.6 - 20,452.0) / (15,641.1 - 20,452.0) = -3,438.0%" in notes
    assert "100 x 185,852.6 / 15,641.1 = 1,188.2%" in notes
    assert "(263.0 -> 344.1)" in notes
    assert "344.1% / 68.2% with VideoPinball's random score taken as 0" in notes
    assert "VideoPinball alone carries 265.0 of those mean points" in notes and "536.0%" in notes


def test_contributions_show_which_games_drive_a_mean():
    table = contributions(pd.DataFrame(columns=["game", "algo", "completed", "final_mean"]), []).set_index("game")
    noop = [c for c in table.columns if c.startswith("A3C no-op ref.")][0]
    assert table.loc["mean % (sum of the column)", noop] == pytest.approx(536.0, abs=0.05)
    assert table.index[1] == "VideoPinball"  # the biggest contributor comes first
    assert table.loc["VideoPinball", noop] == pytest.approx(265.0, abs=0.05)
    assert table.drop("mean % (sum of the column)")[noop].sum() == pytest.approx(536.0, abs=0.05)
    printed = [c for c in table.columns if c.startswith("paper A3C FF, 1 day")][0]
    assert table.loc["mean % (sum of the column)", printed] == pytest.approx(344.1, abs=0.05)


def test_sources_md_states_the_finding_and_keeps_its_source_lines():
    text = (Path(reference.REFERENCE) / "SOURCES.md").read_text()
    assert "VideoPinball" in text and "20,452.0" in text and "15,641.1" in text
    assert "344.1 / 68.2, 496.9 / 116.7, 623.1 / 112.6" in text and "265" in text
    for source in ("Mnih et al. 2016, Table 1", "Fortunato et al. 2018", "van Hasselt et al. 2016"):
        assert source in text
