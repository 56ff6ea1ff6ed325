"""The throughput benchmark's per-phase breakdown runs and accounts for the loop's time."""
from a3c.bench import breakdown


def test_breakdown_times_every_phase_of_a_worker_loop():
    phases = breakdown("CartPole-v1", "a3c", segments=50)
    expected = {"env step", "act (forward, sample)", "gradients (loss, backward)",
                "shared RMSProp step", "sync local <- global (first; then in the step)",
                "clip (update minus gradients and step)", "other (Python glue)"}
    assert set(phases) == expected
    timed = {k: v for k, v in phases.items() if k != "other (Python glue)"}
    assert all(ms > 0 for ms in timed.values()), phases
