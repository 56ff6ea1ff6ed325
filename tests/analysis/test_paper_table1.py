"""Our normalisation code on the paper's own per-game table (Table S3) against its Table 1."""
import pytest

from analysis.atari import recomputed_table1


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


def test_the_a3c_rows_do_not_match_and_the_report_says_so():
    table, notes = recomputed_table1()
    rows = table.set_index("method")
    assert rows.loc["A3C FF, 1 day", "recomputed mean %"] == pytest.approx(263.0, abs=0.1)
    assert rows.loc["A3C FF, 1 day", "recomputed median %"] == pytest.approx(60.6, abs=0.1)
    assert rows.loc["A3C LSTM, 4 days", "recomputed mean %"] == pytest.approx(406.3, abs=0.1)
    for label in ("A3C FF, 1 day", "A3C FF, 4 days", "A3C LSTM, 4 days"):
        assert rows.loc[label, "matches"] == "NO"
        assert any(label in note for note in notes)
