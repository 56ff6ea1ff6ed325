"""Loss and target computations, one module per algorithm family; nothing about processes.

- returns.py: the discounted n-step returns every method builds on.
- actor_critic.py: A3C's policy, value and entropy terms (softmax and Gaussian policies).
- value_based.py: the targets of 1-step Q, 1-step SARSA and n-step Q.
"""
