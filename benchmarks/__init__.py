"""Benchmarks, run as scripts from the repository's root:

- throughput.py: training frames/s beside the environment alone; --breakdown: time per phase of
  one worker.
- learning_curve.py: one training run (resumable) and its learning curve.
"""
