"""The throughput benchmark's per-phase breakdown runs and accounts for the loop's time."""
import pytest

from a3c.bench import breakdown, main


def test_breakdown_times_every_phase_of_a_worker_loop():
    phases = breakdown("CartPole-v1", "a3c", segments=50)
    expected = {"env step", "act (forward, sample)", "gradients (loss, backward)",
                "shared RMSProp step", "sync local <- global (first; then in the step)",
                "clip (update minus gradients and step)", "other (Python glue)"}
    assert set(phases) == expected
    timed = {k: v for k, v in phases.items() if k != "other (Python glue)"}
    assert all(ms > 0 for ms in timed.values()), phases


@pytest.mark.parametrize("args,message", [
    (["--game", "Pongg"], "did you mean"),
    (["--workers", "0"], "--workers must be >= 1"),
    (["--seconds", "0"], "--seconds must be > 0"),
])
def test_bad_arguments_fail_before_any_process_starts(capsys, args, message):
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err
