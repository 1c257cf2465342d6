"""A brute-force numpy reference for FourierLens's permutation p-values (docs/METHODS.md).

It re-implements the seeded generator (xoshiro256** seeded by SplitMix64, Lemire's bounded
draws, Fisher–Yates) so that it draws the very permutations FourierLens draws, and computes
every null spectrum with numpy's double-precision rfft, independently of FourierLens's Gram path.
"""
import itertools
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Fixtures"))
from seeded_random import SeededRandom  # noqa: E402


def energies(x):
    """Σ_j |X̂[k, j]|² for k = 0..⌊p/2⌋, in double precision."""
    return (np.abs(np.fft.rfft(x, axis=0)) ** 2).sum(axis=1)


def permutation_p_values(x, draws=200, seed=0):
    """The p-value of every k ≥ 1 (index 0 is nan) by the documented rule."""
    x = np.asarray(x, dtype=np.float64)
    p, d = x.shape
    orderings = math.factorial(p)
    exact = orderings <= draws
    if exact:
        orders = [list(o) for o in itertools.permutations(range(p))]
    else:
        rng = SeededRandom(seed)
        orders = [rng.permutation(p) for _ in range(draws)]
    null = np.array([energies(x[order]) for order in orders])
    observed = energies(x)
    tolerance = 2 * (p + d) * np.finfo(np.float64).eps * p * (x ** 2).sum()
    reach = (null >= observed - tolerance).sum(axis=0)
    if exact:
        result = reach / len(orders)
        result[0] = np.nan
        return result
    magnitudes, observed_magnitude = np.sqrt(null), np.sqrt(observed)
    mean, sd = magnitudes.mean(axis=0), magnitudes.std(axis=0, ddof=1)
    pooled = np.sort(np.concatenate([(magnitudes[:, k] - mean[k]) / sd[k] for k in range(1, p // 2 + 1) if sd[k] > 0]))
    result = np.full(p // 2 + 1, np.nan)
    for k in range(1, p // 2 + 1):
        z = (observed_magnitude[k] - mean[k]) / sd[k]
        slack = math.sqrt(tolerance) / sd[k]
        pooled_p = (1 + (pooled >= z - slack).sum()) / (1 + len(pooled))
        result[k] = max(pooled_p, reach[k] / (1 + draws), 1 / orderings)
    return result
