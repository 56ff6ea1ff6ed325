"""a3c/cli.py: the run log's mirror in the run directory."""
import logging
from pathlib import Path

import pytest

from a3c.cli import RunLogHandler

FULL = Path("/dev/full")  # every write fails with ENOSPC, as on a full disk


@pytest.mark.skipif(not FULL.exists(), reason="needs /dev/full")
def test_a_full_disk_stops_the_run_log_with_one_warning_and_no_traceback(capsys):
    logger = logging.getLogger("test_cli.full")
    logger.propagate = False
    console = logging.StreamHandler()
    handler = RunLogHandler(FULL)
    logger.addHandler(console)
    logger.addHandler(handler)
    logging.getLogger("a3c").addHandler(console)  # the handler's warning goes to the a3c logger
    try:
        for i in range(3):
            logger.warning("record %d", i)
    finally:
        logging.getLogger("a3c").removeHandler(console)
        logger.removeHandler(handler)
        handler.close()  # the unwritten tail must not raise either
    err = capsys.readouterr().err
    assert "Traceback" not in err and "Logging error" not in err
    assert err.count("cannot write /dev/full (No space left on device)") == 1
    assert "record 2" in err  # the console still has every record
    assert handler.failed


@pytest.mark.skipif(not FULL.exists(), reason="needs /dev/full")
def test_on_the_root_logger_the_warning_does_not_reenter_the_failed_run_log(capsys):
    """The production path (cli.add_run_log): run.log's handler on the root logger, so its own
    warning (logger "a3c") propagates back into it; it must be dropped there, not recurse."""
    root, console, handler = logging.getLogger(), logging.StreamHandler(), RunLogHandler(FULL)
    root.addHandler(console)
    root.addHandler(handler)
    try:
        for i in range(3):
            logging.getLogger("a3c.trainer").warning("record %d", i)
    finally:
        root.removeHandler(handler)
        root.removeHandler(console)
        handler.close()
    err = capsys.readouterr().err
    assert "Traceback" not in err and "Logging error" not in err and "RecursionError" not in err
    assert err.count("cannot write /dev/full") == 1 and "record 2" in err


def test_the_run_log_mirrors_records_on_a_healthy_disk(tmp_path):
    logger = logging.getLogger("test_cli.ok")
    logger.propagate = False
    handler = RunLogHandler(tmp_path / "run.log")
    logger.addHandler(handler)
    try:
        logger.warning("kept")
    finally:
        logger.removeHandler(handler)
        handler.close()
    assert "kept" in (tmp_path / "run.log").read_text() and not handler.failed
