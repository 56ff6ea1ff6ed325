"""Run-directory logs: resume keeps what the checkpoint covers and survives a torn last row."""
from a3c.rundir import TRAIN_FIELDS, CsvLog


def test_truncate_after_keeps_covered_rows_and_drops_a_torn_one(tmp_path):
    path = tmp_path / "train_log.csv"
    path.write_text("frames,wall_time,worker,episode_return,episode_length\n"
                    "100,1.0,0,-21.0,800\n"
                    "200,2.0,1,-20.0,820\n"
                    "300,3.0,0,-19.0,900\n"
                    "310,3.1,1")  # the writer was killed mid-row
    CsvLog.truncate_after(path, 250)
    lines = path.read_text().splitlines()
    assert lines[0].split(",") == list(TRAIN_FIELDS)
    assert [line.split(",")[0] for line in lines[1:]] == ["100", "200"]
    CsvLog.truncate_after(path, 10**9)  # a torn row within the covered range is dropped too
    path.write_text(path.read_text() + "220,2.")
    CsvLog.truncate_after(path, 10**9)
    assert [line.split(",")[0] for line in path.read_text().splitlines()[1:]] == ["100", "200"]
