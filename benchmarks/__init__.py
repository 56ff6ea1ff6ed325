"""Scripted benchmarks, run from the repository's root: learning_curve.py trains one run
(resumable) and draws its learning curve. The throughput benchmark is `python -m a3c.bench`
(a3c/bench.py), which the workflow's budget uses as a module.
"""
