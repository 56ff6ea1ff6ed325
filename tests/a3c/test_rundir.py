"""Run-directory logs: resume keeps what the checkpoint covers and survives a torn last row."""
import pytest

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


def test_a_tensorboard_write_failure_is_a_run_directory_error_naming_it(tmp_path):
    """The event writer's thread stores its failure (a full disk) and raises it at the next call:
    it must end the run like every other write (one line naming the directory), not a traceback."""
    import errno

    import pytest

    from a3c.rundir import RunDirError, TensorBoardLog

    board = TensorBoardLog(tmp_path / "tensorboard")
    board.close()

    class FullDisk:
        def add_scalar(self, *args):
            raise OSError(errno.ENOSPC, "No space left on device")

        flush = close = add_scalar

    board.writer = FullDisk()
    message = f"cannot write {tmp_path / 'tensorboard'}: No space left on device (ENOSPC)"
    for call in (lambda: board.scalars("train", {"episode_return": 1.0}, 10), board.flush):
        with pytest.raises(RunDirError) as error:
            call()
        assert str(error.value) == message
    board.close()  # after the failure: quiet


def test_the_event_writer_threads_full_disk_prints_no_traceback_and_fails_the_next_call(tmp_path, monkeypatch):
    """The real writer thread hits the full disk: it must stay quiet on stderr (the failure is
    reported once, by the next call, as a RunDirError), while other threads' errors still print."""
    import errno
    import threading

    from a3c.rundir import RunDirError, TensorBoardLog

    printed = []  # what the default hook would print on stderr, one traceback per thread
    monkeypatch.setattr(threading, "excepthook", lambda args: printed.append(args.thread.name))
    board = TensorBoardLog(tmp_path / "tensorboard")
    writer = board.writer._get_file_writer().event_writer._async_writer

    def full_disk(data):
        raise OSError(errno.ENOSPC, "No space left on device")

    writer._writer.write = full_disk
    writer._byte_queue.put(b"an event")
    writer._worker.join(timeout=30)
    assert not writer._worker.is_alive()
    with pytest.raises(RunDirError, match="No space left on device"):
        board.scalars("train", {"episode_return": 1.0}, 10)
    board.close()
    other = threading.Thread(target=full_disk, args=(None,), name="another thread")
    other.start()
    other.join()
    assert printed == ["another thread"]


def test_a_tensorboard_directory_that_cannot_be_made_is_an_error_naming_it(tmp_path):
    from a3c.rundir import RunDirError, TensorBoardLog

    (tmp_path / "tensorboard").write_text("a file where the directory goes")
    with pytest.raises(RunDirError, match="tensorboard"):
        TensorBoardLog(tmp_path / "tensorboard")


def test_a_log_of_an_older_version_gets_the_new_columns_before_rows_are_appended(tmp_path):
    """A run resumed by a newer trainer (diagnostics.csv before dead_units): the appended rows must
    line up with the header, and the old rows keep their values with the new cells empty."""
    import csv

    path = tmp_path / "diagnostics.csv"
    path.write_text("frames,worker,grad_norm\n100,0,0.5\n200,0,0.7\n")
    fields = ("frames", "worker", "grad_norm", "dead_units")
    log = CsvLog(path, fields)
    log.write({"frames": 300, "worker": 0, "grad_norm": 0.9, "dead_units": 0.25})
    log.close()
    with open(path, newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
    assert tuple(reader.fieldnames) == fields
    assert [(r["frames"], r["grad_norm"], r["dead_units"]) for r in rows] == [
        ("100", "0.5", ""), ("200", "0.7", ""), ("300", "0.9", "0.25")]
    other = tmp_path / "other.csv"  # not an older version of this log: left as it is
    other.write_text("a,b\n1,2\n")
    CsvLog(other, fields).close()
    assert other.read_text().startswith("a,b\n1,2\n")
